// Failure behaviour against a real redis-server: outages, stalls, crashes with and without AOF.
// Every failure must reject with StoreError (503) within the configured timeout, never hang, and
// the same store objects must work again once Redis is back.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors/index.js'
import { createRedisReplayCache, createRedisRevocationStore } from '../../src/stores/redis/index.js'
import { redisServerVersion, startRedis, useRedis } from '../helpers/redis-server.js'
import { expectCode } from '../helpers/store-contract.js'

const now = (): number => Math.floor(Date.now() / 1000)
const TIMEOUT = 150

/** Runs `fn` and returns how long it took to settle (ms). */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

describe('Redis outage (stop mid-run, then restart)', () => {
  const redis = useRedis({ appendonly: true, appendfsync: 'always' })

  it('rejects claims, checks and revokes with StoreError within the timeout, then recovers without new store objects', async () => {
    const cache = createRedisReplayCache({ command: redis().command, prefix: 'outage:', timeoutMs: TIMEOUT })
    const store = createRedisRevocationStore({ command: redis().command, prefix: 'outage-rev:', timeoutMs: TIMEOUT })
    const exp = now() + 600
    expect(await cache.claim('before', exp)).toBe(true)
    await store.revoke({ sub: 'before', until: exp })

    await redis().stop()
    const elapsed = await timed(async () => {
      await Promise.all([
        expectCode(cache.claim('during', exp), StoreError, 'ERR_STORE_UNAVAILABLE'),
        expectCode(cache.claim('before', exp), StoreError, 'ERR_STORE_UNAVAILABLE'),
        expectCode(store.check({ sub: 'before' }), StoreError, 'ERR_STORE_UNAVAILABLE'),
        expectCode(store.revoke({ sub: 'during', until: exp }), StoreError, 'ERR_STORE_UNAVAILABLE'),
      ])
    })
    expect(elapsed).toBeLessThan(TIMEOUT + 1000)
    const err = await cache.claim('again', exp).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).status).toBe(503)

    await redis().restart()
    // The client reconnects on its own; the store objects are reused as they are.
    await expect.poll(() => cache.claim('after', exp).catch(() => 'down'), { timeout: 5000, interval: 50 }).toBe(true)
    expect(await cache.claim('before', exp)).toBe(false) // AOF kept the earlier claim
    expect(await store.check({ sub: 'before' })).toMatchObject({ sub: 'before' })
    await store.revoke({ sub: 'after', until: exp })
    expect(await store.check({ sub: 'after' })).toMatchObject({ sub: 'after' })
  })
})

describe('slow Redis', () => {
  const redis = useRedis()

  it('times out a stalled server (SIGSTOP) with StoreError, and works again once it resumes', async () => {
    const cache = createRedisReplayCache({ command: redis().command, prefix: 'stall:', timeoutMs: TIMEOUT })
    const store = createRedisRevocationStore({ command: redis().command, prefix: 'stall-rev:', timeoutMs: TIMEOUT })
    const exp = now() + 600
    redis().suspend()
    try {
      const elapsed = await timed(() =>
        Promise.all([
          expectCode(cache.claim('stalled', exp), StoreError, 'ERR_STORE_UNAVAILABLE'),
          expectCode(store.check({ jti: 'stalled' }), StoreError, 'ERR_STORE_UNAVAILABLE'),
        ]),
      )
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT - 5)
      expect(elapsed).toBeLessThan(TIMEOUT + 1000)
    } finally {
      redis().resume()
    }
    // The timed-out SET may still have landed after the resume: the proof is burnt, never reusable.
    await expect.poll(() => cache.claim('stalled', exp), { timeout: 2000 }).toBe(false)
    expect(await cache.claim('fresh', exp)).toBe(true)
  })

  it('times out while another client holds the server busy (DEBUG SLEEP)', async () => {
    const cache = createRedisReplayCache({ command: redis().command, prefix: 'busy:', timeoutMs: TIMEOUT })
    const blocker = redis().newClient()
    await blocker.ping() // connected, so DEBUG SLEEP reaches the server before the claim below
    const sleeping = blocker.call('DEBUG', 'SLEEP', '0.8')
    await new Promise((r) => setTimeout(r, 50))
    const elapsed = await timed(() => expectCode(cache.claim('busy', now() + 60), StoreError, 'ERR_STORE_UNAVAILABLE'))
    expect(elapsed).toBeLessThan(TIMEOUT + 400)
    await sleeping
    expect(await cache.claim('after-sleep', now() + 60)).toBe(true)
  })

  it('pause(ms) stalls then resumes the server by itself', async () => {
    const cache = createRedisReplayCache({ command: redis().command, prefix: 'pause:', timeoutMs: 100 })
    const paused = redis().pause(300)
    await expectCode(cache.claim('p', now() + 60), StoreError, 'ERR_STORE_UNAVAILABLE')
    await paused
    expect(await cache.claim('p2', now() + 60)).toBe(true)
  })
})

describe('durability across a crash (kill -9 + restart)', () => {
  it('keeps acknowledged replay claims and revocations with appendonly yes + appendfsync always', async () => {
    const server = await startRedis({ appendonly: true, appendfsync: 'always' })
    try {
      const cache = createRedisReplayCache({ command: server.command, timeoutMs: 1000 })
      const store = createRedisRevocationStore({ command: server.command, timeoutMs: 1000 })
      const exp = now() + 600
      const keys = Array.from({ length: 50 }, (_, i) => `accepted-${i}`)
      expect(await Promise.all(keys.map((k) => cache.claim(k, exp)))).toEqual(keys.map(() => true))
      await store.revoke({ jti: 'revoked-wit', until: exp, reason: 'credential-compromise' })

      await server.kill()
      expect(server.running).toBe(false)
      await server.restart()

      await expect.poll(() => cache.claim(keys[0]!, exp).catch(() => 'down'), { timeout: 5000, interval: 50 }).toBe(false)
      expect(await Promise.all(keys.map((k) => cache.claim(k, exp)))).toEqual(keys.map(() => false))
      expect(await store.check({ jti: 'revoked-wit' })).toEqual({ jti: 'revoked-wit', until: exp, reason: 'credential-compromise' })
    } finally {
      await server.close()
    }
  })

  it('loses them without AOF (why docs/stores.md requires it): the replay window reopens', async () => {
    const server = await startRedis({ appendonly: false })
    try {
      const cache = createRedisReplayCache({ command: server.command })
      const exp = now() + 600
      expect(await cache.claim('accepted', exp)).toBe(true)
      await server.kill()
      await server.restart()
      await expect.poll(() => cache.claim('accepted', exp).catch(() => 'down'), { timeout: 5000, interval: 50 }).toBe(true)
    } finally {
      await server.close()
    }
  })
})

describe('redis-server harness', () => {
  it('fails with a clear message when redis-server is missing (never skips)', async () => {
    await expect(startRedis({ bin: '/nonexistent/redis-server' })).rejects.toThrow(/redis-server is required.*apt-get install -y redis-server/s)
    expect(() => redisServerVersion('/nonexistent/redis-server')).toThrow(/REDIS_SERVER_BIN/)
  })

  it('reports port, url, version and dir, and cleans up on close()', async () => {
    const { existsSync } = await import('node:fs')
    const server = await startRedis()
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
    expect(server.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(await server.command(['PING'])).toBe('PONG')
    expect(existsSync(server.dir)).toBe(true)
    await server.close()
    expect(server.running).toBe(false)
    expect(existsSync(server.dir)).toBe(false)
    await server.close() // idempotent
  })
})

describe('redis-server harness cleanup', () => {
  let leaked: { running: boolean; dir: string } | undefined
  it('a server started inside a test …', async () => {
    const server = await startRedis()
    leaked = server
    expect(await server.command(['PING'])).toBe('PONG')
  })
  it('… is closed when that test finishes', async () => {
    const { existsSync } = await import('node:fs')
    expect(leaked?.running).toBe(false)
    expect(existsSync(leaked!.dir)).toBe(false)
  })
})
