// Review round 8: transmitter probes.
import { describe, expect, it } from 'vitest'
import { EVENT_TYPE_URIS, verifySET } from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { testKey } from '../../helpers/ssf.js'
import { AGENT, PUSH, SESSION_REVOKED, TX, claimsOf, probeTransmitter, txKey } from '../../helpers/ssf-transmitter-probe.js'

const jtiOf = (token: string): string => claimsOf(token).jti as string

function make(outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}) {
  const pushed: string[] = []
  const delivered: string[] = []
  let answer = 202
  const probe = probeTransmitter((token) => {
    pushed.push(jtiOf(token))
    if (answer === 202) delivered.push(jtiOf(token))
    return answer
  }, outbox, extra)
  return { ...probe, pushed, delivered, answer: (s: number) => { answer = s } }
}

describe('push order after a failed attempt (SSF 1.0 §8.1.2.1)', () => {
  it('a SET emitted while an earlier one waits for its retry does not overtake it', async () => {
    const { transmitter, call, clock, pushed, answer } = make()
    await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const a = (await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti
    answer(503)
    expect((await transmitter.deliver()).retrying).toEqual([a])
    answer(202)
    clock.advance(0.5)
    const b = (await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti
    await transmitter.deliver()
    clock.advance(1)
    await transmitter.deliver()
    await transmitter.deliver()
    expect(pushed).toEqual([a, a, b])
  })

  it('held SETs beyond the 100 of one pass do not overtake a failed one once the stream is enabled', async () => {
    const { transmitter, call, clock, delivered, answer } = make()
    const s = (await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })).body
    expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })).status).toBe(200)
    await transmitter.deliver()
    const jtis: string[] = []
    for (let i = 0; i < 150; i++) jtis.push((await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti)
    expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'enabled' })).status).toBe(200)
    answer(503)
    await transmitter.deliver()
    answer(202)
    for (let i = 0; i < 6; i++) { await transmitter.deliver(); clock.advance(1) }
    const events = delivered.filter((j) => jtis.includes(j))
    expect(events).toEqual(jtis)
  })
})

describe('a full stream deleted while emit disables it', () => {
  it('emit goes on with the other streams instead of rejecting with "no stream"', async () => {
    const mem = createMemoryOutbox()
    let gate: (() => void) | undefined
    let entered: (() => void) | undefined
    const deleting = new Promise<void>((r) => { entered = r })
    const outbox: OutboxStore = {
      ...mem,
      deleteStream: async (id) => {
        entered!()
        await new Promise<void>((r) => { gate = r })
        return mem.deleteStream(id)
      },
    }
    const { transmitter, call } = make(outbox, { maxQueuedPerStream: 1 })
    const POLL = { method: 'urn:ietf:rfc:8936' }
    const full = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    await transmitter.emit({ type: 'session-revoked' }, AGENT, { streamIds: [full.stream_id] })
    const other = (await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).body
    const del = call('DELETE', `stream?stream_id=${full.stream_id}`)
    await deleting
    const emitting = transmitter.emit({ type: 'session-revoked' }, AGENT)
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    gate!()
    expect((await del).status).toBe(204)
    const sent = await emitting
    expect(sent.map((s) => s.streamId)).toEqual([other.stream_id])
  })
})

describe('read, modify, write back (SSF 1.0 §8.1.1.4)', () => {
  it('a poll stream configuration read and PUT or PATCHed back as is is accepted', async () => {
    const { call } = make()
    const created = (await call('POST', 'stream', { events_requested: [SESSION_REVOKED] })).body
    const read = (await call('GET', `stream?stream_id=${created.stream_id}`)).body
    const put = await call('PUT', 'stream', { ...read, description: 'changed' })
    expect(put.status).toBe(200)
    expect(put.body.description).toBe('changed')
    expect(put.body.delivery).toEqual(read.delivery)
    expect((await call('PATCH', 'stream', { stream_id: read.stream_id, delivery: read.delivery })).status).toBe(200)
    // Another poll URL is still the transmitter's to set.
    expect((await call('PATCH', 'stream', { stream_id: read.stream_id, delivery: { ...read.delivery, endpoint_url: `${TX}/ssf/poll/other` } })).status).toBe(400)
    expect((await call('POST', 'stream', { delivery: read.delivery })).status).toBe(400)
  })
})

describe('options changed after createTransmitter', () => {
  it('another signer assigned to the options object changes neither the SETs nor the JWKS', async () => {
    const other = await testKey('other-key', 'EdDSA')
    const options = {
      issuer: TX, signer: txKey.signer, authorizeReceiver: () => 'rx', longPollTimeout: 0,
    }
    const transmitter = createTransmitter(options)
    const call = async (method: string, path: string, body?: unknown) => (await transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }))).json()
    const s = await call('POST', 'stream', { events_requested: [SESSION_REVOKED] })
    options.signer = other.signer
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const polled = await call('POST', `poll/${s.stream_id}`, { returnImmediately: true })
    const token = Object.values(polled.sets as Record<string, string>)[0]!
    const jwks = await call('GET', 'jwks')
    const set = await verifySET(token, { issuer: TX, audience: 'rx', keys: jwks })
    expect(set.header.kid).toBe('tx-key')
    expect(jwks.keys[0].kid).toBe('tx-key')
  })
})

describe('RISC sessions-revoked (deprecated: new implementations MUST use CAEP session-revoked)', () => {
  it('is not offered by default, and is when listed in eventsSupported', async () => {
    const SESSIONS_REVOKED = EVENT_TYPE_URIS['sessions-revoked']
    const { call, transmitter } = make()
    const s = (await call('POST', 'stream', { events_requested: [SESSIONS_REVOKED, SESSION_REVOKED] })).body
    expect(s.events_supported).not.toContain(SESSIONS_REVOKED)
    expect(s.events_supported).toContain(SESSION_REVOKED)
    expect(s.events_delivered).toEqual([SESSION_REVOKED])
    expect(await transmitter.emit({ type: 'sessions-revoked' }, AGENT)).toEqual([])
    const legacy = make(undefined, { eventsSupported: [SESSIONS_REVOKED] })
    expect((await legacy.call('POST', 'stream', { events_requested: [SESSIONS_REVOKED] })).body.events_delivered).toEqual([SESSIONS_REVOKED])
  })
})

describe('a stream enabled while a delivery pass holds its SETs', () => {
  it('the SETs the pass was holding are released too, not held for 10 minutes', async () => {
    const mem = createMemoryOutbox()
    let onHold: (() => Promise<void>) | undefined
    const outbox: OutboxStore = {
      ...mem,
      update: async (e) => {
        // The pass holds a SET (paused stream): the receiver enables the stream just before the write lands.
        if (onHold !== undefined && !e.control && e.attempts === 0 && e.lastError === undefined && e.nextAttemptAt >= 1_700_000_000_000 + 600_000) {
          const run = onHold
          onHold = undefined
          await run()
        }
        return mem.update(e)
      },
    }
    const { transmitter, call, delivered } = make(outbox)
    const s = (await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })).body
    expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })).status).toBe(200)
    const jti = (await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti
    onHold = async () => { expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'enabled' })).status).toBe(200) }
    await transmitter.deliver()
    expect(onHold).toBeUndefined()
    await transmitter.deliver()
    expect(delivered).toContain(jti)
  })
})

describe('a poll that refuses a full batch of SETs (RFC 8936 setErrs)', () => {
  it('the next request carrying 1000 setErrs is accepted, not refused as too large for good', async () => {
    const { transmitter, call } = make(undefined, { maxQueuedPerStream: 5000 })
    const s = (await call('POST', 'stream', { events_requested: [SESSION_REVOKED] })).body
    for (let i = 0; i < 1000; i++) await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const first = (await call('POST', `poll/${s.stream_id}`, { maxEvents: 1000, returnImmediately: true })).body
    const jtis = Object.keys(first.sets)
    expect(jtis).toHaveLength(1000)
    // What createPollReceiver sends after a receiver misconfiguration refused every SET.
    const setErrs = Object.fromEntries(jtis.map((j) => [j, { err: 'invalid_audience', description: 'The SET audience does not name this receiver.' }]))
    const second = await call('POST', `poll/${s.stream_id}`, { maxEvents: 1000, returnImmediately: true, setErrs })
    expect(second.status).toBe(200)
    expect(second.body.sets).toEqual({})
    expect(await transmitter.failed(1000)).toHaveLength(1000)
  }, 30_000)
})
