// The store contract, and Redis-specific behaviour, against a real redis-server started by the
// harness on a free loopback port (fails, never skips, when redis-server is missing).
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors/index.js'
import {
  createRedisReplayCache,
  createRedisRevocationStore,
  nodeRedisCommand,
  type RedisCommand,
} from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'
import { describeReplayCacheContract, describeRevocationStoreContract, expectCode, hashedForm } from '../helpers/store-contract.js'

const redis = useRedis()
const now = (): number => Math.floor(Date.now() / 1000)
const freshPrefix = (): string => `t:${randomUUID()}:`

/** A stand-in for a node-redis v4/v5 client: only `sendCommand(args)`, forwarded to ioredis. */
function fakeNodeRedis(): { sendCommand(args: string[]): Promise<unknown> } {
  const client = redis().newClient()
  return { sendCommand: (args) => client.call(args[0]!, args.slice(1)) }
}

describeReplayCacheContract('redis (ioredis)', () => ({ cache: createRedisReplayCache({ command: redis().command, prefix: freshPrefix() }), now }))
describeReplayCacheContract('redis (node-redis adapter)', () => ({
  cache: createRedisReplayCache({ command: nodeRedisCommand(fakeNodeRedis()), prefix: freshPrefix() }),
  now,
}))
describeRevocationStoreContract('redis (ioredis)', () => ({ store: createRedisRevocationStore({ command: redis().command, prefix: freshPrefix() }), now }))
/** Like ioredisCommand, but every bulk and status reply arrives as a Buffer (`callBuffer`). */
function bufferCommand(): RedisCommand {
  const client = redis().newClient()
  return (args) => client.callBuffer(args[0]!, args.slice(1))
}
describeReplayCacheContract('redis (Buffer replies)', () => ({ cache: createRedisReplayCache({ command: bufferCommand(), prefix: freshPrefix() }), now }))
describeRevocationStoreContract('redis (Buffer replies)', () => ({ store: createRedisRevocationStore({ command: bufferCommand(), prefix: freshPrefix() }), now }))
describeRevocationStoreContract('redis (node-redis adapter)', () => ({
  store: createRedisRevocationStore({ command: nodeRedisCommand(fakeNodeRedis()), prefix: freshPrefix() }),
  now,
}))

// ioredis `stringNumbers: true` returns integer replies (EVAL's 1, DEL's count) as strings.
describeReplayCacheContract('redis (ioredis stringNumbers)', () => ({ cache: createRedisReplayCache({ command: redis().newCommand({ stringNumbers: true }), prefix: freshPrefix() }), now }))
describeRevocationStoreContract('redis (ioredis stringNumbers)', () => ({ store: createRedisRevocationStore({ command: redis().newCommand({ stringNumbers: true }), prefix: freshPrefix() }), now }))

describe('Redis replay cache', () => {
  it('writes SET <prefix><key> 1 NX EXAT <ceil(expiresAt)>', async () => {
    const prefix = freshPrefix()
    const cache = createRedisReplayCache({ command: redis().command, prefix })
    const exp = now() + 123.4
    expect(await cache.claim('wpt:a:1', exp)).toBe(true)
    const c = redis().client
    expect(await c.get(`${prefix}wpt:a:1`)).toBe('1')
    expect(await c.call('EXPIRETIME', `${prefix}wpt:a:1`)).toBe(Math.ceil(exp))
    const long = 'L'.repeat(1000)
    expect(await cache.claim(long, exp)).toBe(true)
    expect(await c.get(`${prefix}${hashedForm(long)}`)).toBe('1')
    expect(await c.exists(`${prefix}${long}`)).toBe(0)
  })

  it('uses the default prefix agentauth:replay:', async () => {
    const cache = createRedisReplayCache({ command: redis().command })
    const key = randomUUID()
    expect(await cache.claim(key, now() + 60)).toBe(true)
    expect(await redis().client.exists(`agentauth:replay:${key}`)).toBe(1)
  })

  it('shares claims between two verifier instances on separate connections', async () => {
    const prefix = freshPrefix()
    const a = createRedisReplayCache({ command: redis().newCommand(), prefix })
    const b = createRedisReplayCache({ command: redis().newCommand(), prefix })
    const exp = now() + 300
    expect(await a.claim('jti-1', exp)).toBe(true)
    expect(await b.claim('jti-1', exp)).toBe(false)
    // A race between the two instances: exactly one winner per key.
    const keys = Array.from({ length: 20 }, (_, i) => `race-${i}`)
    const results = await Promise.all(keys.flatMap((k) => [a.claim(k, exp), b.claim(k, exp)]))
    expect(results.filter(Boolean)).toHaveLength(keys.length)
    // Different prefixes (applications) do not see each other.
    const other = createRedisReplayCache({ command: redis().command, prefix: freshPrefix() })
    expect(await other.claim('jti-1', exp)).toBe(true)
  })

  it('fails closed on an error reply (e.g. a key of the wrong type is not a claim)', async () => {
    const prefix = freshPrefix()
    await redis().client.hset(`${prefix}taken`, 'f', 'v')
    const cache = createRedisReplayCache({ command: redis().command, prefix })
    // SET overwrites any type, so this is a plain refusal: the key exists.
    expect(await cache.claim('taken', now() + 60)).toBe(false)
    const failing: RedisCommand = (args) => redis().client.call('NOSUCHCOMMAND', args.slice(1))
    await expectCode(createRedisReplayCache({ command: failing }).claim('k', now() + 60), StoreError, 'ERR_STORE_UNAVAILABLE')
  })
})

describe('Redis revocation store', () => {
  it('stores <prefix><kind>:<value> as JSON with EXAT <until>', async () => {
    const prefix = freshPrefix()
    const store = createRedisRevocationStore({ command: redis().command, prefix })
    const until = now() + 500
    await store.revoke({ sub: 'spiffe://td/a', jkt: 'T', until, reason: 'credential-compromise' })
    const c = redis().client
    expect(JSON.parse((await c.get(`${prefix}sub:spiffe://td/a`))!)).toEqual({ sub: 'spiffe://td/a', until, reason: 'credential-compromise' })
    expect(JSON.parse((await c.get(`${prefix}jkt:T`))!)).toEqual({ jkt: 'T', until, reason: 'credential-compromise' })
    expect(await c.call('EXPIRETIME', `${prefix}jkt:T`)).toBe(until)
  })

  it('extends the expiry when a longer revocation of the same key arrives, never shortens it', async () => {
    const prefix = freshPrefix()
    const store = createRedisRevocationStore({ command: redis().command, prefix })
    const t = now()
    await store.revoke({ sid: 's', until: t + 100 })
    await store.revoke({ sid: 's', until: t + 900 })
    await store.revoke({ sid: 's', until: t + 50 })
    expect(await redis().client.call('EXPIRETIME', `${prefix}sid:s`)).toBe(t + 900)
  })

  it('shares revocations between instances (one SSF receiver, many verifiers)', async () => {
    const prefix = freshPrefix()
    const receiver = createRedisRevocationStore({ command: redis().newCommand(), prefix })
    const verifier = createRedisRevocationStore({ command: redis().newCommand(), prefix })
    await receiver.revoke({ jti: 'wit-1', until: now() + 60 })
    expect(await verifier.check({ sub: 'x', jti: 'wit-1' })).toMatchObject({ jti: 'wit-1' })
  })

  it('fails closed on corrupted stored entries, and a new revoke repairs them', async () => {
    const prefix = freshPrefix()
    const store = createRedisRevocationStore({ command: redis().command, prefix })
    const c = redis().client
    const until = now() + 600
    const corrupt: Array<[string, string]> = [
      ['not json', '{'],
      ['JSON array', '[1]'],
      ['JSON null', 'null'],
      ['plain number', '1'],
      ['other value', JSON.stringify({ sub: 'someone-else', until })],
      ['missing kind', JSON.stringify({ until })],
      ['until as string', JSON.stringify({ sub: 'v', until: String(until) })],
      ['until NaN-ish', '{"sub":"v","until":1e999}'],
      ['negative until', JSON.stringify({ sub: 'v', until: -1 })],
      ['reason not a string', JSON.stringify({ sub: 'v', until, reason: 1 })],
      ['issuedBefore not a number', JSON.stringify({ sub: 'v', until, issuedBefore: 'yesterday' })],
      ['oversized', JSON.stringify({ sub: 'v', until, reason: 'r'.repeat(31_000) })], // over the largest valid entry
    ]
    for (const [label, raw] of corrupt) {
      await c.set(`${prefix}sub:v`, raw)
      await expectCode(store.check({ sub: 'v' }), StoreError, 'ERR_STORE_UNAVAILABLE').catch((e: unknown) => {
        throw new Error(`${label}: ${String(e)}`)
      })
    }
    // A corrupted entry under any candidate key fails the whole check, even if another key is clean.
    await expectCode(store.check({ jti: 'clean', sub: 'v' }), StoreError, 'ERR_STORE_UNAVAILABLE')
    // Wrong Redis type under the key: MGET answers nil for non-strings, so the Lua GET is the guard.
    await c.del(`${prefix}sub:w`)
    await c.hset(`${prefix}sub:w`, 'f', 'v')
    await expectCode(store.revoke({ sub: 'w', until }), StoreError, 'ERR_STORE_UNAVAILABLE')
    // Unknown fields are ignored (forward compatibility) and not returned.
    await c.set(`${prefix}sub:u`, JSON.stringify({ sub: 'u', until, future: { x: 1 } }))
    expect(await store.check({ sub: 'u' })).toEqual({ sub: 'u', until })
    // revoke overwrites a corrupted value with a valid entry.
    await c.set(`${prefix}sub:v`, '{')
    await store.revoke({ sub: 'v', until, reason: 'repaired' })
    expect(await store.check({ sub: 'v' })).toEqual({ sub: 'v', until, reason: 'repaired' })
  })

  it('drops a revocation already past until by the Redis clock, even when the client clock lags', async () => {
    const prefix = freshPrefix()
    const t = now()
    const store = createRedisRevocationStore({ command: redis().command, prefix })
    const live = { sub: 's', until: t + 3600, issuedBefore: t - 100, reason: 'credential-change' }
    await store.revoke(live)
    const stored = await redis().client.get(`${prefix}sub:s`)
    // A client whose clock is an hour behind still sends it: the script must refuse to merge it.
    const lagging = createRedisRevocationStore({ command: redis().command, prefix, clock: () => (t - 3600) * 1000 })
    await lagging.revoke({ sub: 's', until: t - 60, reason: 'stale' })
    expect(await redis().client.get(`${prefix}sub:s`)).toBe(stored)
    expect(await store.check({ sub: 's' }, t)).toBeUndefined()
    expect(await store.check({ sub: 's' }, t - 200)).toEqual(live)
    await lagging.revoke({ sub: 'fresh', until: t - 60 })
    expect(await redis().client.exists(`${prefix}sub:fresh`)).toBe(0)
  })

  it('works for a Redis user limited to the documented commands (no TIME: the client clock decides)', async () => {
    const prefix = freshPrefix()
    const user = `agentauth-${randomUUID()}`
    await redis().client.call('ACL', 'SETUSER', user, 'on', '>pw', `~${prefix}*`, '-@all', '+set', '+get', '+mget', '+del', '+eval')
    const limited = redis().newCommand({ username: user, password: 'pw' })
    const store = createRedisRevocationStore({ command: limited, prefix })
    const t = now()
    const live = { sub: 's', until: t + 3600, issuedBefore: t - 100 }
    await store.revoke(live)
    await store.revoke({ sub: 's', until: t - 60 }) // dropped by the client's clock
    expect(await store.check({ sub: 's' }, t)).toBeUndefined()
    expect(await store.check({ sub: 's' }, t - 200)).toEqual(live)
    const cache = createRedisReplayCache({ command: limited, prefix })
    expect(await cache.claim('k', t + 60)).toBe(true)
    await cache.release('k')
    expect(await cache.claim('k', t + 60)).toBe(true)
  })

  it('fails closed when MGET answers with the wrong shape', async () => {
    const bad: Array<[string, unknown]> = [['not an array', 'OK'], ['short array', []], ['undefined item', [undefined]], ['number item', [5]]]
    for (const [, reply] of bad) {
      const store = createRedisRevocationStore({ command: async () => reply })
      await expectCode(store.check({ sub: 'x' }), StoreError, 'ERR_STORE_UNAVAILABLE')
    }
  })
})
