import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { createIdentityRegistry, createMemoryRegistryBackend } from '../../../src/lifecycle/index.js'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { hasLoneSurrogate } from '../../../src/internal/json.js'

const AGENT = 'spiffe://example.org/agent/7'
const clock = () => 1_700_000_000_000

function setup() {
  const revocations = createMemoryRevocationStore({ clock })
  const registry = createIdentityRegistry({ backend: createMemoryRegistryBackend(), revocations, clock, revocationTtl: 3600 })
  return { registry, revocations }
}

describe('createIdentityRegistry (memory)', () => {
  it('registers, reports active and is idempotent', async () => {
    const { registry } = setup()
    expect(await registry.register(AGENT, { actor: 'ops' })).toBe(true)
    expect(await registry.register(AGENT)).toBe(false)
    expect(await registry.isActive(AGENT)).toBe(true)
    expect(await registry.isRetained(AGENT)).toBe(false)
    await expect(registry.assertIssuable(AGENT)).resolves.toBeUndefined()
    await expect(registry.assertIssuable('spiffe://example.org/unknown')).rejects.toMatchObject({ code: 'ERR_POLICY_DENIED' })
  })

  it('deprovisioning revokes the agent in the revocation store and retains the identifier forever', async () => {
    const { registry, revocations } = setup()
    await registry.register(AGENT)
    const retained = await registry.deprovision(AGENT, { reason: 'key leaked', actor: 'alice' })
    expect(retained).toMatchObject({ id: AGENT, reason: 'key leaked', actor: 'alice', deprovisionedAt: 1_700_000_000 })
    const hit = await revocations.check({ sub: AGENT }, 1_700_000_000 + 10)
    expect(hit).toMatchObject({ sub: AGENT, until: 1_700_000_000 + 3600 })
    expect(hit?.reason).toContain('key leaked')
    expect(await registry.isRetained(AGENT)).toBe(true)
    expect(await registry.isActive(AGENT)).toBe(false)
    const err = await registry.register(AGENT).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect(err).toMatchObject({ code: 'ERR_IDENTITY_RETAINED', status: 403 })
    await expect(registry.assertIssuable(AGENT)).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
  })

  it('deprovisioning is idempotent and keeps the first retention record', async () => {
    const { registry } = setup()
    await registry.deprovision(AGENT, { reason: 'first' })
    const again = await registry.deprovision(AGENT, { reason: 'second' })
    expect(again.reason).toBe('first')
  })

  it('keeps an audit trail of registrations, deprovisioning and refusals', async () => {
    const { registry } = setup()
    await registry.register(AGENT, { actor: 'ops' })
    await registry.register('spiffe://example.org/agent/8')
    await registry.deprovision(AGENT, { reason: 'retired', actor: 'ops' })
    await registry.register(AGENT, { actor: 'mallory' }).catch(() => undefined)
    expect((await registry.auditTrail(AGENT)).map((r) => r.action)).toEqual(['registered', 'deprovisioned', 'refused'])
    expect((await registry.auditTrail()).length).toBe(4)
    expect((await registry.auditTrail(AGENT))[2]).toMatchObject({ actor: 'mallory', reason: 'identifier is retained' })
  })

  it('fails closed: when the revocation store fails, nothing is retained and the error surfaces', async () => {
    const registry = createIdentityRegistry({ revocations: { revoke: async () => { throw new Error('down') }, check: async () => undefined } })
    // The store's uncoded error is kept as the cause of a StoreError (review 7: always a code).
    await expect(registry.deprovision(AGENT, { reason: 'x' })).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', cause: expect.objectContaining({ message: 'down' }) })
    expect(await registry.isRetained(AGENT)).toBe(false)
  })

  it('validates arguments with coded TypeErrors', async () => {
    const { registry } = setup()
    expect(() => createIdentityRegistry({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createIdentityRegistry({ revocations: createMemoryRevocationStore(), revocationTtl: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    await expect(registry.register('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(registry.deprovision(AGENT, {} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(registry.register('x'.repeat(3000))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('createIdentityRegistry: reasons, ids and options', () => {
  it('deprovisions with a well-formed 1024-character reason whose prefixed copy is cut inside a surrogate pair', async () => {
    const { registry, revocations } = setup()
    await registry.register(AGENT)
    // 'deprovisioned: ' is 15 code units: 1008 + 15 = 1023, so the emoji's high surrogate is unit 1024.
    const reason = 'r'.repeat(1008) + '😀'.repeat(8)
    expect(reason.length).toBe(1024)
    await expect(registry.deprovision(AGENT, { reason })).resolves.toMatchObject({ id: AGENT, reason })
    const hit = await revocations.check({ sub: AGENT }, 1_700_000_000)
    expect(hit).toBeDefined()
    expect(hit!.reason!.length).toBeLessThanOrEqual(1024)
    expect(hit!.reason!.startsWith('deprovisioned: r')).toBe(true)
    expect(hasLoneSurrogate(hit!.reason!)).toBe(false)
    expect(await registry.isRetained(AGENT)).toBe(true)
  })

  it('refuses identifiers with a lone surrogate (they cannot be deprovisioned and collide in Redis)', async () => {
    const { registry } = setup()
    for (const id of ['agent\uD800', 'agent\uDC00x']) {
      await expect(registry.register(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(registry.isActive(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
  })

  it('refuses a revocationTtl that no revocation store can record, at construction', () => {
    expect(() => createIdentityRegistry({ revocations: createMemoryRevocationStore(), revocationTtl: 1e13 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    )
  })

  it('answers a null options object with a coded TypeError', async () => {
    const { registry } = setup()
    await expect(registry.register(AGENT, null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(registry.auditTrail(AGENT, null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})
