import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { expectCode } from '../../helpers/store-contract.js'

function setup(maxEntries?: number) {
  let ms = 1_700_000_000_000
  const cache = createMemoryReplayCache({ clock: () => ms, ...(maxEntries === undefined ? {} : { maxEntries }) })
  return { cache, now: () => Math.floor(ms / 1000), advance: (s: number) => void (ms += s * 1000), set: (v: number) => void (ms = v) }
}

describe('createMemoryReplayCache', () => {
  it('refuses new claims with ERR_STORE_FULL when full of live keys, without evicting any', async () => {
    const { cache, now } = setup(3)
    const exp = now() + 60
    for (const k of ['a', 'b', 'c']) expect(await cache.claim(k, exp)).toBe(true)
    await expectCode(cache.claim('d', exp), StoreError, 'ERR_STORE_FULL')
    const err = await cache.claim('d', exp).catch((e: unknown) => e)
    expect((err as StoreError).status).toBe(503)
    // Held keys are still refused as replays (not evicted), and a full store still answers those.
    for (const k of ['a', 'b', 'c']) expect(await cache.claim(k, exp)).toBe(false)
    // An already-expired claim needs no room.
    expect(await cache.claim('d', now() - 1)).toBe(true)
    expect(cache.size).toBe(3)
  })

  it('makes room again as soon as keys expire', async () => {
    const { cache, now, advance } = setup(2)
    expect(await cache.claim('a', now() + 10)).toBe(true)
    expect(await cache.claim('b', now() + 20)).toBe(true)
    await expectCode(cache.claim('c', now() + 30), StoreError, 'ERR_STORE_FULL')
    advance(10)
    expect(await cache.claim('c', now() + 30)).toBe(true)
    expect(await cache.claim('b', now() + 30)).toBe(false)
    expect(cache.size).toBe(2)
  })

  it('sweeps expired keys on write, so size tracks live keys', async () => {
    const { cache, now, advance } = setup()
    for (let i = 0; i < 500; i++) await cache.claim(`k${i}`, now() + 1 + (i % 50))
    expect(cache.size).toBe(500)
    advance(25)
    await cache.claim('trigger', now() + 1000)
    // keys with expiresAt <= now are gone: i % 50 + 1 <= 25 → 25 of every 50
    expect(cache.size).toBe(250 + 1)
    advance(1000)
    await cache.claim('trigger-2', now() + 1000)
    expect(cache.size).toBe(1)
  })

  it('bounds the work of one write and still never treats an expired key as held', async () => {
    const { cache, now, advance } = setup()
    for (let i = 0; i < 3000; i++) await cache.claim(`k${i}`, now() + 5)
    advance(10)
    await cache.claim('x', now() + 100) // sweeps at most 1024 per call
    expect(cache.size).toBeGreaterThan(1)
    expect(await cache.claim('k2999', now() + 100)).toBe(true)
    for (let i = 0; i < 5; i++) await cache.claim(`y${i}`, now() + 100)
    expect(cache.size).toBe(1 + 1 + 5)
  })

  it('keeps a key claimed until the instant it expires', async () => {
    const { cache, set } = setup()
    set(1_700_000_000_000)
    expect(await cache.claim('edge', 1_700_000_010)).toBe(true)
    set(1_700_000_009_999)
    expect(await cache.claim('edge', 1_700_000_010)).toBe(false)
    set(1_700_000_010_000)
    expect(await cache.claim('edge', 1_700_000_020)).toBe(true)
  })

  it('fails closed when the clock returns garbage (never treats live keys as expired)', async () => {
    let ms = 1_700_000_000_000
    const cache = createMemoryReplayCache({ clock: () => ms })
    expect(await cache.claim('k', 1_700_000_100)).toBe(true)
    ms = Number.NaN
    await expectCode(cache.claim('k', 1_700_000_100), TypeError, 'ERR_INVALID_ARG_VALUE')
  })

  it('validates options at construction', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2e9]) {
      expect(() => createMemoryReplayCache({ maxEntries }), String(maxEntries)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(() => createMemoryReplayCache({ maxEntries: '10' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createMemoryReplayCache({ clock: 5 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createMemoryReplayCache(null as never)).toThrow(TypeError)
    expect(Object.isFrozen(createMemoryReplayCache())).toBe(true)
  })

  it('claims 100 000 keys quickly (amortised sweeping, no O(n) per call)', async () => {
    const { cache, now, advance } = setup(200_000)
    const start = performance.now()
    for (let i = 0; i < 100_000; i++) {
      await cache.claim(`wpt:spiffe://example.org/a:${i}`, now() + 30)
      if (i % 1000 === 0) advance(1)
    }
    expect(performance.now() - start).toBeLessThan(3000)
    expect(cache.size).toBeLessThanOrEqual(31_000)
  })
})
