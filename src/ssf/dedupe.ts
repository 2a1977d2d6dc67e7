// Exactly-once processing of SETs by jti. A plain ReplayCache (claim only) cannot do it: the jti
// must be claimed before the handler runs (so a duplicate is not processed twice) and released if
// the handler fails (so the transmitter's retry is processed). Hence claim + release.
import { StoreError, codedTypeError } from '../errors/index.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { boundedRedisCall, redisReplyError } from '../internal/redis-call.js'
import { systemClock, type Clock } from '../internal/time.js'
import type { RedisCommand } from '../stores/redis/command.js'
import type { ReplayCache } from '../stores/types.js'

/**
 * A {@link ReplayCache} that can also give a claim back. Receivers claim `set:<iss>:<jti>` before
 * calling the event handler and release it when the handler throws, so the redelivered SET is
 * processed; a SET whose handler succeeded stays claimed and later copies are only acknowledged.
  *
  * @example
  * ```ts
  * const replayCache: EventDedupeCache = createRedisDedupeCache({ command })
  * ```
  */
export interface EventDedupeCache extends ReplayCache {
  /** Forgets a claim (no-op when absent). Rejects with `StoreError` when the store is down. */
  release(key: string): Promise<void>
}

/**
 * Options of {@link createMemoryDedupeCache}.
 *
 * @example
 * ```ts
 * createMemoryDedupeCache({ maxEntries: 10_000 })
 * ```
 */
export interface MemoryDedupeCacheOptions {
  /** Most live keys (default 100 000); when full, claims fail closed with `StoreError` `ERR_STORE_FULL`. */
  readonly maxEntries?: number
  /** Milliseconds clock. */
  readonly clock?: Clock
}

/**
 * Creates an in-memory {@link EventDedupeCache} for a single receiver instance; processed jtis are
 * forgotten on restart, so a SET redelivered after a restart is processed again: use
 * {@link createRedisDedupeCache} when that matters.
 *
 * @param options - {@link MemoryDedupeCacheOptions}.
 * @returns the cache.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import { createMemoryDedupeCache, createPushReceiver } from 'agentauth/ssf'
 * const receiver = createPushReceiver({ verify, replayCache: createMemoryDedupeCache(), onEvent })
 * ```
 */
export function createMemoryDedupeCache(options: MemoryDedupeCacheOptions = {}): EventDedupeCache {
  assertObject(options, 'options')
  const maxEntries = optionalNumber(options.maxEntries, 'options.maxEntries', 100_000, { min: 1, integer: true })
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  const clock: Clock = (options.clock as Clock | undefined) ?? systemClock
  const map = new Map<string, number>()
  const sweep = (now: number): void => {
    for (const [k, exp] of map) if (exp <= now) map.delete(k)
  }
  return Object.freeze({
    async claim(key: string, expiresAt: number): Promise<boolean> {
      assertString(key, 'key')
      const now = clock() / 1000
      const held = map.get(key)
      if (held !== undefined && held > now) return false
      if (map.size >= maxEntries) sweep(now)
      if (map.size >= maxEntries) {
        throw new StoreError('ERR_STORE_FULL', 'dedupe cache is full of live keys')
      }
      if (expiresAt > now) map.set(key, expiresAt)
      return true
    },
    async release(key: string): Promise<void> {
      map.delete(key)
    },
  })
}

/**
 * Options of {@link createRedisDedupeCache}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisDedupeCache, type RedisDedupeCacheOptions } from 'agentauth/ssf'
 * import { ioredisCommand } from 'agentauth/stores/redis'
 *
 * const options: RedisDedupeCacheOptions = { command: ioredisCommand(new Redis()), prefix: 'orders-api:ssf:', timeoutMs: 500 }
 * const dedupe = createRedisDedupeCache(options)
 * ```
 */
export interface RedisDedupeCacheOptions {
  /** One-function Redis client (`agentauth/stores/redis` `RedisCommand`). */
  readonly command: RedisCommand
  /** Key prefix. Default `agentauth:ssf:dedupe:`. */
  readonly prefix?: string
  /** Per-command timeout in ms. Default 1000. */
  readonly timeoutMs?: number
}

/**
 * Creates an {@link EventDedupeCache} in Redis, shared by every receiver instance and surviving
 * restarts: `SET <prefix><key> 1 NX EXAT <expiresAt>` to claim, `DEL` to release.
 *
 * @param options - {@link RedisDedupeCacheOptions}.
 * @returns the cache; its methods reject with `StoreError` `ERR_STORE_UNAVAILABLE` when Redis fails.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisDedupeCache } from 'agentauth/ssf'
 * const redis = new Redis()
 * const replayCache = createRedisDedupeCache({ command: (args) => redis.call(args[0]!, ...args.slice(1)) })
 * ```
 */
export function createRedisDedupeCache(options: RedisDedupeCacheOptions): EventDedupeCache {
  assertObject(options, 'options')
  assertFunction(options.command, 'options.command')
  const prefix = options.prefix ?? 'agentauth:ssf:dedupe:'
  assertString(prefix, 'options.prefix', { allowEmpty: true })
  const call = boundedRedisCall(options.command, optionalNumber(options.timeoutMs, 'options.timeoutMs', 1000, { min: 1, max: 60_000, integer: true }))
  return Object.freeze({
    async claim(key: string, expiresAt: number): Promise<boolean> {
      assertString(key, 'key')
      if (!Number.isFinite(expiresAt)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'expiresAt must be finite')
      const reply = await call(['SET', prefix + key, '1', 'NX', 'EXAT', String(Math.max(1, Math.ceil(expiresAt)))])
      if (reply === 'OK') return true
      if (reply === null) return false
      throw redisReplyError('SET NX')
    },
    async release(key: string): Promise<void> {
      assertString(key, 'key')
      await call(['DEL', prefix + key])
    },
  })
}

/** True when `value` has claim() and release(). */
export function isDedupeCache(value: unknown): value is EventDedupeCache {
  return typeof value === 'object' && value !== null && typeof (value as EventDedupeCache).claim === 'function' && typeof (value as EventDedupeCache).release === 'function'
}
