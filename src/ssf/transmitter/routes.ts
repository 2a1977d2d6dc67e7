// The transmitter's HTTP API (SSF 1.0 §7, §8; RFC 8936). Every request body is size-limited and
// parsed as strict JSON; streams are only visible to the receiver that owns them (others get 404).
import { VerificationError } from '../../errors/index.js'
import { isPlainObject, parseJSONObject, type JSONObject } from '../../internal/json.js'
import type { PublicJWK } from '../../signer/types.js'
import { readBoundedBytes } from '../body.js'
import type { StreamConfiguration, TransmitterMetadata } from '../stream-client.js'
import { parseSubjectId } from '../subject-id.js'
import { matchSubjectId } from '../subject-match.js'
import { DELIVERY_METHODS } from '../uris.js'
import type { OutboxStore, StoredStream } from './outbox.js'

export interface RouteContext {
  readonly issuer: string
  readonly issuerPath: string
  readonly api: string
  readonly metadata: TransmitterMetadata
  readonly outbox: OutboxStore
  readonly now: () => number
  readonly eventsSupported: readonly string[]
  readonly deliveryMethods: readonly string[]
  readonly authorizeReceiver: (request: Request) => Promise<string | undefined> | string | undefined
  readonly allowDeliveryUrl: (url: URL) => boolean
  readonly audience: (receiverId: string) => string | readonly string[]
  readonly minVerificationInterval: number
  readonly maxStreamsPerReceiver: number
  readonly longPollTimeout: number
  readonly publicJwk: () => Promise<PublicJWK>
  readonly kid: string | undefined
  readonly alg: string
  readonly verify: (streamId: string, state: string | undefined) => Promise<void>
  readonly waitForEvents: (streamId: string, ms: number, signal?: AbortSignal) => Promise<void>
  readonly resumed: (streamId: string) => Promise<void>
  /** The stream's delivery method changed: its queued SETs move to the new method. */
  readonly redirected: (streamId: string, delivery: 'push' | 'poll') => Promise<void>
  /** Runs `fn` after every earlier call with the same key has finished (read-modify-write of a stream). */
  readonly exclusive: <T>(key: string, fn: () => Promise<T>) => Promise<T>
}

const MAX_BODY = 65_536
/**
 * Poll requests carry up to MAX_ACKS acks and setErrs: 1000 refused SETs (a whole batch) already
 * make ~110 KB of setErrs, which a 64 KiB limit refused on every retry, so that poll stream stalled.
 */
const MAX_POLL_BODY = 1_048_576
const MAX_POLL_EVENTS = 1000
const MAX_ACKS = 10_000
/** Subjects added (or, with default_subjects ALL, removed) per stream, and the JSON size of each. */
const MAX_SUBJECTS = 10_000
const MAX_SUBJECT_CHARS = 4096
/** Stream properties only the transmitter sets (SSF 1.0 §8.1.1), besides `stream_id`. */
const TRANSMITTER_SUPPLIED = ['iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval', 'inactivity_timeout'] as const
/** Undelivered SETs beyond which a stream gets no further verification SET (429). */
const MAX_PENDING_FOR_VERIFICATION = 16

class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } })
const empty = (status: number): Response => new Response(null, { status, headers: { 'cache-control': 'no-store' } })

async function body(request: Request, maxBytes = MAX_BODY): Promise<JSONObject> {
  try {
    return parseJSONObject(await readBoundedBytes(request, maxBytes), { maxBytes, what: 'request body' })
  } catch (e) {
    if (e instanceof VerificationError) throw new HttpError(400, e.message)
    throw e
  }
}

function optStringArray(o: JSONObject, name: string): readonly string[] | undefined {
  const v = o[name]
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.length > 256 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 2048)) throw new HttpError(400, `${name} must be an array of strings`)
  return v as string[]
}

function streamId(o: JSONObject | URLSearchParams): string {
  const id = o instanceof URLSearchParams ? o.get('stream_id') : o.stream_id
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new HttpError(400, 'stream_id is required')
  return id
}

export function createRoutes(ctx: RouteContext): (request: Request) => Promise<Response> {
  const wellKnown = `/.well-known/ssf-configuration${ctx.issuerPath}`
  const base = new URL(ctx.api).pathname

  async function receiver(request: Request): Promise<string> {
    const id = await ctx.authorizeReceiver(request)
    if (typeof id !== 'string' || id.length === 0) throw new HttpError(401, 'receiver authentication required')
    return id
  }

  async function owned(id: string, owner: string): Promise<StoredStream> {
    const s = await ctx.outbox.getStream(id)
    if (s === undefined || s.owner !== owner) throw new HttpError(404, 'no such stream')
    return s
  }

  function delivery(value: unknown, streamIdValue: string): StreamConfiguration['delivery'] {
    if (value !== undefined && !isPlainObject(value)) throw new HttpError(400, 'delivery must be an object')
    // No delivery (or no method) means poll (SSF 1.0 §8.1.1.1) — when this transmitter offers it.
    const method = value?.method ?? DELIVERY_METHODS.poll
    if (typeof method !== 'string' || !ctx.deliveryMethods.includes(method)) throw new HttpError(400, 'delivery method is not supported')
    if (value === undefined || method === DELIVERY_METHODS.poll) {
      const pollUrl = `${ctx.api}/poll/${streamIdValue}`
      // Set by the transmitter: echoed back unchanged it is fine (a receiver may read the
      // configuration, modify it and PUT it back, SSF 1.0 §8.1.1.4); any other value is refused.
      if (value?.endpoint_url !== undefined && value.endpoint_url !== pollUrl) throw new HttpError(400, 'poll endpoint_url is set by the transmitter')
      return { method, endpoint_url: pollUrl }
    }
    const url = value.endpoint_url
    if (typeof url !== 'string' || !URL.canParse(url)) throw new HttpError(400, 'push delivery requires an endpoint_url')
    const parsed = new URL(url)
    // fetch refuses a URL with credentials: accepted, it failed every push later.
    if (parsed.username !== '' || parsed.password !== '') throw new HttpError(400, 'endpoint_url must not hold credentials (use authorization_header)')
    if (!ctx.allowDeliveryUrl(parsed)) throw new HttpError(400, 'endpoint_url is not allowed')
    const auth = value.authorization_header
    // Also what Headers refuses (characters beyond U+00FF): accepted, it failed every push later.
    if (auth !== undefined && (typeof auth !== 'string' || auth.length === 0 || auth.length > 4096 || !/^[\t\x20-\x7e\x80-\xff]+$/.test(auth))) throw new HttpError(400, 'authorization_header is invalid')
    return auth === undefined ? { method, endpoint_url: url } : { method, endpoint_url: url, authorization_header: auth }
  }

  function configure(o: JSONObject, id: string, owner: string, previous: StreamConfiguration | undefined, patch: boolean): StreamConfiguration {
    const requested = optStringArray(o, 'events_requested') ?? (patch ? previous?.events_requested : undefined) ?? []
    const description = o.description ?? (patch ? previous?.description : undefined)
    if (description !== undefined && (typeof description !== 'string' || description.length > 1024)) throw new HttpError(400, 'description must be a string')
    const d = o.delivery !== undefined || !patch || previous === undefined ? delivery(o.delivery, id) : previous.delivery
    const c: Record<string, unknown> = {
      stream_id: id,
      iss: ctx.issuer,
      aud: previous?.aud ?? ctx.audience(owner),
      events_supported: ctx.eventsSupported,
      events_requested: requested,
      events_delivered: requested.filter((e) => ctx.eventsSupported.includes(e)),
      delivery: d,
    }
    if (description !== undefined) c.description = description
    if (ctx.minVerificationInterval > 0) c.min_verification_interval = ctx.minVerificationInterval
    return c as unknown as StreamConfiguration
  }

  // SSF 1.0 §8.1.1.3/§8.1.1.4: Transmitter-Supplied properties other than stream_id may be sent
  // back in an update or replace, but must match the current values (400 otherwise), so a request
  // to change `aud` (or any of them) is refused rather than answered 200 and silently ignored.
  function checkTransmitterSupplied(o: JSONObject, current: StreamConfiguration): void {
    for (const name of TRANSMITTER_SUPPLIED) {
      if (o[name] === undefined) continue
      if (JSON.stringify(o[name]) !== JSON.stringify(current[name])) throw new HttpError(400, `${name} is supplied by the transmitter and does not match the stream`)
    }
  }

  async function changeStream(o: JSONObject, owner: string, patch: boolean): Promise<Response> {
    const s = await owned(streamId(o), owner)
    checkTransmitterSupplied(o, s.config)
    const config = configure(o, s.config.stream_id, owner, s.config, patch)
    await ctx.outbox.putStream({ ...s, config })
    // SETs queued under the old method would otherwise be stranded (poll → push: never pushed,
    // the poll endpoint now 404s) or given up on (push → poll) instead of delivered. Done on
    // every update, not only when the method changes here: a move cut short by a store failure
    // or a crash after the configuration was saved is completed when the receiver repeats it.
    await ctx.redirected(s.config.stream_id, config.delivery.method === DELIVERY_METHODS.push ? 'push' : 'poll')
    return json(config)
  }

  async function stream(request: Request, owner: string): Promise<Response> {
    const url = new URL(request.url)
    switch (request.method) {
      case 'POST': {
        const o = await body(request)
        // One creation at a time per receiver: concurrent requests all passed the count together.
        return await ctx.exclusive(`owner:${owner}`, async () => {
          const mine = (await ctx.outbox.listStreams()).filter((s) => s.owner === owner)
          if (mine.length >= ctx.maxStreamsPerReceiver) throw new HttpError(409, 'too many streams for this receiver')
          const id = crypto.randomUUID().replaceAll('-', '')
          const config = configure(o, id, owner, undefined, false)
          await ctx.outbox.putStream({ config, owner, status: 'enabled', subjects: [], excluded: [] })
          return json(config, 201)
        })
      }
      case 'GET': {
        if (!url.searchParams.has('stream_id')) return json((await ctx.outbox.listStreams()).filter((s) => s.owner === owner).map((s) => s.config))
        return json((await owned(streamId(url.searchParams), owner)).config)
      }
      case 'PATCH':
      case 'PUT': {
        const o = await body(request)
        return await ctx.exclusive(`stream:${streamId(o)}`, () => changeStream(o, owner, request.method === 'PATCH'))
      }
      case 'DELETE': {
        const id = streamId(url.searchParams)
        return await ctx.exclusive(`stream:${id}`, async () => {
          const s = await owned(id, owner)
          await ctx.outbox.deleteStream(s.config.stream_id)
          return empty(204)
        })
      }
      default:
        return new Response(null, { status: 405, headers: { allow: 'GET, POST, PATCH, PUT, DELETE' } })
    }
  }

  async function status(request: Request, owner: string): Promise<Response> {
    if (request.method === 'GET') {
      const s = await owned(streamId(new URL(request.url).searchParams), owner)
      return json(s.reason === undefined ? { stream_id: s.config.stream_id, status: s.status } : { stream_id: s.config.stream_id, status: s.status, reason: s.reason })
    }
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'GET, POST' } })
    const o = await body(request)
    return ctx.exclusive(`stream:${streamId(o)}`, () => changeStatus(o, owner))
  }

  async function changeStatus(o: JSONObject, owner: string): Promise<Response> {
    const s = await owned(streamId(o), owner)
    if (o.status !== 'enabled' && o.status !== 'paused' && o.status !== 'disabled') throw new HttpError(400, 'status must be enabled, paused or disabled')
    if (o.reason !== undefined && (typeof o.reason !== 'string' || o.reason.length > 1024)) throw new HttpError(400, 'reason must be a string')
    // Everything else kept (lastVerificationAt too: dropping it let a status update reset the
    // verification rate limit); the reason belongs to this change.
    const { reason: _previous, ...rest } = s
    const next: StoredStream = { ...rest, status: o.status, ...(o.reason === undefined ? {} : { reason: o.reason as string }) }
    await ctx.outbox.putStream(next)
    if (next.status === 'enabled' && s.status !== 'enabled') await ctx.resumed(s.config.stream_id)
    return json(o.reason === undefined ? { stream_id: s.config.stream_id, status: o.status } : { stream_id: s.config.stream_id, status: o.status, reason: o.reason })
  }

  async function subjects(request: Request, owner: string, add: boolean): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
    const o = await body(request)
    return ctx.exclusive(`stream:${streamId(o)}`, () => changeSubjects(o, owner, add))
  }

  async function changeSubjects(o: JSONObject, owner: string, add: boolean): Promise<Response> {
    const s = await owned(streamId(o), owner)
    let subject
    try {
      subject = parseSubjectId(o.subject)
    } catch {
      throw new HttpError(400, 'subject is not a valid subject identifier')
    }
    // Every stream write copies its lists: bound each entry, and refuse (never silently drop the
    // oldest entry of) a full list.
    if (JSON.stringify(subject).length > MAX_SUBJECT_CHARS) throw new HttpError(400, `subject is larger than ${MAX_SUBJECT_CHARS} characters`)
    if (o.verified !== undefined && typeof o.verified !== 'boolean') throw new HttpError(400, 'verified must be a boolean')
    const without = (list: StoredStream['subjects']): StoredStream['subjects'] => list.filter((x) => !matchSubjectId(x, subject) || !matchSubjectId(subject, x))
    // Only the list that decides delivery (added with NONE, removed with ALL) is refused when full;
    // the other one is only recorded while it has room, so a full list nobody reads cannot stop a
    // receiver from removing a subject (NONE) or from adding back one it removed (ALL).
    const decides = (list: 'subjects' | 'excluded'): boolean => (list === 'subjects') === (ctx.metadata.default_subjects === 'NONE')
    const grown = (list: 'subjects' | 'excluded'): StoredStream['subjects'] => {
      const kept = without(s[list])
      if (kept.length < MAX_SUBJECTS) return [...kept, subject]
      if (decides(list)) throw new HttpError(400, `the stream already lists ${MAX_SUBJECTS} subjects`)
      return kept
    }
    const next: StoredStream = add
      ? { ...s, subjects: grown('subjects'), excluded: without(s.excluded) }
      : { ...s, subjects: without(s.subjects), excluded: grown('excluded') }
    await ctx.outbox.putStream(next)
    return add ? empty(200) : empty(204)
  }

  async function verification(request: Request, owner: string): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
    const o = await body(request)
    // One at a time per stream: concurrent requests all passed the interval and backlog checks.
    return ctx.exclusive(`stream:${streamId(o)}`, () => requestVerification(o, owner))
  }

  async function requestVerification(o: JSONObject, owner: string): Promise<Response> {
    const s = await owned(streamId(o), owner)
    if (o.state !== undefined && (typeof o.state !== 'string' || o.state.length > 1024)) throw new HttpError(400, 'state must be a string')
    const t = ctx.now()
    if (ctx.minVerificationInterval > 0 && s.lastVerificationAt !== undefined && t - s.lastVerificationAt < ctx.minVerificationInterval * 1000) throw new HttpError(429, 'verification requested too often')
    // Each request queues a SET: a receiver that does not take its SETs must not fill the shared outbox.
    if ((await ctx.outbox.pending(s.config.stream_id, MAX_PENDING_FOR_VERIFICATION)).more) throw new HttpError(429, 'too many undelivered SETs on this stream')
    await ctx.outbox.putStream({ ...s, lastVerificationAt: t })
    await ctx.verify(s.config.stream_id, o.state as string | undefined)
    return empty(204)
  }

  async function poll(request: Request, owner: string, id: string): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
    const s = await owned(id, owner)
    if (s.config.delivery.method !== DELIVERY_METHODS.poll) throw new HttpError(404, 'stream is not a poll stream')
    const o = await body(request, MAX_POLL_BODY)
    const maxEvents = o.maxEvents ?? 100
    if (typeof maxEvents !== 'number' || !Number.isInteger(maxEvents) || maxEvents < 0) throw new HttpError(400, 'maxEvents must be a non-negative integer')
    if (o.returnImmediately !== undefined && typeof o.returnImmediately !== 'boolean') throw new HttpError(400, 'returnImmediately must be a boolean')
    const ack = o.ack ?? []
    if (!Array.isArray(ack) || ack.length > MAX_ACKS || !ack.every((j) => typeof j === 'string')) throw new HttpError(400, 'ack must be an array of jti strings')
    const errs = o.setErrs ?? {}
    if (!isPlainObject(errs) || Object.keys(errs).length > MAX_ACKS) throw new HttpError(400, 'setErrs must be an object')
    for (const v of Object.values(errs)) if (!isPlainObject(v) || typeof v.err !== 'string') throw new HttpError(400, 'setErrs values must be {"err","description"} objects')
    await ctx.outbox.remove(id, ack as string[])
    for (const [jti, v] of Object.entries(errs)) {
      const e = v as JSONObject
      await ctx.outbox.fail(id, jti, `receiver: ${String(e.err).slice(0, 64)}${typeof e.description === 'string' ? `: ${e.description.slice(0, 200)}` : ''}`, ctx.now())
    }
    const limit = Math.min(maxEvents, MAX_POLL_EVENTS)
    if (limit === 0) return json({ sets: {} })
    const read = async (): Promise<Response | undefined> => {
      const current = await ctx.outbox.getStream(id)
      if (current === undefined) return json({ sets: {} })
      if (current.status !== 'enabled') {
        // Paused or disabled: events are held, but stream-control SETs (the stream-updated SET
        // announcing the change, verification) pass, as they do for push.
        const control = ctx.outbox.pendingControl !== undefined
          ? await ctx.outbox.pendingControl(id, limit)
          : (await ctx.outbox.pending(id, limit)).entries.filter((e) => e.control)
        // Nothing to return: a long poll is held as for an enabled stream (RFC 8936 §2.1), not
        // answered at once, which made a polling receiver spin while its stream was paused.
        if (control.length === 0) return undefined
        return json({ sets: Object.fromEntries(control.map((e) => [e.jti, e.token])) })
      }
      const { entries, more } = await ctx.outbox.pending(id, limit)
      if (entries.length === 0) return undefined
      return json({ sets: Object.fromEntries(entries.map((e) => [e.jti, e.token])), moreAvailable: more })
    }
    const first = await read()
    if (first !== undefined || o.returnImmediately === true || ctx.longPollTimeout === 0) return first ?? json({ sets: {} })
    await ctx.waitForEvents(id, ctx.longPollTimeout, request.signal)
    return (await read()) ?? json({ sets: {} })
  }

  return async function ssfTransmitter(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    try {
      if (path === wellKnown) {
        if (request.method !== 'GET') return new Response(null, { status: 405, headers: { allow: 'GET' } })
        return json(ctx.metadata)
      }
      if (path === `${base}/jwks`) {
        const jwk = { ...(await ctx.publicJwk()), use: 'sig', alg: ctx.alg }
        if (ctx.kid !== undefined) (jwk as Record<string, unknown>).kid = ctx.kid
        return json({ keys: [jwk] })
      }
      if (!path.startsWith(`${base}/`)) return empty(404)
      const owner = await receiver(request)
      const rest = path.slice(base.length + 1)
      if (rest === 'stream') return await stream(request, owner)
      if (rest === 'status') return await status(request, owner)
      if (rest === 'subjects/add') return await subjects(request, owner, true)
      if (rest === 'subjects/remove') return await subjects(request, owner, false)
      if (rest === 'verify') return await verification(request, owner)
      if (rest.startsWith('poll/')) {
        let id: string
        try {
          id = decodeURIComponent(rest.slice(5))
        } catch {
          return empty(404)
        }
        try {
          return await poll(request, owner, id)
        } catch (e) {
          // RFC 8936 §2.4 error shape for the poll endpoint.
          if (e instanceof HttpError && e.status === 400) return json({ err: 'invalid_request', description: e.message }, 400)
          throw e
        }
      }
      return empty(404)
    } catch (e) {
      if (e instanceof HttpError) {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' }
        if (e.status === 401) headers['www-authenticate'] = 'Bearer'
        return new Response(JSON.stringify({ error: e.status === 401 ? 'invalid_token' : 'invalid_request', error_description: e.message }), { status: e.status, headers })
      }
      return json({ error: 'server_error', error_description: 'the transmitter could not complete the request' }, 503)
    }
  }
}
