// Option and policy types of createTxnTokenService (kept apart from the handler for size).
import type { KeyInput } from '../internal/oauth-jwt.js'
import type { Clock } from '../internal/time.js'
import type { Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import type { SubjectTokenInfo, SubjectTokenVerifier, TxnServiceClient } from './subject-tokens.js'
import type { TxnContext, VerifiedTxnToken } from './types.js'

/**
 * What the issuance policy sees of one Txn-Token request.
 *
 * @example
 * ```ts
 * const policy = (context: TxnIssuanceContext) => context.replacing === undefined || context.requestedScopes.length === 1
 * ```
 */
export interface TxnIssuanceContext<C extends TxnServiceClient = TxnServiceClient> {
  readonly client: C
  readonly request: Request
  readonly subjectTokenType: string
  /** The validated subject (for a replacement: the replaced token's subject and scopes). */
  readonly subject: SubjectTokenInfo
  /** The Txn-Token being replaced, when `subject_token_type` is `txn_token`. */
  readonly replacing: VerifiedTxnToken | undefined
  /** The requested scopes (already checked to be within the subject's). */
  readonly requestedScopes: readonly string[]
  /** `request_context`, parsed. */
  readonly requestContext: TxnContext | undefined
  /** `request_details`, parsed. */
  readonly requestDetails: TxnContext | undefined
}

/**
 * What a policy may decide. Every field is optional; omitted fields take the defaults.
 *
 * @example
 * ```ts
 * const decision: TxnIssuanceDecision = { scope: ['trade.stocks'], tctx: { action: 'BUY', risk: 'low' }, lifetime: 60 }
 * ```
 */
export interface TxnIssuanceDecision {
  /** Granted scope: a non-empty subset of the requested scopes (default: all requested). */
  scope?: readonly string[]
  /** The Txn-Token `sub` (default: the subject token's). Not allowed for a replacement. */
  sub?: string
  /** `tctx` (default: `request_details` as sent). */
  tctx?: Readonly<Record<string, unknown>>
  /** `rctx` (default: `request_context` as sent). */
  rctx?: Readonly<Record<string, unknown>>
  /** Lifetime in seconds, at most the service's `lifetime`. */
  lifetime?: number
}

/**
 * Authorises one issuance (draft §13.10). Return `false` to refuse (`unauthorized_client`), `true`
 * or `undefined` for the defaults, or a {@link TxnIssuanceDecision}. Throwing refuses too, and any
 * other value (`null`, `0`, `''`) is answered with `server_error`, never a token — as is a decision
 * with a field of the wrong type (`tctx: null` does not fall back to `request_details`).
 *
 * @example
 * ```ts
 * const policy: TxnIssuancePolicy = ({ client, requestDetails }) =>
 *   client.workloadId?.startsWith('spiffe://bank.example/') ? { tctx: { ...requestDetails, channel: 'web' } } : false
 * ```
 */
export type TxnIssuancePolicy<C extends TxnServiceClient = TxnServiceClient> = (
  context: TxnIssuanceContext<C>,
) => boolean | TxnIssuanceDecision | undefined | Promise<boolean | TxnIssuanceDecision | undefined>

/**
 * Replacement Txn-Tokens (subject token type `txn_token`, draft §13.15).
 *
 * @example
 * ```ts
 * const replacement: TxnReplacementOptions = { maxReplacements: 2, keys: { keys: [currentTtsJwk, previousTtsJwk] } }
 * ```
 */
export interface TxnReplacementOptions {
  /** How often a transaction's token may be replaced (default 3). */
  maxReplacements?: number
  /** Let a replacement outlive the token it replaces (default `false`: its `exp` is kept as a cap). */
  extendLifetime?: boolean
  /** Keys that verify the tokens being replaced (default: the signer's public key; add old keys on rotation). */
  keys?: KeyInput
  /**
   * Replace each Txn-Token at most once: a replaced token cannot be presented again for another
   * replacement (no forking of a transaction into several differently narrowed tokens). Needs the
   * service's `replayCache`; default `true` when one is configured.
   */
  singleUse?: boolean
}

/**
 * Options of `createTxnTokenService`.
 *
 * @example
 * ```ts
 * const options: TxnTokenServiceOptions = { trustDomain: 'bank.example', signer: ttsSigner, authenticateClient, subjectTokens: {}, lifetime: 120 }
 * ```
 */
export interface TxnTokenServiceOptions<C extends TxnServiceClient = TxnServiceClient> {
  /** The trust domain this service issues for: every token's `aud`; requests must name it as `audience`. */
  trustDomain: string
  /** Signs the tokens; its public key is what workloads verify with. */
  signer: Signer
  /** `iss` of issued tokens (optional, §9.2). */
  issuer?: string
  /**
   * Authenticates the requesting workload (mutual authentication is required, §11.5), e.g.
   * `createClientAuthenticator` of `agentauth/token-service` (private_key_jwt, WIT + PoP, mTLS).
   */
  authenticateClient: (request: Request, form: URLSearchParams) => Promise<C>
  /**
   * Subject token verifiers by `subject_token_type` URI: an access-token verifier,
   * `selfSignedSubjectToken`, `unsignedJsonSubjectToken`, custom types. `refresh_token` and
   * `txn_token` cannot be configured (refresh tokens are refused, §13.3; `txn_token` is the
   * built-in replacement).
   */
  subjectTokens: Readonly<Record<string, SubjectTokenVerifier<C>>>
  /** Issuance policy hook. Default: issue what was asked, within the subject's scope. */
  policy?: TxnIssuancePolicy<C>
  /** Replacement settings, or `false` to refuse `txn_token` subject tokens. */
  replacement?: TxnReplacementOptions | false
  /** Token lifetime in seconds (default 300, at most 3600). */
  lifetime?: number
  clock?: Clock
  /** Single use of self-signed subject tokens and of replaced Txn-Tokens. */
  replayCache?: ReplayCache
  /** Request body cap in bytes (default 64 KiB). */
  maxRequestBytes?: number
  /** Cap on `request_context` / `request_details` each, in bytes (default 8 KiB). */
  maxContextBytes?: number
  /** Sees every refused or failed request (log it; the response stays generic). */
  onError?: (error: unknown, request: Request) => void
  /**
   * Web Crypto provider for verifying replaced Txn-Tokens and hashing them for single use (default
   * `globalThis.crypto`), e.g. `nodeCrypto()` from `agentauth/adapters/node`. `authenticateClient`
   * and the subject token verifiers take their own.
   */
  crypto?: Crypto
}
