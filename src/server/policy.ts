// The request-verification policy and its eager validation. Every field that decides trust is
// required in the type (trust bundles, public origin, proof kind, authorisation) so that a missing
// option can never mean "skip the check".
import type { VerifiedAccessToken, VerifyAccessTokenOptions } from '../access-token/index.js'
import type { TrustBundleSource } from '../bundle/types.js'
import { codedTypeError } from '../errors/index.js'
import type { WorkloadIdentifier } from '../identifier/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import { isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import { createMemoryReplayCache } from '../stores/index.js'
import type { ReplayCache, RevocationStore } from '../stores/types.js'
import type { TxnTokenHeaderPolicy, VerifiedTxnToken } from '../txn-token/index.js'
import type { VerifiedWIT } from '../wit/types.js'
import type { VerifiedWPT } from '../wpt/index.js'
import type { VerifiedWIMSERequest } from '../wimse-httpsig/index.js'

/**
 * Which proof of possession a verifier accepts: a Workload Proof Token (`wpt`), a WIMSE HTTP
 * Message Signature (`httpsig`), or `either`.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, type ProofKind } from 'agentauth/server'
 *
 * const proof: ProofKind = config.requireSignatures ? 'httpsig' : 'either'
 * const verify = createRequestVerifier({ trustBundles, origin: 'https://api.example.com', proof, authorize })
 * ```
 */
export type ProofKind = 'wpt' | 'httpsig' | 'either'

/**
 * The proof a request was authenticated with, discriminated by `type`.
 *
 * @example
 * ```ts
 * import type { VerifiedProof } from 'agentauth/server'
 *
 * function proofId(proof: VerifiedProof): string {
 *   return proof.type === 'wpt' ? `wpt:${proof.wpt.jti}` : `sig:${proof.signature.nonce}`
 * }
 * ```
 */
export type VerifiedProof =
  | { readonly type: 'wpt'; readonly wpt: VerifiedWPT }
  | { readonly type: 'httpsig'; readonly signature: VerifiedWIMSERequest }

/**
 * What an `authorize` callback sees besides the caller's identifier.
 *
 * @example
 * ```ts
 * import type { AuthorizationContext } from 'agentauth/server'
 * import type { WorkloadIdentifier } from 'agentauth/identifier'
 *
 * // Only the billing agent may write; every workload of example.org may read.
 * function authorize(id: WorkloadIdentifier, ctx: AuthorizationContext): boolean {
 *   if (id.trustDomain !== 'example.org') return false
 *   if (ctx.method === 'GET') return true
 *   return id.path === '/agents/billing' && ctx.url.pathname.startsWith('/invoices/')
 * }
 * ```
 */
export interface AuthorizationContext {
  readonly method: string
  /** The request URL as the caller signed it (public origin + path + query). */
  readonly url: URL
  readonly wit: VerifiedWIT
  readonly proof: VerifiedProof
  readonly accessToken: VerifiedAccessToken | undefined
  readonly txnToken: VerifiedTxnToken | undefined
}

/**
 * Decides whether an authenticated caller may proceed. Matchers from `agentauth/identifier`
 * (`matchId`, `matchTrustDomain`, `matchOneOf`, …) fit directly; return `false` to refuse with
 * `ERR_POLICY_DENIED` (403). Only `true` (or a promise of `true`) lets the request through: any
 * other value, truthy or not, is a refusal. An authorizer that throws or rejects refuses the
 * request too, and its error reaches the verifier's caller unchanged (`errorResponse` answers
 * 500 for a plain error, 503 for a `StoreError` such as an unreachable permissions store).
 *
 * @example
 * ```ts
 * import type { Authorizer } from 'agentauth/server'
 * import { matchTrustDomain } from 'agentauth/identifier'
 *
 * const sameDomain = matchTrustDomain('example.org')
 * // Async decisions are allowed, e.g. a lookup in a permissions service.
 * const authorize: Authorizer = async (id, ctx) =>
 *   sameDomain(id) && (await permissions.allows(id.id, ctx.method, ctx.url.pathname))
 * ```
 */
export type Authorizer = (id: WorkloadIdentifier, context: AuthorizationContext) => boolean | Promise<boolean>

/**
 * Size limits applied before anything is parsed; requests over a limit are refused with
 * `ERR_INPUT_TOO_LARGE` (400) or `ERR_BODY_TOO_LARGE` (413).
 *
 * @example
 * ```ts
 * import { createRequestVerifier, type RequestLimits } from 'agentauth/server'
 *
 * const limits: RequestLimits = { headerBytes: 16 * 1024, tokenBytes: 4096, bodyBytes: 256 * 1024 }
 * const verify = createRequestVerifier({ ...policy, limits })
 * ```
 */
export interface RequestLimits {
  /**
   * Size of the header section, in bytes: each field counts its name, its value and 4 bytes for
   * `": "` and CRLF (repeated fields are counted combined, as `Headers` holds them). Default 32 KiB;
   * at least 1024.
   */
  headerBytes?: number
  /**
   * Largest WIT / WPT / access token / Txn-Token, in characters. Default 8 KiB for WITs and WPTs;
   * access tokens and Txn-Tokens keep their verifiers' default (16 KiB) unless this is set, or the
   * step sets its own `maxTokenBytes`. At least 256.
   */
  tokenBytes?: number
  /** Largest body hashed for Content-Digest, in bytes. Default 1 MiB; `0` refuses every non-empty body. */
  bodyBytes?: number
}

/**
 * Optional OAuth access-token step (tier 2): the `Authorization` header is verified as an RFC 9068
 * token bound to the caller. Failures are `VerificationError`s answered with a `Bearer` challenge,
 * with the codes `verifyAccessToken` (`agentauth/access-token`) lists: 401 for an invalid token
 * (`ERR_ACCESS_TOKEN_INVALID`, `ERR_TOKEN_EXPIRED`, `ERR_KEY_NOT_FOUND`, `ERR_CONFIRMATION_MISMATCH`
 * …), 403 for `ERR_INSUFFICIENT_SCOPE` and delegation refusals, 400 `ERR_INPUT_TOO_LARGE` for an
 * oversized `Authorization`; and `ERR_CREDENTIAL_REVOKED` (401) from the revocation check.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, type AccessTokenStep } from 'agentauth/server'
 *
 * const accessToken: AccessTokenStep = {
 *   mode: 'required',
 *   issuer: 'https://as.example.com',
 *   audience: 'https://api.example.com',
 *   keys: asJwks,
 *   requiredScopes: ['orders:read'],
 *   requireBinding: true,
 * }
 * const verify = createRequestVerifier({ ...policy, accessToken })
 * ```
 */
export interface AccessTokenStep extends Omit<VerifyAccessTokenOptions, 'confirmation' | 'clock' | 'crypto'> {
  /**
   * `required` refuses requests without an access token; `optional` verifies one when present. An
   * `Authorization` field of another scheme (`Basic …`) carries no access token (RFC 6750 §3.1):
   * `required` answers it with a bare `Bearer` challenge, `optional` lets it through without one.
   */
  mode: 'required' | 'optional'
  /** Require `cnf.jkt` to equal the caller's WIT key (sender-constrained token). Default false: a token with `cnf` is always checked. */
  requireBinding?: boolean
}

/**
 * Optional Txn-Token step: the `Txn-Token` header is verified with `verifyTxnTokenHeader` from
 * `agentauth/txn-token` (`aud` must be this trust domain). A Txn-Token authenticates nobody: it is
 * checked only after the caller's WIT and proof, and the proof binds it (WPT `tth`; an HTTP signature
 * covers `txn-token`).
 *
 * @example
 * ```ts
 * import { createRequestVerifier, type TxnTokenStep } from 'agentauth/server'
 *
 * const txnToken: TxnTokenStep = { required: true, trustDomain: 'example.org', keys: txnServiceJwks }
 * const verify = createRequestVerifier({ ...policy, txnToken })
 * const { txnToken: txn } = await verify(request)
 * console.log(txn?.txn, txn?.scopes)
 * ```
 */
export type TxnTokenStep = TxnTokenHeaderPolicy

/**
 * Policy of {@link createRequestVerifier}.
 *
 * @example
 * ```ts
 * import type { RequestVerifierPolicy } from 'agentauth/server'
 * import { matchTrustDomain } from 'agentauth/identifier'
 * const policy: RequestVerifierPolicy = {
 *   trustBundles,
 *   origin: 'https://api.example.com',
 *   proof: 'either',
 *   authorize: matchTrustDomain('example.org'),
 * }
 * ```
 */
export interface RequestVerifierPolicy {
  /** Trusted WIT signing keys per trust domain. */
  trustBundles: TrustBundleSource
  /**
   * The public origin(s) callers address, e.g. `https://api.example.com`. WPT `aud` and HTTP
   * signature `wimse-aud` are checked against them — never against `Host` / `X-Forwarded-*`.
   */
  origin: string | readonly string[]
  /** Proof of possession accepted: WPT, WIMSE HTTP signature, or either. */
  proof: ProofKind
  /** Authorisation of the authenticated caller (use `matchAny()` to accept every trusted caller). */
  authorize: Authorizer
  /**
   * Additional acceptable audiences for deployments that rewrite URLs. A URI with a path
   * (`https://gw.example.com/api/orders`) is matched exactly; a bare origin (`https://gw.example.com`,
   * with or without the trailing `/`) is another origin callers address: it matches that origin
   * followed by the request's path, as `origin` does, and never the bare origin itself.
   */
  audiences?: readonly string[]
  /** WIT profile: `wimse` (default) or `spiffe` (WIT-SVID rules). */
  witProfile?: 'wimse' | 'spiffe'
  /** Allowed WIT signature algorithms (issuer). Default: all supported asymmetric ones. */
  witAlgorithms?: readonly JWSAlgorithm[]
  /** Allowed proof algorithms (`cnf.jwk.alg`). Default: all supported asymmetric ones. */
  proofAlgorithms?: readonly JWSAlgorithm[]
  /** Issuer allow-list for WITs. */
  issuers?: readonly string[]
  /** Single-use store for WPT `jti` and signature nonces. Default: a memory cache (one instance only). */
  replayCache?: ReplayCache
  /** Revocations checked on every request (WIT `sub`, `jti`, key thumbprint; access-token `sub`/`jti`/`sid`). */
  revocations?: RevocationStore
  /** Verify the `Authorization` access token (tier 2). */
  accessToken?: AccessTokenStep
  /** Verify the `Txn-Token` header. */
  txnToken?: TxnTokenStep
  /** Require `Content-Digest` for requests with a body even in WPT mode. Default false (WPT does not cover the body; HTTP signatures always require it). */
  requireContentDigest?: boolean
  limits?: RequestLimits
  /**
   * Longest accepted proof lifetime in seconds (1 to 3,600). Default 300. For an HTTP signature,
   * `expires` − `created`; a WPT carries no `iat`, so for it, how far its `exp` may lie ahead of the
   * verifier's clock, plus `clockTolerance` (a WPT of 300 s + 30 s passes with the defaults).
   */
  maxProofLifetime?: number
  /**
   * Clock skew tolerated, in seconds. Default 30. It applies to every token the verifier checks:
   * the access-token and Txn-Token steps use it unless they set their own `clockTolerance`.
   */
  clockTolerance?: number
  clock?: Clock
  /** Verified-WIT cache size (entries keyed by the exact token, expiring with the WIT). `0` disables it. Default 10,000. */
  witCacheSize?: number
  /**
   * Seconds a cached WIT is trusted before it is verified again against the trust bundle (1 to
   * 86,400). Bounds how long a WIT signed by an issuer key that was since removed from the bundle
   * (a rotation, a compromise) is still accepted: this plus the bundle source's own refresh
   * interval. Default 300.
   */
  witCacheMaxAge?: number
  /** Use `X-Forwarded-Proto` / `X-Forwarded-Host` to pick which configured origin was addressed. Default false. */
  trustProxy?: boolean
  /** Web Crypto provider (e.g. `nodeCrypto()` from `agentauth/adapters/node`). */
  crypto?: Crypto
}

export interface NormalizedPolicy {
  readonly trustBundles: TrustBundleSource
  readonly origins: readonly string[]
  readonly audiences: readonly string[]
  readonly proof: ProofKind
  readonly authorize: Authorizer
  readonly replayCache: ReplayCache
  readonly revocations: RevocationStore | undefined
  readonly accessToken: AccessTokenStep | undefined
  readonly txnToken: TxnTokenStep | undefined
  readonly requireContentDigest: boolean
  readonly headerBytes: number
  readonly tokenBytes: number
  readonly bodyBytes: number
  readonly maxProofLifetime: number
  readonly clockTolerance: number
  readonly witCacheSize: number
  readonly witCacheMaxAge: number
  readonly trustProxy: boolean
}

function originOf(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an absolute http(s) origin`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/, '')) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an origin such as https://api.example.com (no path, query or credentials)`)
  }
  return url.origin
}

function optionalBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a boolean`)
}

function algorithms(value: unknown, name: string): void {
  if (value === undefined) return
  if (!Array.isArray(value) || value.length === 0 || !value.every(isJWSAlgorithm)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a non-empty list of supported JWS algorithms`)
  }
}

/**
 * A step's own options without the ones explicitly set to `undefined`: `{ clockTolerance: undefined }`
 * (a config value that is not set) must leave the policy's value in place, not erase it.
 */
function ownSettings<T extends object>(step: T): T {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(step)) if (value !== undefined) out[key] = value
  return out as T
}

const frozenCopy = <T>(value: T): T => (Array.isArray(value) ? Object.freeze([...value]) as T : value)

/**
 * The access-token step as it is when the verifier is built. Its verifiers are created later, one
 * per caller key (cnf.jkt), so the lists they read (audience, scopes, algorithms, keys, delegation)
 * are copied now: a list changed afterwards must not reach the callers seen from then on.
 */
function snapshotAccessTokenStep(step: AccessTokenStep): AccessTokenStep {
  const out: AccessTokenStep = { ...step, audience: frozenCopy(step.audience) }
  if (step.requiredScopes !== undefined) out.requiredScopes = frozenCopy(step.requiredScopes)
  if (step.algorithms !== undefined) out.algorithms = frozenCopy(step.algorithms)
  const keys = step.keys as unknown
  if (Array.isArray(keys)) out.keys = frozenCopy(keys) as AccessTokenStep['keys']
  else if (typeof keys === 'object' && keys !== null && Array.isArray((keys as { keys?: unknown }).keys) && Object.getPrototypeOf(keys) === Object.prototype) {
    out.keys = Object.freeze({ ...keys, keys: frozenCopy((keys as { keys: unknown[] }).keys) }) as unknown as AccessTokenStep['keys']
  }
  const delegation = step.delegation as unknown
  if (typeof delegation === 'object' && delegation !== null) {
    const d = delegation as NonNullable<AccessTokenStep['delegation']>
    const copy = { ...d }
    if (d.allowedActors !== undefined) copy.allowedActors = frozenCopy(d.allowedActors)
    if (d.allowedTrustDomains !== undefined) copy.allowedTrustDomains = frozenCopy(d.allowedTrustDomains)
    out.delegation = Object.freeze(copy)
  }
  return Object.freeze(out)
}

export function normalizePolicy(policy: RequestVerifierPolicy): NormalizedPolicy {
  assertObject(policy, 'policy')
  assertObject(policy.trustBundles, 'policy.trustBundles')
  assertFunction(policy.trustBundles.getBundle, 'policy.trustBundles.getBundle')
  const origins = (typeof policy.origin === 'string' ? [policy.origin] : policy.origin) as unknown
  if (!Array.isArray(origins) || origins.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'policy.origin must be an origin or a non-empty list of origins')
  const normalizedOrigins = origins.map((o, i) => originOf(o, `policy.origin[${i}]`))
  if (policy.proof !== 'wpt' && policy.proof !== 'httpsig' && policy.proof !== 'either') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', "policy.proof must be 'wpt', 'httpsig' or 'either'")
  }
  assertFunction(policy.authorize, 'policy.authorize')
  const audiences = policy.audiences ?? []
  if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string' && a.length > 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'policy.audiences must be a list of non-empty strings')
  }
  algorithms(policy.witAlgorithms, 'policy.witAlgorithms')
  algorithms(policy.proofAlgorithms, 'policy.proofAlgorithms')
  if (policy.replayCache !== undefined) assertFunction(policy.replayCache.claim, 'policy.replayCache.claim')
  if (policy.revocations !== undefined) assertFunction(policy.revocations.check, 'policy.revocations.check')
  if (policy.txnToken !== undefined) {
    assertObject(policy.txnToken, 'policy.txnToken')
    if (typeof policy.txnToken.required !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'policy.txnToken.required must be a boolean')
  }
  if (policy.accessToken !== undefined) {
    assertObject(policy.accessToken, 'policy.accessToken')
    if (policy.accessToken.mode !== 'required' && policy.accessToken.mode !== 'optional') {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', "policy.accessToken.mode must be 'required' or 'optional'")
    }
  }
  // Switches that turn a check on must be booleans: 'true' from a config file would leave it off.
  optionalBoolean(policy.requireContentDigest, 'policy.requireContentDigest')
  optionalBoolean(policy.trustProxy, 'policy.trustProxy')
  if (policy.accessToken !== undefined) optionalBoolean(policy.accessToken.requireBinding, 'policy.accessToken.requireBinding')
  const limits = policy.limits ?? {}
  assertObject(limits, 'policy.limits')
  const clockTolerance = optionalNumber(policy.clockTolerance, 'policy.clockTolerance', 30, { min: 0, max: 300, integer: true })
  const tokenBytes = optionalNumber(limits.tokenBytes, 'policy.limits.tokenBytes', 8 * 1024, { min: 256, integer: true })
  // The token steps inherit the policy's skew and an explicit token limit; their own options win.
  const inherited = { clockTolerance, ...(limits.tokenBytes !== undefined ? { maxTokenBytes: tokenBytes } : {}) }
  return Object.freeze({
    trustBundles: policy.trustBundles,
    origins: Object.freeze(normalizedOrigins),
    audiences: Object.freeze([...normalizedOrigins, ...audiences]),
    proof: policy.proof,
    authorize: policy.authorize,
    replayCache: policy.replayCache ?? createMemoryReplayCache(policy.clock ? { clock: policy.clock } : {}),
    revocations: policy.revocations,
    accessToken: policy.accessToken === undefined ? undefined : snapshotAccessTokenStep({ ...inherited, ...ownSettings(policy.accessToken) }),
    // One merged policy object for the verifier's lifetime (verifyTxnTokenHeader caches per object).
    txnToken: policy.txnToken === undefined ? undefined : Object.freeze({ ...inherited, ...(policy.clock ? { clock: policy.clock } : {}), ...(policy.crypto ? { crypto: policy.crypto } : {}), ...ownSettings(policy.txnToken) }),
    requireContentDigest: policy.requireContentDigest === true,
    headerBytes: optionalNumber(limits.headerBytes, 'policy.limits.headerBytes', 32 * 1024, { min: 1024, integer: true }),
    tokenBytes,
    bodyBytes: optionalNumber(limits.bodyBytes, 'policy.limits.bodyBytes', 1024 * 1024, { min: 0, integer: true }),
    maxProofLifetime: optionalNumber(policy.maxProofLifetime, 'policy.maxProofLifetime', 300, { min: 1, max: 3600, integer: true }),
    clockTolerance,
    witCacheSize: optionalNumber(policy.witCacheSize, 'policy.witCacheSize', 10_000, { min: 0, max: 10_000_000, integer: true }),
    witCacheMaxAge: optionalNumber(policy.witCacheMaxAge, 'policy.witCacheMaxAge', 300, { min: 1, max: 86_400, integer: true }),
    trustProxy: policy.trustProxy === true,
  })
}
