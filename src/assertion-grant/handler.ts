import type { Actor } from '../access-token/actor.js'
import { chainToAct } from '../access-token/actor.js'
import { codedTypeError } from '../errors/index.js'
import { decodeStrict } from '../internal/base64url.js'
import { decodeUtf8Strict } from '../internal/bytes.js'
import { runHook } from '../internal/hook.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { parseScope, scopeList } from '../internal/oauth-scope.js'
import { asRefusal, errorResponse, jsonResponse, readTokenRequestForm, refuse, requireParam } from '../internal/oauth-server.js'
import type { Clock } from '../internal/time.js'
import type { Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import { GRANT_TYPE_JWT_BEARER } from '../token-exchange/token-types.js'
import type { AuthenticatedClient, ClientAuthenticator } from '../token-service/client-authenticator.js'
import { createAccessToken } from '../token-service/create-access-token.js'
import { readResources } from '../token-service/resource.js'
import { ID_JAG_TYP } from './create.js'
import { checkGrantOptions, claimGrant, verifyGrantUnclaimed, type TrustedIssuer, type VerifiedAuthorizationGrant, type VerifyGrantOptions } from './verify.js'

/**
 * What the jwt-bearer policy hooks see. Frozen.
 *
 * @example
 * ```ts
 * import type { JWTBearerGrantContext } from 'agentauth/assertion-grant'
 * const mapSubject = ({ grant }: JWTBearerGrantContext) => (grant.issuer === 'https://as.home.example' ? `home:${grant.subject}` : undefined)
 * ```
 */
export interface JWTBearerGrantContext {
  readonly client: AuthenticatedClient
  readonly grant: VerifiedAuthorizationGrant
  /** `id-jag` when the assertion was an ID-JAG, else `jwt`. */
  readonly profile: 'jwt' | 'id-jag'
  readonly targets: readonly string[]
  readonly requestedScopes: readonly string[] | undefined
}

/**
 * Policy of {@link createJWTBearerGrantHandler}.
 *
 * @example
 * ```ts
 * import type { JWTBearerGrantPolicy } from 'agentauth/assertion-grant'
 * const policy: JWTBearerGrantPolicy = { targets: ['https://api.partner.example'], mapSubject: ({ grant }) => grant.subject, lifetime: 300 }
 * ```
 */
export interface JWTBearerGrantPolicy {
  /** Allowed `resource` / `audience` values of issued access tokens. */
  targets: readonly string[] | ((target: string, context: JWTBearerGrantContext) => boolean | Promise<boolean>)
  /** Audience used when the request and grant name none. */
  defaultTarget?: string
  /**
   * Maps the grant's subject into this domain (claims transcription, chaining §2.5). Return
   * undefined when the subject cannot be identified: the grant is refused (§2.4.2).
   */
  mapSubject?: (context: JWTBearerGrantContext) => string | undefined | Promise<string | undefined>
  /** Upper bound on scopes, intersected with the grant's scopes. Needed for grants without `scope`. */
  scopes?: (context: JWTBearerGrantContext) => readonly string[] | undefined
  /** Decides whether the grant's actors may act here (third-party agents); default: allowed. */
  authorizeActors?: (actors: readonly Actor[], context: JWTBearerGrantContext) => boolean | Promise<boolean>
  /** Issued token lifetime in seconds (default 300). The grant's own short `exp` only bounds when it can be redeemed. */
  lifetime?: number
}

/**
 * Options of {@link createJWTBearerGrantHandler}.
 *
 * @example
 * ```ts
 * import { createJWTBearerGrantHandler, type JWTBearerGrantHandlerOptions } from 'agentauth/assertion-grant'
 * const options: JWTBearerGrantHandlerOptions = { issuer, signer, clientAuthentication, trustedIssuers, replayCache, policy }
 * const handler = createJWTBearerGrantHandler(options)
 * ```
 */
export interface JWTBearerGrantHandlerOptions {
  /** Issuer identifier of this (foreign / Resource) authorization server. */
  issuer: string
  /** Also accept JWT authorization grants addressed to this token endpoint URL (RFC 7523 §3). ID-JAGs must name `issuer` (ID-JAG §4.4). */
  tokenEndpoint?: string
  signer: Signer
  clientAuthentication: ClientAuthenticator
  /** Home authorization servers whose JWT authorization grants are accepted (identity chaining). */
  trustedIssuers?: readonly TrustedIssuer[]
  /** IdPs whose ID-JAGs are accepted. */
  trustedIdJagIssuers?: readonly TrustedIssuer[]
  /** Single-use store for grant `jti`s (required: grants must not be replayed, chaining §5.5). */
  replayCache: ReplayCache
  policy: JWTBearerGrantPolicy
  clock?: Clock
  /** Request body cap in bytes (default 64 KiB; an integer in [1024, 4194304]). */
  maxBodyBytes?: number
  onError?: (error: unknown, request: Request) => void
}

function headerTyp(assertion: string): string | undefined {
  const h = assertion.split('.', 1)[0]!
  if (h.length > 4096) return undefined
  try {
    const v = (JSON.parse(decodeUtf8Strict(decodeStrict(h))) as { typ?: unknown }).typ
    return typeof v === 'string' ? v.toLowerCase() : undefined
  } catch {
    return undefined
  }
}

/**
 * The token endpoint of an authorization server that accepts RFC 7523 §2.1 jwt-bearer grants:
 * JWT authorization grants from trusted home servers (identity chaining -17 §2.4.2) and ID-JAGs
 * from trusted IdPs (ID-JAG §4.4, with the `client_id` claim checked against the authenticated
 * client). It authenticates the client, verifies the assertion (issuer trust, signature, `aud`,
 * expiry), maps the subject, checks targets, narrows scope (a requested scope beyond the grant's
 * is `invalid_scope`), claims the single-use `jti` (last: a refused request does not use the grant
 * up), carries the grant's `act` chain over, and mints an RFC 9068 access token. Errors are RFC 6749 §5.2 JSON with `Cache-Control: no-store`.
 *
 * @param options - see {@link JWTBearerGrantHandlerOptions}.
 * @returns `(Request) => Promise<Response>`.
 * @throws TypeError for bad options (at construction).
 *
 * @example
 * ```ts
 * import { createJWTBearerGrantHandler } from 'agentauth/assertion-grant'
 * const handler = createJWTBearerGrantHandler({
 *   issuer: 'https://as.partner.example',
 *   signer,
 *   clientAuthentication,
 *   trustedIssuers: [{ issuer: 'https://as.home.example', keys: { keys: homeJwks } }],
 *   replayCache,
 *   policy: { targets: ['https://api.partner.example'], mapSubject: ({ grant }) => `home:${grant.subject}` },
 * })
 * ```
 */
export function createJWTBearerGrantHandler(options: JWTBearerGrantHandlerOptions): (request: Request) => Promise<Response> {
  checkObject(options, 'options')
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.clientAuthentication, 'options.clientAuthentication')
  checkObject(options.replayCache, 'options.replayCache')
  const audience = options.tokenEndpoint === undefined ? [options.issuer] : [options.issuer, options.tokenEndpoint]
  const base = { replayCache: options.replayCache, ...(options.clock === undefined ? {} : { clock: options.clock }) }
  const grants = options.trustedIssuers === undefined ? undefined : { ...base, audience, trustedIssuers: options.trustedIssuers }
  // ID-JAG §4.4: the aud MUST identify the Resource AS's issuer; the token endpoint is not enough.
  const jags = options.trustedIdJagIssuers === undefined ? undefined : { ...base, audience: [options.issuer], trustedIssuers: options.trustedIdJagIssuers }
  if (grants === undefined && jags === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.trustedIssuers or options.trustedIdJagIssuers is required')
  if (grants !== undefined) checkGrantOptions(grants, 'options')
  if (jags !== undefined) checkGrantOptions(jags, 'options')
  const policy = options.policy
  checkObject(policy, 'options.policy')
  if (typeof policy.targets !== 'function' && !Array.isArray(policy.targets)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.targets must be a list or a function')
  const lifetime = policy.lifetime ?? 300
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 86_400) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.lifetime must be an integer in [1, 86400]')
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1 << 22) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxBodyBytes must be an integer in [1024, 4194304]')
  // Kept as checked here: a hook or list replaced on the options object later (a string for
  // `targets` would be matched with String.prototype.includes, by substring) is never used.
  const { targets: allowedTargets, defaultTarget, mapSubject, scopes: scopeBound, authorizeActors } = policy
  for (const [name, fn] of [['mapSubject', mapSubject], ['scopes', scopeBound], ['authorizeActors', authorizeActors]] as const) {
    if (fn !== undefined) checkFunction(fn, `options.policy.${name}`)
  }
  if (defaultTarget !== undefined && (typeof defaultTarget !== 'string' || defaultTarget.length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.defaultTarget must be a non-empty string')
  if (options.onError !== undefined) checkFunction(options.onError, 'options.onError')
  const { issuer, signer, clock, clientAuthentication, onError } = options

  async function handle(request: Request): Promise<Response> {
    const form = await readTokenRequestForm(request, maxBodyBytes)
    let client: Awaited<ReturnType<ClientAuthenticator>>
    try {
      client = await clientAuthentication.call(options, request, form)
    } catch (err) {
      // RFC 6749 §5.2: a failed client authentication is invalid_client (401) whatever code a
      // custom authenticator's verifier used; a store outage is no VerificationError and stays 503.
      throw asRefusal(err, 'invalid_client')
    }
    if (requireParam(form, 'grant_type') !== GRANT_TYPE_JWT_BEARER) throw refuse('unsupported_grant_type', 'ERR_OAUTH_REQUEST_INVALID', 'only the jwt-bearer grant is supported here')
    const assertion = requireParam(form, 'assertion')
    const typ = headerTyp(assertion)
    const profile = typ === ID_JAG_TYP || typ === `application/${ID_JAG_TYP}` ? 'id-jag' : 'jwt'
    let grant: VerifiedAuthorizationGrant
    let verifyOptions: VerifyGrantOptions
    try {
      if (profile === 'id-jag') {
        if (jags === undefined) throw refuse('invalid_grant', 'ERR_ASSERTION_INVALID', 'ID-JAGs are not accepted here')
        verifyOptions = jags
        grant = await verifyGrantUnclaimed(assertion, jags, 'id-jag', client.clientId)
      } else {
        if (grants === undefined) throw refuse('invalid_grant', 'ERR_ASSERTION_INVALID', 'JWT authorization grants are not accepted here')
        verifyOptions = grants
        grant = await verifyGrantUnclaimed(assertion, grants, 'jwt')
      }
    } catch (err) {
      throw asRefusal(err, 'invalid_grant')
    }
    let requestedScopes: string[] | undefined
    const scopeParam = form.get('scope')
    if (scopeParam !== null) {
      requestedScopes = parseScope(scopeParam)
      if (requestedScopes === undefined) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'scope is malformed')
    }
    // RFC 8707 §2: each resource an absolute URI; a target named twice is one target (one aud entry).
    let targets = [...new Set([...readResources(form), ...form.getAll('audience')])]
    if (targets.length === 0) targets = grant.resources.length > 0 ? [...grant.resources] : defaultTarget === undefined ? [] : [defaultTarget]
    if (targets.length === 0) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a resource or audience is required')
    // The issuer authorized only the grant's resources (ID-JAG §4.3): a token for any other is refused.
    if (grant.resources.length > 0 && targets.some((t) => !grant.resources.includes(t))) {
      throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a requested resource or audience is outside the grant\'s resource')
    }
    const context: JWTBearerGrantContext = Object.freeze({ client, grant, profile, targets: Object.freeze(targets), requestedScopes: requestedScopes === undefined ? undefined : Object.freeze(requestedScopes) })
    for (const t of targets) {
      const ok = typeof allowedTargets === 'function' ? (await allowedTargets.call(policy, t, context)) === true : allowedTargets.includes(t)
      if (!ok) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a requested resource or audience is not allowed')
    }
    if (grant.actors.length > 0 && authorizeActors !== undefined && (await authorizeActors.call(policy, grant.actors, context)) !== true) {
      throw refuse('invalid_grant', 'ERR_ACTOR_NOT_ALLOWED', 'the grant\'s actors may not act here')
    }
    const subject = mapSubject === undefined ? grant.subject : await mapSubject.call(policy, context)
    if (typeof subject !== 'string' || subject.length === 0) throw refuse('invalid_grant', 'ERR_ASSERTION_INVALID', 'the grant does not identify a known subject')
    let ceiling = grant.scopes
    const bound = scopeList(scopeBound?.call(policy, context), 'the result of policy.scopes')
    if (bound !== undefined) ceiling = ceiling === undefined ? bound : ceiling.filter((s) => bound.includes(s))
    const granted = requestedScopes ?? ceiling ?? []
    if (granted.some((s) => ceiling === undefined || !ceiling.includes(s))) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'a requested scope exceeds the grant')
    // The grant is used up only by a request that gets a token (as a WPT's jti): one refused for
    // its target, subject or scope can be corrected and sent again.
    try {
      await claimGrant(grant, verifyOptions)
    } catch (err) {
      throw asRefusal(err, 'invalid_grant')
    }
    const cnf = client.jkt === undefined ? undefined : { jkt: client.jkt }
    const act = chainToAct(grant.actors)
    const token = await createAccessToken(
      { iss: issuer, sub: subject, aud: targets.length === 1 ? targets[0]! : targets, client_id: client.clientId, scope: granted, act, cnf },
      { signer, lifetime, ...(clock === undefined ? {} : { clock }) },
    )
    return jsonResponse({ access_token: token, token_type: 'Bearer', expires_in: lifetime, ...(granted.length === 0 ? {} : { scope: granted.join(' ') }) })
  }

  return async function jwtBearerGrantHandler(request: Request): Promise<Response> {
    try {
      return await handle(request)
    } catch (err) {
      runHook(onError, err, request) // logging never changes the answer, even when it rejects
      return errorResponse(err, request)
    }
  }
}

