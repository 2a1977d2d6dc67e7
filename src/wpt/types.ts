import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { SignOptions, Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import type { Clock } from '../internal/time.js'
import type { VerifiedWIT } from '../wit/types.js'

/**
 * JOSE header of a WPT.
 *
 * @example
 * ```ts
 * import type { WPTHeader } from 'agentauth/wpt'
 * const header: WPTHeader = { alg: 'EdDSA', typ: 'wpt+jwt' }
 * ```
 */
export interface WPTHeader {
  readonly alg: JWSAlgorithm
  /** `wpt+jwt` (or a legacy form, see {@link SPEC}). */
  readonly typ: string
  readonly [name: string]: unknown
}

/**
 * Claims of a Workload Proof Token (draft-ietf-wimse-wpt §2).
 *
 * @example
 * ```ts
 * import type { VerifiedWPT, WPTClaims } from 'agentauth/wpt'
 * const boundAccessToken = (claims: WPTClaims) => claims.ath !== undefined
 * const claims: WPTClaims = proof.claims // proof: VerifiedWPT
 * ```
 */
export interface WPTClaims {
  /** Target URI of the request without query and fragment (or a deployment-specific value). */
  readonly aud: string | readonly string[]
  readonly exp: number
  readonly jti: string
  /** base64url(SHA-256(WIT)). */
  readonly wth: string
  /** base64url(SHA-256(access token)), when an OAuth access token travels with the request. */
  readonly ath?: string
  /** base64url(SHA-256(Txn-Token)), when a Transaction Token travels with the request. */
  readonly tth?: string
  /** Lower-cased header name → base64url(SHA-256(trimmed token)) for other context tokens. */
  readonly oth?: Readonly<Record<string, string>>
  /** Request method: an agentauth extension (RFC 9449 `htm`), only present when the sender bound it. */
  readonly htm?: string
  readonly [name: string]: unknown
}

/**
 * Options of {@link createWPT}.
 *
 * @example
 * ```ts
 * import { createWPT, type CreateWPTOptions } from 'agentauth/wpt'
 * const options: CreateWPTOptions = { wit, signer, uri: 'https://api.example.com/orders', txnToken, lifetime: 30 }
 * const wpt = await createWPT(options)
 * ```
 */
export interface CreateWPTOptions {
  /** The sender's compact WIT, exactly as it will be sent in `Workload-Identity-Token`. */
  wit: string
  /** Signer for the key in the WIT's `cnf.jwk`; its `alg` must equal `cnf.jwk.alg`. */
  signer: Signer
  /** Target URI of the request; `aud` is this URI without query and fragment. */
  uri: string | URL
  /** Deployment-specific `aud` to send instead of the target URI (§2, when rewriting breaks the default). */
  audience?: string
  /**
   * Request method. When given it is bound in the `htm` claim (an agentauth extension borrowed from
   * RFC 9449; the pinned draft has no method claim and receivers that do not know it ignore it).
   */
  method?: string
  /** OAuth access token sent in `Authorization` (value only, without `Bearer `): bound as `ath`. */
  accessToken?: string
  /** Transaction Token sent in `Txn-Token`: bound as `tth`. */
  txnToken?: string
  /** Other identity / authorization-context tokens, header name → value: bound in `oth`. */
  otherTokens?: Readonly<Record<string, string>>
  /** Lifetime in seconds (integer, 1–3600). Default 60. */
  lifetime?: number
  /** Token identifier. Default: 128 random bits, base64url. Never reuse one. */
  jti?: string
  /** Clock (milliseconds, like `Date.now`). */
  clock?: Clock
  /** Web Crypto provider for hashing and random bytes. Default `globalThis.crypto`. */
  crypto?: Crypto
  /** Aborts a slow signer. */
  signal?: SignOptions['signal']
}

/**
 * Options of {@link verifyWPT}. Every token the request carries must be passed so its binding is checked.
 *
 * @example
 * ```ts
 * import { verifyWPT, type VerifyWPTOptions } from 'agentauth/wpt'
 * const options: VerifyWPTOptions = { wit: verifiedWit, uri: request.url, audience: 'https://api.example.com', replayCache }
 * const proof = await verifyWPT(wpt, options)
 * ```
 */
export interface VerifyWPTOptions {
  /** The sender's WIT, already verified (`verifyWIT`). The WPT key and algorithm come only from it. */
  wit: VerifiedWIT
  /**
   * Target URI of the request as this service sees it. Only its path is used when `audience`
   * lists origins; without `audience` the whole URI (minus query/fragment) must equal `aud`, so it
   * must then come from trusted configuration, not from `Host` / `X-Forwarded-*`.
   */
  uri: string | URL
  /**
   * Acceptable audiences from trusted configuration. An `http(s)` origin (`https://api.example.com`)
   * accepts `origin + request path`; any other value must equal `aud` exactly.
   */
  audience?: string | readonly string[]
  /** Request method; checked against `htm` when the WPT carries one. */
  method?: string
  /** Require the WPT to bind the method (`htm`). Needs `method`. Default false. */
  requireMethod?: boolean
  /** The OAuth access token of the request (value only). When set, `ath` is required and must match. */
  accessToken?: string
  /** The `Txn-Token` of the request. When set, `tth` is required and must match. */
  txnToken?: string
  /** Other context tokens of the request, header name → value. Each must be covered by `oth`. */
  otherTokens?: Readonly<Record<string, string>>
  /** Longest accepted remaining lifetime in seconds, 1–86400: `exp - now` may be up to `maxLifetime + clockTolerance` (a sender's clock may run ahead). Default 300. */
  maxLifetime?: number
  /** Allowed clock skew in seconds, 0–300. Default 30 (as for WITs). */
  clockTolerance?: number
  /** Clock (milliseconds, like `Date.now`). */
  clock?: Clock
  /** Replay cache for `jti` (keys `wpt:<length of wit.id>:<wit.id>:<jti>`). Strongly recommended; without it replays are not detected. */
  replayCache?: ReplayCache
  /** Web Crypto provider. Default `globalThis.crypto`. */
  crypto?: Crypto
  /** Largest accepted WPT in characters, 256–65536 (an integer). Default 8192. */
  maxTokenBytes?: number
  /** Accept the older `typ` `wimse-proof+jwt` (draft-ietf-wimse-s2s-protocol). Default true. */
  acceptLegacyTyp?: boolean
}

/**
 * Result of {@link verifyWPT}: frozen.
 *
 * @example
 * ```ts
 * import type { VerifiedWPT } from 'agentauth/wpt'
 * function log(proof: VerifiedWPT) {
 *   console.log(proof.id, proof.audience, proof.jti, proof.otherTokens)
 * }
 * ```
 */
export interface VerifiedWPT {
  /** The compact WPT as received. */
  readonly token: string
  readonly header: WPTHeader
  readonly claims: WPTClaims
  readonly jti: string
  /** `exp`, epoch seconds. */
  readonly expiresAt: number
  /** The `aud` value that matched. */
  readonly audience: string
  /** The verified WIT the proof was checked against. */
  readonly wit: VerifiedWIT
  /** The workload identifier of the sender (`wit.id`). */
  readonly id: string
  /** True when the WPT used a legacy `typ`. */
  readonly legacy: boolean
  /** Lower-cased header names of the `oth` tokens that were verified (only these may be used for authorization). */
  readonly otherTokens: readonly string[]
}
