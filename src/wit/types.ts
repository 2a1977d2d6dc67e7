import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'

/** JOSE header of a WIT. */
export interface WITHeader {
  readonly alg: JWSAlgorithm
  readonly typ: string
  readonly kid?: string
  readonly [name: string]: unknown
}

/** Claims of a Workload Identity Token (draft-ietf-wimse-workload-creds §5.1). */
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

/** Result of `verifyWIT`: frozen, typed, safe to keep. */
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
}

/** A WIT together with when it expires, as handed out by a {@link WITSource}. */
export interface WITWithExpiry {
  readonly token: string
  /** Epoch seconds. */
  readonly expiresAt: number
}

/**
 * Where the agent side gets its current WIT. Rotation is hidden behind it (go-spiffe style): a
 * refreshing source renews before expiry.
 */
export interface WITSource {
  getWIT(options?: { signal?: AbortSignal }): Promise<WITWithExpiry>
}
