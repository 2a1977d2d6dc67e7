/**
 * Workload Identity Tokens (WIT): mint, verify and (unverified) decode the `wit+jwt` credential
 * of draft-ietf-wimse-workload-creds (pinned in {@link SPEC}), and the SPIFFE WIT-SVID profile
 * (`profile: 'spiffe'`). Also the {@link WITSource} implementations the outbound side uses to
 * hold a current WIT.
 *
 * A WIT binds a public key (`cnf.jwk`) to one Workload Identifier (`sub`). It is never a bearer
 * token: it travels in the `Workload-Identity-Token` header next to a proof of possession (a WPT,
 * see `agentauth/wpt`, or an HTTP message signature, see `agentauth/httpsig`).
 *
 * @example
 * ```ts
 * import { createWIT, verifyWIT } from 'agentauth/wit'
 * import { generateSigner } from 'agentauth/signer'
 * import { staticTrustBundles } from 'agentauth/bundle'
 *
 * const issuer = await generateSigner('ES256', { kid: 'k1' })
 * const workload = await generateSigner('ES256')
 * const wit = await createWIT({ sub: 'wimse://example.org/svc', publicJwk: await workload.publicJwk() }, { signer: issuer })
 *
 * const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
 * const verified = await verifyWIT(wit, { trustBundles })
 * verified.id // 'wimse://example.org/svc'
 * ```
 *
 * Reachable from `agentauth/wit`.
 *
 * @module wit
 */
export {
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_MAX_WIT_LENGTH,
  DEFAULT_MAX_WIT_LIFETIME,
  DEFAULT_WIT_LIFETIME,
  SPEC,
  WIT_HEADER,
  WIT_LEGACY_TYP,
  WIT_MEDIA_TYPE,
  WIT_TYP,
  type SpecReference,
} from './constants.js'
export { SPIFFE_ALGORITHMS, type WITProfile } from './claims.js'
export { createWIT, type CreateWITClaims, type CreateWITOptions } from './create.js'
export { decodeWIT, type DecodedWIT } from './decode.js'
export type { DecodeWITOptions, VerifyWITOptions } from './options.js'
export { refreshingWITSource, staticWITSource, type FetchWIT, type RefreshingWITSourceOptions, type StaticWITSourceOptions } from './source.js'
export type { VerifiedWIT, WITClaims, WITHeader, WITSource, WITWithExpiry } from './types.js'
export { createWITVerifier, verifyWIT, type WITVerifier } from './verify.js'
