import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import { createIdentityRegistry, createMemoryRegistryBackend, type IdentityRegistryBackend } from '../../../src/lifecycle/index.js'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import type { RevocationStore } from '../../../src/stores/index.js'

const storeDown = { code: 'ERR_STORE_UNAVAILABLE' }

describe('createIdentityRegistry (review 7): dependency failures fail closed with a code', () => {
  it('turns an uncoded rejection of a custom revocation store into StoreError ERR_STORE_UNAVAILABLE', async () => {
    const revocations: RevocationStore = {
      revoke: async () => {
        throw new Error('connection reset')
      },
      check: async () => undefined,
    }
    const backend = createMemoryRegistryBackend()
    const registry = createIdentityRegistry({ backend, revocations })
    await registry.register('agent/1')
    const err: unknown = await registry.deprovision('agent/1', { reason: 'retired' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject(storeDown)
    // Revoke first: nothing retained, the agent stays issuable only through a later successful retry.
    expect(await registry.isRetained('agent/1')).toBe(false)
  })

  it('turns uncoded failures of a custom backend into StoreError, and keeps coded errors as they are', async () => {
    const broken = (): Promise<never> => Promise.reject(new Error('backend exploded'))
    const backend: IdentityRegistryBackend = {
      register: broken,
      retain: broken,
      isActive: broken,
      retained: broken,
      audit: broken,
      trail: broken,
    }
    const registry = createIdentityRegistry({ backend, revocations: createMemoryRevocationStore() })
    await expect(registry.register('a')).rejects.toMatchObject(storeDown)
    await expect(registry.deprovision('a', { reason: 'r' })).rejects.toMatchObject(storeDown)
    await expect(registry.isRetained('a')).rejects.toMatchObject(storeDown)
    await expect(registry.isActive('a')).rejects.toMatchObject(storeDown)
    await expect(registry.assertIssuable('a')).rejects.toMatchObject(storeDown)
    await expect(registry.auditTrail('a')).rejects.toMatchObject(storeDown)
    const full = createIdentityRegistry({ revocations: createMemoryRevocationStore({ maxEntries: 1 }) })
    await full.deprovision('x', { reason: 'r' })
    await expect(full.deprovision('y', { reason: 'r' })).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
    await expect(full.register('x')).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
    await expect(full.assertIssuable('z')).rejects.toMatchObject({ code: 'ERR_POLICY_DENIED' })
  })
})

describe('createIdentityRegistry (review 7): actor is bounded like reason', () => {
  it('refuses an actor over 1024 characters or with a lone surrogate, recording nothing', async () => {
    const backend = createMemoryRegistryBackend()
    const registry = createIdentityRegistry({ backend, revocations: createMemoryRevocationStore() })
    const huge = 'a'.repeat(1025)
    await expect(registry.register('agent/9', { actor: huge })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(registry.register('agent/9', { actor: 'x\uD800' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(registry.deprovision('agent/9', { reason: 'r', actor: huge })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(await registry.isRetained('agent/9')).toBe(false)
    expect(await registry.auditTrail('agent/9')).toEqual([])
    expect(await registry.register('agent/9', { actor: '\uD83D\uDE00'.repeat(512) })).toBe(true)
  })
})
