// Every Redis round trip goes through here: a bounded wait (timer + AbortSignal) and one mapping of
// every failure — thrown, rejected or timed out — to StoreError, so verifiers fail closed.
import { StoreError } from '../../errors/index.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../../internal/assert.js'
import { codedTypeError } from '../../errors/index.js'
import { checkWellFormed } from '../contract.js'
import type { RedisCommand } from './command.js'

export type Call = (args: readonly string[]) => Promise<unknown>

export interface RedisStoreBase {
  command: RedisCommand
  prefix: string
  call: Call
}

export function createCall(command: RedisCommand, timeoutMs: number): Call {
  return (args) =>
    new Promise<unknown>((resolve, reject) => {
      const controller = new AbortController()
      const timer = setTimeout(() => {
        const err = new StoreError('ERR_STORE_UNAVAILABLE', `Redis did not answer within ${timeoutMs} ms`)
        controller.abort(err)
        reject(err)
      }, timeoutMs)
      const fail = (cause: unknown): void => {
        clearTimeout(timer)
        reject(new StoreError('ERR_STORE_UNAVAILABLE', 'Redis command failed', { cause }))
      }
      let reply: unknown
      try {
        reply = command(args, { signal: controller.signal })
      } catch (cause) {
        fail(cause)
        return
      }
      Promise.resolve(reply).then((value) => {
        clearTimeout(timer)
        resolve(value)
      }, fail)
    })
}

/** Validates the options every Redis store shares. */
export function redisBase(options: unknown, defaultPrefix: string): RedisStoreBase {
  assertObject(options, 'options')
  const o = options as { command?: unknown; prefix?: unknown; timeoutMs?: unknown }
  assertFunction(o.command, 'options.command')
  const prefix = o.prefix ?? defaultPrefix
  assertString(prefix, 'options.prefix')
  if (prefix.length > 256) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.prefix must be at most 256 characters')
  checkWellFormed(prefix, 'options.prefix')
  const timeoutMs = optionalNumber(o.timeoutMs, 'options.timeoutMs', 1000, { min: 1, max: 60_000, integer: true })
  const command = o.command as RedisCommand
  return { command, prefix, call: createCall(command, timeoutMs) }
}

export function unexpectedReply(what: string): StoreError {
  return new StoreError('ERR_STORE_UNAVAILABLE', `unexpected Redis reply to ${what}`)
}

/**
 * Whether an integer reply is `n`: a number, or the form some client settings give integers in —
 * a decimal string (ioredis `stringNumbers: true`, node-redis type mappings) or a bigint.
 */
export function isIntegerReply(reply: unknown, n: 0 | 1): boolean {
  return reply === n || reply === (n === 1 ? '1' : '0') || (typeof reply === 'bigint' && reply === BigInt(n))
}
