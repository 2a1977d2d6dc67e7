import { describe, expect, it } from 'vitest'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { createRedisRevocationStore } from '../../../src/stores/redis/index.js'
import type { RevocationStore } from '../../../src/stores/index.js'

const NOW = 1_700_000_000
const clock = () => NOW * 1000

// A minimal Redis for the two commands the store sends (EVAL merge of one key, MGET).
function fakeRedisStore(): RevocationStore {
  const data = new Map<string, string>()
  return createRedisRevocationStore({
    clock,
    command: async (args) => {
      if (args[0] === 'EVAL') {
        data.set(args[3]!, args[4]!)
        return 1
      }
      if (args[0] === 'MGET') return args.slice(1).map((k) => data.get(k) ?? null)
      throw new Error(`unexpected ${args[0]}`)
    },
  })
}

describe.each([
  ['memory', () => createMemoryRevocationStore({ clock })],
  ['redis', fakeRedisStore],
])('%s revocation store: issuedBefore and a fractional iat (review 5)', (_name, make) => {
  it('revokes a credential issued later within the same second as issuedBefore (NumericDate granularity)', async () => {
    const store = make()
    await store.revoke({ sub: 'spiffe://example.org/a', until: NOW + 600, issuedBefore: NOW - 10 })
    expect(await store.check({ sub: 'spiffe://example.org/a' }, NOW - 10)).toBeDefined()
    expect(await store.check({ sub: 'spiffe://example.org/a' }, NOW - 10 + 0.5)).toBeDefined()
    expect(await store.check({ sub: 'spiffe://example.org/a' }, NOW - 10 + 0.999)).toBeDefined()
    expect(await store.check({ sub: 'spiffe://example.org/a' }, NOW - 9)).toBeUndefined()
    expect(await store.check({ sub: 'spiffe://example.org/a' }, NOW - 8.5)).toBeUndefined()
  })
})
