import { StoreError } from '../errors/index.js'
import { assertObject } from '../internal/assert.js'
import { systemClock } from '../internal/time.js'
import { checkClock, checkEpochSeconds, checkKey, checkMaxEntries, compactKey, readClock } from './contract.js'
import { ExpirySet } from './expiry-set.js'
import type { ReplayCache } from './types.js'

/**
 * Options of {@link createMemoryReplayCache}.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, type MemoryReplayCacheOptions } from 'agentauth/stores'
 *
 * let now = Date.parse('2025-01-01T00:00:00Z')
 * const options: MemoryReplayCacheOptions = { maxEntries: 10_000, clock: () => now }
 * const replayCache = createMemoryReplayCache(options) // a test clock: advance `now` instead of sleeping
 * ```
 */
export interface MemoryReplayCacheOptions {
  /** Most live keys held at once (default 100 000). When reached, new claims fail closed. */
  readonly maxEntries?: number
  /** Milliseconds since the epoch, like `Date.now` (the default). Inject it in tests. */
  readonly clock?: () => number
}

/**
 * A {@link ReplayCache} held in this process's memory, with `release` and `size`.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, type MemoryReplayCache } from 'agentauth/stores'
 * const cache: MemoryReplayCache = createMemoryReplayCache()
 * console.log(cache.size)
 * ```
 */
export interface MemoryReplayCache extends ReplayCache {
  /** Keys currently held (live ones, plus expired ones not yet swept). */
  readonly size: number
  /** Forgets a claim at once (no-op when the key is not held); see {@link ReplayCache.release}. */
  release(key: string): Promise<void>
}

/**
 * Creates a bounded in-memory {@link ReplayCache}.
 *
 * **Single instance only**: the keys live in this process, so two verifier processes (or a restart)
 * do not see each other's claims — a proof replayed to another instance is accepted there. Behind a
 * load balancer, or when a restart must not reopen the replay window, use
 * `createRedisReplayCache` from `agentauth/stores/redis`.
 *
 * `claim` is atomic (check and insert happen in one synchronous step). Expired keys are swept on
 * write in amortised O(log n). When `maxEntries` live keys are held, a new claim is refused with
 * `StoreError('ERR_STORE_FULL')` rather than evicting a live key (evicting would reopen a replay
 * window): the verifier answers 503 until keys expire. Size `maxEntries` above
 * (peak proofs per second × proof lifetime in seconds).
 *
 * Keys longer than 256 characters are stored as their SHA-256, so memory per key stays bounded.
 *
 * @param options - `maxEntries` (integer ≥ 1, default 100 000), `clock`.
 * @returns a cache whose `claim(key, expiresAt)` resolves `true` on the first sighting of `key`
 *   and `false` while it is held, and whose `release(key)` forgets a claim (for claim-then-process
 *   work that must be retried when processing fails, such as SET `jti`s). A claim whose `expiresAt` is already past resolves `true` (unless
 *   the key is held) and is not remembered, like Redis `SET … NX EXAT <past>`: callers pass the
 *   proof's `exp` **plus their clock tolerance**.
 * @throws `TypeError` with `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options;
 *   `claim` rejects with the same for an empty or non-string key or unusable `expiresAt`, and with
 *   `StoreError` `ERR_STORE_FULL` when full of live keys; `release` rejects with the same
 *   `TypeError`s for a bad key.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache } from 'agentauth/stores'
 *
 * const replayCache = createMemoryReplayCache({ maxEntries: 50_000 })
 * await replayCache.claim('wpt:spiffe://example.org/a:jti-1', exp + 60) // true
 * await replayCache.claim('wpt:spiffe://example.org/a:jti-1', exp + 60) // false: replayed
 * ```
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): MemoryReplayCache {
  assertObject(options, 'options')
  const maxEntries = checkMaxEntries(options.maxEntries, 100_000)
  const clock = checkClock(options.clock) ?? systemClock
  // Base for stored times: any value is correct; near the clock's it keeps them small integers.
  const map = new ExpirySet(Date.now())

  function claimCompacted(key: string, expiresAt: number): boolean {
    const now = readClock(clock)
    map.sweep(now)
    if (map.has(key, now)) return false
    const atMs = expiresAt * 1000
    if (atMs <= now) return true
    if (map.size >= maxEntries) {
      map.sweep(now, Number.POSITIVE_INFINITY)
      if (map.size >= maxEntries) throw new StoreError('ERR_STORE_FULL', `replay cache is full (${maxEntries} live entries)`)
    }
    // Absent, or held with an expiry already past (which differs from atMs > now): insert.
    map.insert(key, atMs)
    return true
  }

  const cache: MemoryReplayCache = {
    get size(): number {
      return map.size
    },
    async claim(key: string, expiresAt: number): Promise<boolean> {
      checkKey(key, 'key')
      const exp = checkEpochSeconds(expiresAt, 'expiresAt')
      const compact = compactKey(key)
      return claimCompacted(typeof compact === 'string' ? compact : await compact, exp)
    },
    async release(key: string): Promise<void> {
      checkKey(key, 'key')
      const compact = compactKey(key)
      map.delete(typeof compact === 'string' ? compact : await compact)
    },
  }
  return Object.freeze(cache)
}
