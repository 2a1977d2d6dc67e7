// Review 8 (Redis stores): what a key of another Redis type under a store's prefix does. MGET
// answers nil for a key that does not hold a string, so the revocation store's check reads such a
// key as "no revocation" (as it reads a deleted key); revoke on it fails closed (WRONGTYPE). The
// replay cache's SET NX refuses a claim on an existing key of any type (a replay: fails closed).
// docs/stores.md said every WRONGTYPE reply and every corrupted entry became a StoreError.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors/index.js'
import { createRedisReplayCache, createRedisRevocationStore } from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()
const now = (): number => Math.floor(Date.now() / 1000)

describe('redis stores: a key holding another type', () => {
  it('revocation check reads it as absent; revoke fails closed with WRONGTYPE', async () => {
    const prefix = `t:${randomUUID()}:`
    const store = createRedisRevocationStore({ command: redis().command, prefix })
    const sub = 'spiffe://example.org/agents/a'
    await store.revoke({ sub, until: now() + 600 })
    expect(await store.check({ sub })).toMatchObject({ sub })
    const [key] = (await redis().command(['KEYS', `${prefix}*`])) as string[]
    await redis().command(['DEL', key!])
    await redis().command(['HSET', key!, 'until', String(now() + 600)])
    expect(await store.check({ sub })).toBeUndefined()
    const err = await store.revoke({ sub, until: now() + 600 }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect(String((err as StoreError).cause)).toMatch(/WRONGTYPE/)
  })

  it('replay claim on it is refused (counted as a replay)', async () => {
    const prefix = `t:${randomUUID()}:`
    const cache = createRedisReplayCache({ command: redis().command, prefix })
    expect(await cache.claim('jti-1', now() + 60)).toBe(true)
    const [key] = (await redis().command(['KEYS', `${prefix}*`])) as string[]
    await redis().command(['DEL', key!])
    await redis().command(['LPUSH', key!, 'x'])
    expect(await cache.claim('jti-1', now() + 60)).toBe(false)
  })
})
