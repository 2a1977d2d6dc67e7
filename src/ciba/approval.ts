import type { OAuthClient } from '../client-auth/types.js'
import { codedTypeError, ProtocolError } from '../errors/index.js'
import { looseInstanceOf } from '../internal/assert.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import type { Clock } from '../internal/time.js'
import { backchannelAuthenticationRequest, processBackchannelAuthenticationResponse, type BackchannelAuthenticationParameters } from './authentication-request.js'
import type { CibaServer } from './constants.js'

const MAX_TIMER_MS = 2 ** 31 - 1
import type { CibaNotificationWaiter } from './ping.js'
import { cibaTokenRequest, pollCibaToken, processCibaTokenResponse, requestFailure, type CibaTokenResponse, type Sleep } from './token.js'

/**
 * Ping delivery for {@link cibaApproval}: the token sent with each request and the waiter fed by the ping handler.
 *
 * @example
 * ```ts
 * const delivery: CibaPingDelivery = { clientNotificationToken, waiter: createCibaNotificationWaiter() }
 * ```
 */
export interface CibaPingDelivery {
  /** The `client_notification_token` the ping handler expects. */
  readonly clientNotificationToken: string
  /** Fed by `createCibaPingHandler({ onNotification: waiter.onNotification })`. */
  readonly waiter: CibaNotificationWaiter
}

/**
 * Options of {@link cibaApproval}.
 *
 * @example
 * ```ts
 * const options: CibaApprovalOptions<{ user: string }> = { server: op, client, request: ({ user }) => ({ scope: 'openid', loginHint: user }) }
 * ```
 */
export interface CibaApprovalOptions<Ctx> {
  server: CibaServer
  client: OAuthClient
  /**
   * Builds the request for one decision: whom to ask (`loginHint` …) and what they see
   * (`bindingMessage`). Do not put `clientNotificationToken` here; ping mode adds it.
   */
  request: (ctx: Ctx) => BackchannelAuthenticationParameters | Promise<BackchannelAuthenticationParameters>
  /** `'poll'` (default) or ping delivery. */
  delivery?: 'poll' | CibaPingDelivery
  /** Receives the tokens of an approval (e.g. to keep the ID Token for the audit trail). */
  onApproved?: (tokens: CibaTokenResponse, ctx: Ctx) => void | Promise<void>
  fetch?: FetchLike
  clock?: Clock
  sleep?: Sleep
}

/**
 * An approval hook for a credential broker or token service: for each high-risk action it asks a
 * person through CIBA (backchannel authentication request, then poll or ping) and resolves `true`
 * when they approve, `false` when they deny or nobody decides before the request expires. Any
 * other failure (provider unreachable, malformed answers, a bad configuration) rejects, so a
 * caller that treats a rejection as "deny" fails closed.
 *
 * @param options - see {@link CibaApprovalOptions}.
 * @returns `(ctx, { signal }) => Promise<boolean>`.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options. The hook rejects with ProtocolError
 *   `ERR_OAUTH_ERROR`, `ERR_OAUTH_RESPONSE_INVALID`, `ERR_TOKEN_EXCHANGE_FAILED`, the abort
 *   reason, TypeError `ERR_INVALID_ARG_*` when `request` builds bad parameters (a binding message
 *   with control characters, no hint, …) or the hook's signal is not an AbortSignal, and whatever
 *   `request` or `onApproved` throws.
 *
 * @example
 * ```ts
 * import { cibaApproval } from 'agentauth/ciba'
 * import { privateKeyJwt } from 'agentauth/client-auth'
 *
 * const approve = cibaApproval({
 *   server: { issuer: 'https://op.example.com', tokenEndpoint: 'https://op.example.com/token', backchannelAuthenticationEndpoint: 'https://op.example.com/backchannel' },
 *   client: { clientId: 'agent-broker', auth: privateKeyJwt(brokerSigner) },
 *   request: (action: { user: string; summary: string }) => ({ scope: 'openid', loginHint: action.user, bindingMessage: action.summary }),
 * })
 * if (!(await approve({ user: 'alice@example.com', summary: 'PAY-4711' }))) throw new Error('not approved')
 * ```
 */
export function cibaApproval<Ctx>(options: CibaApprovalOptions<Ctx>): (ctx: Ctx, hookOptions?: { signal?: AbortSignal }) => Promise<boolean> {
  checkObject(options, 'options')
  checkObject(options.server, 'options.server')
  checkObject(options.client, 'options.client')
  checkFunction(options.request, 'options.request')
  if (options.onApproved !== undefined) checkFunction(options.onApproved, 'options.onApproved')
  const delivery = options.delivery ?? 'poll'
  if (delivery !== 'poll') {
    checkObject(delivery, 'options.delivery')
    const t = delivery.clientNotificationToken
    if (typeof t !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.delivery.clientNotificationToken must be a string')
    // Checked here, as backchannelAuthenticationRequest would on every call (CIBA §7.1: at least 128 bits).
    if (t.length < 22 || t.length > 1024 || !/^[A-Za-z0-9\-._~+/]+=*$/.test(t)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.delivery.clientNotificationToken must be a bearer token of 22-1024 characters (see createClientNotificationToken)')
    }
    checkObject(delivery.waiter, 'options.delivery.waiter')
    checkFunction(delivery.waiter.wait, 'options.delivery.waiter.wait')
  }
  // Everything checked above is kept here: a caller mutating its options (or delivery) object later
  // must not turn every approval into an uncoded TypeError ("options.request is not a function").
  const { server, client, onApproved, request, fetch, clock, sleep } = options
  const ping = delivery === 'poll' ? undefined : { token: delivery.clientNotificationToken, waiter: delivery.waiter }

  return async function approve(ctx, hookOptions = {}) {
    checkObject(hookOptions, 'hookOptions')
    const signal = hookOptions.signal
    if (signal !== undefined && !looseInstanceOf(signal, AbortSignal)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'hookOptions.signal must be an AbortSignal')
    const transport = { ...(fetch === undefined ? {} : { fetch }), ...(signal === undefined ? {} : { signal }) }
    const params = { ...(await request.call(options, ctx)) }
    if (ping !== undefined) params.clientNotificationToken = ping.token
    let tokens: CibaTokenResponse
    try {
      let response: Response
      try {
        response = await backchannelAuthenticationRequest(server, client, params, transport)
      } catch (err) {
        throw requestFailure(err, signal)
      }
      const pending = await processBackchannelAuthenticationResponse(response)
      if (ping === undefined) {
        tokens = await pollCibaToken(server, client, pending, {
          ...transport,
          ...(clock === undefined ? {} : { clock }),
          ...(sleep === undefined ? {} : { sleep }),
        })
      } else {
        // Timers hold at most 2^31 - 1 ms: a longer expires_in (the provider may send up to a year)
        // fired at once (Node clamps to 1 ms) or threw a RangeError (over 2^32 - 1 ms).
        const timeout = AbortSignal.timeout(Math.min(pending.expiresIn * 1000, MAX_TIMER_MS))
        try {
          await ping.waiter.wait(pending.authReqId, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) })
        } catch (err) {
          if (timeout.aborted && !signal?.aborted) return false
          throw err
        }
        try {
          response = await cibaTokenRequest(server, client, { authReqId: pending.authReqId }, transport)
        } catch (err) {
          throw requestFailure(err, signal)
        }
        tokens = await processCibaTokenResponse(response)
      }
    } catch (err) {
      if (err instanceof ProtocolError && (err.code === 'ERR_APPROVAL_DENIED' || err.code === 'ERR_APPROVAL_EXPIRED')) return false
      if (signal?.aborted === true) throw signal.reason // e.g. aborted while an answer was read
      throw err
    }
    await onApproved?.(tokens, ctx)
    return true
  }
}
