// Shared HTTP plumbing for the OAuth clients (token exchange, client credentials, jwt-bearer,
// CIBA, txn-token requests): endpoint URL checks, bounded response reads, strict JSON and the
// RFC 6749 §5.2 error shape. Every byte of a response is hostile until checked.
import { codedTypeError, isAgentAuthError, ProtocolError } from '../errors/index.js'
import { looseInstanceOf, optionalNumber } from './assert.js'
import { decodeUtf8Strict, joinChunks } from './bytes.js'
import type { FetchLike } from './fetch-types.js'
import { isPlainObject, type JSONObject } from './json.js'

/** Default cap on an OAuth JSON response body. Token responses are a few KiB at most. */
export const DEFAULT_MAX_RESPONSE_BYTES: number = 64 * 1024

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Parses an endpoint option. `https:` always; `http:` only for loopback hosts (tests, a broker on
 * the same machine). Credentials never travel over plain HTTP to another host.
 */
export function endpointURL(value: unknown, name: string): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a URL string`)
  let url: URL
  try {
    url = new URL(String(value))
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} is not an absolute URL`, cause)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must use https (http only for loopback)`)
  }
  if (url.hash !== '' || url.username !== '' || url.password !== '') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not carry a fragment or userinfo`)
  }
  return url
}

/** Reads at most `maxBytes` of a body; more is a protocol error (the rest is cancelled). */
/**
 * The `maxBytes` option of a response reader, checked: an integer in [1, 16 MiB], default
 * {@link DEFAULT_MAX_RESPONSE_BYTES}. `NaN` or `Infinity` would turn the size limit off.
 */
export function responseMaxBytes(value: unknown): number {
  return optionalNumber(value, 'options.maxBytes', DEFAULT_MAX_RESPONSE_BYTES, { min: 1, max: 16 * 1024 * 1024, integer: true })
}

export async function readBoundedBody(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  // The one place every bounded read goes through: a limit that compares false with everything
  // (NaN) or nothing (Infinity) must never reach the loop below.
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'maxBytes must be a non-negative integer')
  const declared = response.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} exceeds ${maxBytes} bytes`, { status: response.status })
  }
  if (response.body === null) return new Uint8Array(0)
  if (response.bodyUsed) throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} body was already read`, { status: response.status })
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>
    try {
      chunk = await reader.read()
    } catch (err) {
      // The connection was lost while the answer was read (undici: TypeError "terminated").
      throw wrapNetworkError(err)
    }
    const { done, value } = chunk
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} exceeds ${maxBytes} bytes`, { status: response.status })
    }
    chunks.push(value)
  }
  return joinChunks(chunks, total)
}

function parseJSON(bytes: Uint8Array): JSONObject | undefined {
  let value: unknown
  try {
    value = JSON.parse(decodeUtf8Strict(bytes))
  } catch {
    return undefined
  }
  return isPlainObject(value) ? value : undefined
}

function isJSONContentType(response: Response): boolean {
  const ct = response.headers.get('content-type')
  if (ct === null) return false
  const media = ct.split(';', 1)[0]!.trim().toLowerCase()
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
}

/** `error` values of RFC 6749 §5.2 are NQSCHAR strings; anything else is not an OAuth error body. */
const ERROR_CODE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Reads an OAuth JSON response. A non-2xx answer becomes `ERR_OAUTH_ERROR` when it carries an
 * RFC 6749 §5.2 error body, else `ERR_OAUTH_RESPONSE_INVALID`. A 2xx answer must be a JSON object
 * with a JSON content type.
 */
export async function readOAuthJSON(
  response: unknown,
  options: { maxBytes?: number; what: string; expectStatus?: readonly number[] },
): Promise<JSONObject> {
  const { what } = options
  if (!looseInstanceOf(response, Response)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'response must be a Response')
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const expect = options.expectStatus ?? [200]
  const bytes = await readBoundedBody(response, maxBytes, what)
  if (!expect.includes(response.status)) {
    const body = parseJSON(bytes)
    const error = body?.error
    if (body !== undefined && typeof error === 'string' && ERROR_CODE.test(error)) {
      // RFC 6749 §5.2 allows printable ASCII only: anything else (CR/LF, escape sequences, bidi
      // marks) is replaced, so a server cannot forge log lines or terminal output through it.
      const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 1024).replace(/[^\x20-\x7e]/g, ' ') : undefined
      throw new ProtocolError('ERR_OAUTH_ERROR', `${what} answered with OAuth error ${error}`, {
        status: response.status,
        error,
        ...(description === undefined ? {} : { errorDescription: description }),
      })
    }
    throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} answered with unexpected status ${response.status}`, { status: response.status })
  }
  if (!isJSONContentType(response)) {
    throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} is not application/json`, { status: response.status })
  }
  const body = parseJSON(bytes)
  if (body === undefined) throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `${what} is not a JSON object`, { status: response.status })
  return body
}

/** Posts a form to an endpoint. Redirects are never followed: a token endpoint that redirects is broken or hostile. */
export async function postForm(
  url: URL,
  body: URLSearchParams,
  headers: Headers,
  options: { fetch?: FetchLike | undefined; signal?: AbortSignal | undefined },
): Promise<Response> {
  headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8')
  if (!headers.has('accept')) headers.set('accept', 'application/json')
  const doFetch = options.fetch ?? globalThis.fetch
  if (typeof doFetch !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.fetch must be a function')
  const init: RequestInit = { method: 'POST', headers, body, redirect: 'manual' }
  if (options.signal !== undefined) init.signal = options.signal
  return doFetch(url.href, init)
}

/** 128 bits of randomness, base64url — for `jti` values. */
export function randomId(crypto: Crypto = globalThis.crypto): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Keeps coded TypeErrors, aborts, timeouts and agentauth errors; wraps anything else (a network failure) as
 * ERR_TOKEN_EXCHANGE_FAILED so callers switch on one code.
 */
export function wrapNetworkError(err: unknown): unknown {
  if (isAgentAuthError(err)) return err
  if (err instanceof TypeError && typeof (err as { code?: unknown }).code === 'string') return err
  // An abort (AbortSignal.abort()) or a timeout (AbortSignal.timeout()) is the caller's: its reason.
  if (typeof err === 'object' && err !== null && ((err as { name?: unknown }).name === 'AbortError' || (err as { name?: unknown }).name === 'TimeoutError')) return err
  return new ProtocolError('ERR_TOKEN_EXCHANGE_FAILED', 'the token endpoint could not be reached', { cause: err })
}
