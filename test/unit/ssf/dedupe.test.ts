import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import { createMemoryDedupeCache, createRedisDedupeCache } from '../../../src/ssf/index.js'

describe('createMemoryDedupeCache', () => {
  it('claims once, releases, expires and fails closed when full', async () => {
    let now = 1000_000
    const cache = createMemoryDedupeCache({ clock: () => now, maxEntries: 2 })
    expect(await cache.claim('a', 2000)).toBe(true)
    expect(await cache.claim('a', 2000)).toBe(false)
    await cache.release('a')
    expect(await cache.claim('a', 2000)).toBe(true)
    expect(await cache.claim('b', 2000)).toBe(true)
    await expect(cache.claim('c', 2000)).rejects.toBeInstanceOf(StoreError)
    now = 2001_000
    expect(await cache.claim('a', 3000)).toBe(true)
    expect(() => createMemoryDedupeCache({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('refuses keys and expiries that would disable dedupe (the store cache checks)', async () => {
    const cache = createMemoryDedupeCache({ clock: () => 1000_000 })
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -5]) {
      await expect(cache.claim('k', bad)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    await expect(cache.claim('', 2000)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(cache.release('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(await cache.claim('k', 2000)).toBe(true) // nothing was claimed by the refused calls
  })

  it('a claim with a past expiresAt only tests the key (what the receivers rely on)', async () => {
    const cache = createMemoryDedupeCache({ clock: () => 1000_000 })
    expect(await cache.claim('k', 1)).toBe(true)
    expect(await cache.claim('k', 1)).toBe(true)
    expect(await cache.claim('k', 2000)).toBe(true)
    expect(await cache.claim('k', 1)).toBe(false)
  })
})

describe('createRedisDedupeCache (fake command)', () => {
  it('uses SET NX EXAT and DEL; maps failures to StoreError', async () => {
    const calls: string[][] = []
    const held = new Set<string>()
    const cache = createRedisDedupeCache({ prefix: 'p:', command: async (args) => {
      calls.push([...args])
      if (args[0] === 'SET') { if (held.has(args[1]!)) return null; held.add(args[1]!); return 'OK' }
      if (args[0] === 'DEL') { held.delete(args[1]!); return 1 }
      throw new Error('unexpected')
    } })
    expect(await cache.claim('k', 1234.5)).toBe(true)
    expect(await cache.claim('k', 1234.5)).toBe(false)
    await cache.release('k')
    expect(calls[0]).toEqual(['SET', 'p:k', '1', 'NX', 'EXAT', '1235'])
    expect(calls[2]).toEqual(['DEL', 'p:k'])
    const broken = createRedisDedupeCache({ command: async () => { throw new Error('ECONNREFUSED') } })
    await expect(broken.claim('k', 1)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    const weird = createRedisDedupeCache({ command: async () => 42 })
    await expect(weird.claim('k', 1)).rejects.toBeInstanceOf(StoreError)
    const slow = createRedisDedupeCache({ timeoutMs: 10, command: () => new Promise(() => {}) })
    await expect(slow.claim('k', 1)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
  })

  it('defaults to the agentauth:ssf:dedupe: prefix and validates keys, expiries and options before any command', async () => {
    const calls: string[][] = []
    const cache = createRedisDedupeCache({ command: async (args) => { calls.push([...args]); return args[0] === 'SET' ? 'OK' : 1 } })
    await cache.claim('set:iss:j', 2000)
    expect(calls[0]).toEqual(['SET', 'agentauth:ssf:dedupe:set:iss:j', '1', 'NX', 'EXAT', '2000'])
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0]) await expect(cache.claim('k', bad)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(cache.claim('', 2000)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(calls).toHaveLength(1)
    expect(() => createRedisDedupeCache(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createRedisDedupeCache({ command: 'x' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createRedisDedupeCache({ command: async () => null, timeoutMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
