import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { expectCode } from '../../helpers/store-contract.js'

function setup(maxEntries?: number) {
  let ms = 1_700_000_000_000
  const store = createMemoryRevocationStore({ clock: () => ms, ...(maxEntries === undefined ? {} : { maxEntries }) })
  return { store, now: () => Math.floor(ms / 1000), advance: (s: number) => void (ms += s * 1000) }
}

describe('createMemoryRevocationStore', () => {
  it('lists live entries for audit, one per revoked key, frozen', async () => {
    const { store, now, advance } = setup()
    await store.revoke({ sub: 's', sid: 'x', until: now() + 10, reason: 'r' })
    await store.revoke({ jti: 'j', until: now() + 100 })
    const list = store.list()
    expect(Object.isFrozen(list)).toBe(true)
    expect([...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { jti: 'j', until: now() + 100 },
      { sid: 'x', until: now() + 10, reason: 'r' },
      { sub: 's', until: now() + 10, reason: 'r' },
    ])
    expect(store.size).toBe(3)
    advance(10)
    expect(store.list()).toEqual([{ jti: 'j', until: now() + 90 }])
    await store.revoke({ jti: 'j2', until: now() + 5 })
    expect(store.size).toBe(2) // swept on write
  })

  it('rejects a revoke with ERR_STORE_FULL when full, recording none of its keys', async () => {
    const { store, now, advance } = setup(3)
    await store.revoke({ sub: 'a', jti: 'a', until: now() + 10 })
    await expectCode(store.revoke({ sid: 'b', jkt: 'b', until: now() + 10 }), StoreError, 'ERR_STORE_FULL')
    expect(await store.check({ sid: 'b' })).toBeUndefined()
    expect(await store.check({ jkt: 'b' })).toBeUndefined()
    // Re-revoking a held key needs no room; neither does an already-expired entry.
    await store.revoke({ sub: 'a', until: now() + 50 })
    await store.revoke({ sid: 'c', until: now() - 1 })
    await store.revoke({ sid: 'c2', until: now() + 10 })
    expect(store.size).toBe(3)
    await expectCode(store.revoke({ sid: 'd', until: now() + 10 }), StoreError, 'ERR_STORE_FULL')
    advance(10)
    await store.revoke({ sid: 'd', jkt: 'd', until: now() + 10 })
    expect(await store.check({ sub: 'a' })).toMatchObject({ until: now() + 40 })
  })

  it('treats until == now as passed: such a revocation neither records nor merges (store clock)', async () => {
    const { store, now, advance } = setup()
    const live = { sub: 'a', until: now() + 100, issuedBefore: now() - 10, reason: 'credential-change' }
    await store.revoke(live)
    await store.revoke({ sub: 'a', sid: 'b', until: now(), reason: 'expired this instant' })
    expect(store.list()).toEqual([live])
    expect(await store.check({ sub: 'a' }, now())).toBeUndefined()
    advance(0.001)
    await store.revoke({ sub: 'a', until: now() + 1, reason: 'still live' }) // a live part merges (union)
    expect(await store.check({ sub: 'a' }, now())).toEqual({ sub: 'a', until: now() + 100, reason: 'still live' })
  })

  it('fails closed when the clock returns garbage', async () => {
    let ms = 1_700_000_000_000
    const store = createMemoryRevocationStore({ clock: () => ms })
    await store.revoke({ sub: 'a', until: 1_700_000_100 })
    ms = Number.POSITIVE_INFINITY
    await expectCode(store.check({ sub: 'a' }), TypeError, 'ERR_INVALID_ARG_VALUE')
  })

  it('validates options at construction', () => {
    expect(() => createMemoryRevocationStore({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createMemoryRevocationStore({ clock: 'now' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(Object.isFrozen(createMemoryRevocationStore())).toBe(true)
  })
})
