import { describe, expect, it } from 'vitest'
import { matchId, matchOneOf, matchPathPrefix, parseSpiffeId, parseTrustDomain } from '../../../src/identifier/index.js'

describe('TrustDomain.idString / id: the scheme argument (review 4)', () => {
  const td = parseTrustDomain('example.org')

  it.each(['wimse://evil.example/', 'wimse://evil.example/a', 'spiffe://evil.example/x/', 'wimse:/', 'wimse/x', 'a b', ''])(
    'refuses %j as a scheme instead of building an identifier of another trust domain',
    (scheme) => {
      expect(() => td.idString(scheme)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
      expect(() => td.id(scheme)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    },
  )

  it('still builds the origin for valid lower-case schemes', () => {
    expect(td.idString()).toBe('spiffe://example.org')
    expect(td.idString('wimse')).toBe('wimse://example.org')
    expect(td.id('x-y.z+w').origin).toBe('x-y.z+w://example.org')
    expect(td.id('wimse').trustDomain).toBe('example.org')
  })
})

describe('matchPathPrefix never throws for a non-identifier object (review 4)', () => {
  it.each([
    [{ origin: 'spiffe://example.org' }],
    [{ origin: 'spiffe://example.org', path: 5 }],
    [{ origin: 'spiffe://example.org', path: null }],
  ])('returns false for %j (was an uncoded TypeError)', (value) => {
    const authorize = matchPathPrefix('spiffe://example.org', '/ns/db')
    expect(authorize(value as never)).toBe(false)
    expect(matchOneOf(matchId('spiffe://example.org/x'), authorize)(value as never)).toBe(false)
  })

  it('still matches whole segments', () => {
    const authorize = matchPathPrefix('spiffe://example.org', '/ns/db')
    expect(authorize(parseSpiffeId('spiffe://example.org/ns/db'))).toBe(true)
    expect(authorize(parseSpiffeId('spiffe://example.org/ns/db/x'))).toBe(true)
    expect(authorize(parseSpiffeId('spiffe://example.org/ns/dbx'))).toBe(false)
  })
})
