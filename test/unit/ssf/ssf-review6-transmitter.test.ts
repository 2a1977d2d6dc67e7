// Review round 6: transmitter probes.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EVENT_TYPE_URIS } from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { manualClock, testKey } from '../../helpers/ssf.js'

const TX = 'https://tx.example.com'
const RX = 'https://rx.example.com'
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
const SESSION_REVOKED = EVENT_TYPE_URIS['session-revoked']
const POLL = { method: 'urn:ietf:rfc:8936' }
const PUSH = { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf` }
const txKey = await testKey('tx-key')

function make(outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}) {
  const clock = manualClock()
  const pushed: string[] = []
  const transmitter = createTransmitter({
    issuer: TX, signer: txKey.signer, clock, outbox,
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 4 },
    authorizeReceiver: (req) => ({ 'Bearer rx': 'rx', 'Bearer other': 'other' })[req.headers.get('authorization') ?? ''],
    allowDeliveryUrl: (u) => u.origin === RX,
    longPollTimeout: 0,
    fetch: async (_u: unknown, init?: RequestInit) => { pushed.push(String(init?.body)); return new Response(null, { status: 202 }) },
    ...extra,
  })
  const call = async (method: string, path: string, body?: unknown, token = 'Bearer rx', signal?: AbortSignal) => {
    const r = await transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, headers: { authorization: token, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(signal ? { signal } : {}) }))
    const text = await r.text()
    return { status: r.status, body: text === '' ? undefined : JSON.parse(text) }
  }
  return { clock, transmitter, call, pushed, outbox }
}

describe('subject lists: only the list that decides delivery is limited (SSF 1.0 §8.1.3)', () => {
  const many = Array.from({ length: 10_000 }, (_, i) => ({ format: 'opaque', id: `x${i}` }) as const)

  it('NONE: a subject can be removed although 10,000 other subjects were removed before', async () => {
    const outbox = createMemoryOutbox()
    const { call, transmitter } = make(outbox, { defaultSubjects: 'NONE' })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    await outbox.putStream({ ...(await outbox.getStream(s.stream_id))!, subjects: [AGENT], excluded: many })
    expect((await call('POST', 'subjects/remove', { stream_id: s.stream_id, subject: AGENT })).status).toBe(204)
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toEqual([])
  })

  it('ALL: a removed subject can be added back although 10,000 other subjects were added before', async () => {
    const outbox = createMemoryOutbox()
    const { call, transmitter } = make(outbox)
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    await outbox.putStream({ ...(await outbox.getStream(s.stream_id))!, subjects: many, excluded: [AGENT] })
    expect((await call('POST', 'subjects/add', { stream_id: s.stream_id, subject: AGENT })).status).toBe(200)
    expect(await transmitter.emit({ type: 'session-revoked' }, AGENT)).toHaveLength(1)
  })

  it('the list that decides delivery is still refused beyond 10,000 entries', async () => {
    const outbox = createMemoryOutbox()
    const { call } = make(outbox, { defaultSubjects: 'NONE' })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    await outbox.putStream({ ...(await outbox.getStream(s.stream_id))!, subjects: many })
    expect((await call('POST', 'subjects/add', { stream_id: s.stream_id, subject: AGENT })).status).toBe(400)
  })
})

describe('a delivery-method change cut short by a store failure (SSF 1.0 §8.1.1.3)', () => {
  it('SETs queued for polling are pushed after a PATCH that failed half-way is repeated', async () => {
    const mem = createMemoryOutbox()
    let failUpdate = false
    const outbox: OutboxStore = { ...mem, update: async (e) => { if (failUpdate) throw new Error('store down'); return mem.update(e) } }
    const { transmitter, call, pushed } = make(outbox)
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const emitted = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    failUpdate = true
    expect((await call('PATCH', 'stream', { stream_id: s.stream_id, delivery: PUSH })).status).toBe(503)
    failUpdate = false
    expect((await call('PATCH', 'stream', { stream_id: s.stream_id, delivery: PUSH })).status).toBe(200)
    const report = await transmitter.deliver()
    expect(report.delivered).toEqual(emitted.map((e) => e.jti))
    expect(pushed).toHaveLength(1)
  })
})

describe('a long poll of a paused poll stream (RFC 8936 §2.1)', () => {
  it('is held until a SET it may return arrives, not answered at once with no SETs', async () => {
    const { call, transmitter } = make(undefined, { longPollTimeout: 60_000 })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })
    let settled = false
    const polling = call('POST', `poll/${s.stream_id}`, {}).finally(() => { settled = true })
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    expect(settled).toBe(false)
    // The transmitter-initiated stream-updated SET passes the pause and ends the poll.
    await transmitter.updateStatus(s.stream_id, 'paused', 'maintenance')
    const r = await polling
    expect(r.status).toBe(200)
    expect(Object.keys((r.body as { sets: Record<string, string> }).sets)).toHaveLength(1)
  })
})

describe('emit while a stream is deleted', () => {
  it('a SET signed while its poll stream is deleted does not stay queued', async () => {
    const outbox = createMemoryOutbox()
    let gate: (() => void) | undefined
    let signing: (() => void) | undefined
    const signingStarted = new Promise<void>((r) => { signing = r })
    const signer = { ...txKey.signer, sign: async (d: Uint8Array) => { signing?.(); await new Promise<void>((r) => { gate = r }); return txKey.signer.sign(d) } }
    const { transmitter, call } = make(outbox, { signer })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const emitting = transmitter.emit({ type: 'session-revoked' }, AGENT)
    await signingStarted
    expect((await call('DELETE', `stream?stream_id=${s.stream_id}`)).status).toBe(204)
    gate!()
    await emitting
    expect(await outbox.queued!(s.stream_id)).toBe(0)
  })
})

describe('memory outbox: per-stream reads do not scan the whole outbox', () => {
  const entry = (jti: string, streamId: string, createdAt: number, delivery: 'push' | 'poll' = 'poll') =>
    ({ jti, streamId, token: 't', delivery, control: false, createdAt, attempts: 0, nextAttemptAt: createdAt })

  it('polls a small stream quickly next to a large backlog of other streams', async () => {
    const outbox = createMemoryOutbox()
    for (let i = 0; i < 50_000; i++) await outbox.enqueue(entry(`j${i}`, `busy-${i % 10}`, i))
    await outbox.enqueue(entry('mine', 'mine', 1))
    const t = performance.now()
    for (let i = 0; i < 150; i++) {
      expect((await outbox.pending('mine', 10)).entries).toHaveLength(1)
      await outbox.pendingControl!('mine', 10)
      await outbox.due(0, 100)
    }
    // Each of these calls filtered and sorted all 50,000 entries (~5-10 ms each, 450 calls).
    expect(performance.now() - t).toBeLessThan(1000)
  })

  it('keeps creation order when entries arrive out of order or change delivery method', async () => {
    const outbox = createMemoryOutbox()
    await outbox.enqueue(entry('c', 's', 3, 'push'))
    await outbox.enqueue(entry('a', 's', 1, 'push'))
    await outbox.enqueue(entry('b', 's', 2, 'push'))
    expect((await outbox.pending('s', 10)).entries.map((e) => e.jti)).toEqual(['a', 'b', 'c'])
    await outbox.update({ ...entry('a', 's', 1), delivery: 'poll' })
    await outbox.enqueue(entry('d', 's', 4))
    expect((await outbox.pending('s', 2))).toMatchObject({ entries: [{ jti: 'a', delivery: 'poll' }, { jti: 'b' }], more: true })
    expect((await outbox.due(10, 10)).map((e) => e.jti)).toEqual(['b', 'c'])
    await outbox.remove('s', ['b'])
    expect(await outbox.queued!('s')).toBe(3)
    await outbox.deleteStream('s')
    expect(await outbox.queued!('s')).toBe(0)
    expect(await outbox.due(10, 10)).toEqual([])
  })
})

describe('emit refuses event members the CAEP 1.0 definitions forbid (CAEP §2)', () => {
  it.each([
    ['initiating_entity outside admin/user/policy/system', { type: 'session-revoked', initiating_entity: 'robot' }],
    ['an empty reason_admin', { type: 'session-revoked', reason_admin: {} }],
    ['an empty reason_user', { type: 'credential-change', credential_type: 'password', change_type: 'update', reason_user: {} }],
    ['token-claims-change without a claim (§3.2)', { type: 'token-claims-change', claims: {} }],
  ])('%s', async (_name, event) => {
    const { call, transmitter } = make()
    await call('POST', 'stream', { delivery: POLL, events_requested: [EVENT_TYPE_URIS['session-revoked'], EVENT_TYPE_URIS['credential-change'], EVENT_TYPE_URIS['token-claims-change']] })
    await expect(transmitter.emit(event as never, AGENT)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('still sends the defined values and unknown members of other events', async () => {
    const { call, transmitter } = make()
    await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED, EVENT_TYPE_URIS['account-disabled']] })
    expect(await transmitter.emit({ type: 'session-revoked', initiating_entity: 'policy', reason_admin: { en: 'x' } }, AGENT)).toHaveLength(1)
    expect(await transmitter.emit({ type: 'account-disabled', initiating_entity: 'anything' }, AGENT)).toHaveLength(1)
  })
})

describe('a long poll whose client is gone (RFC 8936 §2.1)', () => {
  it('is not held when the request was aborted before the wait began', async () => {
    const { call } = make(undefined, { longPollTimeout: 60_000 })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const gone = new AbortController()
    gone.abort()
    let settled = false
    const polling = call('POST', `poll/${s.stream_id}`, {}, 'Bearer rx', gone.signal).finally(() => { settled = true })
    for (let i = 0; i < 50 && !settled; i++) await new Promise((r) => setImmediate(r))
    expect(settled).toBe(true)
    expect((await polling).body).toEqual({ sets: {} })
  })
})

describe('a failed push keeps the stream in order under jitter', () => {
  afterEach(() => { vi.restoreAllMocks() })

  it('the SETs behind a failed one are rescheduled to its very time, not to a second jitter draw', async () => {
    let answer = 503
    const order: string[] = []
    const { transmitter, call, clock } = make(undefined, {
      retry: { initialDelay: 1000, jitter: 0.2, maxAttempts: 4 },
      fetch: async (_u: unknown, init?: RequestInit) => {
        order.push(JSON.parse(atob(String(init?.body).split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti as string)
        return new Response(null, { status: answer })
      },
    })
    await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const a = (await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti
    const b = (await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti
    // First draw +20 % (the failed SET), any further draw -20 %.
    vi.spyOn(Math, 'random').mockReturnValueOnce(1).mockReturnValue(0)
    expect((await transmitter.deliver()).retrying).toEqual([a, b])
    answer = 202
    clock.advance(1)
    await transmitter.deliver()
    clock.advance(0.5)
    await transmitter.deliver()
    expect(order).toEqual([a, a, b])
  })
})

describe('limits hold for concurrent requests', () => {
  it('maxStreamsPerReceiver: concurrent creations do not pass the limit together', async () => {
    const { call, outbox } = make(undefined, { maxStreamsPerReceiver: 2 })
    const answers = await Promise.all(Array.from({ length: 20 }, () => call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })))
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2)
    expect(answers.filter((a) => a.status === 409)).toHaveLength(18)
    expect(await outbox.listStreams()).toHaveLength(2)
  })

  it('verification: concurrent requests queue no more SETs than the limits allow', async () => {
    const { call, outbox } = make(undefined, { minVerificationInterval: 60 })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const answers = await Promise.all(Array.from({ length: 20 }, () => call('POST', 'verify', { stream_id: s.stream_id })))
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1)
    expect(await outbox.queued!(s.stream_id)).toBe(1)
  })

  it('subjects added at the same time are all kept, and a status change made meanwhile is not undone', async () => {
    const { call, outbox, transmitter } = make(undefined, { defaultSubjects: 'NONE' })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const adds = Array.from({ length: 10 }, (_, i) => call('POST', 'subjects/add', { stream_id: s.stream_id, subject: { format: 'opaque', id: `u${i}` } }))
    const pause = call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })
    const disable = transmitter.updateStatus(s.stream_id, 'disabled', 'maintenance')
    expect((await Promise.all(adds)).map((a) => a.status)).toEqual(Array(10).fill(200))
    await pause
    await disable
    const stored = (await outbox.getStream(s.stream_id))!
    expect(stored.subjects).toHaveLength(10)
    // Whichever change came last, none was undone by a subject write made from an older copy.
    expect(['paused', 'disabled']).toContain(stored.status)
  })
})

describe('failed(limit)', () => {
  it('returns at most limit entries (none for 0) and refuses a limit that is not a non-negative integer', async () => {
    const outbox = createMemoryOutbox()
    const e = (jti: string) => ({ jti, streamId: 's', token: 't', delivery: 'poll' as const, control: false, createdAt: 1, attempts: 0, nextAttemptAt: 1 })
    for (const jti of ['a', 'b', 'c']) {
      await outbox.enqueue(e(jti))
      await outbox.fail('s', jti, 'receiver: invalid_request', 2)
    }
    const { transmitter } = make(outbox)
    expect((await transmitter.failed(2)).map((f) => f.jti)).toEqual(['b', 'c'])
    expect(await transmitter.failed(0)).toEqual([])
    expect(await outbox.failed(0)).toEqual([])
    for (const bad of [Number.NaN, -1, 1.5, '2']) {
      await expect(transmitter.failed(bad as never)).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
      await expect(outbox.failed(bad as never)).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
    }
  })
})

describe('emit validates the JSON it signs', () => {
  it('refuses a member JSON cannot carry with a coded TypeError, and signs the subject it checked', async () => {
    const pushedSets: string[] = []
    const { call, transmitter } = make(undefined, { fetch: async (_u: unknown, init?: RequestInit) => { pushedSets.push(String(init?.body)); return new Response(null, { status: 202 }) } })
    await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })
    await expect(transmitter.emit({ type: 'session-revoked', extra: 1n } as never, AGENT)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(transmitter.emit({ type: 'session-revoked', nested: { f: () => 1 } } as never, AGENT)).resolves.toHaveLength(1)
    // Checked as an opaque subject, serialised as something else: refused, not sent invalid.
    const sneaky = { format: 'opaque', id: 'x', toJSON: () => ({ format: 'opaque' }) }
    await expect(transmitter.emit({ type: 'session-revoked' }, sneaky as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await transmitter.deliver()
    expect(pushedSets).toHaveLength(1)
  })
})

describe('min_verification_interval (SSF 1.0 §8.1.4.2)', () => {
  it('is not reset by a status update', async () => {
    const { call } = make(undefined, { minVerificationInterval: 60 })
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    expect((await call('POST', 'verify', { stream_id: s.stream_id })).status).toBe(204)
    expect((await call('POST', 'verify', { stream_id: s.stream_id })).status).toBe(429)
    expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'enabled' })).status).toBe(200)
    expect((await call('POST', 'verify', { stream_id: s.stream_id })).status).toBe(429)
  })
})

describe('push authorization_header (SSF 1.0 §6.1.1)', () => {
  it('is refused at configuration time when it cannot be sent as an HTTP header value', async () => {
    const { call } = make()
    const bad = (await call('POST', 'stream', { delivery: { ...PUSH, authorization_header: 'Bearer t€ken' }, events_requested: [SESSION_REVOKED] }))
    expect(bad.status).toBe(400)
    const tab = (await call('POST', 'stream', { delivery: { ...PUSH, authorization_header: 'Bearer\ttoken' }, events_requested: [SESSION_REVOKED] }))
    expect(tab.status).toBe(201)
  })
})

describe('push endpoint_url (SSF 1.0 §6.1.1)', () => {
  it('with user info (which fetch refuses to request) is refused at configuration time', async () => {
    const { call } = make(undefined, { allowDeliveryUrl: () => true })
    expect((await call('POST', 'stream', { delivery: { ...PUSH, endpoint_url: 'https://user:secret@rx.example.com/ssf' }, events_requested: [SESSION_REVOKED] })).status).toBe(400)
    const s = (await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })).body
    expect((await call('PATCH', 'stream', { stream_id: s.stream_id, delivery: { ...PUSH, endpoint_url: 'https://user@rx.example.com/ssf' } })).status).toBe(400)
  })
})

describe('createTransmitter option checks', () => {
  const base = { issuer: TX, authorizeReceiver: () => 'rx' }
  it.each([
    ['a signer without publicJwk (the JWKS endpoint answered 503 for good)', { signer: { alg: 'ES256', sign: txKey.signer.sign } }],
    ['a signer without alg', { signer: { sign: txKey.signer.sign, publicJwk: txKey.signer.publicJwk } }],
    ['a retry policy that is not an object (silently ignored)', { signer: txKey.signer, retry: 5 }],
  ])('refuses %s with a coded TypeError', (_name, extra) => {
    expect(() => createTransmitter({ ...base, ...extra } as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
  })
})

describe("another receiver's stream (SSF 1.0 §8)", () => {
  it('cannot be changed, deleted, verified, paused, polled or acknowledged through: 404 and nothing changes', async () => {
    const { call, outbox, transmitter } = make()
    const s = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const [e] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const before = await outbox.getStream(s.stream_id)
    const id = s.stream_id as string
    const answers = [
      await call('PATCH', 'stream', { stream_id: id, description: 'mine now' }, 'Bearer other'),
      await call('PUT', 'stream', { stream_id: id, events_requested: [SESSION_REVOKED] }, 'Bearer other'),
      await call('POST', 'status', { stream_id: id, status: 'disabled' }, 'Bearer other'),
      await call('GET', `status?stream_id=${id}`, undefined, 'Bearer other'),
      await call('POST', 'subjects/remove', { stream_id: id, subject: AGENT }, 'Bearer other'),
      await call('POST', 'verify', { stream_id: id }, 'Bearer other'),
      await call('POST', `poll/${id}`, { ack: [e!.jti], returnImmediately: true }, 'Bearer other'),
      await call('DELETE', `stream?stream_id=${id}`, undefined, 'Bearer other'),
    ]
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(404))
    expect(await outbox.getStream(s.stream_id)).toEqual(before)
    expect(await outbox.queued!(s.stream_id)).toBe(1)
  })
})
