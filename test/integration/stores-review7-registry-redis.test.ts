import { describe, expect, it } from 'vitest'
import { createIdentityRegistry, createRedisRegistryBackend } from '../../src/lifecycle/index.js'
import { createRedisReplayCache, createRedisRevocationStore, type RedisCommand } from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()
let n = 0
const freshPrefix = (): string => `review7:${process.pid}:${++n}:`

describe('createRedisRegistryBackend (review 7)', () => {
  it('works with a client giving byte replies, as the RedisCommand contract promises', async () => {
    const { client } = redis()
    const bytes: RedisCommand = (args) => client.callBuffer(args[0]!, ...args.slice(1)) as Promise<unknown>
    const prefix = freshPrefix()
    // The stores accept byte replies; the registry must too (same RedisCommand contract).
    const revocations = createRedisRevocationStore({ command: bytes, prefix: `${prefix}revoked:` })
    const registry = createIdentityRegistry({ backend: createRedisRegistryBackend({ command: bytes, prefix }), revocations })
    expect(await registry.register('agent/1', { actor: 'ops' })).toBe(true)
    expect(await registry.register('agent/1')).toBe(false)
    await registry.assertIssuable('agent/1')
    const kept = await registry.deprovision('agent/1', { reason: 'retired' })
    expect(kept).toMatchObject({ id: 'agent/1', reason: 'retired' })
    expect(await registry.isRetained('agent/1')).toBe(true)
    await expect(registry.register('agent/1')).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
    const trail = await registry.auditTrail('agent/1')
    expect(trail.map((r) => r.action)).toEqual(['registered', 'deprovisioned', 'refused'])
    expect(await createRedisReplayCache({ command: bytes, prefix }).claim('k', Date.now() / 1000 + 60)).toBe(true)
  })

  it('caps the per-identifier audit list at maxAudit: repeated refused registrations cannot grow it without bound', async () => {
    const { command } = redis()
    const prefix = freshPrefix()
    const registry = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command, prefix, maxAudit: 5 }),
      revocations: createRedisRevocationStore({ command, prefix: `${prefix}revoked:` }),
    })
    await registry.deprovision('agent/2', { reason: 'retired' })
    for (let i = 0; i < 20; i++) await expect(registry.register('agent/2')).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
    expect(await command(['LLEN', `${prefix}audit:agent/2`])).toBe(5)
    expect(await command(['LLEN', `${prefix}audit`])).toBe(5)
    expect((await registry.auditTrail('agent/2')).length).toBe(5)
  })

  it('writes an audit record to both lists in one step: a failed command leaves them in step', async () => {
    const { command } = redis()
    const prefix = freshPrefix()
    let failNext = false
    // The connection drops on the third command: the registry read, then the audit write.
    let sinceArmed = 0
    const flaky: RedisCommand = async (args) => {
      if (failNext && ++sinceArmed === 3) throw new Error('connection reset')
      return command(args)
    }
    const registry = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command: flaky, prefix }),
      revocations: createRedisRevocationStore({ command, prefix: `${prefix}revoked:` }),
    })
    await registry.deprovision('agent/3', { reason: 'retired' })
    failNext = true
    // register: one read of the registry state, then the audit write of the refusal.
    await expect(registry.register('agent/3')).rejects.toBeDefined()
    failNext = false
    const perId = await command(['LLEN', `${prefix}audit:agent/3`])
    const all = await command(['LLEN', `${prefix}audit`])
    expect(perId).toBe(all)
  })

  it('fails closed on an audit record that is not one', async () => {
    const { command } = redis()
    const prefix = freshPrefix()
    const registry = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command, prefix }),
      revocations: createRedisRevocationStore({ command, prefix: `${prefix}revoked:` }),
    })
    for (const [i, junk] of ['5', 'null', '"x"', '[]', '{"id":"someone-else","action":"registered","at":1}', '{"id":"a/5","action":5,"at":1}', '{"id":"a/6","action":"registered"}'].entries()) {
      const id = `a/${i}`
      await command(['RPUSH', `${prefix}audit:${id}`, junk])
      await expect(registry.auditTrail(id)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    }
  })
})
