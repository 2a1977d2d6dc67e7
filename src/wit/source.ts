import { untilAborted } from '../internal/abort.js'
import { codedTypeError, isAgentAuthError, ProtocolError, VerificationError } from '../errors/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import { systemClock, type Clock } from '../internal/time.js'
import type { StructurePolicy } from './claims.js'
import { decodeWithPolicy } from './decode.js'
import { normalizeDecodeOptions, type DecodeWITOptions } from './options.js'
import type { WITSource, WITWithExpiry } from './types.js'

/**
 * Options of {@link staticWITSource}.
 *
 * @example
 * ```ts
 * import { staticWITSource, type StaticWITSourceOptions } from 'agentauth/wit'
 * const options: StaticWITSourceOptions = { clock: () => Date.now() }
 * staticWITSource(token, options)
 * ```
 */
export interface StaticWITSourceOptions extends DecodeWITOptions {
  /** Source of the current time (ms). Default `Date.now`. */
  clock?: Clock
}

/**
 * Options of {@link refreshingWITSource}.
 *
 * @example
 * ```ts
 * import { refreshingWITSource, type RefreshingWITSourceOptions } from 'agentauth/wit'
 * const options: RefreshingWITSourceOptions = { refreshBefore: 600, retryInterval: 5, timeout: 10 }
 * refreshingWITSource(fetchWIT, options)
 * ```
 */
export interface RefreshingWITSourceOptions extends DecodeWITOptions {
  /** Seconds before expiry at which a refresh starts (capped at half the token's remaining life). Default 300. */
  refreshBefore?: number
  /** Seconds to wait after a failed background refresh before trying again. Default 10. */
  retryInterval?: number
  /** Seconds one call of the fetch function may take before it is aborted. Default 30. */
  timeout?: number
  /** Source of the current time (ms). Default `Date.now`. */
  clock?: Clock
}

/**
 * Fetches a fresh WIT (from the Identity Server, a SPIFFE agent, a file …). Honour the signal.
 *
 * @example
 * ```ts
 * import type { FetchWIT } from 'agentauth/wit'
 * const fetchWIT: FetchWIT = async ({ signal }) => (await fetch('http://127.0.0.1:8181/wit', { signal })).text()
 * ```
 */
export type FetchWIT = (options: { signal: AbortSignal }) => Promise<string | WITWithExpiry>

function entryFor(token: unknown, policy: StructurePolicy, expiresAt?: unknown): WITWithExpiry {
  if (typeof token !== 'string') throw new VerificationError('ERR_WIT_INVALID', 'fetched WIT is not a string')
  const exp = decodeWithPolicy(token, policy).claims.exp
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    throw new VerificationError('ERR_WIT_INVALID', 'fetched WIT expiresAt is not a number')
  }
  return Object.freeze({ token, expiresAt: expiresAt === undefined ? exp : Math.min(exp, expiresAt) })
}

function expired(): VerificationError {
  return new VerificationError('ERR_WIT_EXPIRED', 'the WIT of this source has expired', { claim: 'exp' })
}

/**
 * A {@link WITSource} that always hands out one token (tests, short-lived jobs, a token injected by
 * the platform). The expiry is read from the token (decoded, **not verified**: it is your own
 * credential); once it has passed, `getWIT` rejects.
 *
 * @param token - a compact WIT.
 * @param options - clock and decode options.
 * @returns a source whose `getWIT` resolves to `{ token, expiresAt }`.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` when the token is not a structurally valid WIT.
 * @throws (from `getWIT`) VerificationError `ERR_WIT_EXPIRED` once the token has expired.
 *
 * @example
 * ```ts
 * import { staticWITSource } from 'agentauth/wit'
 * const source = staticWITSource(witFromIdentityServer)
 * const { token, expiresAt } = await source.getWIT()
 * ```
 */
export function staticWITSource(token: string, options: StaticWITSourceOptions = {}): WITSource {
  assertObject(options, 'options')
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  const clock: Clock = (options.clock as Clock | undefined) ?? systemClock
  const policy = normalizeDecodeOptions(options)
  let entry: WITWithExpiry
  try {
    entry = entryFor(token, policy)
  } catch (err) {
    if (err instanceof TypeError) throw err
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `token is not a valid WIT: ${err instanceof Error ? err.message : String(err)}`, err)
  }
  return Object.freeze({
    getWIT(): Promise<WITWithExpiry> {
      return clock() / 1000 < entry.expiresAt ? Promise.resolve(entry) : Promise.reject(expired())
    },
  })
}

/**
 * A {@link WITSource} that fetches a WIT on first use and renews it before it expires, with no
 * timers: the first `getWIT` inside the refresh window starts one background fetch and still
 * returns the current token. Fetches are single-flight (concurrent callers share one). When a
 * refresh fails, the current token keeps being served until it expires (retrying every
 * `retryInterval` seconds); after that, `getWIT` waits for a fetch and rejects with its error.
 *
 * @param fetchWIT - returns a compact WIT, or `{ token, expiresAt }` (the earlier of `expiresAt`
 *   and the token's `exp` is used). It receives an `AbortSignal` that fires after `timeout`; a call
 *   still pending then is abandoned (the fetch fails with `ERR_REMOTE_TIMEOUT`) even if it ignores
 *   the signal.
 * @param options - refresh timing, clock and decode options.
 * @returns the source.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 * @throws (from `getWIT`) ProtocolError `ERR_WIT_FETCH` when the fetch function fails (its error as
 *   `cause`; an agentauth error it throws passes unchanged), ProtocolError `ERR_REMOTE_TIMEOUT` when
 *   it takes longer than `timeout`, VerificationError `ERR_WIT_INVALID` / `ERR_WIT_EXPIRED` for an
 *   unusable fetched token, or the caller's `signal.reason`.
 *
 * @example
 * ```ts
 * import { refreshingWITSource } from 'agentauth/wit'
 * const source = refreshingWITSource(async ({ signal }) => {
 *   const res = await fetch('http://127.0.0.1:8181/wit', { signal })
 *   return res.text()
 * }, { refreshBefore: 600 })
 * const { token } = await source.getWIT()
 * ```
 */
export function refreshingWITSource(fetchWIT: FetchWIT, options: RefreshingWITSourceOptions = {}): WITSource {
  assertFunction(fetchWIT, 'fetchWIT')
  assertObject(options, 'options')
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  const clock: Clock = (options.clock as Clock | undefined) ?? systemClock
  const refreshBefore = optionalNumber(options.refreshBefore, 'options.refreshBefore', 300, { min: 0, max: 86_400 })
  const retryInterval = optionalNumber(options.retryInterval, 'options.retryInterval', 10, { min: 0, max: 3600 })
  const timeoutMs = optionalNumber(options.timeout, 'options.timeout', 30, { min: 0.001, max: 3600 }) * 1000
  const policy = normalizeDecodeOptions(options)

  let current: WITWithExpiry | undefined
  let refreshAt = 0
  let retryAt = 0
  let inflight: Promise<WITWithExpiry> | undefined

  function refresh(): Promise<WITWithExpiry> {
    if (inflight !== undefined) return inflight
    const p = (async () => {
      // A fetch function that ignores its signal must not hold the refresh (and, once the current
      // token has expired, every getWIT) past the timeout: its promise is abandoned then.
      const signal = AbortSignal.timeout(timeoutMs)
      let value: string | WITWithExpiry
      try {
        value = await untilAborted(Promise.resolve(fetchWIT({ signal })), signal)
      } catch (cause) {
        // Callers (outbound requests, response signing) get a coded error, the fetch's own as cause.
        if (isAgentAuthError(cause)) throw cause
        if (signal.aborted) throw new ProtocolError('ERR_REMOTE_TIMEOUT', `fetching a WIT took longer than ${timeoutMs / 1000} s`, { cause })
        throw new ProtocolError('ERR_WIT_FETCH', 'fetching a WIT failed', { cause })
      }
      const entry = typeof value === 'string'
        ? entryFor(value, policy)
        : entryFor((value as Partial<WITWithExpiry> | null)?.token, policy, (value as Partial<WITWithExpiry> | null)?.expiresAt)
      const now = clock() / 1000
      if (entry.expiresAt <= now) throw expired()
      current = entry
      refreshAt = entry.expiresAt - Math.min(refreshBefore, (entry.expiresAt - now) / 2)
      return entry
    })()
    inflight = p
    p.then(
      () => { inflight = undefined },
      () => { inflight = undefined; retryAt = clock() / 1000 + retryInterval },
    )
    return p
  }

  return Object.freeze({
    getWIT(opts?: { signal?: AbortSignal }): Promise<WITWithExpiry> {
      const now = clock() / 1000
      if (current !== undefined && now < current.expiresAt) {
        if (now >= refreshAt && inflight === undefined && now >= retryAt) refresh().catch(() => undefined)
        return Promise.resolve(current)
      }
      return untilAborted(refresh(), opts?.signal)
    },
  })
}
