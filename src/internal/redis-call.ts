// A bounded Redis round trip for the SSF outbox, dedupe cache and identity registry: every failure
// (thrown, rejected, timed out) becomes StoreError('ERR_STORE_UNAVAILABLE') so callers fail closed.
import { StoreError } from '../errors/index.js'
import type { RedisCommand } from '../stores/redis/command.js'

type WithSignal = (args: readonly string[], options?: { signal?: AbortSignal }) => Promise<unknown>

export type RedisCall = (args: readonly string[]) => Promise<unknown>

export function boundedRedisCall(command: RedisCommand, timeoutMs: number): RedisCall {
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
        reject(cause instanceof StoreError ? cause : new StoreError('ERR_STORE_UNAVAILABLE', 'Redis command failed', { cause }))
      }
      try {
        Promise.resolve((command as WithSignal)(args, { signal: controller.signal })).then((value) => {
          clearTimeout(timer)
          resolve(value)
        }, fail)
      } catch (cause) {
        fail(cause)
      }
    })
}

export function redisReplyError(what: string): StoreError {
  return new StoreError('ERR_STORE_UNAVAILABLE', `unexpected Redis reply to ${what}`)
}
