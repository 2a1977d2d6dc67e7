import type { OAuthClient, OAuthServer, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { codedTypeError, ProtocolError } from '../errors/index.js'
import { assertString } from '../internal/assert.js'
import { wrapNetworkError } from '../internal/oauth-http.js'
import { checkObject } from '../internal/oauth-assert.js'
import { processTokenExchangeResponse } from '../token-exchange/process-response.js'
import { tokenExchangeRequest } from '../token-exchange/request.js'
import { TOKEN_TYPE, type TokenTypeURI } from '../token-exchange/token-types.js'
import { exceedsUtf8Bytes, freezeContext } from './claims.js'
import { MAX_CONTEXT_BYTES } from './constants.js'

/**
 * Parameters of a Txn-Token Request (draft §11.1).
 *
 * @example
 * ```ts
 * const params: TxnTokenRequestParameters = {
 *   subjectToken: accessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'bank.example', scope: 'trade.stocks',
 *   requestDetails: { action: 'BUY', ticker: 'MSFT' },
 * }
 * ```
 */
export interface TxnTokenRequestParameters {
  /** The token representing the subject: an inbound access token, a self-signed JWT, an unsigned JSON object, or a Txn-Token to replace. */
  subjectToken: string
  /** Its type; anything but `refresh_token` (§11.2). */
  subjectTokenType: TokenTypeURI
  /** The trust domain the Txn-Token is for. */
  audience: string
  /** The purpose of the transaction, as narrow as possible (at least one scope token). */
  scope: string | readonly string[]
  /** `request_context`: environment of the request (e.g. `{ req_ip, authn }`); the service may turn it into `rctx`. */
  requestContext?: Readonly<Record<string, unknown>>
  /** `request_details`: transaction details (e.g. `{ action, ticker, quantity }`); the service may turn them into `tctx`. */
  requestDetails?: Readonly<Record<string, unknown>>
}

/**
 * A validated Txn-Token Response (§11.4). Frozen. Keep it inside the workload: it is a bearer artefact.
 *
 * @example
 * ```ts
 * const { txnToken, expiresIn }: TxnTokenResponse = await requestTxnToken(tts, client, params)
 * ```
 */
export interface TxnTokenResponse {
  /** The Txn-Token (sent as `access_token`, despite the name: it is not an access token). */
  readonly txnToken: string
  /** Lifetime in seconds, when the service said. */
  readonly expiresIn: number | undefined
  /** Granted scope, when the service said. */
  readonly scope: string | undefined
}

/**
 * Options of {@link processTxnTokenResponse} and {@link requestTxnToken}.
 *
 * @example
 * ```ts
 * const { txnToken } = await processTxnTokenResponse(response, { maxBytes: 16_384 } satisfies ProcessTxnTokenResponseOptions)
 * ```
 */
export interface ProcessTxnTokenResponseOptions {
  /** Body size cap in bytes (default 64 KiB). */
  maxBytes?: number
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function contextParam(value: unknown, name: string): string {
  checkObject(value, name)
  let text: string
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be JSON-serialisable`, cause)
  }
  if (freezeContext(JSON.parse(text)) === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a plain JSON object`)
  if (exceedsUtf8Bytes(text, MAX_CONTEXT_BYTES)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} exceeds ${MAX_CONTEXT_BYTES} bytes`)
  return text
}

/**
 * Sends a Txn-Token Request: the RFC 8693 profile of draft §11.1 (`grant_type` token-exchange,
 * `requested_token_type` txn_token, `audience` = trust domain, `scope`, `subject_token`,
 * `subject_token_type`, `request_context` and `request_details` as JSON), authenticated by
 * `client.auth` (`privateKeyJwt` or `witClientAuth`). Returns the raw `Response` for
 * {@link processTxnTokenResponse}.
 *
 * Only send subject tokens to a Txn-Token Service you authenticated (https, trusted
 * configuration, §13.8–13.10): it receives your inbound access token.
 *
 * @param server - the Txn-Token Service token endpoint (`{ issuer?, tokenEndpoint }`).
 * @param client - `{ clientId, auth }` of the requesting workload.
 * @param params - see {@link TxnTokenRequestParameters}.
 * @param options - `fetch`, `signal`.
 * @returns the service's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments: a refresh
 *   token as subject, empty scope or audience, context that is not a JSON object or is over 8 KiB
 *   of UTF-8.
 *
 * @example
 * ```ts
 * import { txnTokenRequest, processTxnTokenResponse } from 'agentauth/txn-token'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 * const response = await txnTokenRequest(tts, { clientId: 'spiffe://bank.example/gateway', auth }, {
 *   subjectToken: inboundAccessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN,
 *   audience: 'bank.example', scope: 'trade.stocks', requestDetails: { action: 'BUY', ticker: 'MSFT' },
 * })
 * const { txnToken } = await processTxnTokenResponse(response)
 * ```
 */
export async function txnTokenRequest(
  server: OAuthServer,
  client: OAuthClient,
  params: TxnTokenRequestParameters,
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(params, 'params')
  if (params.subjectTokenType === TOKEN_TYPE.REFRESH_TOKEN) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'refresh tokens must not be used to obtain Txn-Tokens (draft §13.3)')
  assertString(params.audience, 'params.audience')
  if (params.scope === undefined || (typeof params.scope === 'string' ? params.scope.length === 0 : Array.isArray(params.scope) && params.scope.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.scope is required (the purpose of the transaction)')
  }
  const extra: Record<string, string> = {}
  if (params.requestContext !== undefined) extra.request_context = contextParam(params.requestContext, 'params.requestContext')
  if (params.requestDetails !== undefined) extra.request_details = contextParam(params.requestDetails, 'params.requestDetails')
  return tokenExchangeRequest(server, client, {
    subjectToken: params.subjectToken,
    subjectTokenType: params.subjectTokenType,
    requestedTokenType: TOKEN_TYPE.TXN_TOKEN,
    audience: params.audience,
    scope: params.scope,
    extra,
  }, options)
}

/**
 * Validates a Txn-Token Response (draft §11.4) on top of RFC 8693 §2.2 checks: `issued_token_type`
 * must be txn_token, `token_type` must be `N_A`, there must be no `refresh_token`, and the token
 * must be a compact JWS. It does not verify the token: do that with `verifyTxnToken` where the
 * keys are known.
 *
 * @param response - the `Response` of {@link txnTokenRequest}.
 * @param options - `maxBytes`.
 * @returns a frozen {@link TxnTokenResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR` (an error answer, with `error` and `status`) or
 *   `ERR_OAUTH_RESPONSE_INVALID`; TypeError when `response` is not a Response.
 *
 * @example
 * ```ts
 * import { processTxnTokenResponse } from 'agentauth/txn-token'
 * const { txnToken, expiresIn } = await processTxnTokenResponse(response)
 * ```
 */
export async function processTxnTokenResponse(response: Response, options: ProcessTxnTokenResponseOptions = {}): Promise<TxnTokenResponse> {
  const parsed = await processTokenExchangeResponse(response, { expectedIssuedTokenType: TOKEN_TYPE.TXN_TOKEN, ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) })
  const invalid = (message: string) => new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', message, { status: response.status })
  // token_type is case-insensitive (RFC 6749 §5.1).
  if (parsed.tokenType.toUpperCase() !== 'N_A') throw invalid('Txn-Token response token_type must be N_A')
  if (parsed.refreshToken !== undefined) throw invalid('Txn-Token response must not carry a refresh_token')
  if (!COMPACT.test(parsed.accessToken)) throw invalid('Txn-Token response access_token is not a compact JWS')
  return Object.freeze({ txnToken: parsed.accessToken, expiresIn: parsed.expiresIn, scope: parsed.scope })
}

/**
 * {@link txnTokenRequest} + {@link processTxnTokenResponse}; a failure to reach the service
 * becomes `ERR_TOKEN_EXCHANGE_FAILED`.
 *
 * @param server - the Txn-Token Service token endpoint.
 * @param client - `{ clientId, auth }` of the requesting workload.
 * @param params - see {@link TxnTokenRequestParameters}.
 * @param options - `fetch`, `signal`, `maxBytes`.
 * @returns a frozen {@link TxnTokenResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`;
 *   TypeError for bad arguments.
 *
 * @example
 * ```ts
 * import { requestTxnToken } from 'agentauth/txn-token'
 * import { privateKeyJwt } from 'agentauth/client-auth'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * const { txnToken } = await requestTxnToken(
 *   { issuer: 'https://tts.bank.example', tokenEndpoint: 'https://tts.bank.example/token' },
 *   { clientId: 'spiffe://bank.example/gateway', auth: privateKeyJwt(gatewaySigner) },
 *   { subjectToken: inboundAccessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'bank.example', scope: 'trade.stocks' },
 * )
 * ```
 */
export async function requestTxnToken(
  server: OAuthServer,
  client: OAuthClient,
  params: TxnTokenRequestParameters,
  options: TokenEndpointRequestOptions & ProcessTxnTokenResponseOptions = {},
): Promise<TxnTokenResponse> {
  let response: Response
  try {
    response = await txnTokenRequest(server, client, params, options)
  } catch (err) {
    throw wrapNetworkError(err)
  }
  return processTxnTokenResponse(response, options)
}
