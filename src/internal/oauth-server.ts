// Server-side plumbing shared by the token endpoints (token exchange, jwt-bearer, and later the
// Txn-Token service): bounded form parsing with duplicate checks, typed refusals that carry their
// RFC 6749 §5.2 / RFC 8693 §2.2.2 error code, and the no-store error/success responses.
import { VerificationError, codedTypeError, isAgentAuthError, type VerificationErrorCode } from '../errors/index.js'
import { looseInstanceOf } from './assert.js'

const OAUTH_ERROR: unique symbol = Symbol('agentauth.oauthError') as never

/** OAuth error codes a token endpoint answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'server_error'

/** Creates a VerificationError that also says which OAuth error the endpoint answers with. */
export function refuse(oauthError: OAuthErrorCode, code: VerificationErrorCode, message: string, options: { claim?: string; cause?: unknown } = {}): VerificationError {
  const err = new VerificationError(code, message, options)
  Object.defineProperty(err, OAUTH_ERROR, { value: oauthError })
  return err
}

/** Re-labels an error (e.g. a subject-token verification failure) with an OAuth error code. */
export function asRefusal(err: unknown, oauthError: OAuthErrorCode): unknown {
  if (err instanceof VerificationError && (err as unknown as Record<symbol, unknown>)[OAUTH_ERROR] === undefined) {
    Object.defineProperty(err, OAUTH_ERROR, { value: oauthError })
  }
  return err
}

const BY_CODE: Partial<Record<VerificationErrorCode, OAuthErrorCode>> = {
  ERR_CLIENT_AUTH_FAILED: 'invalid_client',
  ERR_SCOPE_NOT_ALLOWED: 'invalid_scope',
  ERR_TARGET_NOT_ALLOWED: 'invalid_target',
  ERR_OAUTH_REQUEST_INVALID: 'invalid_request',
  ERR_INPUT_TOO_LARGE: 'invalid_request',
}

/** The OAuth error an error maps to (unknown failures are server_error, never a pass). */
export function oauthErrorOf(err: unknown): OAuthErrorCode {
  if (err instanceof VerificationError) {
    const tagged = (err as unknown as Record<symbol, unknown>)[OAUTH_ERROR] as OAuthErrorCode | undefined
    return tagged ?? BY_CODE[err.code] ?? 'invalid_grant'
  }
  return 'server_error'
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

/** A JSON token-endpoint response with `Cache-Control: no-store` (RFC 6749 §5.1). */
export function jsonResponse(body: Record<string, unknown>, status = 200, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...NO_STORE, ...extra } })
}

// An RFC 9110 §11.1 auth-scheme (token), as the client sent it.
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/

/**
 * The `WWW-Authenticate` challenge for an `invalid_client` answer: RFC 6749 §5.2 requires one naming
 * the scheme the client used when it authenticated (or tried to) with the `Authorization` field.
 */
function clientChallenge(request: unknown): Record<string, string> | undefined {
  if (!looseInstanceOf(request, Request)) return undefined
  const authorization = request.headers.get('authorization')
  if (authorization === null) return undefined
  const scheme = authorization.trim().split(' ', 1)[0]!
  return AUTH_SCHEME.test(scheme) ? { 'www-authenticate': scheme } : undefined
}

/**
 * The RFC 6749 §5.2 error response for an error. Descriptions are generic; detail goes to onError.
 * Pass the request so an `invalid_client` answer to a client that used the `Authorization` field
 * carries the challenge §5.2 requires.
 */
export function errorResponse(err: unknown, request?: unknown): Response {
  const error = oauthErrorOf(err)
  if (error === 'server_error') {
    const status = isAgentAuthError(err) && err.code === 'ERR_STORE_UNAVAILABLE' ? 503 : 500
    return jsonResponse({ error, error_description: 'the token service could not complete the request' }, status)
  }
  const description = err instanceof VerificationError ? err.reason.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ').slice(0, 200) : undefined
  const status = error === 'invalid_client' ? 401 : 400
  const challenge = error === 'invalid_client' ? clientChallenge(request) : undefined
  return jsonResponse({ error, ...(description === undefined ? {} : { error_description: description }) }, status, challenge)
}

/** Single-valued parameters (RFC 6749 §3.2: MUST NOT repeat); `audience`/`resource` may repeat. */
const REPEATABLE = new Set(['audience', 'resource'])

const HEX = /^[0-9A-Fa-f]{2}$/

// Whether every name and value of a form body percent-decodes to valid UTF-8 (WHATWG URL §5.1: a
// `%` not followed by two hex digits stays literal, as URLSearchParams reads it).
function percentDecodesStrictly(text: string): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const encoder = new TextEncoder()
  for (const part of text.split(/[&=]/)) {
    if (!part.includes('%')) continue
    const bytes: number[] = []
    for (let i = 0; i < part.length; i++) {
      if (part[i] === '%' && HEX.test(part.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(part.slice(i + 1, i + 3), 16))
        i += 2
      } else {
        const cp = part.codePointAt(i)!
        if (cp > 0xffff) i++
        for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b)
      }
    }
    try {
      decoder.decode(new Uint8Array(bytes))
    } catch {
      return false
    }
  }
  return true
}

/** Reads an `application/x-www-form-urlencoded` POST body, bounded, with duplicate checks. */
export async function readTokenRequestForm(request: unknown, maxBytes: number): Promise<URLSearchParams> {
  if (!looseInstanceOf(request, Request)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request must be a Request')
  if (request.method !== 'POST') throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'token requests use POST')
  const ct = (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (ct !== 'application/x-www-form-urlencoded') throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'token requests are form-encoded')
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw refuse('invalid_request', 'ERR_INPUT_TOO_LARGE', 'request body too large')
  // A body some middleware already read (or locked) is an integration bug: say so with a code.
  if (request.bodyUsed || request.body?.locked === true) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request body was already read')
  let text = ''
  if (request.body !== null) {
    const reader = request.body.getReader()
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let total = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        total += value.byteLength
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined)
          throw refuse('invalid_request', 'ERR_INPUT_TOO_LARGE', 'request body too large')
        }
        text += decoder.decode(value, { stream: true })
      }
      text += decoder.decode()
    } catch (err) {
      if (err instanceof VerificationError) throw err
      throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'request body is not valid UTF-8', { cause: err })
    }
  }
  // RFC 6749 §3.1/§3.2: a parameter sent without a value is treated as omitted; a parameter may
  // appear once (RFC 8707 `resource` and RFC 8693 `audience` may repeat).
  const form = new URLSearchParams()
  const seen = new Set<string>()
  let strictChecked = false
  for (const [name, value] of new URLSearchParams(text)) {
    // URLSearchParams turns percent-encoded invalid UTF-8 (%FF) into U+FFFD, so two different
    // requests would read the same: refuse it like invalid raw UTF-8 (checked only when U+FFFD shows).
    if (!strictChecked && (name.includes('\uFFFD') || value.includes('\uFFFD'))) {
      strictChecked = true
      if (!percentDecodesStrictly(text)) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', 'a form value is not valid UTF-8 once percent-decoded')
    }
    if (value.length === 0) continue
    if (seen.has(name) && !REPEATABLE.has(name)) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', `parameter ${name} is repeated`)
    seen.add(name)
    form.append(name, value)
  }
  return form
}

/** A required single parameter. */
export function requireParam(form: URLSearchParams, name: string): string {
  const v = form.get(name)
  if (v === null) throw refuse('invalid_request', 'ERR_OAUTH_REQUEST_INVALID', `missing parameter ${name}`)
  return v
}
