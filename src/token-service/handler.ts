import { sameActor, toActor, chainToAct, type Actor } from '../access-token/actor.js'
import { createIdJag, createJWTAuthorizationGrant } from '../assertion-grant/create.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { isPlainObject } from '../internal/json.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { parseScope, scopeList } from '../internal/oauth-scope.js'
import { asRefusal, errorResponse, jsonResponse, readTokenRequestForm, refuse, requireParam } from '../internal/oauth-server.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { runHook, runStrictHook } from '../internal/hook.js'
import type { Signer } from '../signer/types.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../token-exchange/token-types.js'
import type { AuthenticatedClient, ClientAuthenticator } from './client-authenticator.js'
import { createAccessToken } from './create-access-token.js'
import type { ExchangeContext, TokenExchangePolicy } from './policy.js'
import { readResources } from './resource.js'
import type { TokenVerifier, VerifiedToken } from './token-verifier.js'
import { isTxnToken } from '../txn-token/is-txn-token.js'

/**
 * Options of {@link createTokenExchangeHandler}.
 *
 * @example
 * ```ts
 * import { createTokenExchangeHandler, type TokenExchangeHandlerOptions } from 'agentauth/token-service'
 * const options: TokenExchangeHandlerOptions = { issuer, signer, clientAuthentication, subjectTokenVerifiers, policy: { targets: ['https://tool.example.com'] } }
 * const handler = createTokenExchangeHandler(options)
 * ```
 */
export interface TokenExchangeHandlerOptions {
  /** Issuer identifier of this token service (`iss` of everything it mints). */
  issuer: string
  /** Signs issued tokens; the key stays in the signer. */
  signer: Signer
  /** Exchange policy (targets, depth, trust domains, scopes, hooks). */
  policy: TokenExchangePolicy
  /** Authenticates the client (see `createClientAuthenticator`). */
  clientAuthentication: ClientAuthenticator
  /** Subject token verifiers by token type URI. Unlisted types are refused. */
  subjectTokenVerifiers: Readonly<Record<string, TokenVerifier>>
  /** Actor token verifiers by token type URI. Without an actor token, the authenticated client is the actor. */
  actorTokenVerifiers?: Readonly<Record<string, TokenVerifier>>
  clock?: Clock
  /** Request body cap in bytes (default 64 KiB). */
  maxBodyBytes?: number
  /**
   * Sees every refusal with its typed error (for logs and metrics); never changes the answer: a
   * throw, or a rejected promise from an async hook, is ignored.
   */
  onError?: (error: unknown, request: Request) => void
  /**
   * Sees every issued token's claims-level summary (audit). A synchronous throw fails the request
   * (`server_error`); a rejected promise from an async hook is ignored (it is not awaited).
   */
  onIssued?: (event: { readonly context: ExchangeContext; readonly issuedTokenType: string; readonly expiresAt: number }) => void
}

const RESERVED_EXTRA = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'act', 'may_act', 'cnf'])

// Each value once: `audience` and `resource` may repeat (RFC 8693 §2.1, RFC 8707 §2), and a client
// naming one authorization server as both must still get a JWT grant or ID-JAG for exactly it.
function distinct(values: readonly string[]): string[] {
  return values.length < 2 ? [...values] : [...new Set(values)]
}

// A verifier or policy result holding anything but a list of scope tokens (an introspection
// response's space-delimited string, say) would turn `includes` into a substring test.
function actorFromClient(ctx: { clientId: string; workloadId: string | undefined }): Actor {
  return toActor({ sub: ctx.workloadId ?? ctx.clientId })
}

// A custom verifier's result (an introspection wrapper, say) is checked like the policy results:
// a missing field is a coded server_error, not a 'cannot read properties of undefined'.
function checkVerified(v: VerifiedToken, what: string, subjectOnly: boolean): void {
  checkObject(v, what)
  if (typeof v.subject !== 'string' || v.subject.length === 0) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} subject must be a non-empty string`)
  if (subjectOnly) return
  if (!Array.isArray(v.actors)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} actors must be an array`)
  // Each hop is rebuilt into the new token's act from its claims: an actor without them (a bare
  // string, a { sub } object) would be written as an empty act, losing that hop.
  for (const a of v.actors as readonly unknown[]) {
    const actor = a as Partial<Actor> | null
    if (typeof actor !== 'object' || actor === null || typeof actor.sub !== 'string' || actor.sub.length === 0 || !isPlainObject(actor.claims) || actor.claims.sub !== actor.sub) {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} actors must be Actor objects (sub and claims), as delegationChain returns`)
    }
  }
  if (v.mayAct !== undefined && !isPlainObject(v.mayAct)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} mayAct must be an object or undefined`)
  if (v.expiresAt !== undefined && (typeof v.expiresAt !== 'number' || !Number.isFinite(v.expiresAt))) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} expiresAt must be a number or undefined`)
}

function mayActAllows(mayAct: Readonly<Record<string, unknown>>, actor: Actor): boolean {
  if (typeof mayAct.sub !== 'string') return false
  if (mayAct.sub !== actor.sub) return false
  if (mayAct.iss !== undefined && mayAct.iss !== actor.iss) return false
  return true
}

/**
 * The token service's RFC 8693 endpoint as a `(Request) => Promise<Response>` handler, runnable
 * on any runtime with web `Request`/`Response`. Per request it:
 *
 * 1. reads the form (POST, form-encoded, size cap, no repeated single-valued parameters);
 * 2. authenticates the client (`clientAuthentication`);
 * 3. verifies the subject token with the verifier for its type and the actor token (if any);
 *    without an actor token the authenticated client (its workload identifier) is the actor;
 * 4. enforces `may_act` (RFC 8693 §4.4), refuses a cycle (the actor already in the chain), builds
 *    the nested `act` chain (current actor outermost, earlier actors nested, never flattened) and
 *    limits its depth; applies trust-domain and `authorizeActor` hooks (third-party agents);
 * 5. checks every `audience`/`resource` against `policy.targets` (`invalid_target`) and narrows
 *    scope: a requested scope outside the subject token's (and the policy bound) is refused with
 *    `invalid_scope`, never silently dropped or widened;
 * 6. mints an RFC 9068 access token (`at+jwt`; `iss`, `sub`, `aud`, `client_id`, `iat`, `exp`,
 *    `jti`, `scope`, `act`, `cnf.jkt` when the client proved a WIT key), or — when requested and
 *    allowed — a JWT authorization grant (`…:jwt`, identity chaining) or an ID-JAG (`…:id-jag`);
 *    the lifetime never exceeds the subject token's.
 *
 * Errors are RFC 6749 §5.2 / RFC 8693 §2.2.2 JSON with `Cache-Control: no-store`; the typed error
 * goes to `onError`.
 *
 * The handler runs no cryptography of its own: it verifies through `clientAuthentication` and the
 * token verifiers and signs through `signer`. To use another Web Crypto provider (e.g.
 * `nodeCrypto()` from `agentauth/adapters/node`), pass it as `crypto` to
 * `createClientAuthenticator`, `createJWTTokenVerifier` and your `witVerifier`.
 *
 * @param options - see {@link TokenExchangeHandlerOptions}.
 * @returns the handler.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at construction),
 *   including a `policy.requestedTokenTypes` naming a type this handler does not mint.
 *
 * @example
 * ```ts
 * import { createTokenExchangeHandler, createClientAuthenticator, createJWTTokenVerifier } from 'agentauth/token-service'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * const handler = createTokenExchangeHandler({
 *   issuer: 'https://sts.example.com',
 *   signer: stsSigner,
 *   clientAuthentication: createClientAuthenticator({ issuer: 'https://sts.example.com', clients, replayCache }),
 *   subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: userTokens },
 *   policy: { targets: ['https://calendar.example.com'], maxDepth: 3, allowedActorTrustDomains: ['example.com'] },
 * })
 * // Hono: app.post('/token', (c) => handler(c.req.raw))
 * ```
 */
export function createTokenExchangeHandler(options: TokenExchangeHandlerOptions): (request: Request) => Promise<Response> {
  checkObject(options, 'options')
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.clientAuthentication, 'options.clientAuthentication')
  // A hook that is not a function would fail every request (onIssued) or silently log nothing (onError).
  for (const hook of ['onError', 'onIssued'] as const) if (options[hook] !== undefined) checkFunction(options[hook], `options.${hook}`)
  checkObject(options.subjectTokenVerifiers, 'options.subjectTokenVerifiers')
  for (const [t, v] of Object.entries(options.subjectTokenVerifiers)) checkFunction(v, `options.subjectTokenVerifiers["${t}"]`)
  if (options.actorTokenVerifiers !== undefined) {
    checkObject(options.actorTokenVerifiers, 'options.actorTokenVerifiers')
    for (const [t, v] of Object.entries(options.actorTokenVerifiers)) checkFunction(v, `options.actorTokenVerifiers["${t}"]`)
  }
  const policy = options.policy
  checkObject(policy, 'options.policy')
  if (typeof policy.targets !== 'function' && (!Array.isArray(policy.targets) || policy.targets.some((t) => typeof t !== 'string' || t.length === 0))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.targets must be a list of audiences/resources or a function')
  }
  const maxDepth = policy.maxDepth ?? 4
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 32) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.maxDepth must be an integer in [0, 32]')
  const lifetime = policy.lifetime ?? 300
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 86_400) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.lifetime must be an integer in [1, 86400]')
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1 << 22) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxBodyBytes must be an integer in [1024, 4194304]')
  const requestedTypes = policy.requestedTokenTypes ?? [TOKEN_TYPE.ACCESS_TOKEN]
  // Only these are minted; any other listed type would get a JWT grant labelled as that type.
  const mintable: readonly string[] = [TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.JWT, TOKEN_TYPE.ID_JAG]
  if (!Array.isArray(requestedTypes) || requestedTypes.length === 0 || requestedTypes.some((t) => !mintable.includes(t))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.requestedTokenTypes must list only the access_token, jwt and id-jag token types')
  }
  const allowedDomains = policy.allowedActorTrustDomains
  // A string here would make the trust-domain check a substring test.
  if (allowedDomains !== undefined && (!Array.isArray(allowedDomains) || allowedDomains.some((d) => typeof d !== 'string' || d.length === 0))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.allowedActorTrustDomains must be an array of trust domains')
  }
  for (const flag of ['requireMayAct', 'senderConstrain'] as const) {
    if (policy[flag] !== undefined && typeof policy[flag] !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', `options.policy.${flag} must be a boolean`)
  }
  for (const hook of ['authorizeActor', 'scopes', 'idJagClientId', 'claims'] as const) {
    if (policy[hook] !== undefined) checkFunction(policy[hook], `options.policy.${hook}`)
  }
  const { issuer, signer, clock } = options
  const subjectVerifiers = options.subjectTokenVerifiers
  const actorVerifiers = options.actorTokenVerifiers ?? {}

  async function exchange(request: Request): Promise<Response> {
    const form = await readTokenRequestForm(request, maxBodyBytes)
    let client: AuthenticatedClient
    try {
      client = await options.clientAuthentication(request, form)
    } catch (err) {
      // RFC 6749 §5.2: a failed client authentication is invalid_client, whatever code a custom
      // authenticator's verifier used (a store outage stays a server_error: not a VerificationError).
      throw asRefusal(err, 'invalid_client')
    }
    if (requireParam(form, 'grant_type') !== GRANT_TYPE_TOKEN_EXCHANGE) throw refuse('unsupported_grant_type', 'ERR_OAUTH_REQUEST_INVALID', 'only token exchange is supported here')
    const subjectToken = requireParam(form, 'subject_token')
    const subjectType = requireParam(form, 'subject_token_type')
    // No circular flows (mission requirement; txn-tokens §13.13): a Txn-Token is never exchanged
    // for an access token, whatever verifiers are configured or however its type is declared.
    if (subjectType === TOKEN_TYPE.TXN_TOKEN || isTxnToken(subjectToken)) {
      throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'a Txn-Token cannot be exchanged at this token service')
    }
    const verifySubject = Object.hasOwn(subjectVerifiers, subjectType) ? subjectVerifiers[subjectType] : undefined
    if (verifySubject === undefined) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'unsupported subject_token_type')
    const requestedTokenType = form.get('requested_token_type') ?? TOKEN_TYPE.ACCESS_TOKEN
    if (!requestedTypes.includes(requestedTokenType)) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'unsupported requested_token_type')
    const actorToken = form.get('actor_token')
    const actorType = form.get('actor_token_type')
    if ((actorToken === null) !== (actorType === null)) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'actor_token and actor_token_type go together')
    if (actorToken !== null && (actorType === TOKEN_TYPE.TXN_TOKEN || isTxnToken(actorToken))) {
      throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'a Txn-Token cannot be used as an actor token')
    }
    let requestedScopes: string[] | undefined
    const scopeParam = form.get('scope')
    if (scopeParam !== null) {
      requestedScopes = parseScope(scopeParam)
      if (requestedScopes === undefined) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'scope is malformed')
    }
    const audiences = distinct(form.getAll('audience'))
    const resources = distinct(readResources(form))

    // RFC 8693 §2.2.2: a subject or actor token that is invalid for any reason, or unacceptable
    // by policy (may_act, cycle, depth, actor not allowed), MUST be answered with invalid_request.
    let subject: VerifiedToken
    try {
      subject = await verifySubject(subjectToken, { client })
    } catch (err) {
      throw asRefusal(err, 'invalid_request')
    }
    checkVerified(subject, 'the subject token verifier result', false)
    // A subject token inside its clock-tolerance window cannot yield a token (it would be born expired).
    // Read once: checked again after the (possibly slow, async) policy hooks, right before minting.
    const subjectExp = subject.expiresAt
    const checkNotExpired = (): void => {
      if (subjectExp !== undefined && subjectExp <= nowSeconds(clock) + 1) {
        throw refuse('invalid_request', 'ERR_TOKEN_EXPIRED', 'the subject token has expired', { claim: 'exp' })
      }
    }
    checkNotExpired()
    let actor: Actor
    if (actorToken !== null) {
      const verifyActor = Object.hasOwn(actorVerifiers, actorType!) ? actorVerifiers[actorType!] : undefined
      if (verifyActor === undefined) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'unsupported actor_token_type')
      let verified: VerifiedToken
      try {
        verified = await verifyActor(actorToken, { client })
      } catch (err) {
        if (err instanceof VerificationError && err.code === 'ERR_SUBJECT_TOKEN_INVALID') throw refuse('invalid_request', 'ERR_ACTOR_TOKEN_INVALID', err.message.replace('subject token', 'actor token'), { cause: err })
        throw asRefusal(err, 'invalid_request')
      }
      checkVerified(verified, 'the actor token verifier result', true)
      actor = toActor({ sub: verified.subject, ...(verified.issuer === undefined ? {} : { iss: verified.issuer }) })
    } else {
      actor = actorFromClient(client)
    }

    // Delegation: no act when the subject acts for itself with no prior chain. The authenticated
    // client must be that subject too: an actor token naming the subject (e.g. the subject token sent
    // again as actor token) must not turn another client's delegation into a self exchange.
    const selfExchange = subject.actors.length === 0 && actor.sub === subject.subject && (client.workloadId ?? client.clientId) === subject.subject
    if (!selfExchange) {
      if (subject.actors.some((a) => sameActor(a, actor))) throw refuse('invalid_request', 'ERR_DELEGATION_CYCLE', 'the actor is already in the delegation chain')
      if (subject.mayAct !== undefined) {
        if (!mayActAllows(subject.mayAct, actor)) throw refuse('invalid_request', 'ERR_MAY_ACT_MISMATCH', 'the subject token does not allow this actor (may_act)')
      } else if (policy.requireMayAct === true) {
        throw refuse('invalid_request', 'ERR_MAY_ACT_MISMATCH', 'the subject token names no actor (may_act) and the policy requires one')
      }
    }
    const chain: readonly Actor[] = selfExchange ? [] : Object.freeze([actor, ...subject.actors])
    if (chain.length > maxDepth) throw refuse('invalid_request', 'ERR_DELEGATION_DEPTH', `the delegation chain would exceed ${maxDepth} actors`)
    if (!selfExchange && allowedDomains !== undefined && (actor.trustDomain === undefined || !allowedDomains.includes(actor.trustDomain))) {
      throw refuse('invalid_request', 'ERR_ACTOR_NOT_ALLOWED', 'the actor is not from an allowed trust domain')
    }
    const context: ExchangeContext = Object.freeze({
      client, subject, actor, chain, requestedTokenType,
      audiences: Object.freeze(audiences), resources: Object.freeze(resources),
      requestedScopes: requestedScopes === undefined ? undefined : Object.freeze(requestedScopes),
    })
    if (!selfExchange && policy.authorizeActor !== undefined && (await policy.authorizeActor(context)) !== true) {
      throw refuse('invalid_request', 'ERR_ACTOR_NOT_ALLOWED', 'the policy does not allow this actor')
    }

    const targets = distinct([...audiences, ...resources])
    if (targets.length === 0) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'an audience or resource is required')
    for (const t of targets) {
      const ok = typeof policy.targets === 'function' ? (await policy.targets(t, context)) === true : policy.targets.includes(t)
      if (!ok) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a requested audience or resource is not allowed')
    }

    // Scopes only narrow: the ceiling is the subject token's scopes ∩ the policy bound.
    let ceiling = scopeList(subject.scopes, 'the subject token verifier result scopes')
    const bound = scopeList(policy.scopes?.(context), 'the result of policy.scopes')
    if (bound !== undefined) ceiling = ceiling === undefined ? bound : ceiling.filter((s) => bound.includes(s))
    const granted = requestedScopes ?? ceiling ?? []
    const wider = granted.filter((s) => ceiling === undefined || !ceiling.includes(s))
    if (wider.length > 0) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'a requested scope exceeds what the subject token allows')

    const extra = policy.claims?.(context) ?? {}
    // A string or array would be spread into claims "0", "1", …: a policy bug, not claims to sign.
    if (!isPlainObject(extra)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'policy.claims must return an object or undefined')
    for (const k of Object.keys(extra)) if (RESERVED_EXTRA.has(k)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `policy.claims must not set "${k}"`)
    const act = chainToAct(chain)
    const aud = targets.length === 1 ? targets[0]! : targets
    // The hooks above may have taken long enough for the subject token to expire meanwhile: refuse
    // it as expired (invalid_request) rather than fail to mint (server_error).
    checkNotExpired()
    // exp fixed before signing: a signer crossing a second boundary must not make expires_in and
    // onIssued's expiresAt a second later than the exp the token carries.
    const expiresAt = Math.min(nowSeconds(clock) + lifetime, Math.floor(subjectExp ?? Number.MAX_SAFE_INTEGER))
    const mint = { signer, clock, lifetime, notAfter: expiresAt }
    let token: string
    let tokenType = 'N_A'
    if (requestedTokenType === TOKEN_TYPE.ACCESS_TOKEN) {
      const cnf = policy.senderConstrain !== false && client.jkt !== undefined ? { jkt: client.jkt } : undefined
      token = await createAccessToken({ ...extra, iss: issuer, sub: subject.subject, aud, client_id: client.clientId, scope: granted, act, cnf }, mint)
      tokenType = 'Bearer'
    } else if (requestedTokenType === TOKEN_TYPE.ID_JAG) {
      if (audiences.length !== 1) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'an ID-JAG needs exactly one audience (the Resource AS)')
      const clientId = policy.idJagClientId?.(context)
      if (clientId === undefined) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'the client has no client_id at that Resource AS')
      token = await createIdJag({ ...extra, iss: issuer, sub: subject.subject, aud: audiences[0]!, client_id: clientId, scope: granted, ...(resources.length === 0 ? {} : { resource: resources.length === 1 ? resources[0] : resources }), act }, mint)
    } else {
      if (targets.length !== 1) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a JWT authorization grant names exactly one authorization server')
      token = await createJWTAuthorizationGrant({ ...extra, iss: issuer, sub: subject.subject, aud: targets[0]!, client_id: client.clientId, scope: granted, act }, mint)
    }
    const now = nowSeconds(clock)
    runStrictHook(options.onIssued, { context, issuedTokenType: requestedTokenType, expiresAt })
    return jsonResponse({
      access_token: token,
      issued_token_type: requestedTokenType,
      token_type: tokenType,
      expires_in: Math.max(0, expiresAt - now),
      ...(granted.length === 0 ? {} : { scope: granted.join(' ') }),
    })
  }

  return async function tokenExchangeHandler(request: Request): Promise<Response> {
    try {
      return await exchange(request)
    } catch (err) {
      runHook(options.onError, err, request)
      return errorResponse(err, request)
    }
  }
}
