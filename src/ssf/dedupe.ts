// The store a receiver dedupes SETs in: any ReplayCache that can also give a claim back (release).
// The two constructors here are the agentauth store caches with an SSF default prefix; the lease +
// done-marker protocol that uses them lives in exactly-once.ts.
import { codedTypeError } from '../errors/index.js'
import { assertObject } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import { createMemoryReplayCache } from '../stores/memory-replay-cache.js'
import type { RedisCommand } from '../stores/redis/command.js'
import { createRedisReplayCache } from '../stores/redis/replay-cache.js'
import type { ReplayCache } from '../stores/types.js'

/**
 * A {@link ReplayCache} that can also give a claim back — what the SSF receivers need to dedupe
 * SETs. `createMemoryReplayCache` (`agentauth/stores`) and `createRedisReplayCache`
 * (`agentauth/stores/redis`) are such caches, as are {@link createMemoryDedupeCache} and
 * {@link createRedisDedupeCache}. A cache of your own must pass the store contract in
 * docs/stores.md; the receivers rely in particular on "a claim whose `expiresAt` is already past
 * records nothing and resolves `false` only while the key is held".
 *
 * Per SET the receivers keep a short lease `lease:set:<n>:<iss>:<jti>` while the handler runs and,
 * once it resolved, a done marker `set:<n>:<iss>:<jti>` for the dedupe window (docs/ssf-receiver.md).
 *
 * @example
 * ```ts
 * import { createRedisReplayCache } from 'agentauth/stores/redis'
 * import type { EventDedupeCache } from 'agentauth/ssf'
 * const replayCache: EventDedupeCache = createRedisReplayCache({ command, prefix: 'orders-api:ssf:' })
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
 * Creates an in-memory {@link EventDedupeCache} for a single receiver instance — the same cache as
 * `createMemoryReplayCache` from `agentauth/stores`. Processed jtis are forgotten on restart, so a
 * SET redelivered after a restart is processed again: use {@link createRedisDedupeCache} when
 * that matters.
 *
 * @param options - {@link MemoryDedupeCacheOptions}.
 * @returns the cache; `claim` rejects with `TypeError` `ERR_INVALID_ARG_*` for an empty key or an
 *   unusable `expiresAt` (NaN, ±Infinity, 0, negative) and with `StoreError` `ERR_STORE_FULL` when
 *   full of live keys.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import { createMemoryDedupeCache, createPushReceiver } from 'agentauth/ssf'
 * const receiver = createPushReceiver({ verify, replayCache: createMemoryDedupeCache(), onEvent })
 * ```
 */
export function createMemoryDedupeCache(options: MemoryDedupeCacheOptions = {}): EventDedupeCache {
  return createMemoryReplayCache(options)
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
  /** Key prefix (at most 256 characters). Default `agentauth:ssf:dedupe:`. */
  readonly prefix?: string
  /** Per-command timeout in ms (integer 1–60 000). Default 1000. */
  readonly timeoutMs?: number
}

/**
 * Creates an {@link EventDedupeCache} in Redis, shared by every receiver instance and surviving
 * restarts — `createRedisReplayCache` from `agentauth/stores/redis` with the prefix
 * `agentauth:ssf:dedupe:`: `SET <prefix><key> 1 NX EXAT <expiresAt>` to claim, `DEL` to release.
 *
 * @param options - {@link RedisDedupeCacheOptions}.
 * @returns the cache; its methods reject with `StoreError` `ERR_STORE_UNAVAILABLE` when Redis
 *   fails, is slow or answers oddly, and with `TypeError` `ERR_INVALID_ARG_*` for an empty key or
 *   an unusable `expiresAt`.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisDedupeCache } from 'agentauth/ssf'
 * import { ioredisCommand } from 'agentauth/stores/redis'
 * const replayCache = createRedisDedupeCache({ command: ioredisCommand(new Redis()) })
 * ```
 */
export function createRedisDedupeCache(options: RedisDedupeCacheOptions): EventDedupeCache {
  assertObject(options, 'options')
  return createRedisReplayCache({ ...options, prefix: options.prefix ?? 'agentauth:ssf:dedupe:' })
}

/** Checks a receiver's `replayCache` option: claim() and release() are both needed. */
export function checkDedupeCache(value: unknown, name: string): EventDedupeCache {
  if (typeof value !== 'object' || value === null || typeof (value as EventDedupeCache).claim !== 'function' || typeof (value as EventDedupeCache).release !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must have claim() and release() (createRedisReplayCache / createMemoryReplayCache, or createRedisDedupeCache / createMemoryDedupeCache)`)
  }
  return value as EventDedupeCache
}
