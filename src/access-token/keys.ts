import type { TrustBundleSource } from '../bundle/types.js'
import type { PublicJWK } from '../signer/types.js'

/**
 * A JWK Set (RFC 7517 §5) or a trust bundle: `{ keys: [...] }`.
 *
 * @example
 * ```ts
 * import type { JWKSet } from 'agentauth/access-token'
 * const jwks: JWKSet = await (await fetch('https://as.example.com/jwks')).json()
 * ```
 */
export interface JWKSet {
  readonly keys: readonly PublicJWK[]
}

/**
 * Looks keys up per token. jose's `createRemoteJWKSet(url)` fits this type directly.
 * `token` is the flattened form of the JWS being verified.
 *
 * @example
 * ```ts
 * import { createRemoteJWKSet } from 'jose'
 * import type { KeyResolver } from 'agentauth/access-token'
 * const keys: KeyResolver = createRemoteJWKSet(new URL('https://as.example.com/jwks'))
 * ```
 */
export type KeyResolver = (
  header: { readonly alg?: string; readonly kid?: string; readonly [name: string]: unknown },
  token: { readonly protected: string; readonly payload: string; readonly signature: string },
) => Promise<CryptoKey | PublicJWK | JWKSet>

/**
 * Trust bundles by trust domain, read for one configured domain (refreshed on an unknown `kid`).
 *
 * @example
 * ```ts
 * import type { BundleKeys } from 'agentauth/access-token'
 * const keys: BundleKeys = { bundles: trustBundles, trustDomain: 'sts.example.com' }
 * ```
 */
export interface BundleKeys {
  readonly bundles: TrustBundleSource
  readonly trustDomain: string
}

/**
 * Where verification keys come from: a JWKS, a key list, a resolver or `{ bundles, trustDomain }`.
 *
 * @example
 * ```ts
 * import type { KeyInput } from 'agentauth/access-token'
 * const keys: KeyInput = [stsPublicJwk]
 * ```
 */
export type KeyInput = JWKSet | readonly PublicJWK[] | KeyResolver | BundleKeys

