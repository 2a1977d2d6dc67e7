import type { JWSAlgorithm } from '../signer/algorithms.js'

/**
 * A JSON object claim value (`tctx`, `rctx`).
 *
 * @example
 * ```ts
 * const tctx: TxnContext = { action: 'BUY', ticker: 'MSFT', quantity: '100' }
 * ```
 */
export type TxnContext = Readonly<Record<string, unknown>>

/**
 * The claims of a Txn-Token (draft §9.2). `aud` is the trust domain string; `scope` is the
 * space-delimited purpose. `req_wl_chain` is an agentauth extension kept by replacement tokens.
 *
 * @example
 * ```ts
 * import type { TxnTokenClaims } from 'agentauth/txn-token'
 * const scope: TxnTokenClaims['scope'] = 'trade.stocks'
 * ```
 */
export interface TxnTokenClaims {
  readonly iss?: string
  readonly iat: number
  readonly exp: number
  /** The trust domain in which the token is valid. */
  readonly aud: string
  /** Unique transaction identifier (RFC 8417 §2.2). */
  readonly txn: string
  /** The principal of the transaction, unique in the trust domain. */
  readonly sub: string
  /** Space-delimited purpose of the transaction. */
  readonly scope: string
  /** Transaction context: details that stay immutable through the call chain. */
  readonly tctx?: TxnContext
  /** Request context: environment of the original request (`req_ip`, `authn` …). */
  readonly rctx?: TxnContext
  /** The workload that requested the token. */
  readonly req_wl: string
  /** agentauth extension: the workloads that requested the tokens this one replaces, oldest first. */
  readonly req_wl_chain?: readonly string[]
  readonly [name: string]: unknown
}

/**
 * A verified Txn-Token. Frozen; carries claims, never the raw token. The older claim names of
 * earlier drafts (`purp` for `scope`, `azd` for `tctx`) are read when the current one is absent
 * and reported here under the current name.
 *
 * @example
 * ```ts
 * import type { VerifiedTxnToken } from 'agentauth/txn-token'
 * function describe(t: VerifiedTxnToken): string {
 *   return `${t.subject} in transaction ${t.txn} for ${t.scopes.join(' ')}`
 * }
 * ```
 */
export interface VerifiedTxnToken {
  readonly header: Readonly<Record<string, unknown>>
  /** Every claim as signed, frozen. */
  readonly claims: Readonly<Record<string, unknown>>
  /** `txn`. */
  readonly txn: string
  /** `sub`. */
  readonly subject: string
  /** `aud`: the trust domain (equal to the verifier's). */
  readonly trustDomain: string
  /** `scope` (or legacy `purp`) as a list of scope tokens. */
  readonly scopes: readonly string[]
  /** `tctx` (or legacy `azd`), frozen, when present. */
  readonly tctx: TxnContext | undefined
  /** `rctx`, frozen, when present. */
  readonly rctx: TxnContext | undefined
  /** `req_wl`: the workload that requested this token. */
  readonly requestingWorkload: string
  /** Every requester of this token and the tokens it replaced, oldest first (`req_wl` last). */
  readonly requesterChain: readonly string[]
  readonly issuer: string | undefined
  readonly issuedAt: number
  readonly expiresAt: number
  readonly algorithm: JWSAlgorithm
  /** True when a legacy claim name (`purp`, `azd`) was read. */
  readonly legacyClaims: boolean
}
