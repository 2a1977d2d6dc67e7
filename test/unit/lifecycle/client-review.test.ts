import { describe, expect, it } from 'vitest'
import { createIdentityRegistry, createMemoryRegistryBackend, createRedisRegistryBackend } from '../../../src/lifecycle/index.js'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'

describe('createMemoryRegistryBackend (review)', () => {
  it('caps the global audit list at maxAudit, as the Redis backend does, and keeps per-identifier trails', async () => {
    const backend = createMemoryRegistryBackend({ maxAudit: 10 })
    const registry = createIdentityRegistry({ backend, revocations: createMemoryRevocationStore() })
    await registry.register('first')
    await registry.deprovision('first', { reason: 'retired' })
    for (let i = 0; i < 50; i++) await registry.register('first').catch(() => undefined)
    for (let i = 0; i < 50; i++) await registry.register(`agent-${i}`)
    const all = await backend.trail(undefined, 100_000)
    expect(all).toHaveLength(10)
    expect(all.at(-1)).toMatchObject({ id: 'agent-49', action: 'registered' })
    // Per-identifier lists are capped too (review 7): the newest maxAudit records; the retention
    // record still says who deprovisioned the id, when and why.
    const first = await registry.auditTrail('first', { limit: 100_000 })
    expect(first).toHaveLength(10)
    expect(first.every((r) => r.action === 'refused')).toBe(true)
    expect(await registry.deprovision('first', { reason: 'again' })).toMatchObject({ reason: 'retired' })
    expect(() => createMemoryRegistryBackend({ maxAudit: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createMemoryRegistryBackend({ maxAudit: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('returns only the last maxAudit global records however many were written', async () => {
    const backend = createMemoryRegistryBackend({ maxAudit: 5 })
    for (let i = 0; i < 1000; i++) await backend.audit({ id: `x${i % 3}`, action: 'refused', at: i })
    expect(await backend.trail(undefined, 1000)).toEqual([995, 996, 997, 998, 999].map((at) => ({ id: `x${at % 3}`, action: 'refused', at })))
    expect(await backend.trail('x0', 1000)).toEqual([987, 990, 993, 996, 999].map((at) => ({ id: 'x0', action: 'refused', at })))
    expect(await backend.trail('x1', 1000)).toHaveLength(5)
  })
})

describe('redis registry backend integer replies (review)', () => {
  // A client configured to return integers as strings (ioredis stringNumbers) or bigints.
  function backendAnswering(reply: unknown) {
    return createRedisRegistryBackend({ command: async () => reply })
  }
  const identity = { id: 'spiffe://example.org/a', retainedAt: 1, reason: 'done' } as never
  const record = { id: 'spiffe://example.org/a', action: 'retain', at: 1 } as never

  it('reads EXISTS and the retain script as numbers, decimal strings or bigints', async () => {
    for (const [reply, want] of [[1, true], ['1', true], [1n, true], [0, false], ['0', false], [0n, false]] as const) {
      expect(await backendAnswering(reply).isActive('spiffe://example.org/a')).toBe(want)
      expect(await backendAnswering(reply).retain(identity, record)).toBe(want)
    }
  })

  it('fails closed on any other reply', async () => {
    for (const reply of ['01', '1.0', 2, 'OK', null, new Uint8Array([49])]) {
      await expect(backendAnswering(reply).isActive('spiffe://example.org/a')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
      await expect(backendAnswering(reply).retain(identity, record)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    }
  })
})
