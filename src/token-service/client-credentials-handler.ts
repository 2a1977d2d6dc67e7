import { codedTypeError } from '../errors/index.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { isScopeToken, parseScope } from '../internal/oauth-scope.js'
import { asRefusal, errorResponse, jsonResponse, readTokenRequestForm, refuse, requireParam } from '../internal/oauth-server.js'
import type { Clock } from '../internal/time.js'
import { runHook } from '../internal/hook.js'
import type { Signer } from '../signer/types.js'
import type { AuthenticatedClient, ClientAuthenticator } from './client-authenticator.js'
import { createAccessToken } from './create-access-token.js'
import { readResources } from './resource.js'

/**
 * Policy of {@link createClientCredentialsHandler}.
 *
 * @example
 * ```ts
 * import type { ClientCredentialsPolicy } from 'agentauth/token-service'
 * const policy: ClientCredentialsPolicy = { targets: (t) => t === 'https://reports.example.com', scopes: () => ['reports:write'] }
 * ```
 */
export interface ClientCredentialsPolicy {
  /** Allowed `resource` / `audience` values for this client. */
  targets: (target: string, client: AuthenticatedClient) => boolean | Promise<boolean>
  /** The scopes this client may ever get (required: there is no user whose consent bounds them). */
  scopes: (client: AuthenticatedClient) => readonly string[]
  /** Audience used when the request names none. */
  defaultTarget?: string
  /** Token lifetime in seconds (default 300). */
  lifetime?: number
  /** Bind tokens to the client's WIT key (`cnf.jkt`) when it used WIT authentication (default true). */
  senderConstrain?: boolean
}

/**
 * Options of {@link createClientCredentialsHandler}.
 *
 * @example
 * ```ts
 * import { createClientCredentialsHandler, type ClientCredentialsHandlerOptions } from 'agentauth/token-service'
 * const options: ClientCredentialsHandlerOptions = { issuer, signer, clientAuthentication, policy }
 * const handler = createClientCredentialsHandler(options)
 * ```
 */
export interface ClientCredentialsHandlerOptions {
  issuer: string
  signer: Signer
  clientAuthentication: ClientAuthenticator
  policy: ClientCredentialsPolicy
  clock?: Clock
  /** Request body cap in bytes (default 64 KiB; an integer in [1024, 4194304]). */
  maxBodyBytes?: number
  /** Sees every refusal with its typed error; never changes the answer (a throw or a rejected promise is ignored). */
  onError?: (error: unknown, request: Request) => void
}

/**
 * A client credentials token endpoint (RFC 6749 §4.4) for agents with no user — e.g. a scheduled
 * job authenticating with its WIT (`attest_jwt_client_auth`) or `private_key_jwt`. Issues RFC 9068
 * access tokens whose `sub` is the client's workload identifier (or client id), with scopes bounded
 * by `policy.scopes(client)` (a wider request is `invalid_scope`) and targets by `policy.targets`.
 *
 * @param options - see {@link ClientCredentialsHandlerOptions}.
 * @returns `(Request) => Promise<Response>`.
 * @throws TypeError for bad options (at construction).
 *
 * @example
 * ```ts
 * import { createClientCredentialsHandler } from 'agentauth/token-service'
 * const handler = createClientCredentialsHandler({
 *   issuer, signer, clientAuthentication,
 *   policy: { targets: (t) => t === 'https://reports.example.com', scopes: () => ['reports:write'] },
 * })
 * ```
 */
export function createClientCredentialsHandler(options: ClientCredentialsHandlerOptions): (request: Request) => Promise<Response> {
  checkObject(options, 'options')
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.clientAuthentication, 'options.clientAuthentication')
  // An onError that is not a function would silently log nothing.
  if (options.onError !== undefined) checkFunction(options.onError, 'options.onError')
  checkObject(options.policy, 'options.policy')
  checkFunction(options.policy.targets, 'options.policy.targets')
  checkFunction(options.policy.scopes, 'options.policy.scopes')
  const { defaultTarget, senderConstrain } = options.policy
  if (defaultTarget !== undefined && (typeof defaultTarget !== 'string' || defaultTarget.length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.defaultTarget must be a non-empty string')
  if (senderConstrain !== undefined && typeof senderConstrain !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.policy.senderConstrain must be a boolean')
  const lifetime = options.policy.lifetime ?? 300
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 86_400) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.lifetime must be an integer in [1, 86400]')
  const { issuer, signer, policy, clock } = options
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1 << 22) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxBodyBytes must be an integer in [1024, 4194304]')

  async function handle(request: Request): Promise<Response> {
    const form = await readTokenRequestForm(request, maxBodyBytes)
    let client: AuthenticatedClient
    try {
      client = await options.clientAuthentication(request, form)
    } catch (err) {
      // RFC 6749 §5.2: a failed client authentication is invalid_client, whatever code a custom
      // authenticator's verifier used (a store outage stays a server_error: not a VerificationError).
      throw asRefusal(err, 'invalid_client')
    }
    if (requireParam(form, 'grant_type') !== 'client_credentials') throw refuse('unsupported_grant_type', 'ERR_OAUTH_REQUEST_INVALID', 'only client_credentials is supported here')
    const allowed = policy.scopes(client)
    // A string here would make `includes` a substring test (and `[...allowed]` a list of characters).
    if (!Array.isArray(allowed) || !allowed.every((s) => typeof s === 'string' && isScopeToken(s))) {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'policy.scopes(client) must return an array of scope tokens')
    }
    const scopeParam = form.get('scope')
    const requested = scopeParam === null ? undefined : parseScope(scopeParam)
    if (requested === undefined && scopeParam !== null) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'scope is malformed')
    const granted = requested ?? [...allowed]
    if (granted.some((s) => !allowed.includes(s))) throw refuse('invalid_scope', 'ERR_SCOPE_NOT_ALLOWED', 'a requested scope is not allowed for this client')
    // Each target once (a resource repeated, or also sent as audience, is one audience).
    let targets = [...new Set([...readResources(form), ...form.getAll('audience')])]
    if (targets.length === 0 && policy.defaultTarget !== undefined) targets = [policy.defaultTarget]
    if (targets.length === 0) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a resource or audience is required')
    for (const t of targets) if ((await policy.targets(t, client)) !== true) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a requested resource is not allowed')
    const cnf = policy.senderConstrain !== false && client.jkt !== undefined ? { jkt: client.jkt } : undefined
    const token = await createAccessToken(
      { iss: issuer, sub: client.workloadId ?? client.clientId, aud: targets.length === 1 ? targets[0]! : targets, client_id: client.clientId, scope: granted, cnf },
      { signer, lifetime, ...(clock === undefined ? {} : { clock }) },
    )
    return jsonResponse({ access_token: token, token_type: 'Bearer', expires_in: lifetime, ...(granted.length === 0 ? {} : { scope: granted.join(' ') }) })
  }

  return async function clientCredentialsHandler(request: Request): Promise<Response> {
    try {
      return await handle(request)
    } catch (err) {
      runHook(options.onError, err, request)
      return errorResponse(err, request)
    }
  }
}
