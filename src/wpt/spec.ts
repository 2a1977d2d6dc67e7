/**
 * The draft revision this module implements, and the wire names it uses.
 *
 * @example
 * ```ts
 * import { SPEC, type WPTSpec } from 'agentauth/wpt'
 * const spec: WPTSpec = SPEC
 * spec.legacyTyp // ['wimse-proof+jwt']
 * ```
 */
export interface WPTSpec {
  /** Internet-Draft name. */
  readonly draft: 'draft-ietf-wimse-wpt'
  /** Revision implemented: the editor's copy after the last tagged revision. */
  readonly revision: string
  /** Commit of `ietf-wg-wimse/draft-ietf-wimse-s2s-protocol` that was read. */
  readonly commit: string
  /** Date of that commit. */
  readonly date: string
  /** Link to the pinned text. */
  readonly url: string
  /** `typ` emitted in WPTs. */
  readonly typ: 'wpt+jwt'
  /** Older `typ` values still accepted on verification (draft-ietf-wimse-s2s-protocol -00…-04). */
  readonly legacyTyp: readonly string[]
  /** Header carrying the WPT. */
  readonly proofHeader: 'Workload-Proof-Token'
  /** Header carrying the WIT. */
  readonly identityHeader: 'Workload-Identity-Token'
  /** Header carrying a Transaction Token (bound through `tth`). */
  readonly txnTokenHeader: 'Txn-Token'
}

/**
 * The pinned specification: draft-ietf-wimse-wpt, editor's copy after -01, plus the older forms
 * still accepted on verification.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/wpt'
 * console.log(`${SPEC.draft} ${SPEC.revision} @ ${SPEC.commit.slice(0, 7)}`)
 * ```
 */
export const SPEC: WPTSpec = Object.freeze({
  draft: 'draft-ietf-wimse-wpt',
  revision: "editor's copy after -01 (next: -02)",
  commit: '40b1c4161dd1971dc1ac7d5ba718a636116109ca',
  date: '2026-08-06',
  url: 'https://github.com/ietf-wg-wimse/draft-ietf-wimse-s2s-protocol/blob/40b1c4161dd1971dc1ac7d5ba718a636116109ca/draft-ietf-wimse-wpt.md',
  typ: 'wpt+jwt',
  legacyTyp: Object.freeze(['wimse-proof+jwt']),
  proofHeader: 'Workload-Proof-Token',
  identityHeader: 'Workload-Identity-Token',
  txnTokenHeader: 'Txn-Token',
} as const)

/**
 * Name of the request header that carries the WPT (draft-ietf-wimse-wpt §2).
 *
 * @example
 * ```ts
 * import { WPT_HEADER } from 'agentauth/wpt'
 * headers.set(WPT_HEADER, wpt)
 * ```
 */
export const WPT_HEADER = 'Workload-Proof-Token' as const

/**
 * Name of the request header that carries the WIT (draft-ietf-wimse-workload-creds §5.1.1).
 *
 * @example
 * ```ts
 * import { WIT_HEADER } from 'agentauth/wpt'
 * headers.set(WIT_HEADER, wit)
 * ```
 */
export const WIT_HEADER = 'Workload-Identity-Token' as const

/**
 * Name of the header carrying a Transaction Token, bound through the WPT `tth` claim.
 *
 * @example
 * ```ts
 * import { TXN_TOKEN_HEADER } from 'agentauth/wpt'
 * const txnToken = request.headers.get(TXN_TOKEN_HEADER) ?? undefined
 * ```
 */
export const TXN_TOKEN_HEADER = 'Txn-Token' as const

/**
 * The JOSE `typ` of a WPT (media type `application/wpt+jwt`, §4.2).
 *
 * @example
 * ```ts
 * import { WPT_TYP } from 'agentauth/wpt'
 * WPT_TYP // 'wpt+jwt'
 * ```
 */
export const WPT_TYP = 'wpt+jwt' as const
