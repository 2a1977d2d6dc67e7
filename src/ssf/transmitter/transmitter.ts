// The transmitter: signs SETs with a Signer, queues them in the outbox per stream, pushes them with
// retries or holds them for polling, and serves the SSF HTTP API (routes.ts).
import { VerificationError, codedTypeError } from '../../errors/index.js'
import { assertFunction, assertObject, assertString, assertStringArray, optionalNumber } from '../../internal/assert.js'
import { nowSeconds, systemClock, type Clock } from '../../internal/time.js'
import { createCompactJWS } from '../../signer/jws.js'
import type { Signer } from '../../signer/types.js'
import { parseEvent } from '../events.js'
import type { FetchLike } from '../poll-receiver.js'
import type { TransmitterMetadata } from '../stream-client.js'
import { parseSubjectId, type SubjectId } from '../subject-id.js'
import { matchStreamSubject, matchSubjectId } from '../subject-match.js'
import { DELIVERY_METHODS, EVENT_TYPE_URIS } from '../uris.js'
import { backoffDelay, pushOnce, type CheckedRetry, type DeliveryReport, type RetryPolicy } from './delivery.js'
import { createMemoryOutbox, type FailedEntry, type OutboxEntry, type OutboxStore, type StoredStream } from './outbox.js'
import { createRoutes, type RouteContext } from './routes.js'
import { checkCAEPCommon, eventInput, type EmitEvent } from './event-input.js'

export type { EmitEvent }

/**
 * Options of {@link Transmitter.emit}.
 *
 * @example
 * ```ts
 * await transmitter.emit(event, subject, { txn: 'incident-42', streamIds: [streamId] })
 * ```
 */
export interface EmitOptions {
  /** `txn` claim (RFC 8417 §2.2); a random one is set when omitted (SSF 1.0 §4.1.9 SHOULD). */
  txn?: string
  /** `toe` claim, epoch seconds. */
  toe?: number
  /** Only these streams (default: every enabled or paused stream that asked for the event and covers the subject). */
  streamIds?: readonly string[]
}

/**
 * One SET produced by {@link Transmitter.emit}.
 *
 * @example
 * ```ts
 * const [first]: readonly EmittedSET[] = await transmitter.emit(event, subject)
 * ```
 */
export interface EmittedSET {
  readonly streamId: string
  readonly jti: string
}

/**
 * Options of {@link createTransmitter}.
 *
 * @example
 * ```ts
 * const options: TransmitterOptions = { issuer: 'https://idp.example.com', signer, authorizeReceiver: (req) => lookupReceiver(req) }
 * ```
 */
export interface TransmitterOptions {
  /** The issuer (`iss` of every SET and of the metadata): an https URL (http only on loopback). */
  issuer: string
  /** Signs every SET (`typ: secevent+jwt`); its public key is served at `jwks_uri`. */
  signer: Signer
  /**
   * Authenticates a receiver's management or poll request and returns its id (streams are owned by
   * it), or `undefined` to answer 401. E.g. check an OAuth access token (SSF 1.0 §9).
   */
  authorizeReceiver: (request: Request) => Promise<string | undefined> | string | undefined
  /** Undelivered SETs and streams. Default {@link createMemoryOutbox} (lost on restart). */
  outbox?: OutboxStore
  fetch?: FetchLike
  /** Milliseconds clock. */
  clock?: Clock
  /** Push retries. */
  retry?: RetryPolicy
  /**
   * Event-type URIs offered (`events_supported`). Default: every CAEP and RISC event except the
   * deprecated RISC `sessions-revoked` (RISC 1.0: new implementations MUST use CAEP
   * `session-revoked`); list it here to serve receivers that still ask for it.
   */
  eventsSupported?: readonly string[]
  /** Delivery methods offered. Default push and poll. */
  deliveryMethods?: readonly string[]
  /** Which push URLs receivers may configure. Default: `https:` only (stops SSRF to internal http services). */
  allowDeliveryUrl?: (url: URL) => boolean
  /** The `aud` of a receiver's streams. Default: the receiver id. */
  audience?: (receiverId: string) => string | readonly string[]
  /** `default_subjects`. Default `ALL`. */
  defaultSubjects?: 'ALL' | 'NONE'
  /** Seconds (an integer) between two verification requests per stream (429 when faster). Default 0. */
  minVerificationInterval?: number
  /** Streams per receiver (409 beyond). Default 16. */
  maxStreamsPerReceiver?: number
  /** How long a poll request without events is held open, ms. Default 30000. */
  longPollTimeout?: number
  /**
   * Most SETs queued for one stream (default 10 000). A stream that reaches it — a receiver that
   * does not take delivery — is disabled (stream-updated SET with a reason) instead of filling the
   * shared outbox, so emitting keeps working for every other stream. One receiver then holds at
   * most `maxStreamsPerReceiver × (maxQueuedPerStream + 1)` entries (160 016 with the defaults,
   * above the memory outbox's default `maxEntries`): size the outbox above that.
   */
  maxQueuedPerStream?: number
  /** Push request timeout in ms. Default 10000. */
  pushTimeout?: number
  /** Delivery loop interval (ms) after `start()`. Default 1000. */
  interval?: number
  /** Sleep used by the delivery loop (inject in tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

/**
 * An SSF transmitter.
 *
 * @example
 * ```ts
 * const transmitter: Transmitter = createTransmitter(options)
 * Deno.serve((req) => transmitter.handle(req))
 * ```
 */
export interface Transmitter {
  readonly issuer: string
  /** The SSF HTTP API: metadata, JWKS, stream management, status, subjects, verification, poll. */
  handle(request: Request): Promise<Response>
  /** The metadata served at `/.well-known/ssf-configuration`. */
  metadata(): TransmitterMetadata
  /**
   * Signs and queues one SET per matching stream. Rejects with TypeError `ERR_INVALID_ARG_*` for an
   * invalid event, subject or option (`txn`, `toe`, `streamIds`), StoreError from the outbox. Not
   * atomic: after a StoreError part-way, the SETs queued for earlier streams stay queued, and a
   * second call queues new SETs (new `jti`s) for them too.
   */
  emit(event: EmitEvent, subject: SubjectId, options?: EmitOptions): Promise<readonly EmittedSET[]>
  /**
   * Transmitter-initiated status change; sends a stream-updated SET (SSF 1.0 §8.1.5). The stream's
   * `reason` becomes `reason` (none when omitted). Rejects with TypeError `ERR_INVALID_ARG_*` for an
   * unknown stream, status or a non-string reason.
   */
  updateStatus(streamId: string, status: StoredStream['status'], reason?: string): Promise<void>
  /** One push delivery pass over due entries. */
  deliver(): Promise<DeliveryReport>
  /** Runs {@link Transmitter.deliver} in a loop (and right after each emit). */
  start(): void
  stop(): Promise<void>
  /**
   * SETs given up on, the most recent last, at most `limit` (default 100). Rejects with TypeError
   * `ERR_INVALID_ARG_*` when `limit` is not a non-negative integer.
   */
  failed(limit?: number): Promise<readonly FailedEntry[]>
}

const MAX_TIMER_MS = 2_147_483_647

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

/**
 * Creates an SSF 1.0 transmitter (for platform teams and tests): serves transmitter metadata,
 * JWKS, the stream management API (§8), verification (§8.1.4) and an RFC 8936 poll endpoint;
 * `emit` signs SETs with your {@link Signer} (`typ: secevent+jwt`) and queues them in the outbox;
 * push streams are delivered (RFC 8935) with exponential-backoff retries.
 *
 * Paths: metadata at `/.well-known/ssf-configuration{issuer path}`; the API under
 * `{issuer path}/ssf/` (`jwks`, `stream`, `status`, `subjects/add`, `subjects/remove`, `verify`,
 * `poll/{stream_id}`).
 *
 * @param options - {@link TransmitterOptions}; `issuer`, `signer` and `authorizeReceiver` are required.
 * @returns a {@link Transmitter}.
 * @throws TypeError `ERR_INVALID_ARG_*` at construction for bad options.
 *
 * @example
 * ```ts
 * import { createTransmitter, createRedisOutbox } from 'agentauth/ssf/transmitter'
 * import { generateSigner } from 'agentauth/signer'
 * const transmitter = createTransmitter({
 *   issuer: 'https://idp.example.com',
 *   signer: await generateSigner('ES256'),
 *   outbox: createRedisOutbox({ command }),
 *   authorizeReceiver: (req) => receiverForToken(req.headers.get('authorization')),
 * })
 * transmitter.start()
 * await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: 'session-7' })
 * // serve: (request) => transmitter.handle(request)
 * ```
 */
export function createTransmitter(options: TransmitterOptions): Transmitter {
  assertObject(options, 'options')
  assertString(options.issuer, 'options.issuer')
  let issuerUrl: URL
  try {
    issuerUrl = new URL(options.issuer)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be an absolute URL', cause)
  }
  if (issuerUrl.protocol !== 'https:' && !(issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname))) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be https (http only on loopback)')
  if (issuerUrl.search !== '' || issuerUrl.hash !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must not have a query or fragment')
  assertObject(options.signer, 'options.signer')
  assertFunction(options.signer.sign, 'options.signer.sign')
  // Served at jwks_uri: without them the JWKS endpoint answered 503 (or an alg-less key) for good.
  assertFunction(options.signer.publicJwk, 'options.signer.publicJwk')
  assertString(options.signer.alg, 'options.signer.alg')
  // Taken once: the options object changed afterwards (another signer assigned) made the JWKS serve
  // the new key under the old kid and alg, so no receiver could verify a SET any more.
  const signer: Signer = options.signer
  if (options.retry !== undefined) assertObject(options.retry, 'options.retry')
  assertFunction(options.authorizeReceiver, 'options.authorizeReceiver')
  // Checked here, not at the first request: a typo ('all', a method URN) must not silently stop
  // every event (default_subjects treated as NONE) or make every stream creation fail.
  for (const name of ['clock', 'fetch', 'sleep', 'allowDeliveryUrl', 'audience'] as const) if (options[name] !== undefined) assertFunction(options[name], `options.${name}`)
  if (options.outbox !== undefined) {
    assertObject(options.outbox, 'options.outbox')
    for (const m of ['enqueue', 'due', 'pending', 'update', 'remove', 'fail', 'failed', 'putStream', 'getStream', 'listStreams', 'deleteStream'] as const) assertFunction(options.outbox[m], `options.outbox.${m}`)
  }
  if (options.defaultSubjects !== undefined && options.defaultSubjects !== 'ALL' && options.defaultSubjects !== 'NONE') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.defaultSubjects must be 'ALL' or 'NONE'")
  if (options.eventsSupported !== undefined) assertStringArray(options.eventsSupported, 'options.eventsSupported', { allowEmpty: true })
  if (options.deliveryMethods !== undefined) {
    assertStringArray(options.deliveryMethods, 'options.deliveryMethods')
    const known: readonly string[] = [DELIVERY_METHODS.push, DELIVERY_METHODS.poll]
    if (!options.deliveryMethods.every((m) => known.includes(m))) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.deliveryMethods may only hold ${known.join(' and ')}`)
  }
  const clock: Clock = options.clock ?? systemClock
  const now = (): number => clock()
  const outbox = options.outbox ?? createMemoryOutbox()
  const doFetch: FetchLike = options.fetch ?? ((i, init) => globalThis.fetch(i, init))
  const retry: CheckedRetry = {
    maxAttempts: optionalNumber(options.retry?.maxAttempts, 'options.retry.maxAttempts', 10, { min: 1, max: 1000, integer: true }),
    initialDelay: optionalNumber(options.retry?.initialDelay, 'options.retry.initialDelay', 1000, { min: 0 }),
    maxDelay: optionalNumber(options.retry?.maxDelay, 'options.retry.maxDelay', 300_000, { min: 0 }),
    factor: optionalNumber(options.retry?.factor, 'options.retry.factor', 2, { min: 1, max: 100 }),
    jitter: optionalNumber(options.retry?.jitter, 'options.retry.jitter', 0.2, { min: 0, max: 1 }),
  }
  const eventsSupported = Object.freeze([...(options.eventsSupported ?? Object.values(EVENT_TYPE_URIS).filter((u) => !u.includes('/ssf/event-type/') && u !== EVENT_TYPE_URIS['sessions-revoked']))])
  const deliveryMethods = Object.freeze([...(options.deliveryMethods ?? [DELIVERY_METHODS.push, DELIVERY_METHODS.poll])])
  // Timer delays above 2^31 - 1 ms fire at once (setTimeout / AbortSignal.timeout overflow).
  const interval = optionalNumber(options.interval, 'options.interval', 1000, { min: 1, max: MAX_TIMER_MS })
  const maxQueued = optionalNumber(options.maxQueuedPerStream, 'options.maxQueuedPerStream', 10_000, { min: 1, integer: true })
  const sleep = options.sleep ?? defaultSleep
  const issuer = options.issuer
  const issuerPath = issuerUrl.pathname === '/' ? '' : issuerUrl.pathname.replace(/\/$/, '')
  const api = `${issuerUrl.origin}${issuerPath}/ssf`
  const waiters = new Map<string, Set<() => void>>()
  let running = false
  let loop: Promise<void> | undefined
  let controller = new AbortController()
  let wake: (() => void) | undefined
  let passing: Promise<DeliveryReport> | undefined
  let lastStamp = -Infinity
  const locks = new Map<string, Promise<void>>()

  /**
   * Runs `fn` once every earlier call with the same key has settled. Stream changes are
   * read-modify-write of one stored record: concurrent ones (two subjects added, a status change)
   * overwrote each other, and concurrent requests all passed a limit checked before the write.
   * Within this instance only; instances sharing a store can still interleave.
   */
  function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (locks.get(key) ?? Promise.resolve()).then(fn)
    const tail = run.then(() => undefined, () => undefined)
    locks.set(key, tail)
    void tail.then(() => { if (locks.get(key) === tail) locks.delete(key) })
    return run
  }

  const metadata: TransmitterMetadata = Object.freeze({
    spec_version: '1_0',
    issuer,
    jwks_uri: `${api}/jwks`,
    delivery_methods_supported: deliveryMethods,
    configuration_endpoint: `${api}/stream`,
    status_endpoint: `${api}/status`,
    add_subject_endpoint: `${api}/subjects/add`,
    remove_subject_endpoint: `${api}/subjects/remove`,
    verification_endpoint: `${api}/verify`,
    authorization_schemes: Object.freeze([Object.freeze({ spec_urn: 'urn:ietf:rfc:6749' })]),
    default_subjects: options.defaultSubjects ?? 'ALL',
  })

  function notify(streamId: string): void {
    const set = waiters.get(streamId)
    if (set !== undefined) for (const w of [...set]) w()
    wake?.()
  }

  async function sign(stream: StoredStream, uri: string, payload: Record<string, unknown>, subject: SubjectId, control: boolean, o: EmitOptions): Promise<EmittedSET> {
    const jti = randomId()
    const claims: Record<string, unknown> = { iss: issuer, iat: nowSeconds(clock), jti, aud: stream.config.aud, txn: o.txn ?? randomId(), sub_id: subject, events: { [uri]: payload } }
    if (o.toe !== undefined) claims.toe = o.toe
    const token = await createCompactJWS({ typ: 'secevent+jwt' }, claims, signer)
    // createdAt is strictly increasing per instance: the Redis outbox orders a stream's SETs by it,
    // ties by the random jti, so SETs of the same millisecond were polled (and, due at the same
    // time, pushed) in random order.
    const t = now()
    const createdAt = (lastStamp = Math.max(t, lastStamp + 1))
    const delivery = stream.config.delivery.method === DELIVERY_METHODS.push ? 'push' : 'poll'
    await outbox.enqueue({ jti, streamId: stream.config.stream_id, token, delivery, control, createdAt, attempts: 0, nextAttemptAt: t })
    // The stream may have been deleted while this SET was signed: a poll entry of a deleted stream
    // would stay queued for good (push entries are dropped by the delivery pass).
    if (delivery === 'poll' && (await outbox.getStream(stream.config.stream_id)) === undefined) await outbox.remove(stream.config.stream_id, [jti])
    notify(stream.config.stream_id)
    return Object.freeze({ streamId: stream.config.stream_id, jti })
  }

  function covers(stream: StoredStream, subject: SubjectId): boolean {
    if (metadata.default_subjects === 'ALL') return !stream.excluded.some((x) => matchSubjectId(x, subject))
    // SSF 1.0 §8.1.3.1: a member left out on either side is a wildcard.
    return stream.subjects.some((x) => matchStreamSubject(x, subject))
  }

  async function emit(event: EmitEvent, subject: SubjectId, o: EmitOptions = {}): Promise<readonly EmittedSET[]> {
    const { uri, payload: input } = eventInput(event)
    // Validate what will be signed: the JSON form (a toJSON method or a function member made the
    // checked object and the sent one differ, or failed with an uncoded DataCloneError).
    let payload: Record<string, unknown>
    let wireSubject: SubjectId
    try {
      payload = JSON.parse(JSON.stringify(input)) as Record<string, unknown>
      wireSubject = JSON.parse(JSON.stringify(subject) ?? 'null') as SubjectId
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'event and subject must be JSON-serialisable', cause)
    }
    let parsedSubject: SubjectId
    try {
      parsedSubject = parseSubjectId(wireSubject)
      parseEvent(uri, structuredClone(payload), parsedSubject)
    } catch (cause) {
      if (cause instanceof VerificationError) throw codedTypeError('ERR_INVALID_ARG_VALUE', `event or subject is invalid: ${cause.message}`, cause)
      throw cause
    }
    checkCAEPCommon(uri, payload)
    assertObject(o, 'options')
    if (o.txn !== undefined) assertString(o.txn, 'options.txn')
    if (o.toe !== undefined) optionalNumber(o.toe, 'options.toe', 0, { min: 0 })
    // A string here would match streams by substring ('abc'.includes(id)).
    if (o.streamIds !== undefined) assertStringArray(o.streamIds, 'options.streamIds', { allowEmpty: true })
    const streams = await outbox.listStreams()
    const out: EmittedSET[] = []
    for (const stream of streams) {
      if (o.streamIds !== undefined && !o.streamIds.includes(stream.config.stream_id)) continue
      if (stream.status === 'disabled') continue
      if (!(stream.config.events_delivered ?? []).includes(uri)) continue
      if (!covers(stream, parsedSubject)) continue
      if (await backlogFull(stream.config.stream_id)) {
        await disable(stream.config.stream_id, `more than ${maxQueued} undelivered events: the receiver is not taking delivery`)
        continue
      }
      out.push(await sign(stream, uri, payload, wireSubject, false, o))
    }
    return Object.freeze(out)
  }

  async function updateStatus(streamId: string, status: StoredStream['status'], reason?: string): Promise<void> {
    if (status !== 'enabled' && status !== 'paused' && status !== 'disabled') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'status must be enabled, paused or disabled')
    if (reason !== undefined) assertString(reason, 'reason')
    await setStatus(streamId, status, reason, false)
  }

  /** `ifPresent`: a stream deleted meanwhile needs nothing (no error). */
  async function setStatus(streamId: string, status: StoredStream['status'], reason: string | undefined, ifPresent: boolean): Promise<void> {
    await exclusive(`stream:${streamId}`, async () => {
      const stored = await outbox.getStream(streamId)
      if (stored === undefined && ifPresent) return
      if (stored === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `no stream ${streamId}`)
      // The reason belongs to this change: an earlier status's reason must not outlive it.
      const { reason: _previous, ...stream } = stored
      await outbox.putStream({ ...stream, status, ...(reason === undefined ? {} : { reason }) })
      await control(streamId, 'stream-updated', reason === undefined ? { status } : { status, reason })
      if (status === 'enabled') await ctx.resumed(streamId)
    })
  }

  /** Disables a stream whose receiver does not take delivery (its queued SETs stay for it). */
  async function disable(streamId: string, reason: string): Promise<void> {
    // A stream deleted since listStreams (also while this waited for the stream's lock, behind
    // the delete) needs nothing: emit goes on with the others.
    await setStatus(streamId, 'disabled', reason, true)
  }

  async function backlogFull(streamId: string): Promise<boolean> {
    if (outbox.queued !== undefined) return (await outbox.queued(streamId)) >= maxQueued
    return (await outbox.pending(streamId, maxQueued - 1)).more
  }

  async function control(streamId: string, type: 'verification' | 'stream-updated', payload: Record<string, unknown>): Promise<void> {
    const stream = await outbox.getStream(streamId)
    if (stream === undefined) return
    await sign(stream, EVENT_TYPE_URIS[type], payload, { format: 'opaque', id: streamId }, true, {})
  }

  const deliveryContext = { outbox, fetch: doFetch, now, retry, timeoutMs: optionalNumber(options.pushTimeout, 'options.pushTimeout', 10_000, { min: 1, max: MAX_TIMER_MS }), pausedRecheck: 600_000 }

  async function pass(): Promise<DeliveryReport> {
    const report = { delivered: [] as string[], retrying: [] as string[], failed: [] as string[], held: [] as string[] }
    const byStream = new Map<string, OutboxEntry[]>()
    for (const entry of await outbox.due(now(), 100)) {
      const list = byStream.get(entry.streamId)
      if (list === undefined) byStream.set(entry.streamId, [entry])
      else list.push(entry)
    }
    // Streams side by side, each in order. Once a stream's receiver fails (or hangs until the push
    // timeout), its remaining entries are not tried in this pass but rescheduled with the failed
    // one's backoff (attempts unchanged), so they leave the due window too: one slow receiver costs
    // one timeout per pass and never holds up the SETs of the others.
    const results = await Promise.allSettled([...byStream].map(async ([streamId, entries]) => {
      let stream = await outbox.getStream(streamId)
      // In creation order: entries due at the same time come back from Redis in jti order.
      entries.sort((a, b) => a.createdAt - b.createdAt)
      // An older SET of the stream still waiting for its retry (or beyond this pass's due window)
      // goes first: a SET emitted during the backoff, or one of a released backlog past the window,
      // overtook it (SSF 1.0 §8.1.2.1). Those of this pass wait for its time instead.
      if (stream?.status === 'enabled') {
        const head = (await outbox.pending(streamId, 1)).entries[0]
        const first = entries[0]!
        if (head !== undefined && head.delivery === 'push' && head.jti !== first.jti && head.createdAt < first.createdAt) {
          for (const rest of entries) {
            if (rest.nextAttemptAt < head.nextAttemptAt) await outbox.update({ ...rest, nextAttemptAt: head.nextAttemptAt })
            report.retrying.push(rest.jti)
          }
          return
        }
      }
      const held: OutboxEntry[] = []
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!
        // Read again before each push: a pause (or disable, delete, switch to poll) answered while
        // an earlier SET of the stream was being pushed, or while the head was checked above, must
        // stop the rest of this pass.
        if (i > 0 || stream?.status === 'enabled') stream = await outbox.getStream(streamId)
        const scheduled: { nextAttemptAt?: number } = {}
        const outcome = await pushOnce(deliveryContext, entry, stream, scheduled)
        report[outcome].push(entry.jti)
        if (outcome === 'held' && stream !== undefined && stream.status !== 'enabled' && !entry.control) held.push(entry)
        if (outcome !== 'retrying') continue
        // The very time the failed entry got (no second jitter draw), so none of the later SETs
        // comes due before it.
        const nextAttemptAt = scheduled.nextAttemptAt ?? now() + backoffDelay(retry, entry.attempts + 1)
        for (const rest of entries.slice(i + 1)) {
          await outbox.update({ ...rest, nextAttemptAt: Math.max(rest.nextAttemptAt, nextAttemptAt) })
          report.retrying.push(rest.jti)
        }
        break
      }
      // Enabled while this pass was holding its SETs: resumed() may have run before the hold was
      // written, which then kept them back for the 10-minute recheck. Released again here.
      if (held.length > 0 && (await outbox.getStream(streamId))?.status === 'enabled') {
        const t = now()
        for (const e of held) await outbox.update({ ...e, nextAttemptAt: Math.min(e.createdAt, t) })
      }
    }))
    for (const r of results) if (r.status === 'rejected') throw r.reason
    return Object.freeze(report)
  }

  function deliver(): Promise<DeliveryReport> {
    // One pass at a time per instance, so an entry is not pushed twice concurrently from here.
    passing ??= pass().finally(() => { passing = undefined })
    return passing
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        await deliver()
      } catch {
        // store or network trouble: try again next round
      }
      if (!running) break
      await new Promise<void>((resolve) => {
        wake = resolve
        void sleep(interval, controller.signal).then(resolve)
      })
      wake = undefined
    }
  }

  const ctx: RouteContext = {
    issuer, issuerPath, api, metadata, outbox, now, eventsSupported, deliveryMethods,
    authorizeReceiver: options.authorizeReceiver,
    allowDeliveryUrl: options.allowDeliveryUrl ?? ((u: URL) => u.protocol === 'https:'),
    audience: options.audience ?? ((id: string) => id),
    // Served as the stream's min_verification_interval, an integer number of seconds (SSF 1.0 §8.1.1).
    minVerificationInterval: optionalNumber(options.minVerificationInterval, 'options.minVerificationInterval', 0, { min: 0, integer: true }),
    maxStreamsPerReceiver: optionalNumber(options.maxStreamsPerReceiver, 'options.maxStreamsPerReceiver', 16, { min: 1, integer: true }),
    longPollTimeout: optionalNumber(options.longPollTimeout, 'options.longPollTimeout', 30_000, { min: 0, max: 300_000 }),
    publicJwk: () => signer.publicJwk(),
    kid: signer.kid,
    alg: signer.alg,
    verify: (streamId, state) => control(streamId, 'verification', state === undefined ? {} : { state }),
    exclusive,
    waitForEvents(streamId, ms, signal) {
      // A client gone before the wait starts (its signal already aborted) is not held either.
      if (signal?.aborted === true) return Promise.resolve()
      return new Promise<void>((resolve) => {
        let set = waiters.get(streamId)
        if (set === undefined) waiters.set(streamId, (set = new Set()))
        const done = (): void => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          set!.delete(done)
          if (set!.size === 0) waiters.delete(streamId)
          resolve()
        }
        const timer = setTimeout(done, ms)
        signal?.addEventListener('abort', done, { once: true })
        set.add(done)
      })
    },
    resumed: async (streamId) => {
      // Every held entry (the backlog may reach maxQueuedPerStream, plus control SETs): the
      // held-entry recheck is only a rare fallback.
      // Due at once, scheduled by creation time so they go out in the order they were generated
      // (SSF 1.0 §8.1.2.1) — the same `now` for all would leave Redis to order them by jti.
      const { entries } = await outbox.pending(streamId, maxQueued + 10_000)
      const t = now()
      for (const e of entries) if (e.delivery === 'push') await outbox.update({ ...e, nextAttemptAt: Math.min(e.createdAt, t) })
      notify(streamId)
    },
    redirected: async (streamId, delivery) => {
      const { entries } = await outbox.pending(streamId, maxQueued + 10_000)
      const t = now()
      for (const e of entries) if (e.delivery !== delivery) await outbox.update({ ...e, delivery, nextAttemptAt: Math.min(e.createdAt, t) })
      notify(streamId)
    },
  }

  return Object.freeze({
    issuer,
    handle: createRoutes(ctx),
    metadata: () => metadata,
    emit,
    updateStatus,
    deliver,
    start(): void {
      if (running) return
      running = true
      controller = new AbortController()
      loop = run()
    },
    async stop(): Promise<void> {
      running = false
      controller.abort()
      wake?.()
      await loop
      loop = undefined
      await passing?.catch(() => undefined)
    },
    async failed(limit?: number): Promise<readonly FailedEntry[]> {
      // Checked here too: a custom OutboxStore need not.
      optionalNumber(limit, 'limit', 100, { min: 0, integer: true })
      return outbox.failed(limit)
    },
  })
}
