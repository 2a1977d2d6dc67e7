import { ProtocolError } from '../errors/index.js'
import { responseMaxBytes } from '../internal/oauth-http.js'
import { parseTokenResponse } from '../internal/oauth-token-response.js'
import type { TokenTypeURI } from './token-types.js'

/**
 * A validated RFC 8693 §2.2.1 response. Frozen. It holds a bearer token: keep it inside the broker.
 *
 * @example
 * ```ts
 * import { exchangeToken, type TokenExchangeResponse } from 'agentauth/token-exchange'
 * const result: TokenExchangeResponse = await exchangeToken(server, client, params)
 * if (result.tokenType === 'N_A') console.log('not an access token:', result.issuedTokenType)
 * ```
 */
export interface TokenExchangeResponse {
  /** The issued token (an access token, Txn-Token, ID-JAG, JWT grant … despite the name). */
  readonly accessToken: string
  /** What was issued, e.g. `urn:ietf:params:oauth:token-type:access_token`. */
  readonly issuedTokenType: TokenTypeURI
  /** `Bearer`, `DPoP`, or `N_A` when the issued token is not an access token. */
  readonly tokenType: string
  /** Lifetime in seconds, when the server said. */
  readonly expiresIn: number | undefined
  /** Granted scope when sent (RFC 8693: required when it differs from the requested one). */
  readonly scope: string | undefined
  readonly refreshToken: string | undefined
}

/**
 * Options of {@link processTokenExchangeResponse}.
 *
 * @example
 * ```ts
 * import { processTokenExchangeResponse, TOKEN_TYPE, type ProcessTokenExchangeResponseOptions } from 'agentauth/token-exchange'
 * const options: ProcessTokenExchangeResponseOptions = { expectedIssuedTokenType: TOKEN_TYPE.TXN_TOKEN }
 * await processTokenExchangeResponse(response, options)
 * ```
 */
export interface ProcessTokenExchangeResponseOptions {
  /** Body size cap in bytes (default 64 KiB). */
  maxBytes?: number
  /** When set, `issued_token_type` must equal it (e.g. `TOKEN_TYPE.ID_JAG`). */
  expectedIssuedTokenType?: TokenTypeURI
}

/**
 * Validates a token exchange response (RFC 8693 §2.2): status 200, `application/json`, at most
 * `maxBytes`, strict UTF-8 JSON object; `access_token`, `issued_token_type` and `token_type`
 * required and well-formed (`N_A` accepted); `expires_in`, `scope`, `refresh_token` type-checked.
 * An error answer (RFC 6749 §5.2 / RFC 8693 §2.2.2, e.g. `invalid_target`) becomes
 * `ERR_OAUTH_ERROR` carrying `status`, `error` and `errorDescription`.
 *
 * @param response - the `Response` of {@link tokenExchangeRequest}.
 * @param options - `maxBytes`, `expectedIssuedTokenType`.
 * @returns a frozen {@link TokenExchangeResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR` | `ERR_OAUTH_RESPONSE_INVALID`; TypeError `ERR_INVALID_ARG_TYPE` when `response` is not a Response,
 *   `ERR_INVALID_ARG_VALUE` when `maxBytes` is not an integer in [1, 16 MiB].
 *
 * @example
 * ```ts
 * import { processTokenExchangeResponse } from 'agentauth/token-exchange'
 * import { ProtocolError } from 'agentauth/errors'
 * try {
 *   const { accessToken, expiresIn } = await processTokenExchangeResponse(response)
 * } catch (err) {
 *   if (err instanceof ProtocolError && err.error === 'invalid_scope') { … }
 * }
 * ```
 */
export async function processTokenExchangeResponse(
  response: Response,
  options: ProcessTokenExchangeResponseOptions = {},
): Promise<TokenExchangeResponse> {
  const maxBytes = responseMaxBytes(options.maxBytes)
  const parsed = await parseTokenResponse(response, { what: 'token exchange response', maxBytes, requireIssuedTokenType: true })
  if (options.expectedIssuedTokenType !== undefined && parsed.issuedTokenType !== options.expectedIssuedTokenType) {
    throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', 'token exchange response issued an unexpected token type', { status: response.status })
  }
  return Object.freeze({
    accessToken: parsed.accessToken,
    issuedTokenType: parsed.issuedTokenType!,
    tokenType: parsed.tokenType,
    expiresIn: parsed.expiresIn,
    scope: parsed.scope,
    refreshToken: parsed.refreshToken,
  })
}
