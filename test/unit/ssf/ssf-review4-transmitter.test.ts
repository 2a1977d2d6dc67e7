// Review round 4: transmitter regressions (delivery-method changes, disabled push streams,
// status reasons, subject matching, poll control SETs).
import { describe, expect, it } from 'vitest'
import {
  createMemoryDedupeCache, createPollReceiver, createPushReceiver, createStreamClient, EVENT_TYPE_URIS,
  type EventHandler, type SecurityEventToken,
} from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { manualClock, routeFetch, testKey } from '../../helpers/ssf.js'

const TX = 'https://tx.example.com'
const RX = 'https://rx.example.com'
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
const SESSION_REVOKED = EVENT_TYPE_URIS['session-revoked']
const POLL = { method: 'urn:ietf:rfc:8936' }
const PUSH = { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf`, authorization_header: 'Bearer push-secret' }
const txKey = await testKey('tx-key')

async function setup(outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}) {
  const clock = manualClock()
  const received: SecurityEventToken[] = []
  let receive: (r: Request) => Promise<Response> = async () => new Response(null, { status: 503 })
  const transmitter = createTransmitter({
    issuer: TX,
    signer: txKey.signer,
    clock,
    outbox,
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 4 },
    authorizeReceiver: (req) => ({ 'Bearer rx-token': 'rx' })[req.headers.get('authorization') ?? ''],
    allowDeliveryUrl: (u) => u.origin === RX,
    longPollTimeout: 0,
    fetch: routeFetch({ [RX]: (r) => receive(r) }),
    ...extra,
  })
  const fetchTx = routeFetch({ [TX]: (r) => transmitter.handle(r) })
  const jwks = (await (await fetchTx(`${TX}/ssf/jwks`)).json()) as { keys: unknown[] }
  const verify = { issuer: TX, audience: 'rx', keys: jwks, clock }
  receive = createPushReceiver({ verify: verify as never, authorization: 'Bearer push-secret', replayCache: createMemoryDedupeCache({ clock }), onEvent: (set) => { received.push(set) } })
  const client = createStreamClient({ issuer: TX, authorization: 'Bearer rx-token', audience: 'rx', fetch: fetchTx })
  const poller = (endpoint: string, onEvent: EventHandler) =>
    createPollReceiver({ endpoint, authorization: 'Bearer rx-token', verify: verify as never, replayCache: createMemoryDedupeCache({ clock }), onEvent, fetch: fetchTx, returnImmediately: true })
  return { clock, transmitter, client, received, outbox, poller }
}

describe('changing a stream between push and poll keeps its queued SETs', () => {
  it('poll → push: SETs queued for polling are pushed', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: POLL, events_requested: [SESSION_REVOKED] })
    const emitted = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    await client.updateStream(s.stream_id, { delivery: PUSH })
    expect((await transmitter.deliver()).delivered).toEqual(emitted.map((e) => e.jti))
    expect(received.map((r) => r.jti)).toEqual(emitted.map((e) => e.jti))
  })

  it('push → poll: SETs queued for push are returned to the poller, not given up on', async () => {
    const { client, transmitter, poller } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const emitted = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const updated = await client.replaceStream(s.stream_id, { delivery: POLL, events_requested: [SESSION_REVOKED] })
    expect((await transmitter.deliver()).failed).toEqual([])
    const got: string[] = []
    const r = poller(updated!.delivery.endpoint_url!, (set) => { got.push(set.jti) })
    expect((await r.poll()).processed).toEqual(emitted.map((e) => e.jti))
    expect(got).toEqual(emitted.map((e) => e.jti))
    expect(await transmitter.failed()).toEqual([])
  })

  it('a push entry found on a stream that is now poll (changed meanwhile) waits for the poller', async () => {
    const { client, transmitter, outbox, poller } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const [e] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const stored = (await outbox.getStream(s.stream_id))!
    // As if another instance changed the configuration without moving the entry.
    await outbox.putStream({ ...stored, config: { ...stored.config, delivery: { method: POLL.method, endpoint_url: `${TX}/ssf/poll/${s.stream_id}` } } })
    expect((await transmitter.deliver()).failed).toEqual([])
    const got: string[] = []
    await poller(`${TX}/ssf/poll/${s.stream_id}`, (set) => { got.push(set.jti) }).poll()
    expect(got).toEqual([e!.jti])
  })
})

describe('a disabled push stream keeps the SETs it had queued', () => {
  it('the backlog of a stream disabled for not taking delivery is delivered once it is enabled again', async () => {
    const base = await setup(createMemoryOutbox(), { maxQueuedPerStream: 3 })
    const { client, transmitter, outbox, received } = base
    // The receiver does not take delivery (its push endpoint refuses the header with 401).
    const s = await client.createStream({ delivery: { ...PUSH, authorization_header: 'Bearer down' }, events_requested: [SESSION_REVOKED] })
    const emitted: string[] = []
    for (let i = 0; i < 5; i++) emitted.push(...(await transmitter.emit({ type: 'session-revoked' }, AGENT)).map((e) => e.jti))
    expect(emitted).toHaveLength(3)
    expect(await client.getStatus(s.stream_id)).toMatchObject({ status: 'disabled' })
    base.clock.advance(3600)
    const pass = await transmitter.deliver()
    expect(pass.failed).toEqual([])
    expect(pass.held.filter((j) => emitted.includes(j))).toHaveLength(3)
    const queued = (await outbox.pending(s.stream_id, 10)).entries.filter((e) => !e.control).map((e) => e.jti)
    expect(queued).toEqual(emitted)
    // The receiver is back: it fixes its header and re-enables the stream; nothing was lost.
    await client.updateStream(s.stream_id, { delivery: PUSH })
    await client.setStatus(s.stream_id, 'enabled')
    await transmitter.deliver()
    expect(received.filter((r) => r.event.type === 'session-revoked').map((r) => r.jti)).toEqual(emitted)
  })
})

describe('transmitter-initiated status changes', () => {
  it('an earlier reason does not outlive the status it explained', async () => {
    const { client, transmitter } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await transmitter.updateStatus(s.stream_id, 'disabled', 'license expired')
    expect(await client.getStatus(s.stream_id)).toEqual({ stream_id: s.stream_id, status: 'disabled', reason: 'license expired' })
    await transmitter.updateStatus(s.stream_id, 'enabled')
    expect(await client.getStatus(s.stream_id)).toEqual({ stream_id: s.stream_id, status: 'enabled' })
  })

  it('refuses an unknown status or a non-string reason (coded TypeError, nothing stored or sent)', async () => {
    const { client, transmitter, outbox } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await expect(transmitter.updateStatus(s.stream_id, 'off' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(transmitter.updateStatus(s.stream_id, 'paused', 7 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    expect(await client.getStatus(s.stream_id)).toEqual({ stream_id: s.stream_id, status: 'enabled' })
    expect((await outbox.pending(s.stream_id, 10)).entries).toEqual([])
  })
})

describe('default_subjects NONE: SSF 1.0 §8.1.3.1 subject matching', () => {
  const jdoe = { format: 'email', email: 'jdoe@example.com' } as const

  it('an added complex subject covers an event subject that leaves out one of its members (the spec example)', async () => {
    const { client, transmitter } = await setup(createMemoryOutbox(), { defaultSubjects: 'NONE' })
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await client.addSubject(s.stream_id, { format: 'complex', user: jdoe, device: { format: 'ip-addresses', 'ip-addresses': ['10.29.37.75'] } } as never)
    expect(await transmitter.emit({ type: 'session-revoked' }, { format: 'complex', user: jdoe } as never)).toHaveLength(1)
    // Less restrictive added subject, more specific event (the spec's first example).
    const t = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const tenant = { format: 'opaque', id: 'example-a38h4792-uw2' } as const
    await client.addSubject(t.stream_id, { format: 'complex', tenant } as never)
    // Both streams: the first one's user matches too (tenant and device are wildcards on one side each).
    expect((await transmitter.emit({ type: 'session-revoked' }, { format: 'complex', tenant, user: jdoe } as never)).map((e) => e.streamId).sort()).toEqual([s.stream_id, t.stream_id].sort())
    expect((await transmitter.emit({ type: 'session-revoked' }, { format: 'complex', tenant, user: { format: 'email', email: 'other@example.com' } } as never)).map((e) => e.streamId)).toEqual([t.stream_id])
  })

  it('does not cover an event whose shared member differs, nor one with no member in common', async () => {
    const { client, transmitter } = await setup(createMemoryOutbox(), { defaultSubjects: 'NONE' })
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await client.addSubject(s.stream_id, { format: 'complex', user: jdoe, group: { format: 'did', url: 'did:example:123456' } } as never)
    expect(await transmitter.emit({ type: 'session-revoked' }, { format: 'complex', user: jdoe, group: { format: 'did', url: 'did:example:9999999' } } as never)).toEqual([])
    expect(await transmitter.emit({ type: 'session-revoked' }, { format: 'complex', tenant: { format: 'opaque', id: 't' } } as never)).toEqual([])
  })
})

describe('stream update and replace: Transmitter-Supplied properties (SSF 1.0 §8.1.1.3, §8.1.1.4)', () => {
  async function call(method: 'PATCH' | 'PUT', body: Record<string, unknown>): Promise<Response> {
    return routeFetch({ [TX]: (r) => current!.transmitter.handle(r) })(`${TX}/ssf/stream`, { method, headers: { authorization: 'Bearer rx-token', 'content-type': 'application/json' }, body: JSON.stringify(body) })
  }
  let current: Awaited<ReturnType<typeof setup>> | undefined

  it('refuses (400) a value that does not match, and changes nothing', async () => {
    current = await setup()
    const s = await current.client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED], description: 'api' })
    for (const method of ['PATCH', 'PUT'] as const) {
      for (const wrong of [{ aud: 'someone-else' }, { iss: 'https://evil.example' }, { events_delivered: [] }, { events_supported: [SESSION_REVOKED] }, { min_verification_interval: 1 }]) {
        const res = await call(method, { stream_id: s.stream_id, delivery: PUSH, description: 'changed', ...wrong })
        expect(res.status).toBe(400)
      }
    }
    expect(await current.client.getStream(s.stream_id)).toEqual(s)
  })

  it('accepts the configuration as read, echoed back with its Transmitter-Supplied values', async () => {
    current = await setup()
    const s = await current.client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const res = await call('PUT', { ...s, description: 'read, modified, replaced' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ...s, description: 'read, modified, replaced' })
  })
})

describe('push delivery with a fetch that ignores its abort signal', () => {
  it('a hanging receiver (no answer, or an error body that never ends) costs one pushTimeout, not the whole pass', async () => {
    const clock = manualClock()
    const pushed: string[] = []
    const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    const transmitter = createTransmitter({
      issuer: TX,
      signer: txKey.signer,
      clock,
      pushTimeout: 50,
      retry: { jitter: 0 },
      authorizeReceiver: (req) => ({ 'Bearer a': 'a', 'Bearer b': 'b', 'Bearer c': 'c' })[req.headers.get('authorization') ?? ''],
      allowDeliveryUrl: () => true,
      fetch: async (input) => {
        const url = String(input instanceof Request ? input.url : input)
        if (url.startsWith('https://silent.example')) return new Promise<Response>(() => {})
        if (url.startsWith('https://drip.example')) return new Response(endless, { status: 500 })
        pushed.push(url)
        return new Response(null, { status: 202 })
      },
    })
    const fetchTx = routeFetch({ [TX]: (r) => transmitter.handle(r) })
    const streamFor = async (token: string, endpoint: string) =>
      createStreamClient({ issuer: TX, authorization: token, fetch: fetchTx }).createStream({ delivery: { method: PUSH.method, endpoint_url: endpoint }, events_requested: [SESSION_REVOKED] })
    await streamFor('Bearer a', 'https://silent.example/ssf')
    await streamFor('Bearer b', 'https://drip.example/ssf')
    await streamFor('Bearer c', 'https://ok.example/ssf')
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const report = await Promise.race([transmitter.deliver(), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 2000))])
    if (report === 'hung') throw new Error('the delivery pass hung')
    expect(report.delivered).toHaveLength(1)
    expect(report.retrying).toHaveLength(2)
    expect(pushed).toEqual(['https://ok.example/ssf'])
  })
})

describe('poll streams get stream-control SETs while paused or disabled, as push streams do', () => {
  it('the stream-updated SET of a transmitter-initiated pause, and a verification SET, reach the poller', async () => {
    const { client, transmitter, poller } = await setup()
    const s = await client.createStream({ delivery: POLL, events_requested: [SESSION_REVOKED] })
    await transmitter.emit({ type: 'session-revoked' }, AGENT) // queued before the pause: held
    await transmitter.updateStatus(s.stream_id, 'paused', 'maintenance')
    await client.requestVerification(s.stream_id, 'state-1')
    const got: SecurityEventToken[] = []
    const r = poller(s.delivery.endpoint_url!, (set) => { got.push(set) })
    await r.poll()
    expect(got.map((g) => g.event)).toMatchObject([{ type: 'stream-updated', status: 'paused', reason: 'maintenance' }, { type: 'verification', state: 'state-1' }])
    await r.flush() // acks them
    await client.setStatus(s.stream_id, 'enabled')
    await r.poll()
    expect(got.map((g) => g.event.type)).toEqual(['stream-updated', 'verification', 'session-revoked'])
  })

  it('a poll stream disabled for not taking delivery is told why at its next poll, its backlog kept for later', async () => {
    const { client, transmitter, poller } = await setup(createMemoryOutbox(), { maxQueuedPerStream: 3 })
    const s = await client.createStream({ delivery: POLL, events_requested: [SESSION_REVOKED] })
    for (let i = 0; i < 4; i++) await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const got: SecurityEventToken[] = []
    const r = poller(s.delivery.endpoint_url!, (set) => { got.push(set) })
    await r.poll()
    expect(got.map((g) => g.event)).toMatchObject([{ type: 'stream-updated', status: 'disabled', reason: expect.stringContaining('not taking delivery') }])
    await r.flush()
    await client.setStatus(s.stream_id, 'enabled')
    await r.poll()
    expect(got.filter((g) => g.event.type === 'session-revoked')).toHaveLength(3)
  })

  it('an outbox without pendingControl: control SETs among the first maxEvents entries are found', async () => {
    const plain = createMemoryOutbox()
    const { pendingControl: _unused, ...outbox } = plain
    const { client, transmitter, poller } = await setup(outbox as OutboxStore)
    const s = await client.createStream({ delivery: POLL, events_requested: [SESSION_REVOKED] })
    await transmitter.updateStatus(s.stream_id, 'paused')
    const got: SecurityEventToken[] = []
    await poller(s.delivery.endpoint_url!, (set) => { got.push(set) }).poll()
    expect(got.map((g) => g.event)).toMatchObject([{ type: 'stream-updated', status: 'paused' }])
  })
})

describe('stream creation without a delivery method', () => {
  it('means poll only when the transmitter offers poll; a push-only transmitter answers 400', async () => {
    const pushOnly = await setup(createMemoryOutbox(), { deliveryMethods: [PUSH.method] })
    await expect(pushOnly.client.createStream({ events_requested: [SESSION_REVOKED] })).rejects.toMatchObject({ code: 'ERR_SSF_STREAM', status: 400 })
    await expect(pushOnly.client.createStream({ delivery: {} as never })).rejects.toMatchObject({ status: 400 })
    expect(await pushOnly.outbox.listStreams()).toEqual([])
    expect((await pushOnly.client.createStream({ delivery: PUSH })).delivery.method).toBe(PUSH.method)
    const both = await setup()
    expect((await both.client.createStream({})).delivery).toEqual({ method: POLL.method, endpoint_url: expect.stringContaining(`${TX}/ssf/poll/`) })
  })
})

describe('createTransmitter option checks', () => {
  it('refuses unusable options at construction with a coded TypeError', () => {
    const base = { issuer: TX, signer: txKey.signer, authorizeReceiver: () => 'rx' }
    const bad: Record<string, unknown>[] = [
      { defaultSubjects: 'all' }, { defaultSubjects: 'SOME' },
      { deliveryMethods: ['push'] }, { deliveryMethods: [] }, { deliveryMethods: 'urn:ietf:rfc:8935' },
      { eventsSupported: SESSION_REVOKED }, { eventsSupported: [7] },
      { audience: 'rx' }, { allowDeliveryUrl: true }, { fetch: {} }, { clock: 5 }, { sleep: 'x' },
      { outbox: {} }, { outbox: { ...createMemoryOutbox(), due: undefined } },
      { minVerificationInterval: 1.5 }, // served as the integer min_verification_interval
    ]
    for (const extra of bad) {
      expect(() => createTransmitter({ ...base, ...extra } as never), JSON.stringify(extra)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    }
    expect(() => createTransmitter({ ...base, defaultSubjects: 'NONE', deliveryMethods: [PUSH.method], eventsSupported: [] })).not.toThrow()
  })
})

describe('emit option checks', () => {
  it('refuses streamIds that are not an array of strings (a string matched stream ids by substring) and a negative toe', async () => {
    const { client, transmitter, outbox } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await expect(transmitter.emit({ type: 'session-revoked' }, AGENT, { streamIds: `x${s.stream_id}x` as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(transmitter.emit({ type: 'session-revoked' }, AGENT, { toe: -5 })).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
    expect((await outbox.pending(s.stream_id, 10)).entries).toEqual([])
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT, { streamIds: [s.stream_id] })).toHaveLength(1)
  })
})

describe('a held backlog does not crowd out the other streams', () => {
  for (const status of ['disabled', 'paused'] as const) it(`held SETs of a ${status} stream leave the due window for 10 minutes; the healthy stream is served on the next passes`, async () => {
    const { client, transmitter, received, clock } = await setup()
    const idle = await client.createStream({ delivery: PUSH, events_requested: [EVENT_TYPE_URIS['account-disabled']] })
    for (let i = 0; i < 150; i++) await transmitter.emit({ type: 'account-disabled' }, AGENT)
    await transmitter.updateStatus(idle.stream_id, status, 'maintenance')
    await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await transmitter.deliver() // 100 held (the oldest)
    await transmitter.deliver() // 50 held, then the healthy stream's SETs
    clock.advance(60)
    const [healthy] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const pass = await transmitter.deliver()
    expect(pass.held).toEqual([])
    expect(received.map((r) => r.jti)).toContain(healthy!.jti)
    clock.advance(600)
    expect((await transmitter.deliver()).held).toHaveLength(100)
    expect(received.filter((r) => r.event.type === 'account-disabled')).toEqual([])
  })
})
