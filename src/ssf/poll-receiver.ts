// RFC 8936 poll receiver. One `poll()` = one HTTP exchange: send the acks and setErrs gathered so
// far, receive SETs, process each (verify → dedupe → durable handler) and queue its ack for the
// next exchange. A SET is acknowledged only after its handler resolved; a failed handler (or a SET
// another delivery holds the lease of) leaves it unacknowledged, so the transmitter returns it
// again. The lease + done-marker protocol is in exactly-once.ts.
import { ProtocolError, VerificationError, codedTypeError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { isPlainObject, parseJSONObject } from '../internal/json.js'
import { systemClock } from '../internal/time.js'
import { readBoundedBytes } from './body.js'
import { checkDedupeCache, type EventDedupeCache } from './dedupe.js'
import { isKeyNotYetKnown, toDeliveryError, type DeliveryError } from './delivery-error.js'
import { createSETDedupe, DEFAULT_LEASE_SECONDS } from './exactly-once.js'
import type { EventHandler } from './push-receiver.js'
import { checkVerifyOptions, verifyChecked, type VerifySETOptions } from './set.js'
import { runHook } from '../internal/hook.js'

/**
 * `fetch`-compatible function.
 *
 * @example
 * ```ts
 * const fetchWithAgent: FetchLike = (input, init) => fetch(input, { ...init, keepalive: true })
 * ```
 */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>

/**
 * Exponential backoff after failed polls.
 *
 * @example
 * ```ts
 * createPollReceiver({ ...options, backoff: { initialDelay: 500, maxDelay: 30_000, factor: 2 } })
 * ```
 */
export interface BackoffOptions {
  /** First delay in ms. Default 1000. */
  initialDelay?: number
  /** Largest delay in ms. Default 60000. */
  maxDelay?: number
  /** Multiplier per consecutive failure. Default 2. */
  factor?: number
}

/**
 * Options of {@link createPollReceiver}.
 *
 * @example
 * ```ts
 * const options: PollReceiverOptions = { endpoint, authorization: 'Bearer t', verify, replayCache, onEvent, maxEvents: 100 }
 * ```
 */
export interface PollReceiverOptions {
  /** The stream's poll URL (`delivery.endpoint_url` given by the transmitter): https, http only on loopback. */
  endpoint: string | URL
  /** `Authorization` header value, or a function returning it (e.g. a fresh access token). */
  authorization?: string | (() => string | Promise<string>)
  /** How to verify SETs (`replayCache` is ignored: dedupe uses {@link PollReceiverOptions.replayCache}). */
  verify: Omit<VerifySETOptions, 'replayCache'>
  /** jti dedupe store with claim + release (`createRedisReplayCache`, `createMemoryReplayCache` …). */
  replayCache: EventDedupeCache
  /** The durable handler. */
  onEvent: EventHandler
  /**
   * Seconds a SET's lease is held while the handler runs (integer 1–3600, default 30); a lease left
   * by a crash or a store failure lapses after this. Keep it above the handler's worst case: a
   * handler still running after it leaves its SET unacknowledged for now (`failed`, reported as
   * `ERR_REMOTE_TIMEOUT`) and the round goes on; it is acknowledged later if the handler resolves.
   */
  leaseSeconds?: number
  /**
   * `maxEvents` per request (integer 1–10 000). Default 50. Only this many SETs of a response are
   * handled; any more a transmitter sends are left unacknowledged and come again.
   */
  maxEvents?: number
  /** Ask the transmitter not to hold the request open. Default false (long polling). */
  returnImmediately?: boolean
  /** Backoff after errors. */
  backoff?: BackoffOptions
  /**
   * Ms to wait after a response without SETs before polling again (default 5000): always with
   * `returnImmediately`; for long polls, the rest of it when the transmitter answered sooner.
   */
  idleDelay?: number
  /**
   * Maximum response size in bytes. Default 4 MiB. After a larger response the next requests ask
   * for half as many SETs (down to 1), and for more again once responses are well within it.
   */
  maxResponseBytes?: number
  /**
   * Ms one poll exchange (`authorization` callback, request, long-poll wait and response body) may
   * take before it is abandoned as failed (integer 1 000–3 600 000, default 120 000): keep it above the
   * transmitter's long-poll hold time. Applies also when a custom `fetch` ignores its signal.
   */
  requestTimeout?: number
  /** `fetch` implementation. Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Sleep used between failed polls (inject in tests). Resolves early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Told about every failed poll, SET or handler (logs/metrics). */
  onError?: (error: unknown) => void
}

/**
 * What one {@link PollReceiver.poll} did.
 *
 * @example
 * ```ts
 * const { processed, failed, moreAvailable }: PollResult = await receiver.poll()
 * ```
 */
export interface PollResult {
  /** jtis processed by the handler in this round. */
  readonly processed: readonly string[]
  /** jtis already processed earlier (acknowledged again, not reprocessed). */
  readonly duplicates: readonly string[]
  /** jtis rejected with an RFC 8936 error (reported in the next request's `setErrs`). */
  readonly rejected: readonly string[]
  /**
   * jtis not processed this round and not acknowledged — the handler failed or outlived
   * `leaseSeconds`, or another delivery holds the SET's lease — so the transmitter returns them again.
   */
  readonly failed: readonly string[]
  /** The transmitter's `moreAvailable`. */
  readonly moreAvailable: boolean
}

/**
 * A running or steppable RFC 8936 poll client.
 *
 * @example
 * ```ts
 * const receiver: PollReceiver = createPollReceiver(options)
 * receiver.start()
 * onShutdown(() => receiver.stop())
 * ```
 */
export interface PollReceiver {
  /**
   * One exchange. Rejects with `ProtocolError` `ERR_SSF_POLL` (HTTP or response errors, an
   * `authorization` callback that failed), `StoreError` (dedupe store down; SETs handled before it
   * in the batch are still acknowledged) or the error of a key source that failed (e.g.
   * `ProtocolError` `ERR_BUNDLE_FETCH`; that SET is not acknowledged).
   */
  poll(): Promise<PollResult>
  /** Sends pending acks and setErrs without asking for SETs (`maxEvents: 0`; 1000 of each per request). */
  flush(): Promise<void>
  /** Polls in a loop (immediately again while `moreAvailable`, backing off after errors). */
  start(): void
  /**
   * Stops the loop, aborts a request in flight and flushes pending acks. The SET being handled is
   * waited for (at most `leaseSeconds`); the round's SETs not started yet are left unacknowledged,
   * so the transmitter returns them later.
   */
  stop(): Promise<void>
  /** Acks and setErrs waiting for the next exchange. */
  readonly pending: { readonly ack: number; readonly setErrs: number }
}

/**
 * Most acks, and most setErrs, one request carries: 1000 refused SETs make ~150 KB of setErrs,
 * within what transmitters accept (agentauth: 1 MiB); more wait for the next request.
 */
const MAX_ACKS_PER_REQUEST = 1000

/** The longest delay a timer honours (2^31 - 1 ms); beyond it setTimeout fires at once. */
const MAX_TIMER_MS = 2_147_483_647

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

/**
 * Creates an RFC 8936 poll client for one stream. Acknowledges only what its durable handler
 * processed, reports invalid SETs in `setErrs` with the RFC codes, loops on `moreAvailable`,
 * and backs off exponentially after failures.
 *
 * @param options - {@link PollReceiverOptions}.
 * @returns a {@link PollReceiver}.
 * @throws TypeError `ERR_INVALID_ARG_*` at construction for bad options.
 *
 * @example
 * ```ts
 * import { createPollReceiver, createRedisDedupeCache, applyToStore } from 'agentauth/ssf'
 * const receiver = createPollReceiver({
 *   endpoint: stream.delivery.endpoint_url,
 *   authorization: 'Bearer receiver-token',
 *   verify: { issuer, audience: 'https://api.example.com', keys: jwks },
 *   replayCache: createRedisDedupeCache({ command }),
 *   onEvent: applyToStore(revocations),
 * })
 * receiver.start()
 * ```
 */
export function createPollReceiver(options: PollReceiverOptions): PollReceiver {
  assertObject(options, 'options')
  let endpoint: URL
  try {
    endpoint = new URL(options.endpoint)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.endpoint must be an absolute URL', cause)
  }
  // The receiver's access token goes there, and the SETs (and acks) come back: never in clear off
  // loopback, like the stream client's endpoints.
  const loopback = endpoint.hostname === 'localhost' || endpoint.hostname === '127.0.0.1' || endpoint.hostname === '[::1]'
  if (endpoint.protocol !== 'https:' && !(endpoint.protocol === 'http:' && loopback)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.endpoint must be an https URL (http only on loopback)')
  const verify = checkVerifyOptions({ ...options.verify, replayCache: undefined }, 'options.verify')
  if (typeof options.authorization === 'string') assertString(options.authorization, 'options.authorization')
  else if (options.authorization !== undefined) assertFunction(options.authorization, 'options.authorization')
  const replayCache = checkDedupeCache(options.replayCache, 'options.replayCache')
  assertFunction(options.onEvent, 'options.onEvent')
  const maxEvents = optionalNumber(options.maxEvents, 'options.maxEvents', 50, { min: 1, max: 10_000, integer: true })
  if (options.returnImmediately !== undefined && typeof options.returnImmediately !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.returnImmediately must be a boolean')
  const returnImmediately = options.returnImmediately ?? false
  // Checked here: a bad sleep used to throw inside the loop's error path and end it unhandled.
  if (options.fetch !== undefined) assertFunction(options.fetch, 'options.fetch')
  if (options.sleep !== undefined) assertFunction(options.sleep, 'options.sleep')
  if (options.onError !== undefined) assertFunction(options.onError, 'options.onError')
  // Timer delays above 2^31 - 1 ms fire at once (setTimeout overflow): a loop would spin.
  const initialDelay = optionalNumber(options.backoff?.initialDelay, 'options.backoff.initialDelay', 1000, { min: 0, max: MAX_TIMER_MS })
  const maxDelay = optionalNumber(options.backoff?.maxDelay, 'options.backoff.maxDelay', 60_000, { min: initialDelay, max: MAX_TIMER_MS })
  const factor = optionalNumber(options.backoff?.factor, 'options.backoff.factor', 2, { min: 1, max: 100 })
  const idleDelay = optionalNumber(options.idleDelay, 'options.idleDelay', 5000, { min: 0, max: MAX_TIMER_MS })
  const maxResponseBytes = optionalNumber(options.maxResponseBytes, 'options.maxResponseBytes', 4 * 1024 * 1024, { min: 1024, integer: true })
  const requestTimeout = optionalNumber(options.requestTimeout, 'options.requestTimeout', 120_000, { min: 1000, max: 3_600_000, integer: true })
  const leaseSeconds = optionalNumber(options.leaseSeconds, 'options.leaseSeconds', DEFAULT_LEASE_SECONDS, { min: 1, max: 3600, integer: true })
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const sleep = options.sleep ?? defaultSleep
  const { onEvent, onError } = options
  const dedupe = createSETDedupe(replayCache, verify, leaseSeconds)
  // maxEvents of the next request: halved after a response over maxResponseBytes.
  let asking = maxEvents
  const acks = new Set<string>()
  const setErrs = new Map<string, DeliveryError>()
  // The loop started last. Each loop ends when its own token is stopped, so a stop() followed by a
  // start() before the old loop ended never leaves two loops polling side by side (the old one
  // used to see the new start's "running" and go on, and that stop() never resolved).
  let current: { stopped: boolean } | undefined
  let loop: Promise<void> | undefined
  let controller = new AbortController()

  const report = (e: unknown): void => runHook(onError, e) // logging (even a rejecting hook) must not break polling

  async function exchange(body: Record<string, unknown>): Promise<{ sets: Record<string, unknown>; moreAvailable: boolean }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
    // One deadline for the whole exchange, the authorization callback included, kept even by a
    // callback, fetch or body that ignores the signal: a token endpoint, transmitter or proxy that
    // never answers must not stall the receiver (and stop()) for good.
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(requestTimeout)])
    if (typeof options.authorization === 'function') {
      let auth: unknown
      try {
        auth = await untilAborted(Promise.resolve(options.authorization()), signal)
      } catch (cause) {
        throw new ProtocolError('ERR_SSF_POLL', 'the authorization callback failed', { cause })
      }
      // Never a request without the token, nor an "undefined" or "[object Object]" header.
      if (typeof auth !== 'string' || auth.length === 0) throw new ProtocolError('ERR_SSF_POLL', 'the authorization callback did not return a non-empty string')
      headers.authorization = auth
    } else if (options.authorization !== undefined) {
      headers.authorization = options.authorization
    }
    // In bounded slices: one body with every pending ack and error could exceed what the
    // transmitter accepts, and a refused body was sent again, unchanged, for good.
    const sentAcks = first(acks.values())
    const sentErrs = first(setErrs.keys())
    if (sentAcks.length > 0) body.ack = sentAcks
    if (sentErrs.length > 0) body.setErrs = Object.fromEntries(sentErrs.map((j) => [j, setErrs.get(j)!]))
    let response: Response
    try {
      response = await untilAborted(doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal, redirect: 'manual' }), signal)
    } catch (cause) {
      throw new ProtocolError('ERR_SSF_POLL', 'poll request failed', { cause })
    }
    if (response.status !== 200) {
      let error: string | undefined
      let errorDescription: string | undefined
      try {
        const j = parseJSONObject(await untilAborted(readBoundedBytes(response, 16_384), signal), { maxBytes: 16_384, what: 'poll error' })
        if (typeof j.err === 'string') error = j.err
        if (typeof j.description === 'string') errorDescription = j.description
      } catch { /* body is informative only */ }
      throw new ProtocolError('ERR_SSF_POLL', `poll endpoint answered ${response.status}`, { status: response.status, error, errorDescription })
    }
    let json: Record<string, unknown>
    const asked = typeof body.maxEvents === 'number' ? body.maxEvents : 0
    try {
      const bytes = await untilAborted(readBoundedBytes(response, maxResponseBytes), signal)
      json = parseJSONObject(bytes, { maxBytes: maxResponseBytes, what: 'poll response' })
      // Back towards maxEvents once responses are well within the limit again.
      if (asked > 0 && asking < maxEvents && bytes.byteLength * 4 <= maxResponseBytes) asking = Math.min(maxEvents, asking * 2)
    } catch (cause) {
      // Too many large SETs for maxResponseBytes: the same request failed the same way for good.
      // Ask for half as many next time (down to 1), so the stream makes progress.
      if (cause instanceof VerificationError && cause.code === 'ERR_INPUT_TOO_LARGE' && asked > 1) asking = Math.max(1, Math.floor(asked / 2))
      throw new ProtocolError('ERR_SSF_POLL', 'poll response is not a JSON object within the size limit', { status: 200, cause })
    }
    if (!isPlainObject(json.sets)) throw new ProtocolError('ERR_SSF_POLL', 'poll response has no "sets" object', { status: 200 })
    if (json.moreAvailable !== undefined && typeof json.moreAvailable !== 'boolean') throw new ProtocolError('ERR_SSF_POLL', 'poll response "moreAvailable" is not a boolean', { status: 200 })
    // Delivered: the transmitter has our acks and errors now.
    for (const j of sentAcks) acks.delete(j)
    for (const j of sentErrs) setErrs.delete(j)
    return { sets: json.sets, moreAvailable: json.moreAvailable === true }
  }

  function first(items: IterableIterator<string>): string[] {
    const out: string[] = []
    for (const item of items) {
      if (out.length >= MAX_ACKS_PER_REQUEST) break
      out.push(item)
    }
    return out
  }

  /** The outcome of one SET's dedupe + handler run, or 'late' once its lease has lapsed. */
  function withinLease<T>(running: Promise<T>): Promise<T | 'late'> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const lapsed = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), leaseSeconds * 1000) })
    return Promise.race([running, lapsed]).finally(() => clearTimeout(timer))
  }

  async function handle(jti: string, token: unknown, result: { processed: string[]; duplicates: string[]; rejected: string[]; failed: string[] }): Promise<void> {
    let set
    try {
      set = await verifyChecked(token, verify)
      if (set.jti !== jti) throw new VerificationError('ERR_SET_INVALID', 'SET jti does not match its key in "sets"', { claim: 'jti' })
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e
      report(e)
      if (isKeyNotYetKnown(e)) {
        // Not acknowledged and no setErrs entry: returned again by a later poll, once the key set
        // has been refreshed after the transmitter's rotation (invalid_key would drop it for good).
        result.failed.push(jti)
        return
      }
      setErrs.set(jti, toDeliveryError(e))
      result.rejected.push(jti)
      return
    }
    let outcome
    let handlerFailed = false
    const run = async (): Promise<void> => {
      try {
        await onEvent(set, { delivery: 'poll' })
      } catch (e) {
        handlerFailed = true
        throw e
      }
    }
    const running = dedupe.run(set, run, report)
    try {
      outcome = await withinLease(running)
    } catch (e) {
      if (!handlerFailed) throw e // the dedupe store is down: stop this round (this SET is not acknowledged)
      report(e)
      if (e instanceof VerificationError) {
        setErrs.set(jti, toDeliveryError(e))
        result.rejected.push(jti)
      } else {
        result.failed.push(jti)
      }
      return
    }
    if (outcome === 'late') {
      // The handler outlived its lease: not acknowledged now, and the round goes on, so one handler
      // that hangs no longer stalls every later SET and stop() for good. Should it still resolve,
      // its ack goes with a later exchange (a copy returned meanwhile may run again, as documented
      // for leaseSeconds).
      running.then((late) => { if (late !== 'busy') acks.add(jti) }, report)
      report(new ProtocolError('ERR_REMOTE_TIMEOUT', `the event handler did not finish within leaseSeconds (${leaseSeconds} s)`))
      result.failed.push(jti)
      return
    }
    if (outcome === 'busy') {
      result.failed.push(jti)
      return
    }
    acks.add(jti)
    ;(outcome === 'duplicate' ? result.duplicates : result.processed).push(jti)
  }

  async function poll(): Promise<PollResult> {
    const stopping = controller.signal
    // Acks and errors beyond one request's share go out first, without asking for more SETs.
    while (acks.size > MAX_ACKS_PER_REQUEST || setErrs.size > MAX_ACKS_PER_REQUEST) await exchange({ maxEvents: 0, returnImmediately: true })
    const requested = asking
    const { sets, moreAvailable } = await exchange({ maxEvents: requested, returnImmediately })
    const result = { processed: [] as string[], duplicates: [] as string[], rejected: [] as string[], failed: [] as string[] }
    let handled = 0
    for (const jti in sets) {
      // At most maxEvents per round (RFC 8936 §2.4): a transmitter sending more (up to
      // maxResponseBytes of them) filled acks and setErrs past what one request may carry; the
      // rest are not acknowledged and come again.
      if (handled++ >= requested) break
      const token = sets[jti]
      // stop() does not wait for the rest of the round (each slow handler up to leaseSeconds):
      // the SETs not started stay unacknowledged and the transmitter returns them later.
      if (stopping.aborted) break
      await handle(jti, token, result)
    }
    return Object.freeze({ ...result, moreAvailable })
  }

  async function flush(): Promise<void> {
    while (acks.size > 0 || setErrs.size > 0) await exchange({ maxEvents: 0, returnImmediately: true })
  }

  async function run(self: { stopped: boolean }): Promise<void> {
    let delay = initialDelay
    while (!self.stopped) {
      const started = systemClock()
      try {
        const r = await poll()
        if (r.failed.length > 0 && !self.stopped) {
          // The handler is failing: do not spin on the same unacknowledged SETs.
          await sleep(delay, controller.signal)
          delay = Math.min(maxDelay, delay * factor)
        } else {
          delay = initialDelay
          const received = r.processed.length + r.duplicates.length + r.rejected.length
          // Nothing came back: wait before asking again, so an empty answer never makes a busy loop
          // (even with moreAvailable: true). Short polls wait idleDelay; a long poll the transmitter
          // answered early (it does not hold requests, or the stream is paused) waits the rest of it.
          if (received === 0 && acks.size === 0 && !self.stopped) {
            const wait = returnImmediately ? idleDelay : idleDelay - (systemClock() - started)
            if (wait > 0) await sleep(wait, controller.signal)
          }
        }
      } catch (e) {
        if (self.stopped) break
        report(e)
        await sleep(delay, controller.signal)
        delay = Math.min(maxDelay, delay * factor)
      }
    }
  }

  return Object.freeze({
    poll,
    flush,
    start(): void {
      if (current !== undefined && !current.stopped) return
      const self = { stopped: false }
      current = self
      controller = new AbortController()
      loop = run(self)
    },
    async stop(): Promise<void> {
      // Stops the loop running now and waits for that one: a start() called meanwhile runs a new
      // loop, which this stop() neither waits for nor disturbs (its controller stays).
      if (current !== undefined) current.stopped = true
      const stopping = loop
      controller.abort()
      await stopping
      if (loop === stopping) {
        loop = undefined
        controller = new AbortController()
      }
      await flush().catch(report)
    },
    get pending() {
      return { ack: acks.size, setErrs: setErrs.size }
    },
  })
}
