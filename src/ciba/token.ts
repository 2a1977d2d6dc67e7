import type { OAuthClient, TokenEndpointRequestOptions } from '../client-auth/types.js'
import { codedTypeError, ProtocolError } from '../errors/index.js'
import { looseInstanceOf } from '../internal/assert.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { responseMaxBytes, readBoundedBody, wrapNetworkError } from '../internal/oauth-http.js'
import { sendTokenRequest } from '../internal/oauth-token-request.js'
import { parseTokenResponse } from '../internal/oauth-token-response.js'
import { systemClock, type Clock } from '../internal/time.js'
import type { BackchannelAuthenticationResponse } from './authentication-request.js'
import { GRANT_TYPE_CIBA, type CibaServer } from './constants.js'

/**
 * A validated CIBA token response (CIBA §11). Frozen. It holds bearer tokens: keep it inside the broker.
 *
 * @example
 * ```ts
 * const tokens: CibaTokenResponse = await pollCibaToken(op, client, pending)
 * if (tokens.idToken !== undefined) await verifyIdToken(tokens.idToken)
 * ```
 */
export interface CibaTokenResponse {
  readonly accessToken: string
  readonly tokenType: string
  readonly expiresIn: number | undefined
  readonly scope: string | undefined
  readonly refreshToken: string | undefined
  /** The ID Token naming the user who approved — **unverified**; verify it before relying on its claims. */
  readonly idToken: string | undefined
}

/**
 * Waits `ms` milliseconds or until `signal` aborts (rejecting with its reason).
 *
 * @example
 * ```ts
 * const fastSleep: Sleep = async (ms) => void (fakeNow += ms) // tests: move a fake clock instead of waiting
 * ```
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/**
 * Options of {@link pollCibaToken}.
 *
 * @example
 * ```ts
 * const options: PollCibaTokenOptions = { signal: AbortSignal.timeout(300_000) }
 * const tokens = await pollCibaToken(op, client, pending, options)
 * ```
 */
export interface PollCibaTokenOptions extends TokenEndpointRequestOptions {
  /** Injected clock (ms): the request's `expires_in` is measured with it. */
  clock?: Clock
  /** Injected sleep (tests advance a fake clock instead of waiting). */
  sleep?: Sleep
  /** Body size cap in bytes (default 64 KiB). */
  maxBytes?: number
}

const MAX_TIMER_MS = 2 ** 31 - 1

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Default {@link Sleep}: a timer that an abort cancels.
 *
 * @param ms - milliseconds to wait.
 * @param signal - cancels the wait.
 * @returns a promise that resolves after `ms`.
 * @throws the `signal`'s `reason` (as a rejection) when it is or becomes aborted; TypeError
 *   `ERR_INVALID_ARG_TYPE` (as a rejection) when `signal` is not an AbortSignal.
 *
 * @example
 * ```ts
 * await defaultSleep(5000, AbortSignal.timeout(60_000))
 * ```
 */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    // Checked before a timer is armed: a non-signal threw from addEventListener here, and then again
    // from the armed timer's removeEventListener, uncaught, ending the process.
    if (signal !== undefined && !looseInstanceOf(signal, AbortSignal)) return reject(codedTypeError('ERR_INVALID_ARG_TYPE', 'signal must be an AbortSignal'))
    if (signal?.aborted) return reject(signal.reason)
    // A timer holds at most 2^31 - 1 ms (a longer delay fires at once): wait in steps.
    let left = Number.isFinite(ms) && ms > 0 ? ms : 0
    let timer: ReturnType<typeof setTimeout>
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const arm = (): void => {
      const step = Math.min(left, MAX_TIMER_MS)
      left -= step
      timer = setTimeout(() => {
        if (left > 0) return arm()
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, step)
    }
    arm()
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/**
 * A failed request, as the caller should see it: the signal's reason when the caller aborted (fetch
 * rejects with that reason, e.g. a `TimeoutError` from `AbortSignal.timeout`, which is not an
 * unreachable provider), else a network failure.
 * @internal
 */
export function requestFailure(err: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted === true ? signal.reason : wrapNetworkError(err)
}

function authReqIdOf(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || !/^[\x20-\x7e]+$/.test(value)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'authReqId must be the auth_req_id of a backchannel authentication response')
  }
  return value
}

/**
 * Sends one CIBA token request (CIBA §10.1: `grant_type=urn:openid:params:grant-type:ciba`,
 * `auth_req_id`) — a poll, or the follow-up after a ping. Returns the raw `Response`.
 *
 * @param server - issuer and token endpoint.
 * @param client - `{ clientId, auth }`.
 * @param params - `{ authReqId }`.
 * @param options - `fetch`, `signal`.
 * @returns the token endpoint's response, unread.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad arguments.
 *
 * @example
 * ```ts
 * import { cibaTokenRequest, processCibaTokenResponse } from 'agentauth/ciba'
 * const token = await processCibaTokenResponse(await cibaTokenRequest(op, client, { authReqId }))
 * ```
 */
export async function cibaTokenRequest(
  server: CibaServer,
  client: OAuthClient,
  params: { authReqId: string },
  options?: TokenEndpointRequestOptions,
): Promise<Response> {
  checkObject(params, 'params')
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqIdOf(params.authReqId) })
  return sendTokenRequest(server, client, body, options)
}

/**
 * Validates a CIBA token response (RFC 6749 §5.1 plus the `id_token`), and maps the CIBA outcome
 * errors: `access_denied` → `ERR_APPROVAL_DENIED`, `expired_token` → `ERR_APPROVAL_EXPIRED`.
 * `authorization_pending` and `slow_down` stay `ERR_OAUTH_ERROR` (with `error` set) so a poller
 * can continue.
 *
 * @param response - the `Response` of {@link cibaTokenRequest}.
 * @param options - `maxBytes`.
 * @returns a frozen {@link CibaTokenResponse}.
 * @throws ProtocolError `ERR_APPROVAL_DENIED`, `ERR_APPROVAL_EXPIRED`, `ERR_OAUTH_ERROR`,
 *   `ERR_OAUTH_RESPONSE_INVALID` (also for a body over `maxBytes`), `ERR_TOKEN_EXCHANGE_FAILED`
 *   (the connection was lost while the body was read); TypeError when `response` is not a
 *   Response or `maxBytes` is not an integer in [1, 16 MiB].
 *
 * @example
 * ```ts
 * import { processCibaTokenResponse } from 'agentauth/ciba'
 * const { accessToken, idToken } = await processCibaTokenResponse(response)
 * ```
 */
export async function processCibaTokenResponse(response: Response, options: { maxBytes?: number } = {}): Promise<CibaTokenResponse> {
  if (!looseInstanceOf(response, Response)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'response must be a Response')
  checkObject(options, 'options')
  const maxBytes = responseMaxBytes(options.maxBytes)
  // Read the body once, bounded, and parse a copy of the bytes. (A `clone()` here made an oversized
  // body hang for ever: cancelling one branch of a tee waits until the other is cancelled too.)
  let bytes: Uint8Array
  try {
    bytes = await readBoundedBody(response, maxBytes, 'CIBA token response')
  } catch (err) {
    // A connection lost mid-body errors the stream with an uncoded TypeError ("terminated").
    throw wrapNetworkError(err)
  }
  const status = response.status
  if (status < 200 || status > 599) throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', `CIBA token response answered with unexpected status ${status}`, { status })
  let parsed
  try {
    const copy = new Response(bytes.length === 0 ? null : (bytes as Uint8Array<ArrayBuffer>), { status, headers: response.headers })
    parsed = await parseTokenResponse(copy, { what: 'CIBA token response', maxBytes, requireIssuedTokenType: false })
  } catch (err) {
    throw mapOutcome(err)
  }
  let idToken: string | undefined
  const body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
  if (Object.hasOwn(body, 'id_token') && body.id_token !== null) {
    if (typeof body.id_token !== 'string' || body.id_token.length > 65_536 || !COMPACT.test(body.id_token)) {
      throw new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', 'CIBA token response id_token is not a compact JWT', { status: response.status })
    }
    idToken = body.id_token
  }
  return Object.freeze({ ...parsed, idToken })
}

function mapOutcome(err: unknown): unknown {
  if (!(err instanceof ProtocolError) || err.code !== 'ERR_OAUTH_ERROR') return err
  const detail = { status: err.status, ...(err.error === undefined ? {} : { error: err.error }), ...(err.errorDescription === undefined ? {} : { errorDescription: err.errorDescription }), cause: err }
  if (err.error === 'access_denied') return new ProtocolError('ERR_APPROVAL_DENIED', 'the user denied the request', detail)
  if (err.error === 'expired_token') return new ProtocolError('ERR_APPROVAL_EXPIRED', 'the backchannel authentication request expired', detail)
  return err
}

/** Seconds waited between two polls at least, whatever `interval` the provider sent. */
const MIN_POLL_INTERVAL = 1

/**
 * Polls the token endpoint until the user decides (CIBA §7.3, §11): waits `interval` seconds (at
 * least 1, also when the provider sent 0) before each request, continues on
 * `authorization_pending`, adds 5 seconds to the interval on `slow_down`, and stops at the request's `expires_in` (measured with `clock`).
 *
 * @param server - issuer and token endpoint.
 * @param client - `{ clientId, auth }`.
 * @param pending - the {@link BackchannelAuthenticationResponse}.
 * @param options - `signal` (abort waiting), `clock`, `sleep`, `fetch`, `maxBytes`.
 * @returns the tokens once the user approved.
 * @throws ProtocolError `ERR_APPROVAL_DENIED` (the user said no), `ERR_APPROVAL_EXPIRED` (nobody
 *   decided in time), `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`
 *   (provider unreachable); the abort reason when `signal` aborts; TypeError `ERR_INVALID_ARG_*` for
 *   bad arguments (also a `clock` that does not return finite milliseconds).
 *
 * @example
 * ```ts
 * import { backchannelAuthenticationRequest, processBackchannelAuthenticationResponse, pollCibaToken } from 'agentauth/ciba'
 * const pending = await processBackchannelAuthenticationResponse(await backchannelAuthenticationRequest(op, client, params))
 * const tokens = await pollCibaToken(op, client, pending, { signal: AbortSignal.timeout(300_000) })
 * ```
 */
export async function pollCibaToken(
  server: CibaServer,
  client: OAuthClient,
  pending: Pick<BackchannelAuthenticationResponse, 'authReqId' | 'expiresIn'> & { interval?: number },
  options: PollCibaTokenOptions = {},
): Promise<CibaTokenResponse> {
  checkObject(pending, 'pending')
  checkObject(options, 'options')
  if (options.signal !== undefined && !looseInstanceOf(options.signal, AbortSignal)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal')
  const authReqId = authReqIdOf(pending.authReqId)
  const expiresIn = pending.expiresIn
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'pending.expiresIn must be a positive number of seconds')
  let interval = pending.interval ?? 5
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'pending.interval must be a non-negative number of seconds')
  const injected = options.clock ?? systemClock
  // A clock answering NaN (or a Date, a string) made every wait NaN — no wait at all with
  // defaultSleep — and the deadline unreachable: a poller hammering the token endpoint for ever.
  const clock = (): number => {
    const ms = injected()
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.clock() must return finite milliseconds')
    return ms
  }
  const sleep = options.sleep ?? defaultSleep
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  if (options.maxBytes !== undefined) responseMaxBytes(options.maxBytes)
  checkFunction(sleep, 'options.sleep')
  const deadline = clock() + expiresIn * 1000
  const transport = { ...(options.fetch === undefined ? {} : { fetch: options.fetch }), ...(options.signal === undefined ? {} : { signal: options.signal }) }
  for (;;) {
    // CIBA allows an interval of 0; waiting at least 1 s keeps a provider (or a misconfigured one)
    // from making the client poll in a tight loop until the request expires.
    // The wait ends at the deadline at the latest: an interval longer than what is left of
    // expires_in (the provider may send up to an hour; slow_down adds to it) must not keep the
    // caller waiting past the request's expiry.
    const wait = Math.max(interval, MIN_POLL_INTERVAL) * 1000
    const left = deadline - clock()
    await sleep(Math.max(0, Math.min(wait, left)), options.signal)
    options.signal?.throwIfAborted()
    if (wait >= left || clock() >= deadline) throw new ProtocolError('ERR_APPROVAL_EXPIRED', 'the backchannel authentication request expired before a decision')
    let response: Response
    try {
      response = await cibaTokenRequest(server, client, { authReqId }, transport)
    } catch (err) {
      throw requestFailure(err, options.signal)
    }
    try {
      return await processCibaTokenResponse(response, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes })
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason // aborted while the answer was read
      if (!(err instanceof ProtocolError) || err.code !== 'ERR_OAUTH_ERROR') throw err
      if (err.error === 'slow_down') interval += 5
      else if (err.error !== 'authorization_pending') throw err
    }
  }
}
