import { ERROR_CODES, ProtocolError, SignerError, StoreError, VerificationError, isAgentAuthError } from '../errors/index.js'
import { isBearerError } from '../internal/bearer-errors.js'

/**
 * Options of {@link errorResponse}.
 *
 * @example
 * ```ts
 * import { errorResponse, type ErrorResponseOptions } from 'agentauth/server'
 *
 * const answer: ErrorResponseOptions = { realm: 'https://api.example.com', retryAfter: 2 }
 * const caller = await verify(request).catch((err: unknown) => {
 *   throw errorResponse(err, answer) // e.g. 401 with `WWW-Authenticate: WIMSE realm="…", error="invalid_request"`
 * })
 * ```
 */
export interface ErrorResponseOptions {
  /** `realm` parameter of the challenge (e.g. the service's public origin; anything but a string is ignored). */
  realm?: string
  /** Authentication scheme named in `WWW-Authenticate` for workload errors (an RFC 9110 token; anything else is ignored). Default `WIMSE`. */
  scheme?: string
  /** Seconds sent in `Retry-After` with a 503 (a non-negative integer; anything else is ignored). Default 1. */
  retryAfter?: number
}

/**
 * Turns a string into an RFC 9110 quoted-string: printable ASCII only, `"` and `\` escaped. With
 * `bare`, `"` and `\` are replaced instead (by `'` and `?`): RFC 6750 §3 allows neither in the
 * values of a Bearer challenge's `error`, `error_description` and `scope`, escaped or not.
 */
function quoted(value: string, bare: boolean): string {
  let out = ''
  for (const ch of value.slice(0, 200)) {
    const c = ch.charCodeAt(0)
    if (c < 0x20 || c > 0x7e) out += '?'
    else if (ch === '"') out += bare ? "'" : '\\"'
    else if (ch === '\\') out += bare ? '?' : '\\\\'
    else out += ch
  }
  return `"${out}"`
}

const NO_OPTIONS: ErrorResponseOptions = Object.freeze({})

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function challenge(scheme: string, params: Record<string, string>, bearer: boolean): string {
  const parts = Object.entries(params)
    .filter(([k]) => TOKEN.test(k))
    .map(([k, v]) => `${k}=${quoted(v, bearer && k !== 'realm')}`)
  return parts.length > 0 ? `${scheme} ${parts.join(', ')}` : scheme
}

/** `Retry-After` seconds: the option when it is a non-negative integer, else 1. */
function retryAfter(options: ErrorResponseOptions): string {
  const v = options.retryAfter
  return String(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 1)
}

function problem(status: number, title: string, detail: string, code: string, headers: Headers): Response {
  headers.set('content-type', 'application/problem+json')
  headers.set('cache-control', 'no-store')
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail, code }), { status, headers })
}

/**
 * Turns any error thrown while verifying a request into the `Response` a service should send:
 *
 * - `VerificationError` → its `status` (400 for malformed or invalid credentials, as the WIMSE
 *   drafts recommend; 401 for a missing proof, a replayed proof or a revoked credential; 403
 *   refused by policy; 413 too large), an RFC 9457 problem body with the safe `reason` and `code`,
 *   and an escaped `WWW-Authenticate` challenge (`Bearer` for access-token errors per RFC 6750,
 *   the workload scheme otherwise; a request that sent no access token at all gets a bare
 *   `Bearer` challenge without `error`, RFC 6750 §3.1; a Bearer challenge's values other than
 *   `realm` carry no `"` or `\`, which RFC 6750 §3 forbids even escaped: they become `'` and `?`);
 * - `StoreError` → 503 with `Retry-After` (the verifier failed closed);
 * - `ProtocolError` (an upstream failed) → the status its code lists in `ERROR_CODES` when that
 *   is 503 or 504 (503 with `Retry-After` for `ERR_BUNDLE_FETCH`, an unreachable trust bundle; 504
 *   for `ERR_REMOTE_TIMEOUT`), 502 otherwise (never the upstream's own `status`);
 * - `SignerError` `ERR_SIGNER_RATE_LIMITED` → 429;
 * - anything else → a generic 500 (details never leave the server; log them in `onError`).
 *
 * @param err - whatever the verifier (or handler) threw.
 * @param options - `realm`, challenge `scheme` and `Retry-After` seconds.
 * @returns an RFC 9457 `application/problem+json` response with `cache-control: no-store`; never
 *   throws.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, errorResponse } from 'agentauth/server'
 * try {
 *   const caller = await verify(request)
 * } catch (err) {
 *   return errorResponse(err, { realm: 'https://api.example.com' })
 * }
 * ```
 */
export function errorResponse(err: unknown, options?: ErrorResponseOptions): Response {
  // Options usually come from configuration: unusable ones are ignored, never thrown on (this is
  // the last resort of every error path, and a throw here would leave the request unanswered).
  if (typeof options !== 'object' || options === null) options = NO_OPTIONS
  const headers = new Headers()
  if (err instanceof VerificationError) {
    // Access-token refusals carry shared codes too (ERR_TOKEN_EXPIRED, ERR_CONFIRMATION_MISMATCH …):
    // agentauth/access-token marks every error it throws, so all of them get the Bearer challenge.
    const bearer = isBearerError(err) || err.code === 'ERR_ACCESS_TOKEN_INVALID' || err.code === 'ERR_INSUFFICIENT_SCOPE'
    const params: Record<string, string> = {}
    if (typeof options.realm === 'string') params.realm = options.realm
    // An empty challenge marks a request that sent no credentials at all: RFC 6750 §3.1 says the
    // Bearer challenge then carries no error code or other error information.
    const bare = bearer && err.challenge !== undefined && Object.keys(err.challenge).length === 0
    if (!bare) {
      if (bearer) {
        params.error = err.code === 'ERR_INSUFFICIENT_SCOPE' ? 'insufficient_scope' : 'invalid_token'
      } else {
        params.error = err.status === 403 ? 'access_denied' : 'invalid_request'
      }
      params.error_description = err.reason
      if (err.challenge !== undefined) for (const [k, v] of Object.entries(err.challenge)) params[k] = v
    }
    // A scheme that is not an RFC 9110 token could not be sent (and errorResponse never throws).
    const scheme = typeof options.scheme === 'string' && TOKEN.test(options.scheme) ? options.scheme : 'WIMSE'
    headers.set('www-authenticate', challenge(bearer ? 'Bearer' : scheme, params, bearer))
    return problem(err.status, err.status === 403 ? 'Forbidden' : err.status === 413 ? 'Content Too Large' : err.status === 401 ? 'Unauthorized' : 'Bad Request', err.reason, err.code, headers)
  }
  if (err instanceof StoreError) {
    headers.set('retry-after', retryAfter(options))
    return problem(503, 'Service Unavailable', 'verification state is temporarily unavailable', err.code, headers)
  }
  if (err instanceof SignerError && err.code === 'ERR_SIGNER_RATE_LIMITED') {
    return problem(429, 'Too Many Requests', 'rate limited', err.code, headers)
  }
  const code = isAgentAuthError(err) ? err.code : 'ERR_INTERNAL'
  // An upstream failure answers with its code's status (ERR_BUNDLE_FETCH: 503, retry later), else 502.
  let status = 500
  if (err instanceof ProtocolError) {
    const listed = ERROR_CODES[err.code]?.status
    status = listed === 503 || listed === 504 ? listed : 502
  }
  if (status === 503) headers.set('retry-after', retryAfter(options))
  const title = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Timeout' : 'Internal Server Error'
  return problem(status, title, 'the request could not be verified', code, headers)
}
