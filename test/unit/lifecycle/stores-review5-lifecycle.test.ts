import { describe, expect, it } from 'vitest'
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

describe('createIdentityRegistry (review 5)', () => {
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
