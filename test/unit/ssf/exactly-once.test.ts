// No SET is lost, whichever dedupe-store call fails; each is processed once while the store is
// healthy. A fault-injecting cache (over the real memory cache, same injected clock as the
// receiver) fails chosen calls; per fresh delivery the receivers make, in order:
//   #1 claim(lease:set:<n>:<iss>:<jti>)  #2 claim(set:<n>:<iss>:<jti>, past) — the done test
//   (handler)  #3 claim(set:<n>:<iss>:<jti>, window) — the done marker  #4 release(lease…)
import { describe, expect, it } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { createPollReceiver, createPushReceiver, type EventDedupeCache, type FetchLike, type PollReceiver } from '../../../src/ssf/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { ISSUER, NOW, baseClaims, manualClock, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const key = await testKey()
const LEASE = 30

type Op = 'claim' | 'release'

/** The memory cache, with calls that can be made to fail (by number from now, or all while down). */
function faultyCache(clock: () => number) {
  const inner = createMemoryReplayCache({ clock })
  const calls: string[] = []
  let count = 0
  let failing = new Set<number>()
  let down = false
  const gate = (op: Op, k: string): void => {
    count++
    calls.push(`${op} ${k}`)
    if (down || failing.has(count)) throw new StoreError('ERR_STORE_UNAVAILABLE', `injected failure of call ${count} (${op})`)
  }
  const cache: EventDedupeCache = {
    async claim(k, expiresAt) {
      gate('claim', k)
      return inner.claim(k, expiresAt)
    },
    async release(k) {
      gate('release', k)
      return inner.release(k)
    },
  }
  return {
    cache,
    calls,
    /** Makes the n-th, m-th … calls from now fail (1-based). */
    failNext(...ns: number[]) {
      failing = new Set(ns.map((n) => count + n))
    },
    setDown(value: boolean) {
      down = value
    },
    has: (k: string) => inner.claim(k, 1).then((free) => !free),
  }
}

/** A handler counting calls per jti; `failWith` makes its next calls throw. */
function handler() {
  const runs: string[] = []
  let failWith: unknown[] = []
  const onEvent = async (set: { jti: string }): Promise<void> => {
    runs.push(set.jti)
    const e = failWith.shift()
    if (e !== undefined) throw e
  }
  return { onEvent, runs, failNext: (...errors: unknown[]) => { failWith = errors } }
}

function setup() {
  const clock = manualClock(NOW + 5)
  const store = faultyCache(clock)
  const h = handler()
  const receive = createPushReceiver({ verify: verifyOptions(key, { clock }), replayCache: store.cache, onEvent: h.onEvent, leaseSeconds: LEASE })
  const post = (token: string) => receive(new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt' } }))
  return { clock, store, h, receive, post }
}

describe('push receiver: no loss at any store failure point', () => {
  it('healthy store: one lease, one done test, the handler, the done marker, the lease released; copies are only acknowledged', async () => {
    const { store, h, post } = setup()
    const claims = baseClaims()
    const token = await mintSET(key.signer, claims)
    expect((await post(token)).status).toBe(202)
    const k = `set:${ISSUER.length}:${ISSUER}:${claims.jti as string}`
    expect(store.calls).toEqual([`claim lease:${k}`, `claim ${k}`, `claim ${k}`, `release lease:${k}`])
    for (let i = 0; i < 3; i++) expect((await post(token)).status).toBe(202)
    expect(h.runs).toEqual([claims.jti])
    expect(await store.has(`lease:${k}`)).toBe(false)
    expect(await store.has(k)).toBe(true)
  })

  it('#1 lease claim fails → 503, handler not called; the retry is processed once', async () => {
    const { store, h, post } = setup()
    const token = await mintSET(key.signer)
    store.failNext(1)
    const res = await post(token)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(h.runs).toHaveLength(0)
    expect((await post(token)).status).toBe(202)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('#2 done test fails → 503, lease released; the retry is processed once', async () => {
    const { store, h, post } = setup()
    const token = await mintSET(key.signer)
    store.failNext(2)
    expect((await post(token)).status).toBe(503)
    expect(h.runs).toHaveLength(0)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('store down right after the lease claim (done test and release fail) → 503; busy (503) until the lease lapses, then processed once', async () => {
    const { store, h, post, clock } = setup()
    const token = await mintSET(key.signer)
    store.failNext(2, 3)
    expect((await post(token)).status).toBe(503)
    expect((await post(token)).status).toBe(503) // store back, but the stale lease is still held
    clock.advance(LEASE - 1)
    expect((await post(token)).status).toBe(503)
    expect(h.runs).toHaveLength(0)
    clock.advance(2)
    expect((await post(token)).status).toBe(202)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('the reported bug: store down after the claim — the handler\'s write and the release fail → 503, and the event IS processed on retry', async () => {
    const { store, h, post, clock } = setup()
    const claims = baseClaims()
    const token = await mintSET(key.signer, claims)
    h.failNext(new StoreError('ERR_STORE_UNAVAILABLE', 'revocation store down'))
    store.failNext(3) // #3 is the lease release after the failed handler
    expect((await post(token)).status).toBe(503)
    expect(h.runs).toEqual([claims.jti])
    expect(await store.has(`set:${ISSUER.length}:${ISSUER}:${claims.jti as string}`)).toBe(false) // never marked done
    expect((await post(token)).status).toBe(503) // in the lease window the retry is refused, not acknowledged
    clock.advance(LEASE + 1)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toEqual([claims.jti, claims.jti]) // processed
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(2) // and not again
  })

  it('handler fails, release works → 500; the retry is processed at once', async () => {
    const { h, post } = setup()
    const token = await mintSET(key.signer)
    h.failNext(new Error('db down'))
    expect((await post(token)).status).toBe(500)
    expect((await post(token)).status).toBe(202)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(2)
  })

  it('#3 done marker write fails after the handler resolved → 202 (processed); a copy after the lease lapses is processed again (at-least-once), never lost', async () => {
    const { store, h, post, clock } = setup()
    const seen: unknown[] = []
    const receive = createPushReceiver({ verify: verifyOptions(key, { clock }), replayCache: store.cache, onEvent: h.onEvent, leaseSeconds: LEASE, onError: (e) => seen.push(e) })
    const token = await mintSET(key.signer)
    store.failNext(3)
    const res = await receive(new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt' } }))
    expect(res.status).toBe(202)
    expect(seen).toEqual([expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' })])
    expect(store.calls).toHaveLength(3) // the lease is kept, not released
    expect((await post(token)).status).toBe(503) // copies within the lease are turned away
    expect(h.runs).toHaveLength(1)
    clock.advance(LEASE + 1)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(2)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(2)
  })

  it('#4 lease release fails after the done marker → 202; copies are busy until it lapses, then acknowledged without processing', async () => {
    const { store, h, post, clock } = setup()
    const token = await mintSET(key.signer)
    store.failNext(4)
    expect((await post(token)).status).toBe(202)
    expect((await post(token)).status).toBe(503)
    clock.advance(LEASE + 1)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('a release failure on the duplicate path keeps answering 5xx only until the lease lapses', async () => {
    const { store, h, post, clock } = setup()
    const token = await mintSET(key.signer)
    expect((await post(token)).status).toBe(202)
    store.failNext(3) // duplicate path: #1 lease, #2 done test (held), #3 release
    expect((await post(token)).status).toBe(202)
    expect((await post(token)).status).toBe(503)
    clock.advance(LEASE + 1)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('a handler refusing the SET (VerificationError) → 400, lease released', async () => {
    const { store, h, post } = setup()
    const claims = baseClaims()
    const token = await mintSET(key.signer, claims)
    h.failNext(new VerificationError('ERR_POLICY_DENIED', 'not subscribed'))
    expect((await post(token)).status).toBe(400)
    expect(await store.has(`lease:set:${ISSUER.length}:${ISSUER}:${claims.jti as string}`)).toBe(false)
  })

  it('two receiver instances sharing the store: concurrent copies are processed once (the other is told to retry), and a retry is acknowledged', async () => {
    const clock = manualClock(NOW + 5)
    const store = faultyCache(clock)
    const runs: string[] = []
    let unblock!: () => void
    let entered!: () => void
    const gate = new Promise<void>((r) => { unblock = r })
    const inHandler = new Promise<void>((r) => { entered = r })
    const onEvent = async (set: { jti: string }) => { runs.push(set.jti); entered(); await gate }
    const make = () => createPushReceiver({ verify: verifyOptions(key, { clock }), replayCache: store.cache, onEvent })
    const [a, b] = [make(), make()]
    const token = await mintSET(key.signer)
    const req = () => new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt' } })
    const first = a(req())
    await inHandler
    expect((await b(req())).status).toBe(503)
    unblock()
    expect((await first).status).toBe(202)
    expect((await b(req())).status).toBe(202)
    expect(runs).toHaveLength(1)
  })

  it('the store down for the whole delivery → 503, nothing held afterwards: the retry is processed', async () => {
    const { store, h, post } = setup()
    const token = await mintSET(key.signer)
    store.setDown(true)
    expect((await post(token)).status).toBe(503)
    store.setDown(false)
    expect((await post(token)).status).toBe(202)
    expect(h.runs).toHaveLength(1)
  })

  it('validates leaseSeconds', () => {
    const ok = { verify: verifyOptions(key), replayCache: createMemoryReplayCache(), onEvent: async () => {} }
    for (const leaseSeconds of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 3601]) {
      expect(() => createPushReceiver({ ...ok, leaseSeconds })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(() => createPushReceiver({ ...ok, leaseSeconds: '30' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

/** A poll endpoint that returns every unacknowledged SET on each request. */
function fakePollTransmitter(tokens: Record<string, string>) {
  const pending = new Map(Object.entries(tokens))
  const fetch: FetchLike = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { ack?: string[]; maxEvents: number }
    for (const j of body.ack ?? []) pending.delete(j)
    const sets = body.maxEvents === 0 ? {} : Object.fromEntries(pending)
    return new Response(JSON.stringify({ sets, moreAvailable: false }), { status: 200, headers: { 'content-type': 'application/json' } })
  }
  return { fetch, pending }
}

describe('poll receiver: no loss at any store failure point', () => {
  async function pollSetup() {
    const clock = manualClock(NOW + 5)
    const store = faultyCache(clock)
    const h = handler()
    const claims = baseClaims()
    const jti = claims.jti as string
    const tx = fakePollTransmitter({ [jti]: await mintSET(key.signer, claims) })
    const receiver: PollReceiver = createPollReceiver({
      endpoint: 'https://tx.example.com/poll', verify: verifyOptions(key, { clock }), replayCache: store.cache,
      onEvent: h.onEvent, fetch: tx.fetch, returnImmediately: true, leaseSeconds: LEASE,
    })
    return { clock, store, h, jti, tx, receiver }
  }

  it('healthy: processed once, acknowledged, gone', async () => {
    const { h, jti, tx, receiver } = await pollSetup()
    expect((await receiver.poll()).processed).toEqual([jti])
    await receiver.flush()
    expect(tx.pending.size).toBe(0)
    expect(h.runs).toEqual([jti])
  })

  it('#1 lease claim fails → poll rejects with StoreError, nothing acknowledged; the next poll processes it', async () => {
    const { store, h, jti, tx, receiver } = await pollSetup()
    store.failNext(1)
    await expect(receiver.poll()).rejects.toBeInstanceOf(StoreError)
    expect(receiver.pending.ack).toBe(0)
    expect((await receiver.poll()).processed).toEqual([jti])
    await receiver.flush()
    expect(tx.pending.size).toBe(0)
    expect(h.runs).toEqual([jti])
  })

  it('handler fails with the store down and the release fails → not acknowledged; returned, busy until the lease lapses, then processed once', async () => {
    const { store, h, jti, tx, receiver, clock } = await pollSetup()
    h.failNext(new StoreError('ERR_STORE_UNAVAILABLE', 'revocation store down'))
    store.failNext(3)
    expect((await receiver.poll()).failed).toEqual([jti])
    expect((await receiver.poll()).failed).toEqual([jti]) // busy: the stale lease
    expect(h.runs).toHaveLength(1)
    clock.advance(LEASE + 1)
    expect((await receiver.poll()).processed).toEqual([jti])
    await receiver.flush()
    expect(tx.pending.size).toBe(0)
    expect(h.runs).toHaveLength(2)
  })

  it('#2 done test fails → poll rejects, lease released; the next poll processes it', async () => {
    const { store, h, jti, receiver } = await pollSetup()
    store.failNext(2)
    await expect(receiver.poll()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect((await receiver.poll()).processed).toEqual([jti])
    expect(h.runs).toEqual([jti])
  })

  it('#3 done marker fails → processed and acknowledged (the handler resolved); the transmitter forgets it', async () => {
    const { store, h, jti, tx, receiver } = await pollSetup()
    store.failNext(3)
    expect((await receiver.poll()).processed).toEqual([jti])
    await receiver.flush()
    expect(tx.pending.size).toBe(0)
    expect(h.runs).toEqual([jti])
  })

  it('a redelivery after an ack was lost is acknowledged as a duplicate', async () => {
    const { h, jti, tx, receiver } = await pollSetup()
    const token = tx.pending.get(jti)!
    expect((await receiver.poll()).processed).toEqual([jti])
    await receiver.flush()
    tx.pending.set(jti, token) // the transmitter lost the ack
    expect((await receiver.poll()).duplicates).toEqual([jti])
    expect(h.runs).toEqual([jti])
  })
})
