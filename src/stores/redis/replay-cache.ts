import { checkEpochSeconds, checkKey, compactKey } from '../contract.js'
import type { ReplayCache } from '../types.js'
import type { RedisCommand } from './command.js'
import { isIntegerReply, redisBase, unexpectedReply } from './call.js'

/** `'OK'` as a Buffer / Uint8Array reply (clients configured for byte replies). */
function isOkBytes(reply: unknown): boolean {
  return reply instanceof Uint8Array && reply.length === 2 && reply[0] === 0x4f && reply[1] === 0x4b
}

/**
 * Options of {@link createRedisReplayCache}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisReplayCache, ioredisCommand, type RedisReplayCacheOptions } from 'agentauth/stores/redis'
 *
 * const options: RedisReplayCacheOptions = {
 *   command: ioredisCommand(new Redis('redis://127.0.0.1:6379')),
 *   prefix: 'orders-api:replay:',
 *   timeoutMs: 250,
 * }
 * const replayCache = createRedisReplayCache(options)
 * ```
 */
export interface RedisReplayCacheOptions {
  /** Sends one command to Redis: `ioredisCommand(redis)`, `nodeRedisCommand(client)` or your own. */
  readonly command: RedisCommand
  /** Prepended to every key (default `'agentauth:replay:'`). Give each application its own. */
  readonly prefix?: string
  /** Longest wait for a reply before failing closed, in ms (integer 1–60 000, default 1000). */
  readonly timeoutMs?: number
}

/**
 * A {@link ReplayCache} in Redis, with `release` (one `DEL`). It fits wherever a claim-and-release
 * cache is expected, e.g. the `replayCache` of the SSF receivers.
 *
 * @example
 * ```ts
 * import { createRedisReplayCache, type RedisReplayCache } from 'agentauth/stores/redis'
 * const cache: RedisReplayCache = createRedisReplayCache({ command, prefix: 'ssf:dedupe:' })
 * if (await cache.claim(key, exp)) await work().catch(async (err) => { await cache.release(key); throw err })
 * ```
 */
export interface RedisReplayCache extends ReplayCache {
  /** Forgets a claim (`DEL`); no-op when absent. See {@link ReplayCache.release}. */
  release(key: string): Promise<void>
}

/**
 * Creates a {@link ReplayCache} shared by every verifier instance through Redis.
 *
 * `claim(key, expiresAt)` is one atomic `SET <prefix><key> 1 NX EXAT <expiresAt>`: reply `'OK'`
 * (as a string, or as bytes from a client returning Buffers) → `true` (first sighting), nil →
 * `false` (replayed). Keys must be well-formed Unicode: a lone surrogate is refused (`TypeError`),
 * since a client would send it as U+FFFD and distinct keys would collide. Keys over 256
 * characters (or starting with `sha256:`) are stored as `sha256:<base64url>` of the key.
 * `release(key)` is one `DEL` of the same
 * Redis key (for claim-then-process work such as SET `jti`s, where a failed handler must let the
 * retry through). `expiresAt` is rounded up to whole
 * seconds and compared with the **Redis server's** clock, so keep it NTP-synced; a past `expiresAt`
 * claims nothing, so callers pass the proof's `exp` plus their clock tolerance.
 *
 * Fails closed: an error reply, any other reply, a thrown or rejected command, or no answer within
 * `timeoutMs` rejects with `StoreError('ERR_STORE_UNAVAILABLE')` (503) — for `release` too (the key
 * may then still be held). A claim that timed out may
 * still land in Redis later; the proof is then burnt and the client retries with a fresh one.
 * No state is held in the returned object: after an outage the next call simply works again.
 *
 * Durability: run Redis with `appendonly yes` and `appendfsync always` so a claim that was
 * acknowledged survives a crash (`everysec` may lose up to a second of claims). See docs/stores.md.
 *
 * @param options - `command` (required), `prefix`, `timeoutMs`.
 * @returns the replay cache (`claim` and `release`).
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options, and as
 *   a rejection of `claim` / `release` for a bad key (empty, not a string, a lone surrogate) or
 *   `expiresAt`; both reject with `StoreError` `ERR_STORE_UNAVAILABLE` when Redis fails or is slow.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisReplayCache, ioredisCommand } from 'agentauth/stores/redis'
 *
 * const replayCache = createRedisReplayCache({
 *   command: ioredisCommand(new Redis('redis://127.0.0.1:6379')),
 *   prefix: 'orders-api:replay:',
 *   timeoutMs: 250,
 * })
 * if (!(await replayCache.claim(`wpt:${sub.length}:${sub}:${jti}`, exp + 60))) throw new Error('replayed')
 * ```
 */
export function createRedisReplayCache(options: RedisReplayCacheOptions): RedisReplayCache {
  const { prefix, call } = redisBase(options, 'agentauth:replay:')
  const keyFor = async (key: string): Promise<string> => {
    const compact = compactKey(key)
    return prefix + (typeof compact === 'string' ? compact : await compact)
  }
  const cache: RedisReplayCache = {
    async claim(key: string, expiresAt: number): Promise<boolean> {
      checkKey(key, 'key')
      const exp = checkEpochSeconds(expiresAt, 'expiresAt')
      const compact = compactKey(key)
      const redisKey = prefix + (typeof compact === 'string' ? compact : await compact)
      const reply = await call(['SET', redisKey, '1', 'NX', 'EXAT', String(exp)])
      if (reply === 'OK' || isOkBytes(reply)) return true
      if (reply === null) return false
      throw unexpectedReply('SET NX')
    },
    async release(key: string): Promise<void> {
      checkKey(key, 'key')
      const reply = await call(['DEL', await keyFor(key)])
      if (!isIntegerReply(reply, 0) && !isIntegerReply(reply, 1)) throw unexpectedReply('DEL')
    },
  }
  return Object.freeze(cache)
}
