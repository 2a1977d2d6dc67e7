import { codedTypeError } from '../errors/index.js'
import { assertString } from '../internal/assert.js'
import { encode } from '../internal/base64url.js'
import { bs, utf8 } from '../internal/bytes.js'
import { isPlainObject, parseJSONObject } from '../internal/json.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { checkKeyInput } from '../internal/oauth-jwt.js'
import { parseScope } from '../internal/oauth-scope.js'
import { asRefusal, errorResponse, jsonResponse, readTokenRequestForm, refuse, requireParam } from '../internal/oauth-server.js'
import { nowSeconds } from '../internal/time.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../token-exchange/token-types.js'
import { exceedsUtf8Bytes, freezeContext, jsonEqual, MAX_ID } from './claims.js'
import { MAX_CONTEXT_BYTES, MAX_TXN_TOKEN_BYTES } from './constants.js'
import { createTxnToken } from './create.js'
import { isTxnToken } from './is-txn-token.js'
import type { SubjectTokenContext, SubjectTokenInfo, SubjectTokenVerifier, TxnServiceClient } from './subject-tokens.js'
import type { TxnIssuanceDecision, TxnTokenServiceOptions } from './service-types.js'
import type { TxnContext, VerifiedTxnToken } from './types.js'
import { createTxnTokenVerifier, type TxnTokenVerifier } from './verify.js'
import { runHook } from '../internal/hook.js'

const TXN = TOKEN_TYPE.TXN_TOKEN

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an integer in [${min}, ${max}]`)
  return value
}

function contextParam(form: URLSearchParams, name: string, maxBytes: number): TxnContext | undefined {
  const raw = form.get(name)
  if (raw === null) return undefined
  // The cap is in bytes of UTF-8 (as documented), not in UTF-16 code units.
  if (exceedsUtf8Bytes(raw, maxBytes)) throw refuse('invalid_request', 'ERR_INPUT_TOO_LARGE', `${name} exceeds ${maxBytes} bytes`)
  const value = freezeContext(parseJSONObject(raw, { maxBytes, what: name, code: 'ERR_OAUTH_REQUEST_INVALID' }))
  if (value === undefined) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', `${name} is nested too deeply`)
  return value
}

/** Replacement context: existing members are immutable, new members may be added (§13.15). */
function mergeImmutable(base: TxnContext | undefined, next: Readonly<Record<string, unknown>> | undefined, name: string): Readonly<Record<string, unknown>> | undefined {
  if (base === undefined) return next
  if (next === undefined) return base
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(next)) {
    if (Object.hasOwn(base, k)) {
      if (!jsonEqual(base[k], v)) throw refuse('invalid_request', 'ERR_TXN_TOKEN_REPLACEMENT', `a replacement cannot change ${name}.${k}`, { claim: name })
    } else {
      // Defined, not assigned: `out.__proto__ = v` would set the prototype and drop the member.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
  }
  return out
}

// Claims a replacement sets itself (time, audience, identity of the new token) or derives from the
// replaced token (txn, sub, scope, context, requester chain; legacy `purp`/`azd` are read as
// `scope`/`tctx`). Any other claim is an asserted value the service cannot judge: it is carried over
// unchanged, since dropping a restriction would broaden the token (§13.15).
const REPLACEMENT_OWN = new Set(['iat', 'exp', 'nbf', 'aud', 'iss', 'jti', 'txn', 'sub', 'scope', 'purp', 'azd', 'tctx', 'rctx', 'req_wl', 'req_wl_chain'])

function carriedClaims(claims: Readonly<Record<string, unknown>>, into: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(claims)) {
    if (!REPLACEMENT_OWN.has(k)) Object.defineProperty(into, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
}

function checkDecision(decision: TxnIssuanceDecision, requested: readonly string[], lifetime: number, replacing: boolean): void {
  checkObject(decision, 'policy decision')
  if (decision.scope !== undefined && (!Array.isArray(decision.scope) || decision.scope.some((s) => !requested.includes(s)))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'policy decision scope must be a subset of the requested scope')
  }
  if (decision.sub !== undefined) {
    if (replacing) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'policy decision cannot change sub of a replacement Txn-Token')
    assertString(decision.sub, 'policy decision sub')
    if (decision.sub.length > MAX_ID) throw codedTypeError('ERR_INVALID_ARG_VALUE', `policy decision sub must be at most ${MAX_ID} characters`)
  }
  // `decision.tctx ?? requestDetails` would turn a null into the client-sent context.
  for (const name of ['tctx', 'rctx'] as const) {
    const value = decision[name]
    if (value === undefined) continue
    if (!isPlainObject(value)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `policy decision ${name} must be a JSON object or undefined`)
    // A BigInt or a cycle would make the §13.4 check below throw an uncoded TypeError.
    try {
      JSON.stringify(value)
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `policy decision ${name} must be JSON-serialisable`, cause)
    }
  }
  integer(decision.lifetime, 'policy decision lifetime', lifetime, 1, lifetime)
}

/**
 * The Txn-Token Service endpoint (draft §10–11, an RFC 8693 profile) as a
 * `(Request) => Promise<Response>` handler for any runtime. For each request it: reads the form
 * (bounded, no repeated parameters); authenticates the requesting workload; requires
 * `grant_type` token-exchange, `requested_token_type` txn_token, exactly one `audience` equal to
 * the trust domain, a non-empty `scope`; refuses `refresh_token` subject tokens (§13.3), actor
 * tokens and resource indicators; validates the subject token with the verifier for its type
 * (an expired one is refused, §6; a Txn-Token presented under another type is refused); refuses
 * when the subject's scope cannot be determined (§13.14) or the requested scope exceeds it
 * (§13.6); parses `request_context` / `request_details` as JSON objects; runs the policy; and
 * mints a token with a fresh `txn`, `sub`, `aud` = trust domain, short `exp`, `scope`, `tctx`
 * (from `request_details`), `rctx` (from `request_context`) and `req_wl` = the authenticated
 * workload. The subject token itself is never embedded (§13.4).
 *
 * Replacement (subject token type `txn_token`, §13.15): the token must verify with this service's
 * keys, in this trust domain and unexpired; `txn`, `sub` and `aud` are kept; the scope can only
 * narrow; existing `tctx`/`rctx` members are immutable (new members may be added); any other claim
 * of the replaced token (an extension claim this service does not know) is carried over unchanged;
 * the requester chain is kept in `req_wl_chain`; replacements are limited in number, by default never outlive
 * the replaced token, and (with a replay cache) each token is replaced at most once.
 *
 * Success: 200 `{ access_token, issued_token_type, token_type: "N_A", expires_in, scope }` with
 * `Cache-Control: no-store`, never a refresh token. Errors: RFC 6749 §5.2 JSON (`invalid_request`
 * for a bad or unacceptable subject token as RFC 8693 §2.2.2 says, `invalid_client`,
 * `invalid_scope`, `invalid_target`, `unauthorized_client`, `unsupported_grant_type`,
 * `server_error` 500 / 503), also `no-store`.
 *
 * No circular flows: this service accepts access tokens, self-signed and unsigned subject tokens
 * and its own Txn-Tokens only; the access-token exchange must never accept a Txn-Token (use
 * `isTxnToken` there and require `typ` `at+jwt` on its subject tokens).
 *
 * @param options - see {@link TxnTokenServiceOptions}.
 * @returns the token endpoint handler.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at
 *   construction). The handler never throws for bad requests: it answers them; `onError` sees the
 *   VerificationError (`ERR_CLIENT_AUTH_FAILED`, `ERR_OAUTH_REQUEST_INVALID`,
 *   `ERR_SUBJECT_TOKEN_INVALID`, `ERR_TOKEN_EXPIRED`, `ERR_SCOPE_NOT_ALLOWED`,
 *   `ERR_TARGET_NOT_ALLOWED`, `ERR_TXN_TOKEN_REPLACEMENT`, `ERR_TXN_TOKEN_AUDIENCE`,
 *   `ERR_POLICY_DENIED`, …).
 *
 * @example
 * ```ts
 * import { createTxnTokenService, selfSignedSubjectToken, TXN_TOKEN_TYPES } from 'agentauth/txn-token'
 * import { createClientAuthenticator } from 'agentauth/token-service'
 * import { verifyAccessToken } from 'agentauth/access-token'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * const handler = createTxnTokenService({
 *   trustDomain: 'bank.example',
 *   signer: ttsSigner,
 *   authenticateClient: createClientAuthenticator({ issuer: 'https://tts.bank.example', clients, replayCache }),
 *   subjectTokens: {
 *     [TOKEN_TYPE.ACCESS_TOKEN]: (token) => verifyAccessToken(token, { issuer: 'https://as.bank.example', audience: 'https://api.bank.example', keys: asJwks }),
 *     [TXN_TOKEN_TYPES.SELF_SIGNED]: selfSignedSubjectToken({ audience: 'https://tts.bank.example' }),
 *   },
 *   policy: ({ client }) => client.workloadId?.startsWith('spiffe://bank.example/') === true,
 * })
 * // Node: http.createServer(toNodeHandler(handler)); Bun/Deno/workers: serve({ fetch: handler })
 * ```
 */
export function createTxnTokenService<C extends TxnServiceClient = TxnServiceClient>(options: TxnTokenServiceOptions<C>): (request: Request) => Promise<Response> {
  checkObject(options, 'options')
  assertString(options.trustDomain, 'options.trustDomain')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.signer.sign, 'options.signer.sign')
  checkFunction(options.signer.publicJwk, 'options.signer.publicJwk')
  if (options.issuer !== undefined) assertString(options.issuer, 'options.issuer')
  checkFunction(options.authenticateClient, 'options.authenticateClient')
  checkObject(options.subjectTokens, 'options.subjectTokens')
  const verifiers = new Map<string, SubjectTokenVerifier<C>>()
  for (const [type, verifier] of Object.entries(options.subjectTokens)) {
    if (type === TOKEN_TYPE.REFRESH_TOKEN) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'refresh tokens must not be used to obtain Txn-Tokens (draft §13.3)')
    if (type === TXN) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'txn_token subject tokens are the built-in replacement; configure options.replacement')
    checkFunction(verifier, `options.subjectTokens["${type}"]`)
    verifiers.set(type, verifier)
  }
  if (options.policy !== undefined) checkFunction(options.policy, 'options.policy')
  if (options.onError !== undefined) checkFunction(options.onError, 'options.onError')
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  if (options.crypto !== undefined) {
    checkObject(options.crypto, 'options.crypto')
    checkObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  if (options.replayCache !== undefined) {
    checkObject(options.replayCache, 'options.replayCache')
    checkFunction(options.replayCache.claim, 'options.replayCache.claim')
  }
  const lifetime = integer(options.lifetime, 'options.lifetime', 300, 1, 3600)
  const maxRequestBytes = integer(options.maxRequestBytes, 'options.maxRequestBytes', 64 * 1024, 1024, 1 << 20)
  const maxContextBytes = integer(options.maxContextBytes, 'options.maxContextBytes', MAX_CONTEXT_BYTES, 2, 1 << 20)
  const replacement = options.replacement === false ? undefined : (options.replacement ?? {})
  let maxReplacements = 0
  if (replacement !== undefined) {
    checkObject(replacement, 'options.replacement')
    maxReplacements = integer(replacement.maxReplacements, 'options.replacement.maxReplacements', 3, 1, 16)
    if (replacement.extendLifetime !== undefined && typeof replacement.extendLifetime !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replacement.extendLifetime must be a boolean')
    if (replacement.keys !== undefined) checkKeyInput(replacement.keys, 'options.replacement.keys')
    if (replacement.singleUse !== undefined && typeof replacement.singleUse !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replacement.singleUse must be a boolean')
    if (replacement.singleUse === true && options.replayCache === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.replacement.singleUse needs options.replayCache')
  }
  const singleUse = replacement !== undefined && (replacement.singleUse ?? options.replayCache !== undefined)
  const { trustDomain, signer, clock, policy, replayCache, onError } = options
  const crypto = options.crypto ?? globalThis.crypto

  let replacedVerifier: Promise<TxnTokenVerifier> | undefined
  function verifyReplaced(token: string): Promise<VerifiedTxnToken> {
    replacedVerifier ??= (async () => {
      const keys = replacement!.keys ?? [await signer.publicJwk()]
      return createTxnTokenVerifier({ trustDomain, keys, clock, crypto, maxLifetime: 3600, ...(options.issuer === undefined ? {} : { issuer: options.issuer }) })
    })()
    replacedVerifier.catch(() => (replacedVerifier = undefined))
    return replacedVerifier.then((verify) => verify(token))
  }

  async function subjectOf(type: string, token: string, context: SubjectTokenContext<C>): Promise<{ subject: SubjectTokenInfo; replacing: VerifiedTxnToken | undefined }> {
    if (type === TOKEN_TYPE.REFRESH_TOKEN) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'refresh tokens cannot be exchanged for Txn-Tokens')
    if (type === TXN) {
      if (replacement === undefined) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'this service does not replace Txn-Tokens')
      let replacing: VerifiedTxnToken
      try {
        replacing = await verifyReplaced(token)
      } catch (err) {
        throw asRefusal(err, 'invalid_request')
      }
      if (replacing.requesterChain.length > maxReplacements) throw refuse('invalid_request', 'ERR_TXN_TOKEN_REPLACEMENT', 'this transaction was replaced too often', { claim: 'req_wl_chain' })
      const subject = { subject: replacing.subject, scopes: replacing.scopes, expiresAt: replacing.expiresAt, claims: replacing.claims }
      return { subject, replacing }
    }
    const verifier = verifiers.get(type)
    if (verifier === undefined) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'unsupported subject_token_type')
    if (isTxnToken(token)) throw refuse('invalid_request', 'ERR_SUBJECT_TOKEN_INVALID', 'a Txn-Token is only accepted as subject_token_type txn_token')
    let subject: SubjectTokenInfo
    try {
      subject = await verifier(token, context)
    } catch (err) {
      throw asRefusal(err, 'invalid_request')
    }
    checkObject(subject, 'subject token verifier result')
    // A scope string here would turn the "within the subject's scope" check into a substring test.
    if (subject.scopes !== undefined && (!Array.isArray(subject.scopes) || subject.scopes.some((s) => typeof s !== 'string' || s.length === 0))) {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'subject token verifier result scopes must be an array of scope strings or undefined')
    }
    // Txn-Token verifiers refuse a longer sub: issue no token nobody accepts.
    if (typeof subject.subject !== 'string' || subject.subject.length === 0 || subject.subject.length > MAX_ID) {
      throw refuse('invalid_request', 'ERR_SUBJECT_TOKEN_INVALID', `the subject token names no subject of at most ${MAX_ID} characters`, { claim: 'sub' })
    }
    return { subject, replacing: undefined }
  }

  async function issue(request: Request): Promise<Response> {
    const form = await readTokenRequestForm(request, maxRequestBytes)
    let client: C
    try {
      client = await options.authenticateClient(request, form)
    } catch (err) {
      throw asRefusal(err, 'invalid_client')
    }
    // A broken authenticator (nothing returned) is a coded configuration error, not a crash.
    checkObject(client, 'authenticateClient result')
    if (requireParam(form, 'grant_type') !== GRANT_TYPE_TOKEN_EXCHANGE) throw refuse('unsupported_grant_type', 'ERR_OAUTH_REQUEST_INVALID', 'grant_type must be token-exchange')
    if (requireParam(form, 'requested_token_type') !== TXN) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'requested_token_type must be txn_token')
    const audience = form.getAll('audience')
    // A missing required parameter is invalid_request (RFC 6749 §5.2); invalid_target is for a
    // named target the service will not issue for (RFC 8693 §2.2.2).
    if (audience.length === 0) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'missing parameter audience')
    if (audience.length !== 1 || audience[0] !== trustDomain) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'audience must be this trust domain', { claim: 'aud' })
    if (form.has('resource')) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'Txn-Tokens are valid in a trust domain, not for a resource')
    if (form.has('actor_token') || form.has('actor_token_type')) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'actor tokens are not part of a Txn-Token request')
    const requested = parseScope(requireParam(form, 'scope'))
    if (requested === undefined || requested.length === 0) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'scope is malformed')
    const subjectToken = requireParam(form, 'subject_token')
    const subjectTokenType = requireParam(form, 'subject_token_type')
    const requestContext = contextParam(form, 'request_context', maxContextBytes)
    const requestDetails = contextParam(form, 'request_details', maxContextBytes)
    const { subject, replacing } = await subjectOf(subjectTokenType, subjectToken, { client, request, replayCache })
    const now = nowSeconds(clock)
    const expiresAt = subject.expiresAt // read once: the policy below sees (and could change) `subject`
    if (expiresAt !== undefined && !(typeof expiresAt === 'number' && expiresAt > now)) {
      throw refuse('invalid_request', 'ERR_TOKEN_EXPIRED', 'the subject token has expired', { claim: 'exp' })
    }
    if (subject.scopes === undefined) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'the subject token scope cannot be determined')
    const allowed = subject.scopes
    if (requested.some((s) => !allowed.includes(s))) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'the requested scope exceeds the subject token scope', { claim: 'scope' })

    let decision: TxnIssuanceDecision = {}
    if (policy !== undefined) {
      const verdict = await policy(Object.freeze({ client, request, subjectTokenType, subject, replacing, requestedScopes: Object.freeze(requested), requestContext, requestDetails }))
      if (verdict === false) throw refuse('unauthorized_client', 'ERR_POLICY_DENIED', 'the policy refuses this Txn-Token')
      // Only true / undefined mean "the defaults": a null, 0 or '' (a lookup that found nothing)
      // must not issue a token.
      if (verdict !== true && verdict !== undefined && (typeof verdict !== 'object' || verdict === null)) {
        throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the policy must return a boolean, undefined or a decision object')
      }
      if (typeof verdict === 'object') {
        checkDecision(verdict, requested, lifetime, replacing !== undefined)
        decision = verdict
      }
    }
    // Checked again once the policy has answered: a slow policy must not let a token be issued for
    // (or replace) a subject token that has expired meanwhile (§6, §13.15).
    const issuedAt = policy === undefined ? now : nowSeconds(clock)
    if (expiresAt !== undefined && expiresAt <= issuedAt) {
      throw refuse('invalid_request', 'ERR_TOKEN_EXPIRED', 'the subject token has expired', { claim: 'exp' })
    }
    const scope = decision.scope ?? requested
    if (scope.length === 0) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'no scope can be granted')
    const tctx = decision.tctx ?? requestDetails
    const rctx = decision.rctx ?? requestContext
    const requester = client.workloadId ?? client.clientId
    const claims: Record<string, unknown> & { sub: string; scope: readonly string[]; req_wl: string } = { sub: decision.sub ?? subject.subject, scope, req_wl: requester }
    if (options.issuer !== undefined) claims.iss = options.issuer
    let notAfter: number | undefined
    if (replacing !== undefined) {
      carriedClaims(replacing.claims, claims)
      claims.sub = replacing.subject
      claims.txn = replacing.txn
      claims.req_wl_chain = replacing.requesterChain
      if (replacement!.extendLifetime !== true) {
        notAfter = replacing.expiresAt
        // Tokens carry whole seconds: a replaced token with a fractional exp less than a second
        // away leaves no room for a replacement (the minter would refuse it: a server_error).
        if (Math.floor(notAfter) <= issuedAt) throw refuse('invalid_request', 'ERR_TOKEN_EXPIRED', 'the Txn-Token to replace expires too soon', { claim: 'exp' })
      }
      const t = mergeImmutable(replacing.tctx, tctx, 'tctx')
      const r = mergeImmutable(replacing.rctx, rctx, 'rctx')
      if (t !== undefined) claims.tctx = t
      if (r !== undefined) claims.rctx = r
    } else {
      if (tctx !== undefined) claims.tctx = tctx
      if (rctx !== undefined) claims.rctx = rctx
    }
    // §13.4: never carry the presented token inside the Txn-Token (via tctx/rctx/policy output).
    if (subjectToken.length >= 16 && JSON.stringify(claims).includes(subjectToken)) {
      throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'the Txn-Token must not embed the subject token')
    }
    const tokenLifetime = decision.lifetime ?? lifetime
    const token = await createTxnToken(claims, { signer, trustDomain, lifetime: tokenLifetime, clock, ...(notAfter === undefined ? {} : { notAfter }) })
    // Verifiers refuse longer tokens by default (large request_context + request_details, or
    // context added replacement after replacement): refuse the request rather than issue one.
    if (token.length > MAX_TXN_TOKEN_BYTES) throw refuse('invalid_request', 'ERR_INPUT_TOO_LARGE', `the Txn-Token would exceed ${MAX_TXN_TOKEN_BYTES} characters`)
    // Claimed last, after the new token is signed, so neither a refused request nor a failure
    // (signer outage, bad policy output) uses up the token's one replacement. Keyed on the signed
    // part (header.payload) only: an ECDSA signature has a second valid form (r, n - s), so a key
    // over the whole token would let one Txn-Token be replaced twice.
    if (replacing !== undefined && singleUse) {
      const signed = subjectToken.slice(0, subjectToken.lastIndexOf('.'))
      const digest = encode(new Uint8Array(await crypto.subtle.digest('SHA-256', bs(utf8(signed)))))
      if (!(await replayCache!.claim(`txn-replaced:${trustDomain}:${digest}`, replacing.expiresAt + 1))) {
        throw refuse('invalid_request', 'ERR_TXN_TOKEN_REPLACEMENT', 'this Txn-Token was already replaced')
      }
    }
    const expiresIn = Math.max(1, Math.min(tokenLifetime, notAfter === undefined ? tokenLifetime : Math.floor(notAfter) - issuedAt))
    return jsonResponse({ access_token: token, issued_token_type: TXN, token_type: 'N_A', expires_in: expiresIn, scope: scope.join(' ') })
  }

  return async function txnTokenService(request: Request): Promise<Response> {
    try {
      return await issue(request)
    } catch (err) {
      runHook(onError, err, request) // a failing (or rejecting) logger must not change the answer
      return errorResponse(err, request)
    }
  }
}
