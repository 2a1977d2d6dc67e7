import type { PublicJWK } from '../signer/types.js'

/**
 * The trusted keys of one trust domain (a JWKS or the JWT part of a SPIFFE bundle).
 *
 * @example
 * ```ts
 * import type { TrustBundle } from 'agentauth/bundle'
 * const bundle: TrustBundle = { trustDomain: 'example.org', keys: [issuerJwk], issuers: ['https://issuer.example.org'] }
 * ```
 */
export interface TrustBundle {
  /** The trust domain these keys are authoritative for, e.g. `example.org`. */
  readonly trustDomain: string
  /** Public keys; entries may carry `kid`, `alg` and `use` (`wit-svid`, `jwt-svid`, `sig`). */
  readonly keys: readonly PublicJWK[]
  /** Issuers allowed for this trust domain (WIMSE §9.1); when set, a token's `iss` must be one of them. */
  readonly issuers?: readonly string[]
}

/**
 * Options of {@link TrustBundleSource.getBundle}.
 *
 * @example
 * ```ts
 * const bundle = await trustBundles.getBundle('example.org', { signal: AbortSignal.timeout(1000) })
 * ```
 */
export interface GetBundleOptions {
  signal?: AbortSignal
}

/**
 * Where verifiers find trusted keys, per trust domain (never per `iss`). Rotation is hidden behind
 * it: a remote source refreshes itself.
 *
 * @example
 * ```ts
 * import { selectKey, type TrustBundleSource } from 'agentauth/bundle'
 * async function keyFor(source: TrustBundleSource, trustDomain: string, kid: string) {
 *   let bundle = await source.getBundle(trustDomain)
 *   if (bundle && !bundle.keys.some((k) => k.kid === kid)) bundle = (await source.refresh?.(trustDomain)) ?? bundle
 *   return bundle && selectKey(bundle, { kid, alg: 'ES256', use: 'wit-svid' })
 * }
 * ```
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
