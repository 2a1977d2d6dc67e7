// Review round 6: transmitter over a real redis-server (delivery order).
import { afterEach, describe, expect, it } from 'vitest'
import { EVENT_TYPE_URIS } from '../../src/ssf/index.js'
import { createRedisOutbox, createTransmitter } from '../../src/ssf/transmitter/index.js'
import { useRedis } from '../helpers/redis-server.js'
import { manualClock, testKey } from '../helpers/ssf.js'

const redis = useRedis()
const TX = 'https://tx.example.com'
const RX = 'https://rx.example.com'
const SESSION_REVOKED = EVENT_TYPE_URIS['session-revoked']
const txKey = await testKey('tx-review6')
afterEach(async () => { await redis().flush() })

function make() {
  const clock = manualClock()
  const pushed: string[] = []
  let answer = 202
  const transmitter = createTransmitter({
    issuer: TX, signer: txKey.signer, clock,
    outbox: createRedisOutbox({ command: redis().newCommand(), prefix: 'review6:' }),
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 10 },
    authorizeReceiver: () => 'rx',
    allowDeliveryUrl: (u) => u.origin === RX,
    fetch: async (_u: unknown, init?: RequestInit) => {
      const jti = JSON.parse(atob(String(init?.body).split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti as string
      pushed.push(jti)
      return new Response(null, { status: answer })
    },
  })
  const call = async (method: string, path: string, body: unknown) =>
    (await transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, body: JSON.stringify(body) }))).json() as Promise<Record<string, string>>
  return { clock, transmitter, call, pushed, setAnswer: (s: number) => { answer = s } }
}

describe('push order per stream over Redis', () => {
  it('SETs emitted in the same millisecond are pushed in the order they were emitted', async () => {
    const { transmitter, call, pushed } = make()
    await call('POST', 'stream', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf` }, events_requested: [SESSION_REVOKED] })
    const emitted: string[] = []
    for (let i = 0; i < 12; i++) emitted.push(...(await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: `s${i}` })).map((e) => e.jti))
    await transmitter.deliver()
    expect(pushed).toEqual(emitted)
  })
})

describe('held and polled SETs keep their order over Redis (SSF 1.0 §8.1.2.1)', () => {
  it('SETs held while paused are pushed in the order they were generated once enabled', async () => {
    const { transmitter, call, pushed, clock } = make()
    const s = await call('POST', 'stream', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf` }, events_requested: [SESSION_REVOKED] })
    await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })
    const emitted: string[] = []
    for (let i = 0; i < 12; i++) {
      emitted.push(...(await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: 'one-session' })).map((e) => e.jti))
      clock.advance(1)
    }
    expect((await transmitter.deliver()).held).toHaveLength(12)
    await call('POST', 'status', { stream_id: s.stream_id, status: 'enabled' })
    await transmitter.deliver()
    expect(pushed).toEqual(emitted)
  })

  it('a poll returns SETs of the same millisecond in the order they were emitted', async () => {
    const { transmitter, call } = make()
    const s = await call('POST', 'stream', { events_requested: [SESSION_REVOKED] })
    const emitted: string[] = []
    for (let i = 0; i < 12; i++) emitted.push(...(await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: `s${i}` })).map((e) => e.jti))
    const polled = await call('POST', `poll/${s.stream_id}`, { returnImmediately: true }) as unknown as { sets: Record<string, string> }
    expect(Object.keys(polled.sets)).toEqual(emitted)
  })
})

describe('Redis outbox limits', () => {
  it('failed and pendingControl return none for a limit of 0 (LRANGE -0 -1 and ZRANGE 0 -1 are whole lists); NaN is a coded TypeError', async () => {
    const outbox = createRedisOutbox({ command: redis().newCommand(), prefix: 'review6:' })
    for (const jti of ['a', 'b']) {
      await outbox.enqueue({ jti, streamId: 's', token: 't', delivery: 'poll', control: false, createdAt: 1, attempts: 0, nextAttemptAt: 1 })
      await outbox.fail('s', jti, 'receiver: invalid_request', 2)
    }
    expect((await outbox.failed(1)).map((f) => f.jti)).toEqual(['b'])
    expect(await outbox.failed(0)).toEqual([])
    await outbox.enqueue({ jti: 'c', streamId: 's', token: 't', delivery: 'poll', control: true, createdAt: 3, attempts: 0, nextAttemptAt: 3 })
    expect(await outbox.pendingControl!('s', 0)).toEqual([])
    expect((await outbox.pendingControl!('s', 1)).map((e) => e.jti)).toEqual(['c'])
    await expect(outbox.failed(Number.NaN)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('deleting a stream over Redis when a command fails half-way', () => {
  it('a repeated DELETE still removes the queued SETs (they were orphaned: the retry answered 404)', async () => {
    const base = redis().newCommand()
    let failEval = false
    const command: typeof base = (args, o) => {
      if (failEval && args[0] === 'EVAL') return Promise.reject(new Error('connection reset'))
      return base(args, o)
    }
    const outbox = createRedisOutbox({ command, prefix: 'review6:' })
    const transmitter = createTransmitter({ issuer: TX, signer: txKey.signer, outbox, authorizeReceiver: () => 'rx' })
    const call = (method: string, path: string, body?: unknown) =>
      transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }))
    const s = await (await call('POST', 'stream', { events_requested: [SESSION_REVOKED] })).json() as { stream_id: string }
    for (let i = 0; i < 3; i++) await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: `s${i}` })
    expect(await outbox.queued!(s.stream_id)).toBe(3)
    failEval = true
    expect((await call('DELETE', `stream?stream_id=${s.stream_id}`)).status).toBe(503)
    failEval = false
    const again = (await call('DELETE', `stream?stream_id=${s.stream_id}`)).status
    expect(await outbox.queued!(s.stream_id)).toBe(0)
    expect(again).toBe(204)
    expect((await call('GET', `stream?stream_id=${s.stream_id}`)).status).toBe(404)
  })
})

describe('createRedisOutbox: putStream writes the record and its listing in one step', () => {
  it('a connection failure leaves neither a record without a listing nor a listing without a record', async () => {
    const base = redis().newCommand()
    let calls = 0
    let armed = false
    // Fails the second command after arming: with two commands (SET, then SADD) the record was
    // written and never listed, so no emit ever reached the stream.
    const command: typeof base = (args, o) => {
      if (armed && ++calls === 2) return Promise.reject(new Error('connection reset'))
      return base(args, o)
    }
    const prefix = `review6-put:${process.pid}:`
    const outbox = createRedisOutbox({ command, prefix })
    const stream = {
      config: { stream_id: 'put-1', iss: TX, aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [SESSION_REVOKED], events_delivered: [SESSION_REVOKED] },
      owner: 'rx', status: 'enabled' as const, subjects: [], excluded: [],
    }
    armed = true
    await outbox.putStream(stream as never).catch(() => undefined)
    armed = false
    const record = await base(['EXISTS', `${prefix}s:put-1`])
    const listed = await base(['SISMEMBER', `${prefix}streams`, 'put-1'])
    expect(Number(record)).toBe(Number(listed))
  })
})
