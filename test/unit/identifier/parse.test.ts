import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { isWorkloadIdentifier, parseSpiffeId, parseWorkloadIdentifier, SPEC } from '../../../src/identifier/index.js'
import { outcome, typeErrorCode } from '../../helpers/identifier.js'

const pad = (prefix: string, bytes: number, fill = 'a'): string => prefix + fill.repeat(bytes - prefix.length)

describe('parseWorkloadIdentifier', () => {
  it('returns the parts, frozen, with id equal to the input', () => {
    const id = parseWorkloadIdentifier('wimse://example.com/service/payment')
    expect(id).toEqual({
      id: 'wimse://example.com/service/payment',
      scheme: 'wimse',
      trustDomain: 'example.com',
      path: '/service/payment',
      origin: 'wimse://example.com',
    })
    expect(Object.isFrozen(id)).toBe(true)
    expect(() => {
      ;(id as { id: string }).id = 'x'
    }).toThrow(TypeError)
  })

  it('accepts exactly 2048 bytes and rejects 2049, for both rule sets', () => {
    for (const prefix of ['spiffe://td/', 'wimse://td/', 'https://td/']) {
      const max = pad(prefix, 2048)
      expect(max).toHaveLength(2048)
      expect(parseWorkloadIdentifier(max).id).toBe(max)
      expect(outcome(() => parseWorkloadIdentifier(pad(prefix, 2049)))).toBe('ERR_IDENTIFIER_TOO_LONG')
    }
    expect(parseSpiffeId(pad('spiffe://td/', 2048)).path).toHaveLength(2048 - 11)
    expect(outcome(() => parseSpiffeId(pad('spiffe://td/', 2049)))).toBe('ERR_IDENTIFIER_TOO_LONG')
  })

  it('measures the limit in UTF-8 bytes, not UTF-16 units', () => {
    // 12 + 2 × 1100 bytes > 2048 although the string has 1112 units: too long comes first.
    expect(outcome(() => parseWorkloadIdentifier(pad('wimse://td/', 1112, 'é')))).toBe('ERR_IDENTIFIER_TOO_LONG')
    expect(outcome(() => parseWorkloadIdentifier(`wimse://td/${'😀'.repeat(600)}`))).toBe('ERR_IDENTIFIER_TOO_LONG')
    expect(outcome(() => parseWorkloadIdentifier(`wimse://td/${'\ud800'.repeat(700)}`))).toBe('ERR_IDENTIFIER_TOO_LONG')
    // Within 2048 bytes a non-ASCII byte is a character error.
    expect(outcome(() => parseWorkloadIdentifier(`wimse://td/${'é'.repeat(1000)}`))).toBe('ERR_IDENTIFIER_PATH_CHAR')
    expect(outcome(() => parseWorkloadIdentifier(`wimse://td/${'😀'.repeat(500)}`))).toBe('ERR_IDENTIFIER_PATH_CHAR')
  })

  it('limits the trust domain to 255 bytes', () => {
    const td255 = 'a'.repeat(255)
    expect(parseWorkloadIdentifier(`spiffe://${td255}/x`).trustDomain).toBe(td255)
    expect(parseWorkloadIdentifier(`wimse://${td255}`).trustDomain).toBe(td255)
    expect(outcome(() => parseWorkloadIdentifier(`spiffe://${td255}a/x`))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG')
    expect(outcome(() => parseWorkloadIdentifier(`wimse://${td255}a`))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG')
    // A bad character is reported before the length.
    expect(outcome(() => parseWorkloadIdentifier(`wimse://${td255}A`))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_CHAR')
  })

  it('rejects empty and non-string input with VerificationError', () => {
    expect(outcome(() => parseWorkloadIdentifier(''))).toBe('ERR_IDENTIFIER_EMPTY')
    for (const v of [undefined, null, 42, {}, ['spiffe://td'], new String('spiffe://td')]) {
      expect(outcome(() => parseWorkloadIdentifier(v as string))).toBe('ERR_IDENTIFIER_INVALID')
      expect(outcome(() => parseSpiffeId(v as string))).toBe('ERR_IDENTIFIER_INVALID')
    }
  })

  it('reports the first offending byte from the left', () => {
    expect(outcome(() => parseWorkloadIdentifier('spiffe://tr$ust/pa th?x#y'))).toBe('ERR_IDENTIFIER_TRUST_DOMAIN_CHAR')
    expect(outcome(() => parseWorkloadIdentifier('spiffe://trust/pa th?x#y'))).toBe('ERR_IDENTIFIER_PATH_CHAR')
    expect(outcome(() => parseWorkloadIdentifier('spiffe://trust/path?x#y'))).toBe('ERR_IDENTIFIER_QUERY')
    expect(outcome(() => parseWorkloadIdentifier('wimse://trust/path#x?y'))).toBe('ERR_IDENTIFIER_FRAGMENT')
    expect(outcome(() => parseWorkloadIdentifier('wimse://u@td:80/a?b'))).toBe('ERR_IDENTIFIER_USERINFO')
    expect(outcome(() => parseWorkloadIdentifier('wimse://td:80@x/a'))).toBe('ERR_IDENTIFIER_PORT')
    expect(outcome(() => parseWorkloadIdentifier('spiffe://td//./x'))).toBe('ERR_IDENTIFIER_EMPTY_SEGMENT')
    expect(outcome(() => parseWorkloadIdentifier('spiffe://td/./x$'))).toBe('ERR_IDENTIFIER_DOT_SEGMENT')
    expect(outcome(() => parseWorkloadIdentifier('spiffe://td/.$/x'))).toBe('ERR_IDENTIFIER_PATH_CHAR')
  })

  it('treats `scheme://` as one unit and keeps spiffe rules for the spiffe scheme only', () => {
    for (const v of ['spiffe', 'spiffe:', 'spiffe:/', 'spiffe:td', 'wimse:/td', ':', '://td', '1abc://td', 'a_b://td']) {
      expect(outcome(() => parseWorkloadIdentifier(v)), v).toBe('ERR_IDENTIFIER_SCHEME')
    }
    expect(parseWorkloadIdentifier('a+b-c.d://td/x').scheme).toBe('a+b-c.d')
    // A scheme that merely starts with "spiffe" gets the WIMSE generic rules.
    expect(parseWorkloadIdentifier('spiffex://td/a/').path).toBe('/a/')
    expect(outcome(() => parseWorkloadIdentifier('spiffex://td/a/', { profile: 'spiffe' }))).toBe('ERR_IDENTIFIER_SCHEME')
    expect(outcome(() => parseWorkloadIdentifier('wimsex://td/a', { profile: 'wimse' }))).toBe('ERR_IDENTIFIER_SCHEME')
    expect(outcome(() => parseWorkloadIdentifier('wims://td/a', { profile: 'wimse' }))).toBe('ERR_IDENTIFIER_SCHEME')
  })

  it('WIMSE rules: dot segments rejected anywhere, empty segments and trailing slash kept byte-exact', () => {
    for (const v of ['wimse://td/.', 'wimse://td/..', 'wimse://td/./a', 'wimse://td/a/../b', 'wimse://td/a/.']) {
      expect(outcome(() => parseWorkloadIdentifier(v)), v).toBe('ERR_IDENTIFIER_DOT_SEGMENT')
    }
    for (const v of ['wimse://td/', 'wimse://td//', 'wimse://td/a//b/', 'wimse://td/.a/..b/...', "wimse://td/!$&'()*+,;=:@~"]) {
      expect(parseWorkloadIdentifier(v).id, v).toBe(v)
    }
  })

  it('validates options with coded TypeErrors', () => {
    expect(typeErrorCode(() => parseWorkloadIdentifier('spiffe://td', { profile: 'SPIFFE' as 'spiffe' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => parseWorkloadIdentifier('spiffe://td', { profile: '' as 'spiffe' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => parseWorkloadIdentifier('spiffe://td', null as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(typeErrorCode(() => parseWorkloadIdentifier('spiffe://td', 'spiffe' as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(parseWorkloadIdentifier('spiffe://td', {}).id).toBe('spiffe://td')
    expect(parseWorkloadIdentifier('spiffe://td', { profile: undefined }).id).toBe('spiffe://td')
  })

  it('errors carry a safe reason and no input', () => {
    try {
      parseWorkloadIdentifier('wimse://secret-token-value@td/a')
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(VerificationError)
      const e = err as VerificationError
      expect(e.code).toBe('ERR_IDENTIFIER_USERINFO')
      expect(e.status).toBe(400)
      expect(e.message).not.toContain('secret')
      expect(e.reason).not.toContain('secret')
      expect(e.message).toContain('offset 26')
    }
  })
})

describe('isWorkloadIdentifier', () => {
  it('answers without throwing for any input', () => {
    expect(isWorkloadIdentifier('spiffe://example.org/api')).toBe(true)
    expect(isWorkloadIdentifier('wimse://example.com/a/')).toBe(true)
    expect(isWorkloadIdentifier('wimse://example.com/a/', { profile: 'spiffe' })).toBe(false)
    expect(isWorkloadIdentifier('spiffe://example.org/a/')).toBe(false)
    for (const v of [undefined, null, 1, {}, '', 'x'.repeat(5000)]) expect(isWorkloadIdentifier(v)).toBe(false)
  })
  it('still rejects bad options', () => {
    expect(typeErrorCode(() => isWorkloadIdentifier('spiffe://td', { profile: 'x' as 'any' }))).toBe('ERR_INVALID_ARG_VALUE')
  })
})

describe('SPEC', () => {
  it('pins the revisions', () => {
    expect(SPEC.wimse).toContain('072ce1e')
    expect(SPEC.spiffe).toContain('665a28f')
    expect(Object.isFrozen(SPEC)).toBe(true)
  })
})
