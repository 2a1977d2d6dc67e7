import type { OAuthClient, OAuthServer, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { wrapNetworkError } from '../internal/oauth-http.js'
import { processTokenExchangeResponse, type ProcessTokenExchangeResponseOptions, type TokenExchangeResponse } from './process-response.js'
import { tokenExchangeRequest, type TokenExchangeParameters } from './request.js'

/**
 * Options of {@link exchangeToken}: transport plus response processing.
 *
 * @example
 * ```ts
 * import { exchangeToken, TOKEN_TYPE, type ExchangeTokenOptions } from 'agentauth/token-exchange'
 * const options: ExchangeTokenOptions = { signal: AbortSignal.timeout(5000), expectedIssuedTokenType: TOKEN_TYPE.ACCESS_TOKEN }
 * await exchangeToken(server, client, params, options)
 * ```
 */
export interface ExchangeTokenOptions extends TokenEndpointRequestOptions, ProcessTokenExchangeResponseOptions {}

/**
 * {@link tokenExchangeRequest} followed by {@link processTokenExchangeResponse}. A failure to reach
 * the server becomes `ERR_TOKEN_EXCHANGE_FAILED` (the original error is the `cause`). When
 * `params.requestedTokenType` is set, `issued_token_type` must equal it (unless
 * `options.expectedIssuedTokenType` says otherwise): a server answering a request for one type with
 * another is refused with `ERR_OAUTH_RESPONSE_INVALID`.
 *
 * @param server - `{ issuer?, tokenEndpoint }`.
 * @param client - `{ clientId, auth }`.
 * @param params - see {@link TokenExchangeParameters}.
 * @param options - `fetch`, `signal`, `maxBytes`, `expectedIssuedTokenType`.
 * @returns a frozen {@link TokenExchangeResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`;
 *   TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments.
 *
 * @example
 * ```ts
 * import { exchangeToken, TOKEN_TYPE } from 'agentauth/token-exchange'
 * const { accessToken } = await exchangeToken(server, client, {
 *   subjectToken: userAccessToken,
 *   subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN,
 *   audience: 'https://tool.example.com',
 *   scope: 'files:read',
 * })
 * ```
 */
export async function exchangeToken(
  server: OAuthServer,
  client: OAuthClient,
  params: TokenExchangeParameters,
  options: ExchangeTokenOptions = {},
): Promise<TokenExchangeResponse> {
  let response: Response
  try {
    response = await tokenExchangeRequest(server, client, params, options)
  } catch (err) {
    throw wrapNetworkError(err)
  }
  // RFC 8693 §2.1: the issued type is the server's choice only when none was requested.
  const expectedIssuedTokenType = options.expectedIssuedTokenType ?? params.requestedTokenType
  return processTokenExchangeResponse(response, expectedIssuedTokenType === undefined ? options : { ...options, expectedIssuedTokenType })
}
