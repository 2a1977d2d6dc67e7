/**
 * Single-use claims for proofs (WPT `jti`, HTTP signature nonces, SET `jti`).
 *
 * `claim` is an **atomic insert-if-absent**: it resolves `true` the first time a key is claimed and
 * `false` for every later claim until `expiresAt`. A separate `has` + `set` would race across
 * instances. Implementations fail closed: on an outage they reject with a `StoreError`.
 */
export interface ReplayCache {
  /**
   * @param key - the proof's unique value, already namespaced by the caller (e.g. `wpt:<sub>:<jti>`).
   * @param expiresAt - epoch seconds after which the key may be forgotten.
   */
  claim(key: string, expiresAt: number): Promise<boolean>
}

/** What a revocation applies to. At least one of the keys is set. */
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

/** One revocation, as stored. */
export interface RevocationEntry extends RevocationKeys {
  /** Epoch seconds until which the revocation holds (after that the credential has expired anyway). */
  readonly until: number
  /** Free-text or event-type reason, for audit and error detail. */
  readonly reason?: string
  /** Epoch seconds when the revocation was recorded. */
  readonly revokedAt?: number
  /** Only credentials issued before this instant (epoch seconds) are revoked; later ones pass. */
  readonly issuedBefore?: number
}

/**
 * Revocations honoured at request time. `check` returns the first matching entry for any of the
 * given keys. Implementations fail closed: on an outage they reject with a `StoreError`.
 */
export interface RevocationStore {
  revoke(entry: RevocationEntry): Promise<void>
  /**
   * @param keys - the credential's identifying values; each one set is looked up.
   * @param issuedAt - the credential's `iat` (epoch seconds), compared with `issuedBefore`.
   */
  check(keys: RevocationKeys, issuedAt?: number): Promise<RevocationEntry | undefined>
}
