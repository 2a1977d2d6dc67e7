// The matcher docs: non-objects never match; objects are read only for the members a matcher
// compares, so matchAny() accepts any object while the others need their members.
import { describe, expect, it } from 'vitest'
import { matchAny, matchId, matchPathPrefix, matchTrustDomain } from '../../../src/identifier/index.js'

describe('matchers on values that are not parsed identifiers', () => {
  it('non-objects never match; matchAny accepts any object; the others need the members they compare', () => {
    for (const m of [matchAny(), matchId('spiffe://example.org/a'), matchTrustDomain('example.org'), matchPathPrefix('spiffe://example.org', '/a')]) {
      for (const v of [null, undefined, 'spiffe://example.org/a', 42]) expect(m(v as never)).toBe(false)
    }
    expect(matchAny()({} as never)).toBe(true)
    expect(matchId('spiffe://example.org/a')({} as never)).toBe(false)
    expect(matchTrustDomain('example.org')({} as never)).toBe(false)
    expect(matchPathPrefix('spiffe://example.org', '/a')({} as never)).toBe(false)
  })
})
