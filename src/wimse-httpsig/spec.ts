/**
 * The draft revision this module implements, and the wire values it uses.
 *
 * @example
 * ```ts
 * import { SPEC, type WIMSEHTTPSigSpec } from 'agentauth/wimse-httpsig'
 * const spec: WIMSEHTTPSigSpec = SPEC
 * spec.legacyTags // ['wimse-service-to-service']
 * ```
 */
export interface WIMSEHTTPSigSpec {
  /** Internet-Draft name. */
  readonly draft: 'draft-ietf-wimse-http-signature'
  /** Revision implemented: the editor's copy after the last tagged revision. */
  readonly revision: string
  /** Commit of `ietf-wg-wimse/draft-ietf-wimse-s2s-protocol` that was read. */
  readonly commit: string
  /** Date of that commit. */
  readonly date: string
  /** Link to the pinned text. */
  readonly url: string
  /** `tag` signature parameter emitted and required. */
  readonly tag: 'wimse-workload-to-workload'
  /** Older `tag` values still accepted on verification (draft-ietf-wimse-s2s-protocol -00 … -04). */
  readonly legacyTags: readonly string[]
  /** Signature label emitted (and preferred when a message carries several signatures). */
  readonly label: 'wimse'
}

/**
 * The pinned specification: draft-ietf-wimse-http-signature, editor's copy after -06, plus the
 * older forms still accepted on verification.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/wimse-httpsig'
 * console.log(`${SPEC.draft} ${SPEC.revision}; tag ${SPEC.tag}`)
 * ```
 */
export const SPEC: WIMSEHTTPSigSpec = Object.freeze({
  draft: 'draft-ietf-wimse-http-signature',
  revision: "editor's copy after -06 (next: -07)",
  commit: '40b1c4161dd1971dc1ac7d5ba718a636116109ca',
  date: '2026-08-06',
  url: 'https://github.com/ietf-wg-wimse/draft-ietf-wimse-s2s-protocol/blob/40b1c4161dd1971dc1ac7d5ba718a636116109ca/draft-ietf-wimse-http-signature.md',
  tag: 'wimse-workload-to-workload',
  legacyTags: Object.freeze(['wimse-service-to-service']),
  label: 'wimse',
} as const)

/**
 * The `tag` signature parameter of the WIMSE profile (§3).
 *
 * @example
 * ```ts
 * import { WIMSE_TAG } from 'agentauth/wimse-httpsig'
 * WIMSE_TAG // 'wimse-workload-to-workload'
 * ```
 */
export const WIMSE_TAG = 'wimse-workload-to-workload' as const

/**
 * The signature label the profile uses (§3: `wimse` when several signatures are present).
 *
 * @example
 * ```ts
 * import { WIMSE_LABEL } from 'agentauth/wimse-httpsig'
 * WIMSE_LABEL // 'wimse'
 * ```
 */
export const WIMSE_LABEL = 'wimse' as const
