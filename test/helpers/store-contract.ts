/**
 * The shared contract every ReplayCache / RevocationStore implementation must pass (memory, Redis,
 * or a third-party one). Each test gets a fresh fixture from `create`.
 *
 * ```ts
 * import { describeReplayCacheContract } from '../helpers/store-contract.js'
 * describeReplayCacheContract('memory', () => {
 *   let ms = 1_700_000_000_000
 *   return { cache: createMemoryReplayCache({ clock: () => ms }), now: () => ms / 1000, advance: (s) => { ms += s * 1000 } }
 * }, { injectedClock: true })
 * ```
 *
 * Expiry-by-time tests are registered only with `{ injectedClock: true }` (fixtures with `advance`);
 * stores on a server's real clock (Redis) cover expiry with already-past deadlines instead. The
 * optional `release(key)` is covered unless `{ release: false }` is passed.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ReplayCache, RevocationEntry, RevocationStore } from '../../src/stores/index.js'

export interface ReplayCacheFixture {
  cache: ReplayCache
  /** The store's current time, epoch seconds. */
  now(): number
  /** Moves the store's clock forward by `seconds` (fixtures with an injectable clock only). */
  advance?: (seconds: number) => void
}

export interface RevocationStoreFixture {
  store: RevocationStore
  now(): number
  advance?: (seconds: number) => void
}

type Factory<T> = () => T | Promise<T>

/** Asserts a rejection with the given class and `code`. */
export async function expectCode(promise: Promise<unknown>, ctor: new (...args: never[]) => Error, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected a rejection with ${code}`).toBeInstanceOf(ctor)
  expect((err as { code?: unknown }).code).toBe(code)
}

/** `sha256:<base64url>` of a key, as the stores compact long keys. */
export function hashedForm(key: string): string {
  return 'sha256:' + createHash('sha256').update(key, 'utf8').digest('base64url')
}

const CONCURRENCY = 64
/** Documented limits of `revoke` (docs/stores.md): value and reason lengths in UTF-16 code units. */
const MAX_VALUE = 4096
const MAX_REASON = 1024

export interface ContractOptions {
  /**
   * The fixture's `advance` moves the store's clock (memory stores). Without it the clock-driven
   * expiry tests are not registered: stores on a server's real clock (Redis) cover expiry with
   * already-past deadlines instead, since tests never sleep.
   */
  injectedClock?: boolean
  /**
   * Register the `release(key)` cases (default true: agentauth's memory and Redis caches have it).
   * Pass `false` for a third-party cache without the optional method.
   */
  release?: boolean
}

/** The cache's `release`, or a failure saying how to opt out. */
function releaseOf(cache: ReplayCache): (key: string) => Promise<void> {
  if (typeof cache.release !== 'function') throw new Error('this cache has no release(); pass { release: false } to the contract')
  return cache.release.bind(cache)
}

export function describeReplayCacheContract(name: string, create: Factory<ReplayCacheFixture>, options: ContractOptions = {}): void {
  describe(`ReplayCache contract: ${name}`, () => {
    it('claims a key once, then refuses it until it expires', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      expect(await cache.claim('wpt:a:1', exp)).toBe(true)
      expect(await cache.claim('wpt:a:1', exp)).toBe(false)
      expect(await cache.claim('wpt:a:1', exp + 1000)).toBe(false)
    })

    it('keeps keys independent (exact, case-sensitive match)', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      for (const key of ['k', 'K', 'k ', ' k', 'k\n', 'kk', 'wpt:ä:ü', 'wpt:😀', 'a\u0000b']) {
        expect(await cache.claim(key, exp), key).toBe(true)
      }
      expect(await cache.claim('wpt:😀', exp)).toBe(false)
    })

    it(`admits exactly one of ${CONCURRENCY} parallel claims of one key`, async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      const results = await Promise.all(Array.from({ length: CONCURRENCY }, () => cache.claim('race', exp)))
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('admits every key of a parallel burst of distinct keys exactly once', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      const keys = Array.from({ length: CONCURRENCY }, (_, i) => `burst:${i % 16}`)
      const results = await Promise.all(keys.map((k) => cache.claim(k, exp)))
      expect(results.filter(Boolean)).toHaveLength(16)
    })

    it('treats a key whose expiresAt is already past as a first sighting that is not remembered', async () => {
      const { cache, now } = await create()
      const past = now() - 10
      expect(await cache.claim('stale', past)).toBe(true)
      expect(await cache.claim('stale', past)).toBe(true)
      expect(await cache.claim('stale', now() + 300)).toBe(true)
      expect(await cache.claim('stale', past)).toBe(false) // held by the live claim
    })

    it('accepts fractional expiresAt (rounded up)', async () => {
      const { cache, now } = await create()
      expect(await cache.claim('frac', now() + 300.25)).toBe(true)
      expect(await cache.claim('frac', now() + 300.25)).toBe(false)
    })

    it('hashes long keys without conflating them with each other or with look-alike short keys', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      const long = 'x'.repeat(5000)
      expect(await cache.claim(long, exp)).toBe(true)
      expect(await cache.claim(long, exp)).toBe(false)
      expect(await cache.claim(long.slice(1) + 'y', exp)).toBe(true)
      expect(await cache.claim(hashedForm(long), exp)).toBe(true) // a short key spelled like the hash
      expect(await cache.claim(hashedForm(long), exp)).toBe(false)
      const boundary = 'b'.repeat(256)
      expect(await cache.claim(boundary, exp)).toBe(true)
      expect(await cache.claim(boundary + 'b', exp)).toBe(true)
    })

    it('rejects unusable keys and deadlines with coded TypeErrors', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      await expectCode(cache.claim('', exp), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(cache.claim(42 as never, exp), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(cache.claim(undefined as never, exp), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(cache.claim('k', '123' as never), TypeError, 'ERR_INVALID_ARG_TYPE')
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1, 1e13]) {
        await expectCode(cache.claim('k', bad), TypeError, 'ERR_INVALID_ARG_VALUE')
      }
      // None of the refused calls claimed anything.
      expect(await cache.claim('k', exp)).toBe(true)
    })

    it('refuses keys that are not well-formed UTF-16 (lone surrogates), claiming nothing', async () => {
      const { cache, now } = await create()
      const exp = now() + 300
      // A Redis client sends each of these as U+FFFD, so they would collide with each other there.
      const bad = ['wpt:a:\uD800', 'wpt:a:\uDBFF', '\uDC00x', 'x\uDFFF', '\uDC00\uD800', '\uD800\uD800\uDC00', 'l'.repeat(300) + '\uD800']
      for (const key of bad) {
        await expectCode(cache.claim(key, exp), TypeError, 'ERR_INVALID_ARG_VALUE')
        if (options.release !== false) await expectCode(releaseOf(cache)(key), TypeError, 'ERR_INVALID_ARG_VALUE')
      }
      expect(await cache.claim('wpt:a:\uFFFD', exp)).toBe(true) // nothing was claimed under the replacement spelling
      for (const key of ['wpt:a:\uD83D\uDE00', '\uDBFF\uDFFF', 'p'.repeat(300) + '\uD800\uDC00']) expect(await cache.claim(key, exp), key).toBe(true)
    })

    if (options.release !== false) {
      it('release() gives a claim back: the key can be claimed once more, other keys stay held', async () => {
        const { cache, now } = await create()
        const release = releaseOf(cache)
        const exp = now() + 300
        expect(await cache.claim('set:iss:1', exp)).toBe(true)
        expect(await cache.claim('set:iss:2', exp)).toBe(true)
        await release('set:iss:1')
        expect(await cache.claim('set:iss:1', exp)).toBe(true)
        expect(await cache.claim('set:iss:1', exp)).toBe(false)
        expect(await cache.claim('set:iss:2', exp)).toBe(false)
        await release('set:iss:1')
        await release('set:iss:1') // releasing what is not held is a no-op
        await release('never-claimed')
        expect(await cache.claim('set:iss:1', exp)).toBe(true)
      })

      it('release() matches keys exactly, including long (hashed) keys and their look-alikes', async () => {
        const { cache, now } = await create()
        const release = releaseOf(cache)
        const exp = now() + 300
        const long = 'set:' + 'j'.repeat(2000)
        for (const key of [long, hashedForm(long), 'k', 'K']) expect(await cache.claim(key, exp), key).toBe(true)
        await release(long)
        expect(await cache.claim(hashedForm(long), exp)).toBe(false) // the short look-alike stays held
        expect(await cache.claim(long, exp)).toBe(true)
        await release('k')
        expect(await cache.claim('K', exp)).toBe(false)
        expect(await cache.claim('k', exp)).toBe(true)
      })

      it('claim-then-release is exactly once under a parallel burst (one winner per round)', async () => {
        const { cache, now } = await create()
        const release = releaseOf(cache)
        const exp = now() + 300
        for (let round = 0; round < 3; round++) {
          const results = await Promise.all(Array.from({ length: CONCURRENCY }, () => cache.claim('work', exp)))
          expect(results.filter(Boolean)).toHaveLength(1)
          await release('work')
        }
      })

      it('release() rejects unusable keys with coded TypeErrors', async () => {
        const { cache, now } = await create()
        const release = releaseOf(cache)
        await expectCode(release(''), TypeError, 'ERR_INVALID_ARG_VALUE')
        await expectCode(release(42 as never), TypeError, 'ERR_INVALID_ARG_TYPE')
        await expectCode(release(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE')
        expect(await cache.claim('kept', now() + 300)).toBe(true)
        await expectCode(release(null as never), TypeError, 'ERR_INVALID_ARG_TYPE')
        expect(await cache.claim('kept', now() + 300)).toBe(false)
      })
    }

    if (options.injectedClock === true) it('forgets a key once its expiresAt has passed (injected clock)', async () => {
      const f = await create()
      if (f.advance === undefined) throw new Error('injectedClock fixtures must provide advance()')
      const exp = f.now() + 60
      expect(await f.cache.claim('ttl', exp)).toBe(true)
      f.advance(59)
      expect(await f.cache.claim('ttl', exp)).toBe(false)
      f.advance(2)
      expect(await f.cache.claim('ttl', f.now() + 60)).toBe(true)
      expect(await f.cache.claim('ttl', f.now() + 60)).toBe(false)
    })

    if (options.injectedClock === true && options.release !== false) it('a released key re-claimed with the same expiresAt expires on time (injected clock)', async () => {
      const f = await create()
      if (f.advance === undefined) throw new Error('injectedClock fixtures must provide advance()')
      const release = releaseOf(f.cache)
      const exp = f.now() + 60
      expect(await f.cache.claim('again', exp)).toBe(true)
      await release('again')
      expect(await f.cache.claim('again', exp)).toBe(true)
      f.advance(30)
      expect(await f.cache.claim('again', exp)).toBe(false)
      f.advance(31)
      expect(await f.cache.claim('again', f.now() + 60)).toBe(true)
    })
  })
}

export function describeRevocationStoreContract(name: string, create: Factory<RevocationStoreFixture>, options: ContractOptions = {}): void {
  describe(`RevocationStore contract: ${name}`, () => {
    it('finds nothing in an empty store', async () => {
      const { store } = await create()
      expect(await store.check({ sub: 'a', jti: 'b', jkt: 'c', sid: 'd' }, 1)).toBeUndefined()
      expect(await store.check({})).toBeUndefined()
    })

    it('revokes each kind of key on its own and returns the stored entry, frozen', async () => {
      const { store, now } = await create()
      const until = now() + 600
      await store.revoke({ sub: 'spiffe://td/a', until, reason: 'account-disabled', revokedAt: 1_700_000_000 })
      const hit = await store.check({ sub: 'spiffe://td/a' })
      expect(hit).toEqual({ sub: 'spiffe://td/a', until, reason: 'account-disabled', revokedAt: 1_700_000_000 })
      expect(Object.isFrozen(hit)).toBe(true)
      for (const kind of ['jti', 'jkt', 'sid'] as const) {
        expect(await store.check({ [kind]: 'spiffe://td/a' })).toBeUndefined() // kinds do not mix
        await store.revoke({ [kind]: `v-${kind}`, until } as RevocationEntry)
        expect(await store.check({ [kind]: `v-${kind}` })).toEqual({ [kind]: `v-${kind}`, until })
      }
      expect(await store.check({ sub: 'spiffe://td/a/b' })).toBeUndefined()
      expect(await store.check({ sub: 'spiffe://td/A' })).toBeUndefined()
    })

    it('revokes every key an entry names, and reports matches in the order jti, jkt, sid, sub', async () => {
      const { store, now } = await create()
      const until = now() + 600
      await store.revoke({ sub: 's1', sid: 'x1', until, reason: 'both' })
      expect(await store.check({ sub: 's1' })).toEqual({ sub: 's1', until, reason: 'both' })
      expect(await store.check({ sid: 'x1' })).toEqual({ sid: 'x1', until, reason: 'both' })
      await store.revoke({ jti: 'j1', until, reason: 'jti' })
      expect(await store.check({ sub: 's1', sid: 'x1', jti: 'j1' })).toMatchObject({ jti: 'j1' })
      expect(await store.check({ sub: 's1', sid: 'x1', jti: 'other' })).toMatchObject({ sid: 'x1' })
      expect(await store.check({ sub: 'other', jkt: 'other', jti: 'other', sid: 'other' })).toBeUndefined()
    })

    it('honours issuedBefore: earlier, same-second or unknown issue times are revoked, later ones pass', async () => {
      const { store, now } = await create()
      await store.revoke({ sub: 'ib', until: now() + 600, issuedBefore: 1000 })
      expect(await store.check({ sub: 'ib' }, 999)).toMatchObject({ sub: 'ib', issuedBefore: 1000 })
      expect(await store.check({ sub: 'ib' }, 999.9)).toBeDefined()
      expect(await store.check({ sub: 'ib' }, 1000)).toBeDefined() // same second: revoked (fail closed)
      expect(await store.check({ sub: 'ib' }, 1001)).toBeUndefined()
      expect(await store.check({ sub: 'ib' }, 5000)).toBeUndefined()
      expect(await store.check({ sub: 'ib' })).toBeDefined() // unknown iat: fail closed
    })

    it('keeps the union when a key is revoked again: later until, wider issuedBefore', async () => {
      const { store, now } = await create()
      const t = now()
      await store.revoke({ sub: 'm', until: t + 900, issuedBefore: 100, reason: 'first' })
      await store.revoke({ sub: 'm', until: t + 300, issuedBefore: 200, reason: 'second' })
      expect(await store.check({ sub: 'm' }, 150)).toEqual({ sub: 'm', until: t + 900, issuedBefore: 200, reason: 'second' })
      await store.revoke({ sub: 'm', until: t + 60 })
      expect(await store.check({ sub: 'm' }, 5000)).toEqual({ sub: 'm', until: t + 900 }) // absent issuedBefore = all
      await store.revoke({ sub: 'm', until: t + 60, issuedBefore: 10 })
      expect(await store.check({ sub: 'm' }, 5000)).toEqual({ sub: 'm', until: t + 900 })
    })

    it('merges parallel revocations of one key without losing the longest until', async () => {
      const { store, now } = await create()
      const t = now()
      await Promise.all(Array.from({ length: 24 }, (_, i) => store.revoke({ jkt: 'thumb', until: t + 100 + ((i * 7) % 24) })))
      expect(await store.check({ jkt: 'thumb' })).toEqual({ jkt: 'thumb', until: t + 100 + 23 })
    })

    it('ignores entries whose until has passed, and never shrinks a live one', async () => {
      const { store, now } = await create()
      const t = now()
      await store.revoke({ jti: 'old', until: t - 5 })
      expect(await store.check({ jti: 'old' })).toBeUndefined()
      await store.revoke({ jti: 'live', until: t + 600 })
      await store.revoke({ jti: 'live', until: t - 5, reason: 'late duplicate' })
      expect(await store.check({ jti: 'live' })).toMatchObject({ jti: 'live', until: t + 600 })
    })

    it('a revocation whose until has passed changes nothing, not even a live entry of the same key', async () => {
      const { store, now } = await create()
      const t = now()
      const live: RevocationEntry = { sub: 'cc', until: t + 3600, issuedBefore: t - 100, reason: 'credential-change', revokedAt: t - 100 }
      await store.revoke(live)
      expect(await store.check({ sub: 'cc' }, t)).toBeUndefined() // issued after the change: passes
      await store.revoke({ sub: 'cc', until: t - 60, reason: 'stale, unconditional' })
      await store.revoke({ sub: 'cc', until: t - 60, issuedBefore: t + 1000, revokedAt: t })
      await store.revoke({ sub: 'cc', sid: 'cc-session', until: t - 1 })
      expect(await store.check({ sub: 'cc' }, t)).toBeUndefined() // the cutoff was not removed or widened
      expect(await store.check({ sub: 'cc' }, t - 200)).toEqual(live) // reason and revokedAt kept too
      expect(await store.check({ sid: 'cc-session' })).toBeUndefined()
    })

    it('reads back every entry revoke accepts: longest values and reasons, worst-case JSON escaping', async () => {
      const { store, now } = await create()
      const until = now() + 600
      const last = 253_402_300_799 // 9999-12-31T23:59:59Z, the largest epoch accepted
      const cases: RevocationEntry[] = [
        { jti: '\u0001'.repeat(MAX_VALUE), until, reason: '\u0001'.repeat(MAX_REASON) }, // 6 bytes each in JSON
        { sub: 'spiffe://example.org/' + 'b'.repeat(2027), until, reason: '/'.repeat(MAX_REASON) }, // Lua cjson writes '\/'
        { sid: '\u007f"\\/'.repeat(MAX_VALUE / 4), until, reason: '"\\\b\u007f'.repeat(MAX_REASON / 4) },
        { jkt: '\u20ac'.repeat(MAX_VALUE), until, reason: '\u20ac'.repeat(MAX_REASON) }, // 3 UTF-8 bytes each
        { sub: '\uD83D\uDE00'.repeat(MAX_VALUE / 2), until, reason: '\uD83D\uDE00'.repeat(MAX_REASON / 2) },
        { sub: 's'.repeat(MAX_VALUE), until: last, reason: '\u001f'.repeat(MAX_REASON), revokedAt: last, issuedBefore: last },
      ]
      for (const entry of cases) {
        const kind = (['jti', 'jkt', 'sid', 'sub'] as const).find((k) => entry[k] !== undefined)!
        await store.revoke(entry)
        await store.revoke(entry) // again: the merge path re-encodes the stored value
        expect(await store.check({ [kind]: entry[kind] }, 0), `${kind} ${entry[kind]!.slice(0, 8)}`).toEqual(entry)
      }
    })

    it(`refuses values longer than ${MAX_VALUE} characters, recording none of the entry's keys`, async () => {
      const { store, now } = await create()
      const until = now() + 600
      const long = 'spiffe://example.org/' + 'a'.repeat(MAX_VALUE)
      await expectCode(store.revoke({ sub: long, until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ jti: 'j-long', sub: long, until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ sid: 'x'.repeat(MAX_VALUE + 1), until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      expect(await store.check({ jti: 'j-long' })).toBeUndefined()
      expect(await store.check({ sub: long, jti: 'j-long' })).toBeUndefined() // looking a long value up is fine
      await store.revoke({ sid: 'x'.repeat(MAX_VALUE), until })
      expect(await store.check({ sid: 'x'.repeat(MAX_VALUE) })).toEqual({ sid: 'x'.repeat(MAX_VALUE), until })
    })

    it('refuses values, reasons and lookups that are not well-formed UTF-16 (lone surrogates), recording nothing', async () => {
      const { store, now } = await create()
      const until = now() + 600
      await expectCode(store.revoke({ sid: 'session-\uD800', until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ jti: 'ok-1', sub: '\uDC00spiffe://td/a', until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ jti: 'ok-2', until, reason: 'bad \uDBFF reason' }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ jkt: 'k'.repeat(300) + '\uDFFF', until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.check({ sid: 'session-\uD800' }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.check({ jti: 'ok-1', sub: '\uDC00\uD800' }), TypeError, 'ERR_INVALID_ARG_VALUE')
      expect(await store.check({ jti: 'ok-1', sid: 'session-\uFFFD' })).toBeUndefined()
      expect(await store.check({ jti: 'ok-2' })).toBeUndefined()
      const pair: RevocationEntry = { sid: 'session-\uD83D\uDE00', until, reason: '\uDBFF\uDFFF' }
      await store.revoke(pair)
      expect(await store.check({ sid: 'session-\uD83D\uDE00' })).toEqual(pair)
    })

    it('rounds until and issuedBefore up, revokedAt down', async () => {
      const { store, now } = await create()
      const t = now()
      await store.revoke({ sid: 'r', until: t + 10.2, issuedBefore: 50.1, revokedAt: 40.9 })
      expect(await store.check({ sid: 'r' }, 50.5)).toEqual({ sid: 'r', until: t + 11, issuedBefore: 51, revokedAt: 40 })
    })

    it('stores long values hashed, without conflating them with look-alike values', async () => {
      const { store, now } = await create()
      const until = now() + 600
      const long = 'spiffe://td/' + 'p'.repeat(3000)
      await store.revoke({ sub: long, until })
      expect(await store.check({ sub: long })).toEqual({ sub: long, until })
      expect(await store.check({ sub: long + 'q' })).toBeUndefined()
      expect(await store.check({ sub: hashedForm(long) })).toBeUndefined()
      await store.revoke({ sub: hashedForm('short'), until })
      expect(await store.check({ sub: 'short' })).toBeUndefined()
      expect(await store.check({ sub: hashedForm('short') })).toBeDefined()
    })

    it('rejects malformed entries, keys and issuedAt with coded TypeErrors, recording nothing', async () => {
      const { store, now } = await create()
      const until = now() + 600
      await expectCode(store.revoke({ until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ sub: '', until }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ sub: 7 as never, until }), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.revoke({ sub: 'x' } as never), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.revoke({ sub: 'x', until: Number.NaN }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ sub: 'x', until, issuedBefore: Number.POSITIVE_INFINITY }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke({ sub: 'x', until, revokedAt: '1' as never }), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.revoke({ sub: 'x', until, reason: 5 as never }), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.revoke({ sub: 'x', until, reason: 'r'.repeat(1025) }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.revoke(null as never), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.check(null as never), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.check({ jti: 1 as never }), TypeError, 'ERR_INVALID_ARG_TYPE')
      await expectCode(store.check({ jti: '' }), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.check({ jti: 'x' }, Number.NaN), TypeError, 'ERR_INVALID_ARG_VALUE')
      await expectCode(store.check({ jti: 'x' }, '1' as never), TypeError, 'ERR_INVALID_ARG_TYPE')
      expect(await store.check({ sub: 'x' })).toBeUndefined()
    })

    if (options.injectedClock === true) it('forgets an entry once until has passed (injected clock)', async () => {
      const f = await create()
      if (f.advance === undefined) throw new Error('injectedClock fixtures must provide advance()')
      const until = f.now() + 60
      await f.store.revoke({ sid: 'ttl', until })
      f.advance(59)
      expect(await f.store.check({ sid: 'ttl' })).toBeDefined()
      f.advance(1)
      expect(await f.store.check({ sid: 'ttl' })).toBeUndefined()
    })
  })
}
