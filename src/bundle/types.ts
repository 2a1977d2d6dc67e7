import type { PublicJWK } from '../signer/types.js'

/** The trusted keys of one trust domain (a JWKS or the JWT part of a SPIFFE bundle). */
export interface TrustBundle {
  /** The trust domain these keys are authoritative for, e.g. `example.org`. */
  readonly trustDomain: string
  /** Public keys; entries may carry `kid`, `alg` and `use` (`wit-svid`, `jwt-svid`, `sig`). */
  readonly keys: readonly PublicJWK[]
  /** Issuers allowed for this trust domain (WIMSE §9.1); when set, a token's `iss` must be one of them. */
  readonly issuers?: readonly string[]
}

/** Options of {@link TrustBundleSource.getBundle}. */
export interface GetBundleOptions {
  signal?: AbortSignal
}

/**
 * Where verifiers find trusted keys, per trust domain (never per `iss`). Rotation is hidden behind
 * it: a remote source refreshes itself.
 */
export interface TrustBundleSource {
  /** The bundle of `trustDomain`, or `undefined` when the domain is not trusted at all. */
  getBundle(trustDomain: string, options?: GetBundleOptions): Promise<TrustBundle | undefined>
  /**
   * Optional hint that a `kid` was not found: a remote source may refetch (subject to its
   * cooldown) and return the refreshed bundle.
   */
  refresh?(trustDomain: string, options?: GetBundleOptions): Promise<TrustBundle | undefined>
}
