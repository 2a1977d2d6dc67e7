/**
 * Single-use claims for proofs (WPT `jti`, HTTP signature nonces, SET `jti`).
 *
 * `claim` is an **atomic insert-if-absent**: it resolves `true` the first time a key is claimed and
 * `false` for every later claim until `expiresAt`. A separate `has` + `set` would race across
 * instances. Implementations fail closed: on an outage they reject with a `StoreError`, and they
 * bound their own latency: the request verifier awaits `claim` without a timer of its own, so a
 * promise that never settles holds the request until the HTTP server's timeout (the Redis stores
 * reject after `timeoutMs`).
 *
 * Implementations: `createMemoryReplayCache` (one process) from `agentauth/stores`,
 * `createRedisReplayCache` (shared) from `agentauth/stores/redis`, or your own object with the
 * same method (run the contract in docs/stores.md against it).
 *
 * @example
 * ```ts
 * import type { ReplayCache } from 'agentauth/stores'
 * import { StoreError } from 'agentauth/errors'
 *
 * async function firstUse(cache: ReplayCache, sub: string, jti: string, exp: number): Promise<boolean> {
 *   return cache.claim(`wpt:${sub.length}:${sub}:${jti}`, exp + 60) // + clock tolerance; StoreError → 503
 * }
 * ```
 */
export interface ReplayCache {
  /**
   * Claims `key` until `expiresAt`, atomically.
   *
   * @param key - the proof's unique value, already namespaced by the caller (e.g. `wpt:<sub>:<jti>`);
   *   well-formed Unicode (a lone surrogate cannot be sent to Redis faithfully and is refused).
   * @param expiresAt - epoch seconds after which the key may be forgotten: the proof's `exp`
   *   **plus** the verifier's clock tolerance (a proof accepted late must stay claimed). Rounded up.
   * @returns `true` on the first sighting, `false` when the key is already held.
   * @throws `TypeError` (`ERR_INVALID_ARG_*`) for an empty key, a key with a lone surrogate or an
   *   unusable `expiresAt`; `StoreError` (`ERR_STORE_UNAVAILABLE`, `ERR_STORE_FULL`) when the store
   *   cannot answer.
   */
  claim(key: string, expiresAt: number): Promise<boolean>
  /**
   * Gives a claim back: the key may be claimed again at once. Optional; both agentauth caches
   * implement it. Use it for short leases around work that can fail — claim a lease before the
   * handler runs and release it afterwards (the SSF receivers hold a lease per SET `jti` and mark the
   * SET done only after the handler succeeded, so a store failure can never turn a retry into a
   * "duplicate"). Never release a proof's key after accepting it: that reopens its replay window.
   *
   * @param key - the key given to `claim` (same namespacing).
   * @returns resolves once the key is forgotten; releasing a key that is not held is a no-op.
   * @throws `TypeError` (`ERR_INVALID_ARG_*`) for an empty or non-string key or one with a lone
   *   surrogate; `StoreError`
   *   (`ERR_STORE_UNAVAILABLE`) when the store cannot answer — the key may still be held.
   *
   * @example
   * ```ts
   * const lease = `lease:${jobId}`
   * if (await cache.claim(lease, now + 30)) {
   *   try {
   *     await runJob(jobId)
   *   } finally {
   *     await cache.release?.(lease) // the next attempt may start at once
   *   }
   * }
   * ```
   */
  release?(key: string): Promise<void>
}

/**
 * What a revocation applies to. At least one of the keys is set. Each key is matched on its own:
 * an entry with `sub` and `sid` revokes the whole subject *and* the session. Values are non-empty,
 * well-formed Unicode strings (no lone surrogates); `revoke` takes at most 4096 characters each,
 * `check` looks up any length.
 *
 * @example
 * ```ts
 * import type { RevocationKeys } from 'agentauth/stores'
 * const keys: RevocationKeys = { sub: wit.sub, jti: wit.jti, jkt: wit.cnfThumbprint }
 * ```
 */
export interface RevocationKeys {
  /** Workload identifier or OAuth subject. */
  readonly sub?: string
  /** A credential's `jti` (WIT, access token). */
  readonly jti?: string
  /** RFC 7638 JWK thumbprint (base64url SHA-256) of a bound key (`cnf`). */
  readonly jkt?: string
  /** A session identifier (`sid`). */
  readonly sid?: string
}

/**
 * One revocation, as stored.
 *
 * @example
 * ```ts
 * import type { RevocationEntry } from 'agentauth/stores'
 * // Every credential of this subject issued before the CAEP credential-change event:
 * const entry: RevocationEntry = { sub: 'spiffe://example.org/agent', until: now + 3600, issuedBefore: eventTime, reason: 'credential-change' }
 * ```
 */
export interface RevocationEntry extends RevocationKeys {
  /**
   * Epoch seconds until which the revocation holds: the latest `exp` of the credentials it covers
   * **plus the verifiers' clock tolerance** (they accept a credential until `exp` + tolerance, so an
   * entry ending at `exp` lets a revoked credential through for that long).
   */
  readonly until: number
  /** Free-text or event-type reason, for audit and error detail (at most 1024 characters, well-formed Unicode). */
  readonly reason?: string
  /** Epoch seconds when the revocation was recorded. */
  readonly revokedAt?: number
  /**
   * Only credentials issued at or before this instant (epoch seconds) are revoked; later ones pass.
   * Same-second credentials are revoked (NumericDate granularity, fail closed), also one whose
   * `iat` has a fraction (`iat` 100.5 against `issuedBefore` 100).
   */
  readonly issuedBefore?: number
}

/**
 * Revocations honoured at request time. `check` returns the first matching entry for any of the
 * given keys. Implementations fail closed: on an outage they reject with a `StoreError`, and they
 * bound their own latency (the request verifier awaits `check` without a timer of its own).
 *
 * Implementations: `createMemoryRevocationStore` from `agentauth/stores`,
 * `createRedisRevocationStore` from `agentauth/stores/redis`.
 *
 * @example
 * ```ts
 * import type { RevocationStore } from 'agentauth/stores'
 *
 * async function assertNotRevoked(store: RevocationStore, sub: string, jti: string, iat: number): Promise<void> {
 *   const hit = await store.check({ sub, jti }, iat)
 *   if (hit !== undefined) throw new Error(`revoked (${hit.reason ?? 'no reason'})`)
 * }
 * ```
 */
export interface RevocationStore {
  /**
   * Records a revocation of every key the entry names. Revoking a key again keeps the union: the
   * later `until`, the wider `issuedBefore`. An entry whose `until` has passed (by the store's
   * clock) records nothing: it leaves a live revocation of the same key as it was, cutoff and all.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_*`) for a malformed entry (a value over 4096 or a reason
   *   over 1024 characters, a lone surrogate, …) — nothing is recorded; `StoreError` when the store
   *   cannot record it (`ERR_STORE_UNAVAILABLE`, `ERR_STORE_FULL`) — the sender should retry.
   */
  revoke(entry: RevocationEntry): Promise<void>
  /**
   * Looks up every key that is set, in the order `jti`, `jkt`, `sid`, `sub`.
   *
   * @param keys - the credential's identifying values; each one set is looked up.
   * @param issuedAt - the credential's `iat` (epoch seconds), compared with `issuedBefore`; when
   *   it is absent, an entry with `issuedBefore` matches (fail closed).
   * @returns the matching stored entry (carrying only the matched key), or `undefined`.
   * @throws `TypeError` (`ERR_INVALID_ARG_*`) for malformed keys (empty, lone surrogate); `StoreError`
   *   (`ERR_STORE_UNAVAILABLE`) when the store cannot answer or holds a corrupted entry.
   */
  check(keys: RevocationKeys, issuedAt?: number): Promise<RevocationEntry | undefined>
}
