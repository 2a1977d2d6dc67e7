import { describe, expect, it } from 'vitest'
import { parseTrustDomain } from '../../../src/identifier/index.js'

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
