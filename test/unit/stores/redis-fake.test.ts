// Redis stores over scripted fake commands: reply mapping, timeouts, thrown errors, adapters and
// option checks, without a server (the real-server suites are in test/integration/stores-redis*).
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import {
  createRedisReplayCache,
  createRedisRevocationStore,
  ioredisCommand,
  nodeRedisCommand,
  type RedisCommand,
  type RedisCommandOptions,
} from '../../../src/stores/redis/index.js'
import { expectCode } from '../../helpers/store-contract.js'

const exp = 2_000_000_000

function recording(reply: unknown): { command: RedisCommand; calls: string[][] } {
  const calls: string[][] = []
  return { calls, command: async (args) => (calls.push([...args]), reply) }
}

describe('createRedisReplayCache (fake command)', () => {
  it("maps 'OK' to true and nil to false, sending one SET NX EXAT", async () => {
    const ok = recording('OK')
    expect(await createRedisReplayCache({ command: ok.command, prefix: 'p:' }).claim('k', exp + 0.5)).toBe(true)
    expect(ok.calls).toEqual([['SET', 'p:k', '1', 'NX', 'EXAT', String(exp + 1)]])
    expect(await createRedisReplayCache({ command: recording(null).command }).claim('k', exp)).toBe(false)
  })

  it('fails closed on any other reply', async () => {
    const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
    for (const reply of [undefined, 'QUEUED', 'ok', 1, 0, true, false, ['OK'], {}, bytes('ok'), bytes('OKK'), bytes('O'), bytes(''), [bytes('OK')]]) {
      await expectCode(createRedisReplayCache({ command: recording(reply).command }).claim('k', exp), StoreError, 'ERR_STORE_UNAVAILABLE')
    }
  })

  it("maps an 'OK' reply as bytes (Buffer or Uint8Array) to true, like the revocation store decodes bytes", async () => {
    for (const reply of [Buffer.from('OK'), new Uint8Array([0x4f, 0x4b])]) {
      expect(await createRedisReplayCache({ command: recording(reply).command }).claim('k', exp)).toBe(true)
    }
  })

  it('fails closed when the command throws synchronously or rejects, keeping the cause', async () => {
    const boom = new Error('connection reset')
    const throwing: RedisCommand = () => {
      throw boom
    }
    const err = await createRedisReplayCache({ command: throwing }).claim('k', exp).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).cause).toBe(boom)
    await expectCode(createRedisReplayCache({ command: () => Promise.reject(boom) }).claim('k', exp), StoreError, 'ERR_STORE_UNAVAILABLE')
  })

  it('times out a command that never answers, aborting its signal, within timeoutMs', async () => {
    let seen: RedisCommandOptions | undefined
    const hanging: RedisCommand = (_args, options) => {
      seen = options
      return new Promise(() => {})
    }
    const start = performance.now()
    await expectCode(createRedisReplayCache({ command: hanging, timeoutMs: 50 }).claim('k', exp), StoreError, 'ERR_STORE_UNAVAILABLE')
    const elapsed = performance.now() - start
    expect(elapsed).toBeGreaterThanOrEqual(45)
    expect(elapsed).toBeLessThan(1000)
    expect(seen?.signal?.aborted).toBe(true)
    expect(seen?.signal?.reason).toBeInstanceOf(StoreError)
  })

  it('ignores a late reply or late rejection after the timeout (no unhandled rejection)', async () => {
    let rejectLate: (e: Error) => void = () => {}
    const late: RedisCommand = () => new Promise((_, reject) => (rejectLate = reject))
    await expectCode(createRedisReplayCache({ command: late, timeoutMs: 10 }).claim('k', exp), StoreError, 'ERR_STORE_UNAVAILABLE')
    rejectLate(new Error('late'))
    await new Promise((r) => setTimeout(r, 10))
  })

  it('does not leave the timer running after a reply', async () => {
    const cache = createRedisReplayCache({ command: recording('OK').command, timeoutMs: 60_000 })
    const start = performance.now()
    expect(await cache.claim('k', exp)).toBe(true)
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('validates options at construction', () => {
    const command = recording('OK').command
    expect(() => createRedisReplayCache({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createRedisReplayCache(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createRedisReplayCache({ command, prefix: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createRedisReplayCache({ command, prefix: 'x'.repeat(257) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createRedisReplayCache({ command, prefix: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    for (const timeoutMs of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 60_001]) {
      expect(() => createRedisReplayCache({ command, timeoutMs }), String(timeoutMs)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(() => createRedisRevocationStore({ command, clock: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(Object.isFrozen(createRedisReplayCache({ command }))).toBe(true)
    expect(Object.isFrozen(createRedisRevocationStore({ command }))).toBe(true)
  })
})

describe('createRedisRevocationStore (fake command)', () => {
  it('sends one MGET over the set keys, in jti, jkt, sid, sub order', async () => {
    const r = recording([null, null, null, null])
    const store = createRedisRevocationStore({ command: r.command, prefix: 'r:' })
    expect(await store.check({ sub: 's', sid: 'x', jkt: 't', jti: 'j' })).toBeUndefined()
    expect(r.calls).toEqual([['MGET', 'r:jti:j', 'r:jkt:t', 'r:sid:x', 'r:sub:s']])
    expect(await store.check({})).toBeUndefined()
    expect(r.calls).toHaveLength(1) // nothing to look up: no round trip
  })

  it('ignores entries past until by its own clock', async () => {
    const raw = JSON.stringify({ sub: 's', until: 1000 })
    let ms = 999_999
    const store = createRedisRevocationStore({ command: recording([raw]).command, clock: () => ms })
    expect(await store.check({ sub: 's' })).toEqual({ sub: 's', until: 1000 })
    ms = 1_000_000
    expect(await store.check({ sub: 's' })).toBeUndefined()
  })

  it('accepts UTF-8 byte replies and rejects invalid UTF-8 as corrupted', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ sub: 'é', until: exp }))
    expect(await createRedisRevocationStore({ command: recording([bytes]).command }).check({ sub: 'é' })).toEqual({ sub: 'é', until: exp })
    const invalid = new Uint8Array([0x7b, 0xff, 0x7d])
    await expectCode(createRedisRevocationStore({ command: recording([invalid]).command }).check({ sub: 'é' }), StoreError, 'ERR_STORE_UNAVAILABLE')
  })

  it('sends nothing for an entry whose until has passed by its own clock', async () => {
    const r = recording(1)
    let ms = exp * 1000
    const store = createRedisRevocationStore({ command: r.command, clock: () => ms })
    await store.revoke({ sub: 's', jti: 'j', until: exp, reason: 'late duplicate' }) // until == now: already passed
    await store.revoke({ sub: 's', until: exp - 60 })
    expect(r.calls).toEqual([])
    ms -= 1
    await store.revoke({ sub: 's', until: exp })
    expect(r.calls).toHaveLength(1)
    ms = Number.NaN
    await expectCode(store.revoke({ sub: 's', until: exp }), TypeError, 'ERR_INVALID_ARG_VALUE')
  })

  it('reads back stored entries as large as the largest valid one, and no larger', async () => {
    const reason = '\u0001'.repeat(1024) // JSON.stringify: 6 characters each
    const entry = { jti: '\u0001'.repeat(4096), until: exp, reason }
    const json = JSON.stringify(entry)
    expect(json.length).toBeGreaterThan(30_000)
    for (const raw of [json, new TextEncoder().encode(json)]) {
      expect(await createRedisRevocationStore({ command: recording([raw]).command }).check({ jti: entry.jti })).toEqual(entry)
    }
    const huge = JSON.stringify({ jti: 'j', until: exp, reason: ' '.repeat(40_000) })
    for (const raw of [huge, new TextEncoder().encode(huge)]) {
      await expectCode(createRedisRevocationStore({ command: recording([raw]).command }).check({ jti: 'j' }), StoreError, 'ERR_STORE_UNAVAILABLE')
    }
  })

  it('refuses a prefix that is not well-formed UTF-16', () => {
    const command = recording(1).command
    expect(() => createRedisRevocationStore({ command, prefix: 'p\uD800:' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createRedisReplayCache({ command, prefix: '\uDC00' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createRedisReplayCache({ command, prefix: '\uD83D\uDE00:' })).not.toThrow()
  })

  it('revokes with one EVAL per key and fails closed on an unexpected script reply', async () => {
    const r = recording(1)
    await createRedisRevocationStore({ command: r.command, prefix: 'r:' }).revoke({ sub: 's', jti: 'j', until: exp })
    expect(r.calls.map((c) => [c[0], c[2], c[3], c[4]])).toEqual([
      ['EVAL', '1', 'r:jti:j', JSON.stringify({ jti: 'j', until: exp })],
      ['EVAL', '1', 'r:sub:s', JSON.stringify({ sub: 's', until: exp })],
    ])
    await expectCode(createRedisRevocationStore({ command: recording('OK').command }).revoke({ sub: 's', until: exp }), StoreError, 'ERR_STORE_UNAVAILABLE')
  })
})

describe('integer replies in the forms client settings give them', () => {
  it('takes 1 / 0 as a number, a decimal string (ioredis stringNumbers) or a bigint, and nothing else', async () => {
    for (const reply of [1, '1', 1n]) await createRedisRevocationStore({ command: recording(reply).command }).revoke({ sub: 's', until: exp })
    for (const reply of [0, 1, '0', '1', 0n, 1n]) await createRedisReplayCache({ command: recording(reply).command }).release('k')
    for (const reply of ['01', ' 1', '1.0', '+1', 2, '2', 2n, 'OK', true, Buffer.from('1'), ['1']]) {
      await expectCode(createRedisRevocationStore({ command: recording(reply).command }).revoke({ sub: 's', until: exp }), StoreError, 'ERR_STORE_UNAVAILABLE')
      await expectCode(createRedisReplayCache({ command: recording(reply).command }).release('k'), StoreError, 'ERR_STORE_UNAVAILABLE')
    }
  })
})

describe('client adapters', () => {
  it('ioredisCommand calls client.call(name, args)', async () => {
    const seen: unknown[][] = []
    const command = ioredisCommand({ call: async (name, args) => (seen.push([name, args]), 'OK') })
    expect(await command(['SET', 'k', '1'])).toBe('OK')
    expect(seen).toEqual([['SET', ['k', '1']]])
    expect(() => ioredisCommand({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it('nodeRedisCommand calls client.sendCommand with a mutable copy of args', async () => {
    const seen: string[][] = []
    const args = Object.freeze(['MGET', 'a', 'b'])
    const command = nodeRedisCommand({ sendCommand: async (a) => (a.push('mutated'), seen.push(a), [null, null]) })
    expect(await command(args)).toEqual([null, null])
    expect(args).toEqual(['MGET', 'a', 'b'])
    expect(() => nodeRedisCommand(null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it('accepts a real ioredis client structurally (type check)', async () => {
    const { Redis } = await import('ioredis')
    const client = new Redis({ lazyConnect: true })
    expect(typeof ioredisCommand(client)).toBe('function')
    client.disconnect()
  })
})
