import { createAccessTokenVerifier, delegationChain, type Actor, type AuthorizationHeaderVerifier, type VerifiedAccessToken } from '../access-token/index.js'
import { codedTypeError, StoreError, VerificationError } from '../errors/index.js'
import { verifyContentDigest } from '../httpsig/index.js'
import { readBody, type DigestBody } from '../httpsig/content-digest.js'
import { parseWorkloadIdentifier, type WorkloadIdentifier } from '../identifier/index.js'
import { looseInstanceOf } from '../internal/assert.js'
import { markBearerError } from '../internal/bearer-errors.js'
import { nowSeconds } from '../internal/time.js'
import { jwkThumbprint } from '../signer/thumbprint.js'
import { createCompiledWIMSERequestVerifier, type CompiledWIMSERequestVerifier } from '../wimse-httpsig/request.js'
import type { VerifiedTxnToken } from '../txn-token/index.js'
import { createTxnTokenVerifier } from '../txn-token/verify.js'
import { verifyTxnTokenField } from '../txn-token/header.js'
import { targetWithoutQuery, type RequestTarget } from '../internal/target-audience.js'
import { createWITVerifier } from '../wit/index.js'
import type { VerifiedWIT } from '../wit/types.js'
import type { RevocationStore } from '../stores/types.js'
import { readWPTTokens } from '../wpt/headers.js'
import { createCompiledWPTVerifier, type CompiledWPTVerifier } from '../wpt/verify.js'
import { fieldReader, publicURL, refuseEncodedUnreserved, singleValue, urlParts, type RequestFields } from './extract.js'
import { INBOUND, inboundFromRequest, type Inbound, type InboundVerifier } from './inbound.js'
import { normalizePolicy, type NormalizedPolicy, type RequestVerifierPolicy, type VerifiedProof, type AuthorizationContext } from './policy.js'
import { VerifiedWITCache } from './wit-cache.js'

/**
 * The frozen result of a successful verification: who called (workload identity from the WIT),
 * how it proved possession, and — in the OAuth tier — for whom it acts.
 *
 * @example
 * ```ts
 * import type { VerifiedRequest } from 'agentauth/server'
 *
 * const caller: VerifiedRequest = await verify(request)
 * console.log(caller.workload.id, caller.wit.issuerKid)
 * if (caller.proof.type === 'httpsig') console.log('signed components', caller.proof.signature.components)
 * const onBehalfOf = caller.accessToken?.subject // the user, in the OAuth tier
 * const agents = caller.delegation.map((actor) => actor.sub) // current actor first
 * ```
 */
export interface VerifiedRequest {
  /** The caller's workload identifier. */
  readonly workload: WorkloadIdentifier
  /** The caller's verified WIT. */
  readonly wit: VerifiedWIT
  /** The proof of possession (WPT or WIMSE HTTP signature) with its details. */
  readonly proof: VerifiedProof
  /** The verified access token, when the policy has an `accessToken` step and one was sent. */
  readonly accessToken: VerifiedAccessToken | undefined
  /** The delegation chain of the access token, current actor first (empty without a token). */
  readonly delegation: readonly Actor[]
  /** The verified Txn-Token, when the policy has a `txnToken` step and one was sent. */
  readonly txnToken: VerifiedTxnToken | undefined
  readonly method: string
  /** The request URL as the caller addressed it (public origin + path + query). */
  readonly url: string
}

/**
 * `(request) => Promise<VerifiedRequest>`, returned by {@link createRequestVerifier}. Rejects with
 * `VerificationError` (400/401/403/413), `StoreError` (503), `ProtocolError` `ERR_BUNDLE_FETCH` /
 * `ERR_REMOTE_TIMEOUT` from a remote trust bundle, or whatever `authorize` threw; never resolves for a
 * refused request.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, errorResponse, type RequestVerifier } from 'agentauth/server'
 *
 * const verify: RequestVerifier = createRequestVerifier(policy)
 * export async function handle(request: Request): Promise<Response> {
 *   const caller = await verify(request).catch((err: unknown) => errorResponse(err))
 *   if (caller instanceof Response) return caller
 *   return Response.json({ caller: caller.workload.id })
 * }
 * ```
 */
export type RequestVerifier = (request: Request) => Promise<VerifiedRequest>

const EMPTY: readonly Actor[] = Object.freeze([])

/**
 * Validates a verification policy once and returns the function that verifies inbound requests.
 *
 * Pipeline, in order — any failure throws and nothing after it runs:
 * 1. limits (header bytes, token sizes) before anything is parsed;
 * 2. the `Workload-Identity-Token` (exactly one), verified against the trust bundle of its
 *    subject's trust domain — or taken from the verified-WIT cache (keyed by the exact token,
 *    bounded, expiring with the WIT);
 * 3. the public target URI (a path percent-encoding an unreserved character, `%61` for `a`, is
 *    refused: decoding routers would route it elsewhere than what was verified); the proof: a WPT
 *    bound to the WIT, the public target URI and any access / Txn-Token sent, or a WIMSE HTTP
 *    signature covering method, target, WIT, credentials and body digest;
 * 4. `Content-Digest` against the body (always with HTTP signatures; with WPT when present or
 *    required);
 * 5. replay: the WPT `jti` or signature nonce is claimed in the replay cache;
 * 6. revocation: WIT subject, `jti` and key thumbprint (a hit also drops the cached WIT);
 * 7. optional access token (RFC 9068, bound to the caller's key when `cnf` is present) and its
 *    subject / `jti` / `sid` revocation; optional Txn-Token;
 * 8. authorisation (`policy.authorize`).
 *
 * The body is read from a clone, so the handler can still consume it.
 *
 * @param policy - see {@link RequestVerifierPolicy}; validated here (coded `TypeError`s).
 * @returns the verifier. It throws `VerificationError` (400/401/403/413 with a stable `code`) for
 *   refused requests, `StoreError` (503) when a store is unavailable, `ProtocolError` when a remote
 *   trust bundle cannot be fetched, and passes on unchanged an error thrown by `authorize` — it
 *   never lets a request through on an error. Use `errorResponse(err)` to answer.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a bad policy (a missing
 *   `trustBundles`, `origin`, `proof` or `authorize`, a non-origin URL, a `NaN` limit, an empty
 *   algorithm list), synchronously, before any request is handled.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, errorResponse } from 'agentauth/server'
 * import { staticTrustBundles } from 'agentauth/bundle'
 * import { matchTrustDomain } from 'agentauth/identifier'
 *
 * const verify = createRequestVerifier({
 *   trustBundles: staticTrustBundles({ 'example.org': [issuerJwk] }),
 *   origin: 'https://api.example.com',
 *   proof: 'either',
 *   authorize: matchTrustDomain('example.org'),
 * })
 *
 * export default async function handle(request: Request): Promise<Response> {
 *   try {
 *     const caller = await verify(request)
 *     return Response.json({ hello: caller.workload.id })
 *   } catch (err) {
 *     return errorResponse(err)
 *   }
 * }
 * ```
 */
export function createRequestVerifier(policy: RequestVerifierPolicy): RequestVerifier {
  const p = normalizePolicy(policy)
  const clock = policy.clock
  const crypto = policy.crypto
  const verifyWit = createWITVerifier({
    trustBundles: p.trustBundles,
    ...(policy.witProfile ? { profile: policy.witProfile } : {}),
    ...(policy.witAlgorithms ? { algorithms: policy.witAlgorithms } : {}),
    ...(policy.proofAlgorithms ? { proofAlgorithms: policy.proofAlgorithms } : {}),
    ...(policy.issuers ? { issuers: policy.issuers } : {}),
    ...(clock ? { clock } : {}),
    ...(crypto ? { crypto } : {}),
    clockTolerance: p.clockTolerance,
    maxTokenLength: p.tokenBytes,
  })
  const cache = new VerifiedWITCache(p.witCacheSize, p.witCacheMaxAge)
  const common = { clockTolerance: p.clockTolerance, replayCache: p.replayCache, ...(clock ? { clock } : {}), ...(crypto ? { crypto } : {}) }
  const verifyWpt = createCompiledWPTVerifier({ audience: p.audiences, maxLifetime: p.maxProofLifetime, maxTokenBytes: p.tokenBytes, ...common })
  const verifyWimse = createCompiledWIMSERequestVerifier({ audience: p.audiences, maxLifetime: p.maxProofLifetime, maxBodyBytes: p.bodyBytes, ...common })
  const steps: ProofSteps = { p, common, verifyWpt, verifyWimse }

  // The access-token verifier depends on the caller's key (cnf.jkt binding): keep a small bounded
  // map of verifiers per thumbprint so options are validated once per key, not once per request.
  const atVerifiers = new Map<string, AuthorizationHeaderVerifier>()
  function accessTokenVerifier(jktValue: string): AuthorizationHeaderVerifier {
    const { mode: _m, requireBinding: _r, ...options } = p.accessToken!
    return createAccessTokenVerifier({ ...options, confirmation: { jkt: jktValue }, ...(clock ? { clock } : {}), ...(crypto ? { crypto } : {}) })
  }
  function accessTokenVerifiers(jktValue: string): AuthorizationHeaderVerifier {
    let v = atVerifiers.get(jktValue)
    if (v === undefined) {
      v = accessTokenVerifier(jktValue)
      if (atVerifiers.size >= 1024) atVerifiers.delete(atVerifiers.keys().next().value as string)
      atVerifiers.set(jktValue, v)
    }
    return v
  }
  // The steps' options are checked now, not by the first request carrying a token (which would then
  // fail with a 500): the access-token options with a placeholder thumbprint, the Txn-Token ones by
  // building the step's verifier once.
  if (p.accessToken !== undefined) accessTokenVerifier('A'.repeat(43))
  const verifyTxn = p.txnToken === undefined ? undefined : createTxnTokenVerifier(p.txnToken)

  const verifyInbound: InboundVerifier = async function verifyInbound(request: Inbound): Promise<VerifiedRequest> {
    const fields = request.fields(p.headerBytes)
    const witToken = singleValue(fields.wit, 'workload-identity-token', 'ERR_WIT_MISSING', p.tokenBytes)
    if (witToken === undefined) throw new VerificationError('ERR_WIT_MISSING', 'the request carries no Workload-Identity-Token')

    const now = nowSeconds(clock)
    let entry = cache.get(witToken, now)
    if (entry === undefined) {
      const wit = await verifyWit(witToken)
      const identifier = parseWorkloadIdentifier(wit.id)
      const jkt = await jwkThumbprint(wit.key, crypto)
      cache.set(witToken, wit, identifier, jkt, now)
      entry = { wit, identifier, jkt, expiresAt: wit.claims.exp }
    }
    const { wit, identifier, jkt } = entry

    const rawURL = request.url
    const method = request.method
    // The URL the caller addressed. Common case (one configured origin, the request addressed to
    // it): the serialised request URL is already the answer and its target is a prefix of it, so
    // no URL object is built unless a signature component or the authorizer asks for one.
    let url = request.parsedURL
    let href: string
    let target: RequestTarget
    if (p.origins.length === 1 && rawURL.startsWith(p.origins[0]!) && rawURL.charCodeAt(p.origins[0]!.length) === 0x2f && !rawURL.includes('#')) {
      href = rawURL
      const q = rawURL.indexOf('?')
      const base = q === -1 ? rawURL : rawURL.slice(0, q)
      target = { href: base, pathname: base.slice(p.origins[0]!.length) }
    } else {
      url = publicURL(rawURL, p, fields, url)
      href = url.href
      target = targetWithoutQuery(url, 'url')
    }
    if (target.pathname.includes('%')) refuseEncodedUnreserved(target.pathname)
    // The signature components (@authority, @target-uri, @scheme, …) are those of the public URL:
    // when it is not the request's own (a Host other than the configured origin), it is passed.
    const proof = await verifyProof(request, method, fields, url, href === rawURL, target, wit, steps)

    if (p.revocations !== undefined) {
      const keys = { sub: wit.id, jkt, ...(typeof wit.claims.jti === 'string' ? { jti: wit.claims.jti } : {}) }
      const hit = await checkRevocation(p.revocations, keys, wit.claims.iat)
      if (hit !== undefined) {
        cache.delete(witToken)
        throw new VerificationError('ERR_CREDENTIAL_REVOKED', 'the caller\'s credential has been revoked', { status: 401 })
      }
    }

    let accessToken: VerifiedAccessToken | undefined
    if (p.accessToken !== undefined) accessToken = await verifyAccessTokenStep(fields.authorization, p, jkt, accessTokenVerifiers)

    const txnToken = verifyTxn === undefined ? undefined : await verifyTxnTokenField(fields.txnToken, p.txnToken!, verifyTxn)
    const delegation = accessToken === undefined ? EMPTY : delegationChain(accessToken.claims)

    const context = new Context(method, href, url, wit, proof, accessToken, txnToken)
    let allowed = p.authorize(identifier, context)
    if (typeof allowed !== 'boolean') allowed = await allowed
    if (allowed !== true) throw new VerificationError('ERR_POLICY_DENIED', 'the caller is not allowed to call this service', { status: 403 })

    return Object.freeze({ workload: identifier, wit, proof, accessToken, delegation, txnToken, method, url: href })
  }

  const verifyRequest = function verifyRequest(request: Request): Promise<VerifiedRequest> {
    if (!looseInstanceOf(request, Request)) return Promise.reject(codedTypeError('ERR_INVALID_ARG_TYPE', 'request must be a Request'))
    return verifyInbound(inboundFromRequest(request))
  }
  // The adapters' entry point for requests that are not fetch Requests (see inbound.ts).
  Object.defineProperty(verifyRequest, INBOUND, { value: verifyInbound })
  return verifyRequest
}

// The authorizer's view of the request. A class, not an object literal with a getter: a literal
// with an accessor is built by a slow runtime call on every request (measured at 1.5–4 µs).
class Context implements AuthorizationContext {
  readonly method: string
  readonly wit: VerifiedWIT
  readonly proof: VerifiedProof
  readonly accessToken: VerifiedAccessToken | undefined
  readonly txnToken: VerifiedTxnToken | undefined
  readonly #href: string
  #url: URL | undefined
  constructor(method: string, href: string, url: URL | undefined, wit: VerifiedWIT, proof: VerifiedProof, accessToken: VerifiedAccessToken | undefined, txnToken: VerifiedTxnToken | undefined) {
    this.method = method
    this.#href = href
    this.#url = url
    this.wit = wit
    this.proof = proof
    this.accessToken = accessToken
    this.txnToken = txnToken
  }

  /** The URL object is built only when the authorizer reads it. */
  get url(): URL {
    return (this.#url ??= new URL(this.#href))
  }
}

interface ProofSteps {
  readonly p: NormalizedPolicy
  readonly common: { clockTolerance: number; replayCache: NormalizedPolicy['replayCache']; clock?: () => number; crypto?: Crypto }
  readonly verifyWpt: CompiledWPTVerifier
  readonly verifyWimse: CompiledWIMSERequestVerifier
}

async function verifyProof(request: Inbound, method: string, fields: RequestFields, parsedURL: URL | undefined, isRequestURL: boolean, target: RequestTarget, wit: VerifiedWIT, steps: ProofSteps): Promise<VerifiedProof> {
  const { p, common } = steps
  const hasWPT = fields.wpt !== null
  const hasSignature = fields.signatureInput !== null || fields.signature !== null
  const useSignature = p.proof === 'httpsig' || (p.proof === 'either' && hasSignature)
  if (useSignature) {
    if (!hasSignature) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the request carries no HTTP message signature', { status: 401 })
    // When the public URL is the request's own, the signature components read its parts and the
    // audience check its target: both are known already (cut from the serialised URL when it was
    // not parsed), so the verifier neither parses nor re-serialises it.
    const requestURL = isRequestURL ? parsedURL ?? urlParts(request.url, target) : parsedURL
    const read = fieldReader(fields, request)
    let body = request.hasBody ? request.body(p.bodyBytes) : null
    if (body !== null && fields.contentDigest === null) body = await emptyAsNull(body, p.bodyBytes)
    const signature = await steps.verifyWimse(request.message, wit, { url: requestURL, target, read, section: request.section(read), body })
    return Object.freeze({ type: 'httpsig', signature })
  }
  if (!hasWPT) {
    throw new VerificationError(p.proof === 'wpt' ? 'ERR_WPT_MISSING' : 'ERR_PROOF_MISSING', 'the request carries no proof of possession', { status: 401 })
  }
  const tokens = readWPTTokens(fields.wit, fields.wpt, fields.authorization, fields.txnToken)
  // The Content-Digest check runs inside the WPT verification, after its other checks and before the
  // jti is claimed: a body altered in transit does not burn the proof (as in HTTP-signature mode).
  const digest = request.hasBody && (p.requireContentDigest || fields.contentDigest !== null)
    ? async () => {
      let body: DigestBody = request.body(p.bodyBytes)
      if (fields.contentDigest === null && (body = await emptyAsNull(body, p.bodyBytes)) === null) return
      await verifyContentDigest(fields.contentDigest, body, { maxBytes: p.bodyBytes, ...(common.crypto ? { crypto: common.crypto } : {}) })
    }
    : undefined
  const wpt = await steps.verifyWpt(tokens.wpt, { wit, target, method, accessToken: tokens.accessToken, txnToken: tokens.txnToken, beforeReplay: digest })
  return Object.freeze({ type: 'wpt', wpt })
}

/**
 * A body stream that turns out to be empty is no body. Runtimes give a fetch Request a body stream
 * for every POST (@hono/node-server does, with `Content-Length: 0` or none), while the sender of a
 * body-less request adds no Content-Digest. Read only when no Content-Digest was sent (bounded);
 * bytes that are there are returned, so the digest is still required for them.
 */
async function emptyAsNull(body: DigestBody, max: number): Promise<DigestBody> {
  const bytes = await readBody(body, max)
  return bytes.length === 0 ? null : bytes
}

/** A revocation store that fails (with anything but a StoreError) fails closed as an outage: 503. */
async function checkRevocation(store: RevocationStore, keys: Parameters<RevocationStore['check']>[0], issuedAt: Parameters<RevocationStore['check']>[1]): ReturnType<RevocationStore['check']> {
  try {
    return await store.check(keys, issuedAt)
  } catch (cause) {
    if (cause instanceof StoreError) throw cause
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'revocation store failed', { cause })
  }
}

const BEARER_SCHEME = /^bearer(?:[ \t]|$)/i

async function verifyAccessTokenStep(
  authorization: string | null,
  p: NormalizedPolicy,
  jkt: string,
  verifierFor: (jkt: string) => AuthorizationHeaderVerifier,
): Promise<VerifiedAccessToken | undefined> {
  const step = p.accessToken!
  // RFC 6750 §3.1: a request using another authentication scheme (or an empty field) carries no
  // bearer credentials. In optional mode it is a request without an access token, not a refusal.
  if (authorization !== null && step.mode === 'optional' && !BEARER_SCHEME.test(authorization)) return undefined
  if (authorization === null) {
    if (step.mode === 'required') {
      throw new VerificationError('ERR_ACCESS_TOKEN_INVALID', 'an access token is required', { status: 401, challenge: {} })
    }
    return undefined
  }
  const token = await verifierFor(jkt)(authorization)
  if (step.requireBinding === true && token.confirmation === undefined) {
    throw new VerificationError('ERR_ACCESS_TOKEN_INVALID', 'the access token is not bound to the caller\'s key', { status: 401, claim: 'cnf' })
  }
  if (p.revocations !== undefined) {
    // An empty jti or sid can name no revocation (revoke refuses empty values) and would make the
    // store's check throw, which reads as an outage (503): leave such a key out.
    const { jti, sid } = token.claims
    const keys = { sub: token.subject, ...(typeof jti === 'string' && jti !== '' ? { jti } : {}), ...(typeof sid === 'string' && sid !== '' ? { sid } : {}) }
    if ((await checkRevocation(p.revocations, keys, token.issuedAt)) !== undefined) {
      throw markBearerError(new VerificationError('ERR_CREDENTIAL_REVOKED', 'the access token or its session has been revoked', { status: 401, challenge: { error: 'invalid_token' } }))
    }
  }
  return token
}

/**
 * One-shot form of {@link createRequestVerifier}: validates `policy` and verifies one request. Prefer
 * `createRequestVerifier` on hot paths (the verified-WIT cache and the default replay cache live in
 * the verifier it returns — a one-shot call has neither across requests).
 *
 * @param request - the inbound request (its body is read from a clone).
 * @param policy - see {@link RequestVerifierPolicy}; pass a shared `replayCache`, since a fresh
 *   memory cache per call cannot detect replays.
 * @returns the frozen {@link VerifiedRequest}.
 * @throws TypeError `ERR_INVALID_ARG_*` for a bad policy; rejects with `VerificationError` (e.g.
 *   `ERR_WIT_MISSING`, `ERR_HEADER_INVALID`, `ERR_PROOF_MISSING`, `ERR_WPT_AUDIENCE`, `ERR_PROOF_REPLAYED`,
 *   `ERR_CREDENTIAL_REVOKED`, `ERR_POLICY_DENIED`) or `StoreError` `ERR_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { verifyRequest } from 'agentauth/server'
 * const caller = await verifyRequest(request, { trustBundles, origin: 'https://api.example.com', proof: 'wpt', authorize: matchAny(), replayCache })
 * ```
 */
export function verifyRequest(request: Request, policy: RequestVerifierPolicy): Promise<VerifiedRequest> {
  return createRequestVerifier(policy)(request)
}
