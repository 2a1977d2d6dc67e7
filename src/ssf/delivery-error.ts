// RFC 8935 §2.4 / RFC 8936 §2.4 error codes for rejected SETs, and the mapping from agentauth
// error codes to them (decisions in docs/ssf-receiver.md):
//   iss mismatch → invalid_issuer; aud mismatch → invalid_audience;
//   unknown key, bad key, bad signature, alg none/HMAC/not allowed → invalid_key
//     ("keys used to sign the SET are invalid or otherwise unacceptable");
//   a receiver policy refusal (ERR_POLICY_DENIED) → access_denied;
//   everything else (malformed, typ, claims, subject, age, replay, size) → invalid_request.
// authentication_failed is what push receivers send with 401 when the Authorization header fails
// (ERR_SSF_UNAUTHENTICATED, the error they report to onError).
// invalid_state (SSF 1.0 §8.1.4.1): a handler refusing a verification SET whose `state` is not the
// one it asked for throws ERR_SET_INVALID with `claim: 'state'`.
import { isAgentAuthError } from '../errors/index.js'

/**
 * The registered SET delivery error codes (RFC 8935 §2.4, IANA "Security Event Token Error Codes").
 *
 * @example
 * ```ts
 * const code: DeliveryErrorCode = toDeliveryError(error).err // e.g. 'invalid_audience'
 * ```
 */
export type DeliveryErrorCode =
  | 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied'
  | 'invalid_state'

/**
 * The JSON body of a negative acknowledgement: `{"err": …, "description": …}`.
 *
 * @example
 * ```ts
 * const { err, description }: DeliveryError = toDeliveryError(error)
 * ```
 */
export interface DeliveryError {
  readonly err: DeliveryErrorCode
  readonly description: string
}

const BY_CODE: Readonly<Record<string, DeliveryErrorCode>> = {
  ERR_SET_ISSUER: 'invalid_issuer',
  ERR_SET_AUDIENCE: 'invalid_audience',
  ERR_KEY_NOT_FOUND: 'invalid_key',
  ERR_KEY_INVALID: 'invalid_key',
  ERR_JWS_SIGNATURE: 'invalid_key',
  ERR_ALG_NOT_ALLOWED: 'invalid_key',
  ERR_POLICY_DENIED: 'access_denied',
  ERR_SSF_UNAUTHENTICATED: 'authentication_failed',
}

const DESCRIPTION: Readonly<Record<DeliveryErrorCode, string>> = {
  invalid_request: 'The SET could not be parsed or does not conform to its profile.',
  invalid_key: 'The key or algorithm used to sign the SET is not acceptable.',
  invalid_issuer: 'The SET issuer is not accepted by this receiver.',
  invalid_audience: 'The SET audience does not name this receiver.',
  authentication_failed: 'The transmitter could not be authenticated.',
  access_denied: 'The transmitter is not allowed to send this SET.',
  invalid_state: 'The verification event does not carry the state the receiver asked for.',
}

/**
 * Maps an error from {@link verifySET} (or an event handler) to the RFC 8935 `err` code and a
 * generic description that is safe to send back to the transmitter (it never echoes token content).
 * `ERR_SET_INVALID` with `claim: 'state'` (a verification SET whose `state` is not the expected
 * one) maps to SSF 1.0 §8.1.4.1 `invalid_state`.
 *
 * @param error - anything thrown while verifying a SET.
 * @returns `{ err, description }` for a 400 push response or a poll `setErrs` entry.
 *
 * @example
 * ```ts
 * import { toDeliveryError, verifySET } from 'agentauth/ssf'
 * try { await verifySET(token, options) } catch (e) { setErrs[jti] = toDeliveryError(e) }
 * ```
 */
export function toDeliveryError(error: unknown): DeliveryError {
  const code = isAgentAuthError(error) ? error.code : undefined
  const state = code === 'ERR_SET_INVALID' && (error as { claim?: unknown }).claim === 'state'
  const err = state ? 'invalid_state' : (code !== undefined ? BY_CODE[code] : undefined) ?? 'invalid_request'
  const reason = isAgentAuthError(error) && 'reason' in error && typeof error.reason === 'string' ? error.reason : undefined
  const description = reason !== undefined && reason.length <= 200 ? reason : DESCRIPTION[err]
  return Object.freeze({ err, description })
}

/**
 * Whether a SET was refused only because no key for it is known *yet*: its `kid` is not in the key
 * set (the transmitter rotated keys and the receiver's JWKS is in its refresh cooldown, or being
 * fetched failed and a stale set is served). Receivers leave such a SET unacknowledged (push: 503,
 * poll: no ack and no `setErrs`) so the transmitter delivers it again, instead of answering
 * `invalid_key`, which makes the transmitter drop it: a revocation lost during a key rotation.
 *
 * @internal
 * @example
 * ```ts
 * if (isKeyNotYetKnown(error)) return new Response(null, { status: 503, headers: { 'retry-after': '30' } })
 * ```
 */
export function isKeyNotYetKnown(error: unknown): boolean {
  return isAgentAuthError(error) && error.code === 'ERR_KEY_NOT_FOUND'
}

/** Builds the RFC 8935 400 response for a rejected SET (`challenge`: a 401's WWW-Authenticate). */
export function deliveryErrorResponse(error: DeliveryError, status = 400, challenge?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' }
  if (challenge !== undefined) headers['www-authenticate'] = challenge
  return new Response(JSON.stringify({ err: error.err, description: error.description }), { status, headers })
}
