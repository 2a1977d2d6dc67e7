import type { OAuthClient, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { codedTypeError, ProtocolError } from '../errors/index.js'
import { checkObject } from '../internal/oauth-assert.js'
import { responseMaxBytes, readOAuthJSON, wrapNetworkError } from '../internal/oauth-http.js'
import { scopeOption } from '../internal/oauth-scope.js'
import { addExtraParams, sendTokenRequest } from '../internal/oauth-token-request.js'
import type { CibaServer } from './constants.js'

/**
 * Parameters of a backchannel authentication request (CIBA §7.1). Give exactly one hint.
 *
 * @example
 * ```ts
 * const params: BackchannelAuthenticationParameters = { scope: 'openid', loginHint: 'alice@example.com', bindingMessage: 'PAY-4711' }
 * ```
 */
export interface BackchannelAuthenticationParameters {
  /** Requested scope; must include `openid`. */
  scope: string | readonly string[]
  /** Who to ask, in a form the provider understands (e-mail, phone, user id). */
  loginHint?: string
  /** An ID Token previously issued to the client for that user. */
  idTokenHint?: string
  /** A token that identifies the user (provider specific). */
  loginHintToken?: string
  /** Short text shown on both devices so the user can tell this request apart (keep it short). */
  bindingMessage?: string
  /** A secret the user knows, when the provider asks for one. */
  userCode?: string
  /** Requested lifetime of the request in seconds. */
  requestedExpiry?: number
  /** Requested Authentication Context Class References, in order of preference. */
  acrValues?: string | readonly string[]
  /** Bearer token the provider presents on the ping callback (required in ping mode). */
  clientNotificationToken?: string
  /** Further parameters (e.g. `authorization_details`); may not override the ones above. */
  extra?: Readonly<Record<string, string | readonly string[]>>
}

/**
 * A validated backchannel authentication response (CIBA §7.3). Frozen.
 *
 * @example
 * ```ts
 * const pending: BackchannelAuthenticationResponse = await processBackchannelAuthenticationResponse(response)
 * console.log(pending.authReqId !== '', pending.expiresIn, pending.interval)
 * ```
 */
export interface BackchannelAuthenticationResponse {
  /** Identifies the request at the token endpoint. Treat it as a secret. */
  readonly authReqId: string
  /** Seconds until the request expires. */
  readonly expiresIn: number
  /** Seconds to wait between polls (default 5 when the provider does not say). */
  readonly interval: number
}

/**
 * Options of {@link processBackchannelAuthenticationResponse}.
 *
 * @example
 * ```ts
 * const pending = await processBackchannelAuthenticationResponse(response, { maxBytes: 8192 } satisfies ProcessBackchannelAuthenticationResponseOptions)
 * ```
 */
export interface ProcessBackchannelAuthenticationResponseOptions {
  /** Body size cap in bytes (default 64 KiB). */
  maxBytes?: number
}

const RESERVED = ['scope', 'login_hint', 'id_token_hint', 'login_hint_token', 'binding_message', 'user_code', 'requested_expiry', 'acr_values', 'client_notification_token', 'request', 'grant_type']
// RFC 6750 §2.1 b64token, as CIBA §7.1 requires for client_notification_token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
// Printable: no C0/C1 controls (U+0085 is a line break), no format characters (bidi overrides that
// reorder what the user reads, invisible tag characters), no line/paragraph separators, and no lone
// surrogates (URLSearchParams would silently turn them into U+FFFD).
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+$/u
const VSCHAR = /^[\x20-\x7e]+$/

function textParam(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0 || value.length > max || !PRINTABLE.test(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be 1-${max} printable characters`)
  return value
}

/**
 * Sends a backchannel authentication request (CIBA §7.1) — "ask this person to approve" — to the
 * provider's backchannel authentication endpoint, authenticated like a token request
 * (`privateKeyJwt`, `witClientAuth`, mTLS). Returns the raw `Response` for
 * {@link processBackchannelAuthenticationResponse}.
 *
 * @param server - issuer, token endpoint and backchannel authentication endpoint.
 * @param client - `{ clientId, auth }`.
 * @param params - see {@link BackchannelAuthenticationParameters}.
 * @param options - `fetch`, `signal`.
 * @returns the provider's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`: scope without `openid`, not
 *   exactly one hint, a malformed binding message, expiry or notification token.
 *
 * @example
 * ```ts
 * import { backchannelAuthenticationRequest, processBackchannelAuthenticationResponse } from 'agentauth/ciba'
 * const response = await backchannelAuthenticationRequest(op, { clientId: 'agent-broker', auth: privateKeyJwt(signer) }, {
 *   scope: 'openid payments', loginHint: 'alice@example.com', bindingMessage: 'PAY-4711',
 * })
 * const { authReqId, expiresIn, interval } = await processBackchannelAuthenticationResponse(response)
 * ```
 */
export async function backchannelAuthenticationRequest(
  server: CibaServer,
  client: OAuthClient,
  params: BackchannelAuthenticationParameters,
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(server, 'server')
  checkObject(params, 'params')
  const scope = scopeOption(params.scope, 'params.scope')
  if (!scope.includes('openid')) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.scope must include openid (CIBA §7.1)')
  const hints = [params.loginHint, params.idTokenHint, params.loginHintToken].filter((h) => h !== undefined)
  if (hints.length !== 1) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'give exactly one of params.loginHint, params.idTokenHint, params.loginHintToken')
  const body = new URLSearchParams({ scope: scope.join(' ') })
  if (params.loginHint !== undefined) body.set('login_hint', textParam(params.loginHint, 'params.loginHint', 1024))
  if (params.idTokenHint !== undefined) body.set('id_token_hint', textParam(params.idTokenHint, 'params.idTokenHint', 16_384))
  if (params.loginHintToken !== undefined) body.set('login_hint_token', textParam(params.loginHintToken, 'params.loginHintToken', 16_384))
  if (params.bindingMessage !== undefined) body.set('binding_message', textParam(params.bindingMessage, 'params.bindingMessage', 256))
  if (params.userCode !== undefined) body.set('user_code', textParam(params.userCode, 'params.userCode', 256))
  if (params.requestedExpiry !== undefined) {
    const e = params.requestedExpiry
    if (typeof e !== 'number' || !Number.isInteger(e) || e < 1 || e > 86_400) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.requestedExpiry must be an integer number of seconds in [1, 86400]')
    body.set('requested_expiry', String(e))
  }
  if (params.acrValues !== undefined) body.set('acr_values', scopeOption(params.acrValues, 'params.acrValues').join(' '))
  if (params.clientNotificationToken !== undefined) {
    const t = params.clientNotificationToken
    if (typeof t !== 'string' || t.length < 22 || t.length > 1024 || !B64TOKEN.test(t)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'params.clientNotificationToken must be a bearer token of 22-1024 characters (at least 128 bits; see createClientNotificationToken)')
    }
    body.set('client_notification_token', t)
  }
  addExtraParams(body, params.extra, RESERVED)
  return sendTokenRequest({ issuer: server.issuer, tokenEndpoint: server.backchannelAuthenticationEndpoint }, client, body, options)
}

/**
 * Validates a backchannel authentication response (CIBA §7.3): status 200, JSON, `auth_req_id` a
 * printable string, `expires_in` a positive integer, `interval` (optional, default 5) a
 * non-negative integer. An error answer (§13: `unknown_user_id`, `invalid_binding_message`,
 * `access_denied`, …) becomes `ERR_OAUTH_ERROR` with `error` set.
 *
 * @param response - the `Response` of {@link backchannelAuthenticationRequest}.
 * @param options - `maxBytes`.
 * @returns a frozen {@link BackchannelAuthenticationResponse}.
 * @throws ProtocolError `ERR_OAUTH_ERROR` | `ERR_OAUTH_RESPONSE_INVALID` | `ERR_TOKEN_EXCHANGE_FAILED` (the
 *   connection was lost while the body was read); TypeError when `response` is not a Response
 *   or `maxBytes` is not an integer in [1, 16 MiB].
 *
 * @example
 * ```ts
 * import { processBackchannelAuthenticationResponse } from 'agentauth/ciba'
 * const pending = await processBackchannelAuthenticationResponse(response)
 * console.log(`ask expires in ${pending.expiresIn}s, poll every ${pending.interval}s`)
 * ```
 */
export async function processBackchannelAuthenticationResponse(
  response: Response,
  options: ProcessBackchannelAuthenticationResponseOptions = {},
): Promise<BackchannelAuthenticationResponse> {
  checkObject(options, 'options')
  const maxBytes = responseMaxBytes(options.maxBytes)
  let body
  try {
    body = await readOAuthJSON(response, { what: 'backchannel authentication response', maxBytes })
  } catch (err) {
    // A connection lost mid-body errors the stream with an uncoded TypeError ("terminated").
    throw wrapNetworkError(err)
  }
  const invalid = (m: string) => new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `backchannel authentication response ${m}`, { status: response.status })
  const id = body.auth_req_id
  if (typeof id !== 'string' || id.length === 0 || id.length > 1024 || !VSCHAR.test(id)) throw invalid('auth_req_id is missing or malformed')
  const expiresIn = body.expires_in
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 31_536_000) throw invalid('expires_in is not a positive integer')
  let interval = 5
  if (Object.hasOwn(body, 'interval') && body.interval !== null) {
    const v = body.interval
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3600) throw invalid('interval is not an integer number of seconds')
    interval = v
  }
  return Object.freeze({ authReqId: id, expiresIn, interval })
}
