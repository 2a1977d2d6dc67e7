/**
 * Pluggable state for verifiers: a {@link ReplayCache} (single-use proofs: WPT `jti`, signature
 * nonces, SET `jti`) and a {@link RevocationStore} (credentials, keys, sessions and subjects revoked,
 * e.g. from Shared Signals events), with bounded in-memory implementations for one process.
 * Several instances share state through `agentauth/stores/redis`. Stores fail closed: on an outage
 * or when full they reject with a `StoreError` and verifiers answer 503.
 *
 * Reachable from `agentauth/stores`.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, createMemoryRevocationStore } from 'agentauth/stores'
 *
 * const replayCache = createMemoryReplayCache()
 * const revocations = createMemoryRevocationStore()
 * ```
 *
 * @module stores
 */
export type { ReplayCache, RevocationEntry, RevocationKeys, RevocationStore } from './types.js'
export { createMemoryReplayCache, type MemoryReplayCache, type MemoryReplayCacheOptions } from './memory-replay-cache.js'
export {
  createMemoryRevocationStore,
  type MemoryRevocationStore,
  type MemoryRevocationStoreOptions,
} from './memory-revocation-store.js'
