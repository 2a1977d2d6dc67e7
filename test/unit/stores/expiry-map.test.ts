import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExpiryMap } from '../../../src/stores/expiry-map.js'

describe('ExpiryMap (internal)', () => {
  it('matches a naive reference model under random sets, sweeps and time steps', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), ttl: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ t: fc.constant('sweep' as const), budget: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ t: fc.constant('tick' as const), by: fc.integer({ min: 0, max: 20 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new ExpiryMap<number>()
        const ref = new Map<string, { at: number; value: number }>()
        let now = 0
        let n = 0
        for (const o of ops) {
          if (o.t === 'set') {
            const key = `k${o.key}`
            map.set(key, ++n, now + o.ttl)
            ref.set(key, { at: now + o.ttl, value: n })
          } else if (o.t === 'sweep') {
            map.sweep(now, o.budget)
          } else now += o.by
          for (let k = 0; k <= 20; k++) {
            const r = ref.get(`k${k}`)
            expect(map.get(`k${k}`, now)).toBe(r !== undefined && now < r.at ? r.value : undefined)
          }
          expect(map.size).toBeGreaterThanOrEqual([...ref.values()].filter((r) => now < r.at).length)
        }
        expect(map.sweep(now, Number.POSITIVE_INFINITY)).toBe(true)
        expect(map.size).toBe([...ref.values()].filter((r) => now < r.at).length)
        expect([...map.entries(now)].map(([k]) => k).sort()).toEqual([...ref].filter(([, r]) => now < r.at).map(([k]) => k).sort())
      }),
      { numRuns: 200 },
    )
  })

  it('rebuilds its heap when overwrites leave many stale items', () => {
    const map = new ExpiryMap<number>()
    for (let i = 0; i < 10_000; i++) map.set('same', i, 1000 + i)
    expect(map.get('same', 0)).toBe(9999)
    expect(map.sweep(10_998)).toBe(true)
    expect(map.size).toBe(1)
    expect(map.sweep(10_999)).toBe(true)
    expect(map.size).toBe(0)
  })
})
