import type { OAuthClient, OAuthServer, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { codedTypeError } from '../errors/index.js'
import { checkObject } from '../internal/oauth-assert.js'
import { listOption, scopeOption } from '../internal/oauth-scope.js'
import { addExtraParams, sendTokenRequest } from '../internal/oauth-token-request.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, type TokenTypeURI } from './token-types.js'

/**
 * Parameters of an RFC 8693 §2.1 token exchange request.
 *
 * @example
 * ```ts
 * import { TOKEN_TYPE, type TokenExchangeParameters } from 'agentauth/token-exchange'
 * const params: TokenExchangeParameters = { subjectToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://tool.example.com', scope: 'files:read' }
 * ```
 */
export interface TokenExchangeParameters {
  /** The token that represents the party on whose behalf the request is made. */
  subjectToken: string
  /** Its type, e.g. `TOKEN_TYPE.ACCESS_TOKEN`. */
  subjectTokenType: TokenTypeURI
  /** The token that represents the acting party (the agent), if any. */
  actorToken?: string
  /** Required iff `actorToken` is given. */
  actorTokenType?: TokenTypeURI
  /** The type of token wanted (e.g. `TOKEN_TYPE.TXN_TOKEN`, `TOKEN_TYPE.ID_JAG`). */
  requestedTokenType?: TokenTypeURI
  /** Logical names of the target services (may repeat). */
  audience?: string | readonly string[]
  /** Absolute URIs of the target services (RFC 8707; may repeat). */
  resource?: string | readonly string[]
  /** Requested scope; must be within what the subject token allows (servers refuse widening). */
  scope?: string | readonly string[]
  /** Further parameters (e.g. `authorization_details`); may not override the grant's own. */
  extra?: Readonly<Record<string, string | readonly string[]>>
}

const RESERVED = ['grant_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope']

function printableParam(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0 || !/^[\x21-\x7e]+$/.test(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a non-empty printable ASCII string`)
  return value
}

// An unsigned JSON subject token (Txn-Tokens §11.2.2) is JSON text, with spaces and non-ASCII
// characters, so a token need not be printable ASCII. Control characters stay refused, and so does
// a lone surrogate: the form encoder would silently send U+FFFD in its place, i.e. another token.
function tokenParam(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0 || /[\x00-\x1f\x7f]|\p{Cs}/u.test(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a non-empty string without control characters or lone surrogates`)
  return value
}

function typeParam(value: unknown, name: string): string {
  const v = printableParam(value, name)
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(v)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an absolute URI`)
  return v
}

/**
 * Builds and sends an RFC 8693 token exchange request (§2.1) to the token endpoint, authenticated
 * by `client.auth`. Returns the raw `Response` for {@link processTokenExchangeResponse}
 * (oauth4webapi's request/process split), so callers can inspect headers or retry.
 *
 * Multiple `audience` / `resource` values are sent as repeated parameters; `scope` is joined with
 * spaces. Redirects are not followed.
 *
 * @param server - `{ issuer?, tokenEndpoint }`.
 * @param client - `{ clientId, auth }`.
 * @param params - see {@link TokenExchangeParameters}.
 * @param options - `fetch`, `signal`.
 * @returns the token endpoint's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments (missing
 *   subject token, `actorToken` without `actorTokenType`, malformed scope, non-https endpoint …).
 *
 * @example
 * ```ts
 * import { tokenExchangeRequest, processTokenExchangeResponse, TOKEN_TYPE } from 'agentauth/token-exchange'
 * import { privateKeyJwt } from 'agentauth/client-auth'
 *
 * const response = await tokenExchangeRequest(
 *   { issuer: 'https://sts.example.com', tokenEndpoint: 'https://sts.example.com/token' },
 *   { clientId: 'agent-broker', auth: privateKeyJwt(signer) },
 *   { subjectToken: userToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, actorToken: agentToken,
 *     actorTokenType: TOKEN_TYPE.JWT, audience: 'https://calendar.example.com', scope: 'calendar:read' },
 * )
 * const result = await processTokenExchangeResponse(response)
 * ```
 */
export async function tokenExchangeRequest(
  server: OAuthServer,
  client: OAuthClient,
  params: TokenExchangeParameters,
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(params, 'params')
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE })
  body.set('subject_token', tokenParam(params.subjectToken, 'params.subjectToken'))
  body.set('subject_token_type', typeParam(params.subjectTokenType, 'params.subjectTokenType'))
  if (params.actorToken !== undefined || params.actorTokenType !== undefined) {
    if (params.actorToken === undefined || params.actorTokenType === undefined) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.actorToken and params.actorTokenType go together (RFC 8693 §2.1)')
    }
    body.set('actor_token', tokenParam(params.actorToken, 'params.actorToken'))
    body.set('actor_token_type', typeParam(params.actorTokenType, 'params.actorTokenType'))
  }
  if (params.requestedTokenType !== undefined) body.set('requested_token_type', typeParam(params.requestedTokenType, 'params.requestedTokenType'))
  if (params.resource !== undefined) for (const r of listOption(params.resource, 'params.resource', { uri: true })) body.append('resource', r)
  if (params.audience !== undefined) for (const a of listOption(params.audience, 'params.audience')) body.append('audience', a)
  if (params.scope !== undefined) {
    const scope = scopeOption(params.scope, 'params.scope')
    if (scope.length > 0) body.set('scope', scope.join(' '))
  }
  addExtraParams(body, params.extra, RESERVED)
  return sendTokenRequest(server, client, body, options)
}
