// Transmitter ↔ receivers end to end, in process: the transmitter's and the receiver's
// (Request) => Response handlers are wired through a routing fetch, time is a manual clock.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import {
  createMemoryDedupeCache, createPollReceiver, createPushReceiver, createStreamClient, discoverTransmitter,
  EVENT_TYPE_URIS, type EventHandler, type SecurityEventToken,
} from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { manualClock, routeFetch, testKey } from '../../helpers/ssf.js'

const TX = 'https://tx.example.com'
const RX = 'https://rx.example.com'
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
const SESSION_REVOKED = EVENT_TYPE_URIS['session-revoked']
const txKey = await testKey('tx-key')

interface Setup {
  clock: ReturnType<typeof manualClock>
  transmitter: ReturnType<typeof createTransmitter>
  client: ReturnType<typeof createStreamClient>
  received: SecurityEventToken[]
  handler: { fn: EventHandler }
  outbox: OutboxStore
  fetchTx: ReturnType<typeof routeFetch>
  verify: { issuer: string; audience: string; keys: { keys: unknown[] }; clock: () => number }
}

async function setup(outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}): Promise<Setup> {
  const clock = manualClock()
  const received: SecurityEventToken[] = []
  const handler: { fn: EventHandler } = { fn: async (set) => { received.push(set) } }
  let receive: (r: Request) => Promise<Response> = async () => new Response(null, { status: 503 })
  const transmitter = createTransmitter({
    issuer: TX,
    signer: txKey.signer,
    clock,
    outbox,
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 4 },
    authorizeReceiver: (req) => ({ 'Bearer rx-token': 'rx', 'Bearer other-token': 'other' })[req.headers.get('authorization') ?? ''],
    allowDeliveryUrl: (u) => u.origin === RX,
    longPollTimeout: 50,
    fetch: routeFetch({ [RX]: (r) => receive(r) }),
    ...extra,
  })
  const fetchTx = routeFetch({ [TX]: (r) => transmitter.handle(r) })
  const jwks = (await (await fetchTx(`${TX}/ssf/jwks`)).json()) as { keys: unknown[] }
  const verify = { issuer: TX, audience: 'rx', keys: jwks, clock }
  receive = createPushReceiver({ verify: verify as never, authorization: 'Bearer push-secret', replayCache: createMemoryDedupeCache({ clock }), onEvent: (set, ctx) => handler.fn(set, ctx) })
  const client = createStreamClient({ issuer: TX, authorization: 'Bearer rx-token', audience: 'rx', fetch: fetchTx })
  return { clock, transmitter, client, received, handler, outbox, fetchTx, verify }
}

const pushDelivery = { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf`, authorization_header: 'Bearer push-secret' }

describe('transmitter metadata and stream management', () => {
  it('serves metadata at the SSF well-known URL with the issuer and endpoints', async () => {
    const { fetchTx } = await setup()
    const m = await discoverTransmitter(TX, { fetch: fetchTx })
    expect(m).toMatchObject({ issuer: TX, spec_version: '1_0', jwks_uri: `${TX}/ssf/jwks`, configuration_endpoint: `${TX}/ssf/stream`, delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'], default_subjects: 'ALL' })
    await expect(discoverTransmitter('https://tx.example.com/other', { fetch: fetchTx })).rejects.toBeInstanceOf(ProtocolError)
  })

  it('creates, reads, lists, updates, replaces and deletes streams; checks iss and aud', async () => {
    const { client } = await setup()
    const s = await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED, 'https://example.com/unsupported'], description: 'api' })
    expect(s).toMatchObject({ iss: TX, aud: 'rx', events_delivered: [SESSION_REVOKED], delivery: pushDelivery, description: 'api' })
    expect(await client.getStream(s.stream_id)).toEqual(s)
    expect((await client.listStreams()).map((x) => x.stream_id)).toEqual([s.stream_id])
    const updated = await client.updateStream(s.stream_id, { events_requested: [EVENT_TYPE_URIS['credential-change']] })
    expect(updated).toMatchObject({ events_delivered: [EVENT_TYPE_URIS['credential-change']], description: 'api', delivery: pushDelivery })
    const replaced = await client.replaceStream(s.stream_id, { delivery: pushDelivery })
    expect(replaced?.events_delivered).toEqual([])
    expect(replaced?.description).toBeUndefined()
    await client.deleteStream(s.stream_id)
    await expect(client.getStream(s.stream_id)).rejects.toMatchObject({ code: 'ERR_SSF_STREAM', status: 404 })
  })

  it('isolates receivers, requires authentication and validates requests', async () => {
    const { client, fetchTx } = await setup()
    const s = await client.createStream({ delivery: pushDelivery })
    const other = createStreamClient({ issuer: TX, authorization: 'Bearer other-token', fetch: fetchTx })
    await expect(other.getStream(s.stream_id)).rejects.toMatchObject({ status: 404 })
    expect(await other.listStreams()).toEqual([])
    const anon = createStreamClient({ issuer: TX, authorization: 'Bearer nope', fetch: fetchTx })
    await expect(anon.listStreams()).rejects.toMatchObject({ status: 401, error: 'invalid_token' })
    await expect(client.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'http://169.254.169.254/latest' } })).rejects.toMatchObject({ status: 400 })
    await expect(client.createStream({ delivery: { method: 'urn:example:carrier-pigeon' } })).rejects.toMatchObject({ status: 400 })
    await expect(client.addSubject(s.stream_id, { format: 'email', email: 'bad' } as never)).rejects.toMatchObject({ status: 400 })
    const res = await fetchTx(`${TX}/ssf/stream`, { method: 'POST', headers: { authorization: 'Bearer rx-token', 'content-type': 'application/json' }, body: '{"delivery":' })
    expect(res.status).toBe(400)
  })

  it('limits streams per receiver with 409', async () => {
    const { client } = await setup(createMemoryOutbox(), { maxStreamsPerReceiver: 1 })
    await client.createStream({ delivery: pushDelivery })
    await expect(client.createStream({ delivery: pushDelivery })).rejects.toMatchObject({ status: 409 })
  })

  it('reads and sets stream status; rate-limits verification with 429', async () => {
    const { client } = await setup(createMemoryOutbox(), { minVerificationInterval: 30 })
    const s = await client.createStream({ delivery: pushDelivery })
    expect(await client.getStatus(s.stream_id)).toEqual({ stream_id: s.stream_id, status: 'enabled' })
    expect(await client.setStatus(s.stream_id, 'paused', 'maintenance')).toEqual({ stream_id: s.stream_id, status: 'paused', reason: 'maintenance' })
    expect(await client.getStatus(s.stream_id)).toMatchObject({ status: 'paused', reason: 'maintenance' })
    await client.requestVerification(s.stream_id)
    await expect(client.requestVerification(s.stream_id)).rejects.toMatchObject({ status: 429 })
  })
})

describe('push delivery', () => {
  it('delivers a verification SET echoing the state', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: pushDelivery })
    await client.requestVerification(s.stream_id, 'state-123')
    expect((await transmitter.deliver()).delivered).toHaveLength(1)
    expect(received[0]?.event).toMatchObject({ type: 'verification', state: 'state-123' })
    expect(received[0]?.subject).toEqual({ format: 'opaque', id: s.stream_id })
  })

  it('emits a typed event signed as secevent+jwt to streams that requested it', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    await client.createStream({ delivery: pushDelivery, events_requested: [EVENT_TYPE_URIS['account-disabled']] })
    const emitted = await transmitter.emit({ type: 'session-revoked', initiating_entity: 'admin' }, AGENT, { txn: 'txn-1' })
    expect(emitted.map((e) => e.streamId)).toEqual([s.stream_id])
    await transmitter.deliver()
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ jti: emitted[0]!.jti, txn: 'txn-1', header: { typ: 'secevent+jwt', kid: 'tx-key' }, event: { type: 'session-revoked', initiating_entity: 'admin' }, subject: AGENT })
  })

  it('no loss: a handler that throws gets the SET again after backoff and processes it exactly once', async () => {
    const { client, transmitter, received, handler, clock } = await setup()
    await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    let calls = 0
    handler.fn = async (set) => { calls++; if (calls <= 2) throw new Error('database unavailable'); received.push(set) }
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    expect((await transmitter.deliver()).retrying).toHaveLength(1)
    expect((await transmitter.deliver()).retrying).toHaveLength(0) // not due yet (1 s backoff)
    clock.advance(1)
    expect((await transmitter.deliver()).retrying).toHaveLength(1)
    clock.advance(2)
    const last = await transmitter.deliver()
    expect(last.delivered).toHaveLength(1)
    clock.advance(100)
    expect((await transmitter.deliver()).delivered).toHaveLength(0)
    expect(calls).toBe(3)
    expect(received).toHaveLength(1)
  })

  it('gives up at once on a 400 rejection and after maxAttempts on errors', async () => {
    const { client, transmitter, handler, clock } = await setup()
    await client.createStream({ delivery: { ...pushDelivery, authorization_header: 'Bearer wrong' }, events_requested: [SESSION_REVOKED] })
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    for (let i = 0; i < 4; i++) {
      await transmitter.deliver()
      clock.advance(60)
    }
    const failed = await transmitter.failed()
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ attempts: 3, error: expect.stringContaining('401 authentication_failed') })
    handler.fn = async () => {}
    const s2 = await client.createStream({ delivery: pushDelivery, events_requested: [EVENT_TYPE_URIS['credential-change']] })
    await transmitter.emit({ uri: EVENT_TYPE_URIS['credential-change'], payload: { credential_type: 'pin', change_type: 'revoke' } }, AGENT)
    expect((await transmitter.deliver()).delivered).toHaveLength(1)
    expect(s2.stream_id).toBeDefined()
  })

  it('holds events while paused and delivers them in order once enabled', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    await client.setStatus(s.stream_id, 'paused')
    await transmitter.emit({ type: 'session-revoked' }, AGENT, { txn: 'a' })
    await transmitter.emit({ type: 'session-revoked' }, AGENT, { txn: 'b' })
    expect((await transmitter.deliver()).held).toHaveLength(2)
    expect(received).toHaveLength(0)
    await client.setStatus(s.stream_id, 'enabled')
    await transmitter.deliver()
    expect(received.map((r) => r.txn)).toEqual(['a', 'b'])
  })

  it('sends stream-updated on transmitter-initiated status changes and drops events while disabled', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    await transmitter.updateStatus(s.stream_id, 'disabled', 'license expired')
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toEqual([])
    await transmitter.deliver()
    expect(received.map((r) => r.event)).toMatchObject([{ type: 'stream-updated', status: 'disabled', reason: 'license expired' }])
  })

  it('filters by subject: removed subjects are excluded; with default NONE only added ones count', async () => {
    const { client, transmitter } = await setup()
    const s = await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    await client.removeSubject(s.stream_id, AGENT)
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toEqual([])
    expect(await transmitter.emit({ type: 'session-revoked' }, { format: 'uri', uri: 'spiffe://example.org/agent/8' })).toHaveLength(1)
    await client.addSubject(s.stream_id, AGENT, true)
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toHaveLength(1)
    const none = await setup(createMemoryOutbox(), { defaultSubjects: 'NONE' })
    const s2 = await none.client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    expect(await none.transmitter.emit({ type: 'session-revoked' }, AGENT)).toEqual([])
    await none.client.addSubject(s2.stream_id, { format: 'complex', user: AGENT } as never)
    expect(await none.transmitter.emit({ type: 'session-revoked' }, AGENT)).toEqual([])
    await none.client.addSubject(s2.stream_id, AGENT)
    expect(await none.transmitter.emit({ type: 'session-revoked' }, { format: 'complex', user: AGENT, session: { format: 'opaque', id: 's1' } })).toHaveLength(1)
  })

  it('refuses to emit malformed events or subjects (coded TypeError)', async () => {
    const { transmitter } = await setup()
    await expect(transmitter.emit({ type: 'credential-change' }, AGENT)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(transmitter.emit({ type: 'session-revoked' }, { format: 'email', email: 'x' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(transmitter.emit({ type: 'no-such-event' } as never, AGENT)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('a restarted transmitter on the same outbox delivers what the old one left; a fresh memory outbox cannot', async () => {
    const outbox = createMemoryOutbox()
    const first = await setup(outbox)
    await first.client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    await first.transmitter.emit({ type: 'session-revoked' }, AGENT)
    const second = await setup(outbox) // same store, new instance
    expect((await second.transmitter.deliver()).delivered).toHaveLength(1)
    expect(second.received).toHaveLength(1)
    const lost = await setup(createMemoryOutbox())
    expect((await lost.transmitter.deliver()).delivered).toHaveLength(0)
  })

  it('start() delivers in the background right after emit; stop() ends the loop', async () => {
    const { client, transmitter, received } = await setup(createMemoryOutbox(), { interval: 5 })
    await client.createStream({ delivery: pushDelivery, events_requested: [SESSION_REVOKED] })
    transmitter.start()
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    await transmitter.stop()
    expect(received).toHaveLength(1)
  })
})

describe('poll delivery', () => {
  async function pollSetup(extra: Record<string, unknown> = {}) {
    const s = await setup(createMemoryOutbox(), extra)
    const stream = await s.client.createStream({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [SESSION_REVOKED] })
    expect(stream.delivery.endpoint_url).toBe(`${TX}/ssf/poll/${stream.stream_id}`)
    const dedupe = createMemoryDedupeCache({ clock: s.clock })
    const receiver = (onEvent: EventHandler, options: Record<string, unknown> = {}) =>
      createPollReceiver({ endpoint: stream.delivery.endpoint_url!, authorization: 'Bearer rx-token', verify: s.verify as never, replayCache: dedupe, onEvent, fetch: s.fetchTx, returnImmediately: true, ...options })
    return { ...s, stream, receiver }
  }

  it('receives, processes and acknowledges; acked SETs are gone', async () => {
    const { transmitter, receiver, outbox, stream } = await pollSetup()
    const got: string[] = []
    const r = receiver(async (set) => { got.push(set.jti) })
    const [e] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const first = await r.poll()
    expect(first).toMatchObject({ processed: [e!.jti], moreAvailable: false })
    expect(r.pending.ack).toBe(1)
    const second = await r.poll() // carries the ack
    expect(second.processed).toEqual([])
    expect(r.pending.ack).toBe(0)
    expect((await outbox.pending(stream.stream_id, 10)).entries).toHaveLength(0)
    expect(got).toEqual([e!.jti])
  })

  it('no loss: a receiver killed between receipt and ack gets the SET again; a new instance processes it once', async () => {
    const { transmitter, receiver } = await pollSetup()
    const got: string[] = []
    const onEvent: EventHandler = async (set) => { got.push(set.jti) }
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    await receiver(onEvent).poll() // processed, ack queued … and the process dies
    const restarted = receiver(onEvent)
    const again = await restarted.poll()
    expect(again.duplicates).toHaveLength(1)
    expect(again.processed).toHaveLength(0)
    await restarted.flush()
    expect((await restarted.poll()).duplicates).toHaveLength(0)
    expect(got).toHaveLength(1)
  })

  it('a failing handler is not acknowledged; the SET comes back and is processed once', async () => {
    const { transmitter, receiver } = await pollSetup()
    let calls = 0
    const r = receiver(async () => { calls++; if (calls === 1) throw new Error('boom') })
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    expect((await r.poll()).failed).toHaveLength(1)
    expect(r.pending.ack).toBe(0)
    expect((await r.poll()).processed).toHaveLength(1)
    await r.flush()
    expect((await r.poll()).processed).toHaveLength(0)
    expect(calls).toBe(2)
  })

  it('reports invalid SETs in setErrs with RFC codes; the transmitter records them', async () => {
    const { transmitter, receiver, verify } = await pollSetup()
    const r = receiver(async () => {}, { verify: { ...(verify as object), audience: 'someone-else' } })
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const res = await r.poll()
    expect(res.rejected).toHaveLength(1)
    expect(r.pending.setErrs).toBe(1)
    await r.flush()
    expect((await transmitter.failed())[0]?.error).toMatch(/^receiver: invalid_audience/)
  })

  it('pages with maxEvents and moreAvailable', async () => {
    const { transmitter, receiver } = await pollSetup()
    for (let i = 0; i < 5; i++) await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const r = receiver(async () => {}, { maxEvents: 2 })
    const a = await r.poll()
    expect(a).toMatchObject({ moreAvailable: true })
    expect(a.processed).toHaveLength(2)
    expect((await r.poll()).processed).toHaveLength(2)
    const c = await r.poll()
    expect(c.processed).toHaveLength(1)
    expect(c.moreAvailable).toBe(false)
  })

  it('long polling returns as soon as an event is emitted', async () => {
    const { transmitter, receiver } = await pollSetup({ longPollTimeout: 5000 })
    const r = receiver(async () => {}, { returnImmediately: false })
    const started = Date.now()
    const pending = r.poll()
    await new Promise((res) => setTimeout(res, 20))
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    expect((await pending).processed).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('poll endpoint errors: wrong stream owner 404, bad body 400 with err, poll on push stream 404', async () => {
    const { stream, fetchTx, client } = await pollSetup()
    const post = (auth: string, body: string, url = stream.delivery.endpoint_url!) => fetchTx(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body })
    expect((await post('Bearer other-token', '{}')).status).toBe(404)
    const bad = await post('Bearer rx-token', '{"maxEvents":-1}')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ err: 'invalid_request' })
    expect((await post('Bearer rx-token', '{"ack":"x"}')).status).toBe(400)
    const push = await client.createStream({ delivery: pushDelivery })
    expect((await post('Bearer rx-token', '{}', `${TX}/ssf/poll/${push.stream_id}`)).status).toBe(404)
  })

  it('start() polls in a loop and backs off after errors with the injected sleep; stop() flushes acks', async () => {
    const { transmitter, receiver } = await pollSetup()
    const sleeps: number[] = []
    let fail = 2
    const got: string[] = []
    const r = receiver(async (set) => { got.push(set.jti) }, {
      sleep: async (ms: number) => { sleeps.push(ms); await new Promise((res) => setTimeout(res, 1)) },
      backoff: { initialDelay: 100, maxDelay: 250, factor: 2 },
      fetch: async (input: Request | URL | string, init?: RequestInit) => {
        if (fail-- > 0) throw new TypeError('network down')
        return routeFetch({ [TX]: (req) => transmitter.handle(req) })(input, init)
      },
    })
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    r.start()
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 2))
    await r.stop()
    expect(got).toHaveLength(1)
    expect(sleeps.slice(0, 2)).toEqual([100, 200])
    expect(r.pending.ack).toBe(0)
  })
})

describe('transmitter HTTP hygiene', () => {
  it('answers 404 for unknown paths and malformed stream ids, 405 for wrong methods', async () => {
    const { fetchTx } = await setup()
    const auth = { authorization: 'Bearer rx-token' }
    expect((await fetchTx(`${TX}/nothing`)).status).toBe(404)
    expect((await fetchTx(`${TX}/ssf/poll/%E0%A4%A`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(404)
    expect((await fetchTx(`${TX}/.well-known/ssf-configuration`, { method: 'POST' })).status).toBe(405)
    expect((await fetchTx(`${TX}/ssf/verify`, { headers: auth })).status).toBe(405)
    expect((await fetchTx(`${TX}/ssf/stream`, { method: 'POST', headers: auth, body: 'x'.repeat(70_000) })).status).toBe(400)
  })
})

describe('transmitter subject lists', () => {
  it('refuses an oversized subject with 400 and stores nothing', async () => {
    const { client, outbox } = await setup()
    const s = await client.createStream({ delivery: pushDelivery })
    const blob = { format: 'x-blob', blob: 'x'.repeat(60_000) }
    await expect(client.addSubject(s.stream_id, blob as never)).rejects.toMatchObject({ status: 400 })
    await expect(client.removeSubject(s.stream_id, blob as never)).rejects.toMatchObject({ status: 400 })
    expect((await outbox.getStream(s.stream_id))?.subjects).toEqual([])
    expect((await outbox.getStream(s.stream_id))?.excluded).toEqual([])
  })

  it('refuses a subject beyond a full list instead of silently dropping the oldest one', async () => {
    const { client, outbox } = await setup()
    const s = await client.createStream({ delivery: pushDelivery })
    const stored = (await outbox.getStream(s.stream_id))!
    const full = Array.from({ length: 10_000 }, (_, i) => ({ format: 'opaque', id: `u${i}` }) as const)
    await outbox.putStream({ ...stored, subjects: full, excluded: full })
    // default_subjects ALL: the removed list decides delivery; the full added list is not grown.
    await client.addSubject(s.stream_id, { format: 'opaque', id: 'one-more' })
    await expect(client.removeSubject(s.stream_id, { format: 'opaque', id: 'one-more' })).rejects.toMatchObject({ status: 400 })
    const after = (await outbox.getStream(s.stream_id))!
    expect(after.subjects[0]).toEqual({ format: 'opaque', id: 'u0' })
    expect(after.excluded[0]).toEqual({ format: 'opaque', id: 'u0' })
    // Re-adding a listed subject is not growth.
    await client.addSubject(s.stream_id, { format: 'opaque', id: 'u5' })
    expect((await outbox.getStream(s.stream_id))!.subjects).toHaveLength(10_000)
  })
})

describe('transmitter push delivery isolation', () => {
  it('a receiver that hangs costs one push timeout per pass and does not hold up other streams', async () => {
    const slowCalls: string[] = []
    const fastCalls: string[] = []
    const fetch = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
      const url = String(input)
      if (url.startsWith('https://slow.example')) {
        slowCalls.push(url)
        return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))
      }
      fastCalls.push(url)
      return new Response(null, { status: 202 })
    }
    const transmitter = createTransmitter({
      issuer: TX, signer: txKey.signer, outbox: createMemoryOutbox(), fetch, pushTimeout: 100,
      authorizeReceiver: (req) => req.headers.get('authorization') ?? undefined,
      allowDeliveryUrl: () => true,
    })
    for (const [who, url] of [['evil', 'https://slow.example/ssf'], ['good', `${RX}/ssf`]]) {
      const res = await transmitter.handle(new Request(`${TX}/ssf/stream`, { method: 'POST', headers: { authorization: who! }, body: JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: url }, events_requested: [SESSION_REVOKED] }) }))
      expect(res.status).toBe(201)
    }
    for (let i = 0; i < 8; i++) await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: `s${i}` })
    const started = performance.now()
    const report = await transmitter.deliver()
    expect(performance.now() - started).toBeLessThan(1000) // was 8 × the push timeout, one hang after another
    expect(fastCalls).toHaveLength(8)
    expect(report.delivered).toHaveLength(8)
    expect(slowCalls).toHaveLength(1)
    expect(report.retrying).toHaveLength(8) // the one tried and the seven rescheduled with it
    expect(await transmitter.deliver()).toMatchObject({ delivered: [], retrying: [] }) // all backed off
  })
})

describe('transmitter verification requests', () => {
  it('a receiver that does not take its SETs cannot fill the shared outbox with verification SETs', async () => {
    const outbox = createMemoryOutbox({ maxEntries: 40 })
    const { client, transmitter } = await setup(outbox)
    const s = await client.createStream({}) // poll stream, never polled
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) statuses.push(await client.requestVerification(s.stream_id).then(() => 204, (e: ProtocolError) => e.status ?? 0))
    expect(statuses.filter((x) => x === 204)).toHaveLength(17)
    expect(statuses.slice(17).every((x) => x === 429)).toBe(true)
    expect((await outbox.pending(s.stream_id, 100)).entries).toHaveLength(17)
    const other = createStreamClient({ issuer: TX, authorization: 'Bearer other-token', audience: 'other', fetch: routeFetch({ [TX]: (r) => transmitter.handle(r) }) })
    await other.createStream({ events_requested: [SESSION_REVOKED] })
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toHaveLength(1) // the outbox still has room
  })
})

describe('transmitter per-stream backlog', () => {
  it('disables a stream whose receiver does not take delivery instead of filling the shared outbox', async () => {
    const outbox = createMemoryOutbox({ maxEntries: 50 })
    const { client, transmitter } = await setup(outbox, { maxQueuedPerStream: 5 })
    const idle = await client.createStream({ events_requested: [SESSION_REVOKED] }) // poll, never polled
    const other = createStreamClient({ issuer: TX, authorization: 'Bearer other-token', audience: 'other', fetch: routeFetch({ [TX]: (r) => transmitter.handle(r) }) })
    const busy = await other.createStream({ events_requested: [SESSION_REVOKED] })
    const emitted: string[][] = []
    for (let i = 0; i < 30; i++) emitted.push((await transmitter.emit({ type: 'session-revoked' }, AGENT)).map((e) => e.streamId))
    // The idle stream got five, then was disabled with a reason (one stream-updated SET queued for it).
    expect(emitted.filter((ids) => ids.includes(idle.stream_id))).toHaveLength(5)
    expect(await client.getStatus(idle.stream_id)).toMatchObject({ status: 'disabled', reason: expect.stringContaining('not taking delivery') })
    expect(await outbox.queued!(idle.stream_id)).toBe(6)
    // The other stream kept receiving, up to its own limit, and no emit failed for lack of room.
    expect(emitted.filter((ids) => ids.includes(busy.stream_id)).length).toBe(5)
    // Without queued(), the transmitter asks pending() for one more than the limit.
    const plain = createMemoryOutbox()
    const { queued: _unused, ...withoutCount } = plain
    const s2 = await setup(withoutCount as OutboxStore, { maxQueuedPerStream: 3 })
    const idle2 = await s2.client.createStream({ events_requested: [SESSION_REVOKED] })
    for (let i = 0; i < 6; i++) await s2.transmitter.emit({ type: 'session-revoked' }, AGENT)
    expect((await plain.pending(idle2.stream_id, 100)).entries.filter((e) => !e.control)).toHaveLength(3)
    expect(await s2.client.getStatus(idle2.stream_id)).toMatchObject({ status: 'disabled' })
    expect(() => createTransmitter({ issuer: TX, signer: txKey.signer, authorizeReceiver: () => 'rx', maxQueuedPerStream: 0 })).toThrow(TypeError)
  })
})
