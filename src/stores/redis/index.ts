/**
 * Redis-backed replay cache and revocation store, shared by every verifier instance. agentauth
 * does not depend on a Redis client: pass a {@link RedisCommand} (one function that sends one
 * command), built with {@link ioredisCommand}, {@link nodeRedisCommand} or by hand for an HTTP
 * Redis. Every failure or timeout rejects with `StoreError('ERR_STORE_UNAVAILABLE')` (fail closed).
 * Operations guide (durability, scaling, failure behaviour): docs/stores.md.
 *
 * Reachable from `agentauth/stores/redis`.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisReplayCache, createRedisRevocationStore, ioredisCommand } from 'agentauth/stores/redis'
 *
 * const command = ioredisCommand(new Redis('redis://127.0.0.1:6379'))
 * const replayCache = createRedisReplayCache({ command })
 * const revocations = createRedisRevocationStore({ command })
 * ```
 *
 * @module stores/redis
 */
export { ioredisCommand, nodeRedisCommand, type IORedisLike, type NodeRedisLike } from './adapters.js'
export type { RedisCommand, RedisCommandOptions } from './command.js'
export { createRedisReplayCache, type RedisReplayCache, type RedisReplayCacheOptions } from './replay-cache.js'
export { createRedisRevocationStore, type RedisRevocationStoreOptions } from './revocation-store.js'
export type { ReplayCache, RevocationEntry, RevocationKeys, RevocationStore } from '../types.js'
