import { beforeAll, describe, expect, it } from 'vitest'
import type { PublicJWK } from '../../../src/signer/index.js'
import { createWIT, refreshingWITSource, staticWITSource, type FetchWIT } from '../../../src/wit/index.js'
import { issuer, NOW, SUB, workloadJwk, type TestIssuer } from '../../helpers/wit.js'

let iss: TestIssuer
let cnf: PublicJWK

beforeAll(async () => {
  iss = await issuer('ES256', 'k1')
  cnf = await workloadJwk('ES256')
})

/** A WIT issued at `iat` (seconds) living `lifetime` seconds. */
const mint = (iat: number, lifetime = 3600) => createWIT({ sub: SUB, publicJwk: cnf, iat, lifetime }, { signer: iss.signer })

/** A controllable clock in seconds. */
function manualClock(start = NOW) {
  const state = { now: start }
  return { state, clock: () => state.now * 1000 }
}

/** A fetch function whose results are queued by the test; counts calls and can be held open. */
function fetcher() {
  const queue: (() => Promise<string> | string)[] = []
  let calls = 0
  const fn: FetchWIT = async ({ signal }) => {
    expect(signal).toBeInstanceOf(AbortSignal)
    calls++
    const next = queue.shift()
    if (next === undefined) throw new Error('no token queued')
    return next()
  }
  return { fn, queue, calls: () => calls }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('staticWITSource', () => {
  it('serves the token with the exp read from it until it expires', async () => {
    const token = await mint(NOW, 600)
    const { state, clock } = manualClock()
    const source = staticWITSource(token, { clock })
    expect(await source.getWIT()).toEqual({ token, expiresAt: NOW + 600 })
    state.now = NOW + 599.9
    await expect(source.getWIT()).resolves.toMatchObject({ token })
    state.now = NOW + 600
    await expect(source.getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
  })

  it('refuses something that is not a WIT, or bad options, with a TypeError', async () => {
    expect(() => staticWITSource('a.b.c')).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => staticWITSource(42 as unknown as string)).toThrow(TypeError)
    const token = await mint(NOW)
    expect(() => staticWITSource(token, { clock: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => staticWITSource(token, { profile: 'spiffe' })).toThrow(TypeError) // wimse:// sub is not a SPIFFE ID
  })
})

describe('refreshingWITSource', () => {
  it('fetches on first use and then serves from memory', async () => {
    const { clock } = manualClock()
    const f = fetcher()
    const token = await mint(NOW)
    f.queue.push(() => token)
    const source = refreshingWITSource(f.fn, { clock })
    expect(await source.getWIT()).toEqual({ token, expiresAt: NOW + 3600 })
    expect(await source.getWIT()).toEqual({ token, expiresAt: NOW + 3600 })
    expect(f.calls()).toBe(1)
  })

  it('is single-flight: concurrent callers share one fetch', async () => {
    const { clock } = manualClock()
    const f = fetcher()
    const token = await mint(NOW)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    f.queue.push(async () => (await gate, token))
    const source = refreshingWITSource(f.fn, { clock })
    const all = Promise.all([source.getWIT(), source.getWIT(), source.getWIT(), source.getWIT()])
    release()
    const results = await all
    expect(results.every((r) => r.token === token)).toBe(true)
    expect(f.calls()).toBe(1)
  })

  it('refreshes in the background inside the refresh window and keeps serving the current token', async () => {
    const { state, clock } = manualClock()
    const f = fetcher()
    const first = await mint(NOW)
    const second = await mint(NOW + 3400)
    f.queue.push(() => first)
    const source = refreshingWITSource(f.fn, { clock, refreshBefore: 300 })
    await source.getWIT()
    state.now = NOW + 3299 // before the window
    expect((await source.getWIT()).token).toBe(first)
    expect(f.calls()).toBe(1)
    state.now = NOW + 3400 // inside the window: returns the current token at once, refreshes behind
    f.queue.push(() => second)
    expect((await source.getWIT()).token).toBe(first)
    await flush()
    expect(f.calls()).toBe(2)
    expect((await source.getWIT()).token).toBe(second)
  })

  it('keeps serving the current token while refreshes fail, retrying every retryInterval, until it expires', async () => {
    const { state, clock } = manualClock()
    const f = fetcher()
    const first = await mint(NOW, 1000)
    f.queue.push(() => first)
    const source = refreshingWITSource(f.fn, { clock, refreshBefore: 300, retryInterval: 10 })
    await source.getWIT()
    state.now = NOW + 800
    f.queue.push(() => Promise.reject(new Error('issuer down')))
    expect((await source.getWIT()).token).toBe(first)
    await flush()
    expect(f.calls()).toBe(2)
    state.now = NOW + 805 // inside retryInterval: no new fetch
    expect((await source.getWIT()).token).toBe(first)
    await flush()
    expect(f.calls()).toBe(2)
    state.now = NOW + 811 // retry
    f.queue.push(() => Promise.reject(new Error('issuer still down')))
    expect((await source.getWIT()).token).toBe(first)
    await flush()
    expect(f.calls()).toBe(3)
    state.now = NOW + 1000 // expired: callers now wait for a fetch and see its error
    f.queue.push(() => Promise.reject(new Error('issuer down for good')))
    await expect(source.getWIT()).rejects.toMatchObject({ name: 'ProtocolError', code: 'ERR_WIT_FETCH', cause: new Error('issuer down for good') })
    const fresh = await mint(NOW + 1000)
    f.queue.push(() => fresh)
    expect((await source.getWIT()).token).toBe(fresh)
  })

  it('caps refreshBefore at half the remaining lifetime of short-lived tokens', async () => {
    const { state, clock } = manualClock()
    const f = fetcher()
    f.queue.push(() => mint(NOW, 100))
    const source = refreshingWITSource(f.fn, { clock, refreshBefore: 300 })
    await source.getWIT()
    state.now = NOW + 49
    await source.getWIT()
    await flush()
    expect(f.calls()).toBe(1)
    f.queue.push(() => mint(NOW + 50, 100))
    state.now = NOW + 50
    await source.getWIT()
    await flush()
    expect(f.calls()).toBe(2)
  })

  it('rejects fetched tokens that are malformed or already expired', async () => {
    const { clock } = manualClock()
    const f = fetcher()
    const source = refreshingWITSource(f.fn, { clock })
    f.queue.push(() => 'not-a-wit')
    await expect(source.getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_INVALID' })
    f.queue.push(() => mint(NOW - 7200, 3600))
    await expect(source.getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
  })

  it('accepts { token, expiresAt } and uses the earlier of expiresAt and exp', async () => {
    const { clock } = manualClock()
    const token = await mint(NOW)
    const source = refreshingWITSource(async () => ({ token, expiresAt: NOW + 60 }), { clock })
    expect(await source.getWIT()).toEqual({ token, expiresAt: NOW + 60 })
    const later = refreshingWITSource(async () => ({ token, expiresAt: NOW + 99_999 }), { clock })
    expect((await later.getWIT()).expiresAt).toBe(NOW + 3600)
    const broken = refreshingWITSource(async () => ({ token, expiresAt: Number.NaN }), { clock })
    await expect(broken.getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_INVALID' })
  })

  it("a caller's signal aborts only that caller's wait", async () => {
    const { clock } = manualClock()
    const f = fetcher()
    const token = await mint(NOW)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    f.queue.push(async () => (await gate, token))
    const source = refreshingWITSource(f.fn, { clock })
    const controller = new AbortController()
    const aborted = source.getWIT({ signal: controller.signal })
    const patient = source.getWIT()
    controller.abort(new Error('caller gave up'))
    await expect(aborted).rejects.toThrow('caller gave up')
    release()
    expect((await patient).token).toBe(token)
    await expect(source.getWIT({ signal: AbortSignal.abort(new Error('x')) })).resolves.toMatchObject({ token })
  })

  it('abandons a fetch that ignores its signal at the timeout, so an expired source does not hang', async () => {
    const { state, clock } = manualClock()
    const token = await mint(NOW, 600)
    let calls = 0
    // The second call never settles and ignores its signal.
    const fn: FetchWIT = async () => (++calls === 1 ? token : new Promise<string>(() => {}))
    const source = refreshingWITSource(fn, { clock, timeout: 0.02 })
    expect((await source.getWIT()).token).toBe(token)
    state.now = NOW + 590 // inside the refresh window: a background refresh starts and hangs
    expect((await source.getWIT()).token).toBe(token)
    state.now = NOW + 610 // the current token has expired: getWIT waits for the stuck refresh…
    await expect(source.getWIT()).rejects.toMatchObject({ code: 'ERR_REMOTE_TIMEOUT', cause: { name: 'TimeoutError' } }) // …until the timeout
    await expect(source.getWIT()).rejects.toMatchObject({ code: 'ERR_REMOTE_TIMEOUT', cause: { name: 'TimeoutError' } }) // a new fetch, not the stuck one
    expect(calls).toBe(3)
  })

  it('validates its options at construction', () => {
    const fn: FetchWIT = async () => ''
    expect(() => refreshingWITSource(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    for (const o of [{ refreshBefore: Number.NaN }, { refreshBefore: -1 }, { retryInterval: Number.POSITIVE_INFINITY }, { timeout: 0 }, { profile: 'x' }, { algorithms: [] }]) {
      expect(() => refreshingWITSource(fn, o as never), JSON.stringify(o)).toThrow(TypeError)
    }
  })
})
