// IdentityRegistryBackend in Redis over a one-function RedisCommand. Keys (prefix P):
//   P active:<id>    "1"                      P retained:<id>  retention JSON (never expires)
//   P audit:<id>     LIST of records (capped) P audit          LIST of records (all ids, capped)
// register and retain are Lua scripts, so an identifier can never end up both active and retained.
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { createCall as boundedRedisCall, isIntegerReply, unexpectedReply as redisReplyError } from '../stores/redis/call.js'
import { StoreError } from '../errors/index.js'
import { decodeUtf8Strict } from '../internal/bytes.js'
import { isPlainObject } from '../internal/json.js'
import { checkWellFormed } from '../stores/contract.js'
import type { RedisCommand } from '../stores/redis/command.js'
import type { AuditRecord, IdentityRegistryBackend, RetainedIdentity } from './registry.js'

/**
 * Options of {@link createRedisRegistryBackend}.
 *
 * @example
 * ```ts
 * createRedisRegistryBackend({ command, prefix: 'prod:identity:' })
 * ```
 */
export interface RedisRegistryBackendOptions {
  /** One-function Redis client (`agentauth/stores/redis` `RedisCommand`). */
  readonly command: RedisCommand
  /** Key prefix. Default `agentauth:identity:`. */
  readonly prefix?: string
  /** Per-command timeout in ms. Default 1000. */
  readonly timeoutMs?: number
  /** Records kept in the global audit list and in each identifier's list (newest kept). Default 100000. */
  readonly maxAudit?: number
}

const REGISTER = `if redis.call('EXISTS', KEYS[2]) == 1 then return 'retained' end
if redis.call('SET', KEYS[1], '1', 'NX') == false then return 'exists' end
redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[2]), -1)
redis.call('RPUSH', KEYS[4], ARGV[1])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[2]), -1)
return 'created'`
const RETAIN = `redis.call('DEL', KEYS[1])
if redis.call('SET', KEYS[2], ARGV[1], 'NX') == false then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[3]), -1)
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[3]), -1)
return 1`
// One record into both audit lists in one step, so a failure never leaves them out of step.
const AUDIT = `redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
return 1`

/** A string reply, or a byte reply (clients configured for Buffers) as strict UTF-8; else undefined. */
function text(reply: unknown): string | undefined {
  if (typeof reply === 'string') return reply
  if (!(reply instanceof Uint8Array)) return undefined
  try {
    return decodeUtf8Strict(reply)
  } catch {
    return undefined
  }
}

function parse<T>(value: unknown, what: string): T {
  const json = text(value)
  if (json === undefined) throw redisReplyError(what)
  try {
    return JSON.parse(json) as T
  } catch (cause) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', `corrupted ${what} in Redis`, { cause })
  }
}

/**
 * A stored audit record, checked (object of the expected shape, naming `id` when given) and frozen;
 * else StoreError. Any action string is accepted, so records of a newer version stay readable.
 */
function parseAudit(value: unknown, id: string | undefined): AuditRecord {
  const r: unknown = parse(value, 'audit record')
  if (
    !isPlainObject(r) ||
    typeof r.id !== 'string' ||
    (id !== undefined && r.id !== id) ||
    typeof r.action !== 'string' ||
    typeof r.at !== 'number' ||
    !Number.isFinite(r.at) ||
    (r.reason !== undefined && typeof r.reason !== 'string') ||
    (r.actor !== undefined && typeof r.actor !== 'string')
  ) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'corrupted audit record in Redis')
  }
  return Object.freeze(r) as unknown as AuditRecord
}

/** A stored retention record, checked strictly (it must name `id`) and frozen; else StoreError. */
function parseRetained(value: unknown, id: string): RetainedIdentity {
  const r: unknown = parse(value, 'retained identity')
  if (
    !isPlainObject(r) ||
    r.id !== id ||
    typeof r.deprovisionedAt !== 'number' ||
    !Number.isFinite(r.deprovisionedAt) ||
    typeof r.reason !== 'string' ||
    (r.actor !== undefined && typeof r.actor !== 'string')
  ) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'corrupted retained identity in Redis')
  }
  return Object.freeze({ id, deprovisionedAt: r.deprovisionedAt, reason: r.reason, ...(r.actor === undefined ? {} : { actor: r.actor }) })
}

/**
 * Creates an {@link IdentityRegistryBackend} in Redis, shared by every issuer and admin service instance.
 * Retained identifiers never expire. Each identifier's audit list and the global one keep the
 * newest `maxAudit` records. String or byte (Buffer) replies are both accepted. `register` and
 * `retain` are Lua scripts over four keys: on Redis Cluster put a hash tag in the prefix
 * (`'{agentauth-identity}:'`) so they share one slot.
 *
 * @param options - {@link RedisRegistryBackendOptions}.
 * @returns the backend; methods reject with StoreError `ERR_STORE_UNAVAILABLE` when Redis fails or
 *   holds a retention or audit record that is not one (not a JSON object naming the identifier); retention
 *   records are returned frozen.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options (e.g. a prefix with a lone surrogate).
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createIdentityRegistry, createRedisRegistryBackend } from 'agentauth/lifecycle'
 * const redis = new Redis()
 * const backend = createRedisRegistryBackend({ command: (args) => redis.call(args[0]!, ...args.slice(1)) })
 * ```
 */
export function createRedisRegistryBackend(options: RedisRegistryBackendOptions): IdentityRegistryBackend {
  assertObject(options, 'options')
  assertFunction(options.command, 'options.command')
  const p = options.prefix ?? 'agentauth:identity:'
  assertString(p, 'options.prefix', { allowEmpty: true })
  checkWellFormed(p, 'options.prefix')
  const maxAudit = optionalNumber(options.maxAudit, 'options.maxAudit', 100_000, { min: 1, integer: true })
  const call = boundedRedisCall(options.command, optionalNumber(options.timeoutMs, 'options.timeoutMs', 1000, { min: 1, max: 60_000, integer: true }))
  const k = {
    active: (id: string) => `${p}active:${id}`,
    retained: (id: string) => `${p}retained:${id}`,
    audit: (id: string) => `${p}audit:${id}`,
    all: `${p}audit`,
  }
  return Object.freeze({
    async register(id: string, record: AuditRecord): Promise<'created' | 'exists' | 'retained'> {
      const r = text(await call(['EVAL', REGISTER, '4', k.active(id), k.retained(id), k.audit(id), k.all, JSON.stringify(record), String(maxAudit)]))
      if (r === 'created' || r === 'exists' || r === 'retained') return r
      throw redisReplyError('register')
    },
    async retain(identity: RetainedIdentity, record: AuditRecord): Promise<boolean> {
      const r = await call(['EVAL', RETAIN, '4', k.active(identity.id), k.retained(identity.id), k.audit(identity.id), k.all, JSON.stringify(identity), JSON.stringify(record), String(maxAudit)])
      // Integer replies may come as numbers, decimal strings or bigints (client settings); anything
      // else is an outage, never a quiet "not retained".
      if (isIntegerReply(r, 1)) return true
      if (isIntegerReply(r, 0)) return false
      throw redisReplyError('EVAL (retain)')
    },
    async isActive(id: string): Promise<boolean> {
      const r = await call(['EXISTS', k.active(id)])
      if (isIntegerReply(r, 1)) return true
      if (isIntegerReply(r, 0)) return false
      throw redisReplyError('EXISTS')
    },
    async retained(id: string): Promise<RetainedIdentity | undefined> {
      const r = await call(['GET', k.retained(id)])
      return r === null ? undefined : parseRetained(r, id)
    },
    async audit(record: AuditRecord): Promise<void> {
      const r = await call(['EVAL', AUDIT, '2', k.audit(record.id), k.all, JSON.stringify(record), String(maxAudit)])
      if (!isIntegerReply(r, 1)) throw redisReplyError('EVAL (audit)')
    },
    async trail(id: string | undefined, limit: number): Promise<readonly AuditRecord[]> {
      const r = await call(['LRANGE', id === undefined ? k.all : k.audit(id), String(-limit), '-1'])
      if (!Array.isArray(r)) throw redisReplyError('LRANGE')
      return Object.freeze(r.map((v) => parseAudit(v, id)))
    },
  })
}
