import { describe, expect, it } from 'vitest'
import { parseTrustDomain } from '../../../src/identifier/index.js'
import { outcome, typeErrorCode } from '../../helpers/identifier.js'

describe('parseTrustDomain', () => {
  it('parses a bare name', () => {
    const td = parseTrustDomain('example.org')
    expect(td.name).toBe('example.org')
    expect(String(td)).toBe('example.org')
    expect(Object.isFrozen(td)).toBe(true)
  })

  it('takes the trust domain of an identifier of any scheme', () => {
    expect(parseTrustDomain('spiffe://example.org/ns/prod').name).toBe('example.org')
    expect(parseTrustDomain('wimse://example.com').name).toBe('example.com')
    expect(parseTrustDomain('https://example.net/a/').name).toBe('example.net')
    // The whole identifier is validated.
    expect(outcome(() => parseTrustDomain('spiffe://example.org/a/'))).toBe('ERR_IDENTIFIER_TRAILING_SLASH')
    expect(outcome(() => parseTrustDomain('spiffe:/example.org'))).toBe('ERR_IDENTIFIER_SCHEME')
  })

  it('rejects bad names with one code per rule', () => {
    expect(outcome(() => parseTrustDomain(''))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_MISSING')
    expect(outcome(() => parseTrustDomain('Example.org'))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_CHAR')
    expect(outcome(() => parseTrustDomain('example.org/'))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_CHAR')
    expect(outcome(() => parseTrustDomain('example.org:443'))).toBe('ERR_IDENTIFIER_PORT')
    expect(outcome(() => parseTrustDomain('user@example.org'))).toBe('ERR_IDENTIFIER_USERINFO')
    expect(outcome(() => parseTrustDomain('ex%61mple.org'))).toBe('ERR_IDENTIFIER_PERCENT_ENCODING')
    expect(outcome(() => parseTrustDomain('a'.repeat(256)))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG')
    expect(parseTrustDomain('a'.repeat(255)).name).toHaveLength(255)
    expect(outcome(() => parseTrustDomain(7 as never))).toBe('ERR_IDENTIFIER_INVALID')
  })

  it('builds the identifier of the trust domain under a scheme', () => {
    const td = parseTrustDomain('example.org')
    expect(td.idString()).toBe('spiffe://example.org')
    expect(td.idString('wimse')).toBe('wimse://example.org')
    const id = td.id('wimse')
    expect(id).toEqual({ id: 'wimse://example.org', scheme: 'wimse', trustDomain: 'example.org', path: '', origin: 'wimse://example.org' })
    expect(td.id().scheme).toBe('spiffe')
    for (const bad of ['', 'WIMSE', 'wim se', 'wimse:', '1x']) {
      expect(typeErrorCode(() => td.idString(bad)), bad).toBe('ERR_INVALID_ARG_VALUE')
    }
    expect(typeErrorCode(() => td.id(3 as never))).toBe('ERR_INVALID_ARG_TYPE')
  })
})
