/**
 * Trust bundles: the public keys a verifier trusts, per trust domain (never per `iss`). A
 * {@link TrustBundleSource} hides where they come from — {@link staticTrustBundles} for keys known
 * at start-up, {@link remoteTrustBundle} for a JWKS or SPIFFE bundle endpoint with caching and
 * rotation — and {@link selectKey} picks the key for one token (`kid`, `alg`, `use`).
 *
 * @example
 * ```ts
 * import { selectKey, staticTrustBundles } from 'agentauth/bundle'
 * const trustBundles = staticTrustBundles({ 'example.org': [issuerJwk] })
 * const bundle = await trustBundles.getBundle('example.org')
 * if (bundle) selectKey(bundle, { kid: 'k1', alg: 'ES256', use: 'wit-svid' })
 * ```
 *
 * Reachable from `agentauth/bundle`.
 *
 * @module bundle
 */
export type { GetBundleOptions, TrustBundle, TrustBundleSource } from './types.js'
export { staticTrustBundles, type StaticTrustBundleInput, type StaticTrustBundleSource } from './static.js'
export { selectKey, type SelectKeyOptions } from './select.js'
export { remoteTrustBundle, type RemoteTrustBundleOptions, type RemoteTrustBundleSource } from './remote.js'
export type { BundleFetch } from './fetch-document.js'
