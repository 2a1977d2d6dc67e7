import { describe, expect, it } from 'vitest'
import { createIdentityRegistry, createRedisRegistryBackend } from '../../src/lifecycle/index.js'
import { createRedisRevocationStore } from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()
let n = 0
const freshPrefix = (): string => `review5:${process.pid}:${++n}:`

describe('createRedisRegistryBackend (review 5)', () => {
  it('returns a frozen retention record from deprovision, as the memory backend does', async () => {
    const { command } = redis()
    const prefix = freshPrefix()
    const registry = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command, prefix }),
      revocations: createRedisRevocationStore({ command, prefix: `${prefix}revoked:` }),
    })
    const first = await registry.deprovision('spiffe://example.org/agent/1', { reason: 'retired' })
    expect(Object.isFrozen(first)).toBe(true)
    const again = await registry.deprovision('spiffe://example.org/agent/1', { reason: 'again' })
    expect(again).toMatchObject({ id: 'spiffe://example.org/agent/1', reason: 'retired' })
    expect(Object.isFrozen(again)).toBe(true)
  })

  it('fails closed with StoreError on a retention record that is not one', async () => {
    const { command } = redis()
    const prefix = freshPrefix()
    const backend = createRedisRegistryBackend({ command, prefix })
    const registry = createIdentityRegistry({ backend, revocations: createRedisRevocationStore({ command, prefix: `${prefix}revoked:` }) })
    for (const [i, junk] of ['null', '5', '"x"', '[]', '{"id":"someone-else","deprovisionedAt":1,"reason":"r"}', '{"id":"a/2"}'].entries()) {
      const id = `a/${i === 5 ? 2 : i}`
      await command(['SET', `${prefix}retained:${id}`, junk])
      await expect(backend.retained(id)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
      await expect(registry.assertIssuable(id)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    }
  })

  it('refuses a prefix with a lone surrogate (Redis would store it as U+FFFD and two prefixes would share keys)', () => {
    const { command } = redis()
    expect(() => createRedisRegistryBackend({ command, prefix: 'app\uD800:' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
