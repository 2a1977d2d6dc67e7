import { processTokenResponse, type TokenResponse } from '../client-auth/client-credentials.js'
import type { OAuthClient, OAuthServer, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { codedTypeError } from '../errors/index.js'
import { checkObject } from '../internal/oauth-assert.js'
import { wrapNetworkError } from '../internal/oauth-http.js'
import { listOption, scopeOption } from '../internal/oauth-scope.js'
import { addExtraParams, sendTokenRequest } from '../internal/oauth-token-request.js'
import { exchangeToken } from '../token-exchange/exchange.js'
import type { TokenExchangeResponse } from '../token-exchange/process-response.js'
import { GRANT_TYPE_JWT_BEARER, TOKEN_TYPE, type TokenTypeURI } from '../token-exchange/token-types.js'

/**
 * Parameters of a jwt-bearer grant request (RFC 7523 §2.1).
 *
 * @example
 * ```ts
 * import { requestJWTBearerGrant, type JWTBearerGrantParameters } from 'agentauth/assertion-grant'
 * const params: JWTBearerGrantParameters = { assertion: grant, scope: 'orders:read', resource: 'https://api.partner.example' }
 * await requestJWTBearerGrant(partnerAs, partnerClient, params)
 * ```
 */
export interface JWTBearerGrantParameters {
  /** One JWT: a JWT authorization grant (identity chaining) or an ID-JAG. */
  assertion: string
  scope?: string | readonly string[]
  resource?: string | readonly string[]
  audience?: string | readonly string[]
  extra?: Readonly<Record<string, string | readonly string[]>>
}

/**
 * Sends an RFC 7523 §2.1 jwt-bearer grant (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
 * `assertion=<JWT>`) to a token endpoint — the second step of identity chaining and of ID-JAG.
 * Returns the raw `Response` for `processTokenResponse`.
 *
 * @param server - the foreign / Resource authorization server.
 * @param client - client id and authentication **at that server**.
 * @param params - assertion, scope, resource, audience.
 * @param options - `fetch`, `signal`.
 * @returns the token endpoint's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments.
 *
 * @example
 * ```ts
 * import { jwtBearerGrantRequest } from 'agentauth/assertion-grant'
 * import { processTokenResponse } from 'agentauth/client-auth'
 * const token = await processTokenResponse(await jwtBearerGrantRequest(foreignAs, foreignClient, { assertion: grant, scope: 'orders:read' }))
 * ```
 */
export async function jwtBearerGrantRequest(
  server: OAuthServer,
  client: OAuthClient,
  params: JWTBearerGrantParameters,
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(params, 'params')
  if (typeof params.assertion !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(params.assertion)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.assertion must be one compact JWT')
  }
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_JWT_BEARER, assertion: params.assertion })
  if (params.scope !== undefined) {
    const scope = scopeOption(params.scope, 'params.scope')
    if (scope.length > 0) body.set('scope', scope.join(' '))
  }
  if (params.resource !== undefined) for (const r of listOption(params.resource, 'params.resource', { uri: true })) body.append('resource', r)
  if (params.audience !== undefined) for (const a of listOption(params.audience, 'params.audience')) body.append('audience', a)
  addExtraParams(body, params.extra, ['grant_type', 'assertion', 'scope', 'resource', 'audience'])
  return sendTokenRequest(server, client, body, options)
}

/**
 * {@link jwtBearerGrantRequest} + `processTokenResponse`.
 *
 * @param server - the foreign / Resource authorization server.
 * @param client - client id and authentication at that server.
 * @param params - assertion, scope, resource, audience.
 * @param options - `fetch`, `signal`.
 * @returns a frozen `TokenResponse`.
 * @throws ProtocolError `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`; TypeError for bad arguments.
 *
 * @example
 * ```ts
 * import { requestJWTBearerGrant } from 'agentauth/assertion-grant'
 * const { accessToken } = await requestJWTBearerGrant(foreignAs, foreignClient, { assertion: grant })
 * ```
 */
export async function requestJWTBearerGrant(
  server: OAuthServer,
  client: OAuthClient,
  params: JWTBearerGrantParameters,
  options?: TokenEndpointRequestOptions,
): Promise<TokenResponse> {
  let response: Response
  try {
    response = await jwtBearerGrantRequest(server, client, params, options)
  } catch (err) {
    throw wrapNetworkError(err)
  }
  try {
    return await processTokenResponse(response)
  } catch (err) {
    // A connection lost mid-body errors the stream with an uncoded TypeError ("terminated").
    throw wrapNetworkError(err)
  }
}

/**
 * Parameters of {@link requestJWTAuthorizationGrant}.
 *
 * @example
 * ```ts
 * import type { JWTAuthorizationGrantRequest } from 'agentauth/assertion-grant'
 * const params: JWTAuthorizationGrantRequest = { subjectToken, subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token', audience: 'https://as.partner.example' }
 * ```
 */
export interface JWTAuthorizationGrantRequest {
  subjectToken: string
  subjectTokenType: TokenTypeURI
  actorToken?: string
  actorTokenType?: TokenTypeURI
  /** Logical name (usually the issuer) of the foreign AS. One of `audience` / `resource` is required. */
  audience?: string
  /** URI of the foreign AS. */
  resource?: string
  scope?: string | readonly string[]
}

/**
 * Identity chaining step 1 (draft-ietf-oauth-identity-chaining -17 §2.3): a token exchange at the
 * home AS with `requested_token_type=urn:ietf:params:oauth:token-type:jwt` and the foreign AS as
 * `audience` or `resource`. The answer's `accessToken` is the JWT authorization grant to present
 * at the foreign AS with {@link requestJWTBearerGrant}.
 *
 * @param home - the home authorization server.
 * @param client - client id and authentication at the home AS.
 * @param params - subject (and actor) token, the foreign AS, scope.
 * @param options - `fetch`, `signal`.
 * @returns the frozen token exchange response (`issuedTokenType` checked to be `…:jwt`).
 * @throws ProtocolError `ERR_OAUTH_ERROR` (e.g. `invalid_target`), `ERR_OAUTH_RESPONSE_INVALID`,
 *   `ERR_TOKEN_EXCHANGE_FAILED`; TypeError when neither `audience` nor `resource` is given.
 *
 * @example
 * ```ts
 * import { requestJWTAuthorizationGrant, requestJWTBearerGrant } from 'agentauth/assertion-grant'
 * const grant = await requestJWTAuthorizationGrant(homeAs, homeClient, {
 *   subjectToken: userToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://as.partner.example',
 * })
 * const token = await requestJWTBearerGrant(partnerAs, partnerClient, { assertion: grant.accessToken })
 * ```
 */
export async function requestJWTAuthorizationGrant(
  home: OAuthServer,
  client: OAuthClient,
  params: JWTAuthorizationGrantRequest,
  options?: TokenEndpointRequestOptions,
): Promise<TokenExchangeResponse> {
  checkObject(params, 'params')
  if (params.audience === undefined && params.resource === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'identity chaining needs the foreign AS as audience or resource')
  return exchangeToken(home, client, { ...params, requestedTokenType: TOKEN_TYPE.JWT }, { ...options, expectedIssuedTokenType: TOKEN_TYPE.JWT })
}

/**
 * Parameters of {@link requestIdJag}.
 *
 * @example
 * ```ts
 * import type { IdJagRequest } from 'agentauth/assertion-grant'
 * const params: IdJagRequest = { subjectToken: idToken, audience: 'https://as.saas.example', scope: 'chat.read' }
 * ```
 */
export interface IdJagRequest {
  /** The SSO identity assertion: an ID Token (default type), SAML 2.0 assertion or IdP refresh token. */
  subjectToken: string
  subjectTokenType?: TokenTypeURI
  /** The Resource AS issuer identifier (required). */
  audience: string
  resource?: string | readonly string[]
  scope?: string | readonly string[]
  actorToken?: string
  actorTokenType?: TokenTypeURI
}

/**
 * ID-JAG step 1 (draft-ietf-oauth-identity-assertion-authz-grant §4.3): a token exchange at the
 * IdP for `requested_token_type=urn:ietf:params:oauth:token-type:id-jag`, `audience` = the Resource
 * AS issuer. Present the returned `accessToken` (the ID-JAG, `token_type` `N_A`) at the Resource AS
 * with {@link requestJWTBearerGrant}.
 *
 * @param idp - the enterprise IdP's authorization server.
 * @param client - client id and authentication at the IdP.
 * @param params - identity assertion, Resource AS, scope, resource.
 * @param options - `fetch`, `signal`.
 * @returns the frozen token exchange response (`issuedTokenType` checked to be `…:id-jag`).
 * @throws ProtocolError `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`; TypeError for bad arguments.
 *
 * @example
 * ```ts
 * import { requestIdJag, requestJWTBearerGrant } from 'agentauth/assertion-grant'
 * const jag = await requestIdJag(idp, idpClient, { subjectToken: idToken, audience: 'https://as.saas.example', scope: 'chat.read' })
 * const token = await requestJWTBearerGrant(saasAs, saasClient, { assertion: jag.accessToken })
 * ```
 */
export async function requestIdJag(idp: OAuthServer, client: OAuthClient, params: IdJagRequest, options?: TokenEndpointRequestOptions): Promise<TokenExchangeResponse> {
  checkObject(params, 'params')
  if (typeof params.audience !== 'string' || params.audience.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.audience (the Resource AS issuer) is required')
  return exchangeToken(
    idp,
    client,
    { ...params, subjectTokenType: params.subjectTokenType ?? TOKEN_TYPE.ID_TOKEN, requestedTokenType: TOKEN_TYPE.ID_JAG },
    { ...options, expectedIssuedTokenType: TOKEN_TYPE.ID_JAG },
  )
}
