/**
 * A pinned specification revision, as exported by a spec-shaped module (`SPEC`).
 *
 * @example
 * ```ts
 * import { SPEC, type SpecReference } from 'agentauth/wit'
 * const pinned: SpecReference = SPEC
 * console.log(pinned.commit)
 * ```
 */
export interface SpecReference {
  /** Draft or document name. */
  readonly document: string
  /** The revision implemented (editor's copies name the last tag they follow). */
  readonly revision: string
  /** Repository and commit the text was read at. */
  readonly repository: string
  readonly commit: string
  /** Where the pinned text can be read. */
  readonly url: string
  /** Profiles implemented on top of the draft (name → pinned document). */
  readonly profiles: Readonly<Record<string, string>>
}

/**
 * The draft this module implements: draft-ietf-wimse-workload-creds, editor's copy after -02
 * (the next tag will be -03), plus the SPIFFE WIT-SVID profile.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/wit'
 * console.log(`${SPEC.document} (${SPEC.revision})`)
 * ```
 */
export const SPEC: SpecReference = Object.freeze({
  document: 'draft-ietf-wimse-workload-creds',
  revision: "editor's copy after -02 (next: -03)",
  repository: 'ietf-wg-wimse/draft-ietf-wimse-s2s-protocol',
  commit: '40b1c4161dd1971dc1ac7d5ba718a636116109ca',
  url: 'https://github.com/ietf-wg-wimse/draft-ietf-wimse-s2s-protocol/blob/40b1c4161dd1971dc1ac7d5ba718a636116109ca/draft-ietf-wimse-workload-creds.md',
  profiles: Object.freeze({
    spiffe: 'spiffe/spiffe standards/WIT-SVID.md at 665a28f3 (Incubating)',
  }),
})

/**
 * The HTTP header field that carries a WIT (workload-creds §5.1.1). Never `Authorization`: a WIT
 * is not a bearer token.
 *
 * @example
 * ```ts
 * import { WIT_HEADER } from 'agentauth/wit'
 * headers.set(WIT_HEADER, wit)
 * ```
 */
export const WIT_HEADER = 'Workload-Identity-Token'

/**
 * The JOSE `typ` of a WIT (workload-creds §5.1, RFC 8725 §3.11).
 *
 * @example
 * ```ts
 * import { WIT_TYP } from 'agentauth/wit'
 * decodeProtectedHeader(token).typ === WIT_TYP
 * ```
 */
export const WIT_TYP = 'wit+jwt'

/**
 * The media type registered for WITs (workload-creds §11.1). A `typ` of `application/wit+jwt` is
 * accepted as equivalent to {@link WIT_TYP} (RFC 7515 §4.1.9).
 *
 * @example
 * ```ts
 * import { WIT_MEDIA_TYPE } from 'agentauth/wit'
 * new Response(wit, { headers: { 'content-type': WIT_MEDIA_TYPE } })
 * ```
 */
export const WIT_MEDIA_TYPE = 'application/wit+jwt'

/**
 * The `typ` used by the earlier draft-ietf-wimse-s2s-protocol revisions, before the credentials
 * were split into draft-ietf-wimse-workload-creds. Accepted by `verifyWIT` in the `wimse` profile
 * unless `acceptLegacyTyp: false`; never emitted, never accepted in the `spiffe` profile.
 *
 * @example
 * ```ts
 * import { WIT_LEGACY_TYP } from 'agentauth/wit'
 * await verifyWIT(token, { trustBundles, acceptLegacyTyp: false }) // refuse `wimse-id+jwt`
 * ```
 */
export const WIT_LEGACY_TYP = 'wimse-id+jwt'

/**
 * Default WIT lifetime used by `createWIT`, in seconds (the draft says "on the order of hours").
 *
 * @example
 * ```ts
 * import { createWIT, DEFAULT_WIT_LIFETIME } from 'agentauth/wit'
 * await createWIT(claims, { signer, lifetime: DEFAULT_WIT_LIFETIME / 2 })
 * ```
 */
export const DEFAULT_WIT_LIFETIME = 3600

/**
 * Default upper bound on a WIT's lifetime accepted by `verifyWIT`, in seconds (24 h).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_WIT_LIFETIME, verifyWIT } from 'agentauth/wit'
 * await verifyWIT(token, { trustBundles, maxLifetime: DEFAULT_MAX_WIT_LIFETIME / 4 })
 * ```
 */
export const DEFAULT_MAX_WIT_LIFETIME = 86_400

/**
 * Default clock skew allowed by `verifyWIT`, in seconds (WIT-SVID §3.4: "seconds to a couple of
 * minutes"). A WIT is accepted while `now < exp + clockTolerance`.
 *
 * @example
 * ```ts
 * import { DEFAULT_CLOCK_TOLERANCE, verifyWIT } from 'agentauth/wit'
 * await verifyWIT(token, { trustBundles, clockTolerance: DEFAULT_CLOCK_TOLERANCE * 2 })
 * ```
 */
export const DEFAULT_CLOCK_TOLERANCE = 30

/**
 * Default size limit of a compact WIT, in characters (= bytes: the token is ASCII), checked
 * before anything is parsed.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_WIT_LENGTH, verifyWIT } from 'agentauth/wit'
 * await verifyWIT(token, { trustBundles, maxTokenLength: DEFAULT_MAX_WIT_LENGTH * 2 }) // large RSA keys
 * ```
 */
export const DEFAULT_MAX_WIT_LENGTH = 8192
