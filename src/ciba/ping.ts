import { codedTypeError, VerificationError } from '../errors/index.js'
import { runHook } from '../internal/hook.js'
import { encode } from '../internal/base64url.js'
import { timingSafeEqual, utf8 } from '../internal/bytes.js'
import { parseJSONObject } from '../internal/json.js'
import { looseInstanceOf } from '../internal/assert.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { readBoundedBody } from '../internal/oauth-http.js'

/**
 * Options of {@link createCibaPingHandler}.
 *
 * @example
 * ```ts
 * const options: CibaPingHandlerOptions = { clientNotificationToken, onNotification: (id) => pings.onNotification(id) }
 * ```
 */
export interface CibaPingHandlerOptions {
  /** The `client_notification_token` sent in the backchannel authentication requests. */
  clientNotificationToken: string
  /** Called with the notified `auth_req_id`; then make the token request (e.g. via {@link CibaNotificationWaiter}). */
  onNotification: (authReqId: string, request: Request) => void | Promise<void>
  /** Sees refused notifications (log them). */
  onError?: (error: unknown, request: Request) => void
  /** Body cap in bytes (default 4096). */
  maxBodyBytes?: number
}

/**
 * Lets code wait for the ping of one `auth_req_id` (see {@link createCibaNotificationWaiter}).
 *
 * @example
 * ```ts
 * const pings: CibaNotificationWaiter = createCibaNotificationWaiter()
 * await pings.wait(authReqId, { signal: AbortSignal.timeout(120_000) })
 * ```
 */
export interface CibaNotificationWaiter {
  /** Pass as `onNotification` of {@link createCibaPingHandler}. */
  readonly onNotification: (authReqId: string) => void
  /** Resolves when `authReqId` was notified (also if that happened before the call); rejects when `signal` aborts. */
  wait(authReqId: string, options?: { signal?: AbortSignal }): Promise<void>
}

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const VSCHAR = /^[\x20-\x7e]+$/

/**
 * Creates a `client_notification_token` with 256 bits of randomness (CIBA §7.1 asks for at least
 * 128), base64url.
 *
 * @returns a fresh bearer token.
 *
 * @example
 * ```ts
 * import { createClientNotificationToken } from 'agentauth/ciba'
 * const clientNotificationToken = createClientNotificationToken()
 * ```
 */
export function createClientNotificationToken(): string {
  return encode(crypto.getRandomValues(new Uint8Array(32)))
}

function refuse(message: string, status: 400 | 401): VerificationError {
  return new VerificationError('ERR_CIBA_NOTIFICATION_INVALID', message, { status, ...(status === 401 ? { challenge: { error: 'invalid_token' } } : {}) })
}

/**
 * The client's `backchannel_client_notification_endpoint` for ping mode (CIBA §10.2) as a
 * `(Request) => Promise<Response>` handler. The provider POSTs `{"auth_req_id": …}` with
 * `Authorization: Bearer <client_notification_token>`; the token is compared in constant time.
 * Valid pings answer 204 and call `onNotification`, after which the client sends one token
 * request. Anything else answers 401 (wrong or missing token, `WWW-Authenticate: Bearer`, with
 * `error="invalid_token"` only when a Bearer token was presented), 400
 * (malformed body) or 405, and never calls `onNotification`.
 *
 * The provider must reach this URL over https; register it as the client's
 * `backchannel_client_notification_endpoint`.
 *
 * @param options - see {@link CibaPingHandlerOptions}.
 * @returns the notification endpoint handler.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options (a token shorter than 128 bits of
 *   base64 text). The handler reports `ERR_CIBA_NOTIFICATION_INVALID` to `onError`.
 *
 * @example
 * ```ts
 * import { createCibaPingHandler, createCibaNotificationWaiter, createClientNotificationToken } from 'agentauth/ciba'
 * const clientNotificationToken = createClientNotificationToken()
 * const pings = createCibaNotificationWaiter()
 * const notify = createCibaPingHandler({ clientNotificationToken, onNotification: pings.onNotification })
 * // route POST /ciba/notify to `notify`; then: await pings.wait(authReqId); await processCibaTokenResponse(await cibaTokenRequest(…))
 * ```
 */
export function createCibaPingHandler(options: CibaPingHandlerOptions): (request: Request) => Promise<Response> {
  checkObject(options, 'options')
  const token = options.clientNotificationToken
  if (typeof token !== 'string' || token.length < 22 || token.length > 1024 || !B64TOKEN.test(token)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.clientNotificationToken must be a bearer token of 22-1024 characters')
  }
  checkFunction(options.onNotification, 'options.onNotification')
  if (options.onError !== undefined) checkFunction(options.onError, 'options.onError')
  const maxBodyBytes = options.maxBodyBytes ?? 4096
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes < 64 || maxBodyBytes > 65_536) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxBodyBytes must be an integer in [64, 65536]')
  const expected = utf8(`bearer ${token}`)
  const { onNotification, onError } = options

  async function accept(request: Request): Promise<string> {
    const auth = request.headers.get('authorization') ?? ''
    // Scheme is case-insensitive (RFC 9110 §11.1); the token is compared in constant time.
    const presented = utf8(auth.length > 7 ? `${auth.slice(0, 7).toLowerCase()}${auth.slice(7)}` : auth)
    if (!timingSafeEqual(presented, expected)) throw refuse('missing or wrong notification bearer token', 401)
    const ct = (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
    if (ct !== 'application/json') throw refuse('notification body must be application/json', 400)
    let bytes: Uint8Array
    try {
      bytes = await readBoundedBody(new Response(request.body, { headers: request.headers }), maxBodyBytes, 'CIBA notification')
    } catch (cause) {
      throw new VerificationError('ERR_CIBA_NOTIFICATION_INVALID', 'notification body too large', { status: 400, cause })
    }
    let body
    try {
      body = parseJSONObject(bytes, { maxBytes: maxBodyBytes, what: 'CIBA notification', code: 'ERR_CIBA_NOTIFICATION_INVALID' })
    } catch (cause) {
      throw new VerificationError('ERR_CIBA_NOTIFICATION_INVALID', 'notification body is not a JSON object', { status: 400, cause })
    }
    const id = body.auth_req_id
    if (typeof id !== 'string' || id.length === 0 || id.length > 1024 || !VSCHAR.test(id)) throw refuse('notification auth_req_id is missing or malformed', 400)
    return id
  }

  return async function cibaPingHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
    let authReqId: string
    try {
      authReqId = await accept(request)
    } catch (err) {
      runHook(onError, err, request) // a failing (or rejecting) logger must not change the answer
      const status = err instanceof VerificationError ? err.status : 400
      const headers: Record<string, string> = { 'cache-control': 'no-store' }
      // RFC 6750 §3.1: a request without Bearer credentials gets a challenge without an error code.
      if (status === 401) headers['www-authenticate'] = /^bearer /i.test(request.headers.get('authorization') ?? '') ? 'Bearer error="invalid_token"' : 'Bearer'
      return new Response(null, { status, headers })
    }
    try {
      await onNotification(authReqId, request)
    } catch (err) {
      runHook(onError, err, request)
      return new Response(null, { status: 500, headers: { 'cache-control': 'no-store' } })
    }
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } })
  }
}

/**
 * Connects ping notifications to the code that waits for them: `onNotification` records an
 * `auth_req_id` (bounded; the oldest record is dropped beyond `maxPending`), `wait(authReqId)`
 * resolves once it has been notified — also when the ping arrived before `wait` was called.
 *
 * @param options - `maxPending` (default 1024 remembered notifications).
 * @returns a {@link CibaNotificationWaiter}.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for a bad `maxPending`.
 *
 * @example
 * ```ts
 * import { createCibaNotificationWaiter } from 'agentauth/ciba'
 * const pings = createCibaNotificationWaiter()
 * await pings.wait(pending.authReqId, { signal: AbortSignal.timeout(Math.min(pending.expiresIn * 1000, 2 ** 31 - 1)) }) // timers hold at most 2^31 - 1 ms
 * ```
 */
export function createCibaNotificationWaiter(options: { maxPending?: number } = {}): CibaNotificationWaiter {
  checkObject(options, 'options')
  const maxPending = options.maxPending ?? 1024
  if (typeof maxPending !== 'number' || !Number.isInteger(maxPending) || maxPending < 1 || maxPending > 1_000_000) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxPending must be a positive integer')
  const notified = new Set<string>()
  const waiting = new Map<string, Set<() => void>>()
  return Object.freeze({
    onNotification(authReqId: string): void {
      const waiters = waiting.get(authReqId)
      if (waiters !== undefined) {
        waiting.delete(authReqId)
        for (const w of waiters) w()
        return
      }
      notified.add(authReqId)
      if (notified.size > maxPending) notified.delete(notified.values().next().value as string)
    },
    wait(authReqId: string, waitOptions: { signal?: AbortSignal } = {}): Promise<void> {
      try {
        checkObject(waitOptions, 'options')
      } catch (err) {
        return Promise.reject(err)
      }
      const signal = waitOptions.signal
      if (signal !== undefined && !looseInstanceOf(signal, AbortSignal)) return Promise.reject(codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal'))
      if (notified.delete(authReqId)) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const set = waiting.get(authReqId) ?? new Set()
        const done = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
        const onAbort = () => {
          set.delete(done)
          if (set.size === 0) waiting.delete(authReqId)
          reject(signal!.reason)
        }
        set.add(done)
        waiting.set(authReqId, set)
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    },
  })
}
