import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { replayKey } from '../../../src/internal/replay-key.js'

describe('internal/replay-key', () => {
  it('keeps senders apart even when sender and value contain ":"', () => {
    // Without the length prefix both would be `wpt:wimse://example.com/a:b:c`.
    expect(replayKey('wpt', 'wimse://example.com/a', 'b:c')).not.toBe(replayKey('wpt', 'wimse://example.com/a:b', 'c'))
    expect(replayKey('sig', 'wimse://example.com/svcA', 'n1')).toBe('sig:24:wimse://example.com/svcA:n1')
  })

  it('is injective over (sender, value) for a given kind', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (s1, v1, s2, v2) => {
      fc.pre(s1 !== s2 || v1 !== v2)
      expect(replayKey('wpt', s1, v1)).not.toBe(replayKey('wpt', s2, v2))
    }), { numRuns: 2000 })
  })
})
