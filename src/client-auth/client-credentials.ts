import { checkObject } from '../internal/oauth-assert.js'
import { responseMaxBytes, wrapNetworkError } from '../internal/oauth-http.js'
import { listOption, scopeOption } from '../internal/oauth-scope.js'
import { addExtraParams, sendTokenRequest } from '../internal/oauth-token-request.js'
import { parseTokenResponse } from '../internal/oauth-token-response.js'
import type { OAuthClient, OAuthServer, TokenEndpointRequestOptions } from './types.js'

/**
 * Parameters of a client credentials grant (RFC 6749 §4.4).
 *
 * @example
 * ```ts
 * import { requestClientCredentials, type ClientCredentialsParameters } from 'agentauth/client-auth'
 * const params: ClientCredentialsParameters = { scope: ['reports:write'], resource: 'https://reports.example.com' }
 * await requestClientCredentials(server, client, params)
 * ```
 */
export interface ClientCredentialsParameters {
  /** Requested scope (space-delimited string or list). */
  scope?: string | readonly string[]
  /** RFC 8707 resource indicators (absolute URIs). */
  resource?: string | readonly string[]
  /** Logical audience names, for servers that accept `audience`. */
  audience?: string | readonly string[]
  /** Further parameters; may not override the grant's own. */
  extra?: Readonly<Record<string, string | readonly string[]>>
}

/**
 * A validated RFC 6749 §5.1 token response. Frozen. Keep it inside the broker: it holds a bearer token.
 *
 * @example
 * ```ts
 * import { requestClientCredentials, type TokenResponse } from 'agentauth/client-auth'
 * const token: TokenResponse = await requestClientCredentials(server, client, { scope: 'a' })
 * console.log(token.tokenType, token.expiresIn)
 * ```
 */
export interface TokenResponse {
  readonly accessToken: string
  /** `Bearer`, `DPoP`, … as sent (compare case-insensitively). */
  readonly tokenType: string
  /** Seconds, when the server said. */
  readonly expiresIn: number | undefined
  /** Granted scope when the server sent it (space-delimited, validated). */
  readonly scope: string | undefined
  readonly refreshToken: string | undefined
}

/**
 * Options of {@link processTokenResponse}.
 *
 * @example
 * ```ts
 * import { processTokenResponse, type ProcessTokenResponseOptions } from 'agentauth/client-auth'
 * const options: ProcessTokenResponseOptions = { maxBytes: 16 * 1024 }
 * await processTokenResponse(response, options)
 * ```
 */
export interface ProcessTokenResponseOptions {
  /** Body size cap in bytes (default 64 KiB). */
  maxBytes?: number
}

/**
 * Sends a client credentials grant (RFC 6749 §4.4) — the flow of an agent with no user (a
 * scheduled job), authenticated by `privateKeyJwt` or `witClientAuth`. Returns the raw `Response`
 * for {@link processTokenResponse} (oauth4webapi's request/process split).
 *
 * @param server - issuer and token endpoint.
 * @param client - client id and authentication.
 * @param params - scope, resource, audience, extra parameters.
 * @param options - `fetch`, `signal`.
 * @returns the token endpoint's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments.
 *
 * @example
 * ```ts
 * import { clientCredentialsRequest, processTokenResponse, privateKeyJwt } from 'agentauth/client-auth'
 * const response = await clientCredentialsRequest(server, { clientId: 'nightly', auth: privateKeyJwt(signer) }, { scope: 'reports:write' })
 * const { accessToken, expiresIn } = await processTokenResponse(response)
 * ```
 */
export async function clientCredentialsRequest(
  server: OAuthServer,
  client: OAuthClient,
  params: ClientCredentialsParameters = {},
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(params, 'params')
  const body = new URLSearchParams({ grant_type: 'client_credentials' })
  if (params.scope !== undefined) body.set('scope', scopeOption(params.scope, 'params.scope').join(' '))
  if (params.resource !== undefined) for (const r of listOption(params.resource, 'params.resource', { uri: true })) body.append('resource', r)
  if (params.audience !== undefined) for (const a of listOption(params.audience, 'params.audience')) body.append('audience', a)
  addExtraParams(body, params.extra, ['grant_type'])
  return sendTokenRequest(server, client, body, options)
}

/**
 * Validates an RFC 6749 §5.1 token response: status 200, JSON content type, size cap, strict JSON,
 * `access_token` and `token_type` present and well-formed, `expires_in`/`scope`/`refresh_token`
 * type-checked.
 *
 * @param response - the `Response` of a token request.
 * @param options - `maxBytes`.
 * @returns a frozen {@link TokenResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR` (with `status`, `error`, `errorDescription`) for an OAuth
 *   error answer; `ERR_OAUTH_RESPONSE_INVALID` for anything malformed. TypeError `ERR_INVALID_ARG_VALUE`
 *   when `maxBytes` is not an integer in [1, 16 MiB].
 *
 * @example
 * ```ts
 * import { processTokenResponse } from 'agentauth/client-auth'
 * const token = await processTokenResponse(await clientCredentialsRequest(server, client, { scope: 'a' }))
 * ```
 */
export async function processTokenResponse(response: Response, options: ProcessTokenResponseOptions = {}): Promise<TokenResponse> {
  checkObject(options, 'options')
  const maxBytes = responseMaxBytes(options.maxBytes)
  const parsed = await parseTokenResponse(response, { what: 'token response', maxBytes, requireIssuedTokenType: false })
  return Object.freeze({
    accessToken: parsed.accessToken,
    tokenType: parsed.tokenType,
    expiresIn: parsed.expiresIn,
    scope: parsed.scope,
    refreshToken: parsed.refreshToken,
  })
}

/**
 * {@link clientCredentialsRequest} + {@link processTokenResponse}; network failures become
 * `ERR_TOKEN_EXCHANGE_FAILED`.
 *
 * @param server - issuer and token endpoint.
 * @param client - client id and authentication.
 * @param params - scope, resource, audience.
 * @param options - `fetch`, `signal`.
 * @returns a frozen {@link TokenResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`; TypeError for bad arguments.
 *
 * @example
 * ```ts
 * import { requestClientCredentials, witClientAuth } from 'agentauth/client-auth'
 * const token = await requestClientCredentials(server, { clientId: workloadId, auth: witClientAuth({ wit, signer }) }, { scope: 'reports:write' })
 * ```
 */
export async function requestClientCredentials(
  server: OAuthServer,
  client: OAuthClient,
  params: ClientCredentialsParameters = {},
  options?: TokenEndpointRequestOptions,
): Promise<TokenResponse> {
  let response: Response
  try {
    response = await clientCredentialsRequest(server, client, params, options)
  } catch (err) {
    throw wrapNetworkError(err)
  }
  return processTokenResponse(response)
}
