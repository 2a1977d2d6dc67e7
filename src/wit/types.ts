import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'

/**
 * JOSE header of a WIT.
 *
 * @example
 * ```ts
 * import type { WITHeader } from 'agentauth/wit'
 * const header: WITHeader = { alg: 'ES256', kid: 'June 5', typ: 'wit+jwt' }
 * ```
 */
export interface WITHeader {
  readonly alg: JWSAlgorithm
  readonly typ: string
  readonly kid?: string
  readonly [name: string]: unknown
}

/**
 * Claims of a Workload Identity Token (draft-ietf-wimse-workload-creds §5.1). Unknown claims are
 * kept (index signature) and must be ignored by recipients that do not understand them.
 *
 * @example
 * ```ts
 * import type { WITClaims } from 'agentauth/wit'
 * const ttl = (claims: WITClaims, now: number) => claims.exp - now
 * ```
 */
export interface WITClaims {
  /** Workload identifier (WIMSE URI or SPIFFE ID). */
  readonly sub: string
  readonly exp: number
  readonly iss?: string
  readonly iat?: number
  readonly nbf?: number
  readonly jti?: string
  readonly cnf: { readonly jwk: PublicJWK & { readonly alg: JWSAlgorithm } }
  readonly [name: string]: unknown
}

/**
 * Result of `verifyWIT`: deeply frozen, typed, safe to keep.
 *
 * @example
 * ```ts
 * import { verifyWIT, type VerifiedWIT } from 'agentauth/wit'
 * const wit: VerifiedWIT = await verifyWIT(token, { trustBundles })
 * if (wit.trustDomain !== 'example.org') throw new Error('foreign workload')
 * ```
 */
export interface VerifiedWIT {
  /** The compact token exactly as received (needed for WPT `wth` and HTTP signature coverage). */
  readonly token: string
  readonly header: WITHeader
  readonly claims: WITClaims
  /** The workload identifier (`sub`). */
  readonly id: string
  /** The trust domain of `sub` (its authority). */
  readonly trustDomain: string
  /** The workload's proof-of-possession public key, `cnf.jwk`, with its `alg`. */
  readonly key: PublicJWK & { readonly alg: JWSAlgorithm }
  /** The proof algorithm (`cnf.jwk.alg`). */
  readonly proofAlgorithm: JWSAlgorithm
  /** The `kid` of the trust-bundle key that verified the WIT, when it had one. */
  readonly issuerKid: string | undefined
  /**
   * True when the WIT carried the pre-split draft-ietf-wimse-s2s-protocol `typ` (`wimse-id+jwt`).
   * Always set by `verifyWIT`; optional in the type so hand-built values stay valid.
   */
  readonly legacy?: boolean
}

/**
 * A WIT together with when it expires, as handed out by a {@link WITSource}.
 *
 * @example
 * ```ts
 * import type { WITWithExpiry } from 'agentauth/wit'
 * const { token, expiresAt }: WITWithExpiry = await source.getWIT()
 * ```
 */
export interface WITWithExpiry {
  readonly token: string
  /** Epoch seconds. */
  readonly expiresAt: number
}

/**
 * Where the agent side gets its current WIT. Rotation is hidden behind it (go-spiffe style): a
 * refreshing source renews before expiry.
 *
 * @example
 * ```ts
 * import { staticWITSource, type WITSource } from 'agentauth/wit'
 * const source: WITSource = staticWITSource(wit)
 * headers.set('Workload-Identity-Token', (await source.getWIT()).token)
 * ```
 */
export interface WITSource {
  getWIT(options?: { signal?: AbortSignal }): Promise<WITWithExpiry>
}
