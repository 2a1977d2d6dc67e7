// Review round 9: transmitter probes (pause during a delivery pass, verification bounds).
import { describe, expect, it } from 'vitest'
import { EVENT_TYPE_URIS } from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { AGENT, PUSH, SESSION_REVOKED, TX, claimsOf, probeTransmitter } from '../../helpers/ssf-transmitter-probe.js'

const make = probeTransmitter

describe('a pause answered while a delivery pass is pushing the stream', () => {
  it('no event SET of the stream is pushed after the pause was answered 200', async () => {
    const pushed: string[] = []
    let pauseDone = false
    const afterPause: string[] = []
    let pause: (() => Promise<void>) | undefined
    const { transmitter, call } = make(async (token) => {
      const c = claimsOf(token)
      pushed.push(c.jti as string)
      if (pauseDone && (c.events as Record<string, unknown>)[SESSION_REVOKED] !== undefined) afterPause.push(c.jti as string)
      // The receiver pauses its stream while the first SET is being pushed.
      if (pause !== undefined) {
        const p = pause
        pause = undefined
        await p()
      }
      return 202
    })
    const s = (await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })).body
    const jtis: string[] = []
    for (let i = 0; i < 3; i++) jtis.push((await transmitter.emit({ type: 'session-revoked' }, AGENT))[0]!.jti)
    pause = async () => {
      expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })).status).toBe(200)
      pauseDone = true
    }
    const report = await transmitter.deliver()
    expect(afterPause).toEqual([])
    expect(report.held.length).toBe(2)
    // Enabled again: the held SETs go out.
    expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'enabled' })).status).toBe(200)
    pauseDone = false
    const second = await transmitter.deliver()
    expect(second.delivered.length).toBe(2)
    // Each event SET once, in the order emitted (a receiver-initiated pause sends no stream-updated SET).
    expect(pushed).toEqual(jtis)
  })
})

describe('retry backoff at the boundary of its options', () => {
  it('initialDelay 0 with a factor whose power overflows: the SET keeps being retried, then fails (never a NaN time)', async () => {
    let pushes = 0
    const { transmitter, call } = make(() => { pushes++; return 503 }, createMemoryOutbox(), { retry: { initialDelay: 0, factor: 100, jitter: 0, maxAttempts: 200 } })
    await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const [emitted] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    for (let i = 0; i < 250 && pushes < 200; i++) await transmitter.deliver()
    // 100^155 is Infinity and 0 × Infinity NaN: the entry got a NaN retry time and was never due again.
    expect(pushes).toBe(200)
    expect((await transmitter.failed()).map((f) => f.jti)).toEqual([emitted!.jti])
  })
})

describe('per-stream backlog against the shared outbox (docs/ssf-transmitter.md)', () => {
  const POLL = { method: 'urn:ietf:rfc:8936' }
  it('one receiver fills the outbox only when its streams × (maxQueuedPerStream + 1) exceed maxEntries', async () => {
    const run = async (streams: number) => {
      const { transmitter, call } = make(() => 202, createMemoryOutbox({ maxEntries: 100 }), { maxQueuedPerStream: 10 })
      for (let i = 0; i < streams; i++) expect((await call('POST', 'stream', { delivery: POLL, events_requested: [SESSION_REVOKED] })).status).toBe(201)
      for (let i = 0; i < 12; i++) await transmitter.emit({ type: 'session-revoked' }, AGENT)
    }
    // 9 × (10 + 1 stream-updated SET) = 99 ≤ 100: every stream is disabled in time, emit keeps working.
    await run(9)
    // 10 × 11 = 110 > 100 (the defaults: 16 × 10 001 > 100 000): emit fails for everyone.
    await expect(run(10)).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
  })
})

describe('a pause answered just before a pass pushes the first SET of the stream', () => {
  it('that SET is held too', async () => {
    const mem = createMemoryOutbox()
    let hook: (() => Promise<void>) | undefined
    const outbox: OutboxStore = { ...mem, async pending(id, limit) {
      const h = hook
      hook = undefined
      if (h !== undefined) await h()
      return mem.pending(id, limit)
    } }
    const pushed: string[] = []
    const { transmitter, call } = make((token) => { pushed.push(claimsOf(token).jti as string); return 202 }, outbox)
    const s = (await call('POST', 'stream', { delivery: PUSH, events_requested: [SESSION_REVOKED] })).body
    await transmitter.emit({ type: 'session-revoked' }, AGENT)
    // The pass has read the stream (enabled); the pause is answered while it checks the stream's head.
    hook = async () => { expect((await call('POST', 'status', { stream_id: s.stream_id, status: 'paused' })).status).toBe(200) }
    const report = await transmitter.deliver()
    expect(pushed).toEqual([])
    expect(report.held.length).toBe(1)
  })
})
