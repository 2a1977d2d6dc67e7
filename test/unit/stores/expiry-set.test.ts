import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExpirySet } from '../../../src/stores/expiry-set.js'

describe('ExpirySet (internal)', () => {
  it('matches a naive reference model under random adds, deletes, sweeps and time steps, whatever its base', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), key: fc.integer({ min: 0, max: 20 }), ttl: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ t: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ t: fc.constant('sweep' as const), budget: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ t: fc.constant('tick' as const), by: fc.integer({ min: 0, max: 20 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.constantFrom(0, 1_700_000_000_000, -5, 123.5), fc.constantFrom(0, 1_764_000_000_000), (ops, base, start) => {
        const set = new ExpirySet(base)
        const ref = new Map<string, number>()
        let now = start
        for (const o of ops) {
          if (o.t === 'add') {
            set.add(`k${o.key}`, now + o.ttl)
            ref.set(`k${o.key}`, now + o.ttl)
          } else if (o.t === 'delete') {
            const at = ref.get(`k${o.key}`)
            const deleted = set.delete(`k${o.key}`)
            // A live key is held until deleted; an expired one may already have been swept.
            if (at === undefined) expect(deleted).toBe(false)
            else if (now < at) expect(deleted).toBe(true)
            ref.delete(`k${o.key}`)
          } else if (o.t === 'sweep') {
            set.sweep(now, o.budget)
          } else now += o.by
          for (let k = 0; k <= 20; k++) {
            const at = ref.get(`k${k}`)
            expect(set.has(`k${k}`, now)).toBe(at !== undefined && now < at)
          }
          expect(set.size).toBeGreaterThanOrEqual([...ref.values()].filter((at) => now < at).length)
        }
        expect(set.sweep(now, Number.POSITIVE_INFINITY)).toBe(true)
        expect(set.size).toBe([...ref.values()].filter((at) => now < at).length)
      }),
      { numRuns: 300 },
    )
  })

  it('rebuilds its heap when re-adds leave many stale items, and bounds the work of one sweep', () => {
    const set = new ExpirySet(0)
    for (let i = 0; i < 10_000; i++) set.add('same', 1000 + i)
    expect(set.has('same', 10_998)).toBe(true)
    expect(set.sweep(10_998)).toBe(true)
    expect(set.size).toBe(1)
    expect(set.sweep(10_999)).toBe(true)
    expect(set.size).toBe(0)

    for (let i = 0; i < 3000; i++) set.add(`k${i}`, 20_000 + i)
    expect(set.sweep(30_000, 1024)).toBe(false) // budget spent, more to do
    expect(set.size).toBe(3000 - 1024)
    expect(set.sweep(30_000)).toBe(false)
    expect(set.sweep(30_000)).toBe(true)
    expect(set.size).toBe(0)
  })
})
