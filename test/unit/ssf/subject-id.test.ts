import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { matchSubjectId, parseSubjectId, type SubjectId } from '../../../src/ssf/index.js'
import { normalizeIP } from '../../../src/ssf/subject-id.js'

const bad = (v: unknown): void => {
  const e = (() => { try { parseSubjectId(v); return undefined } catch (x) { return x } })()
  expect(e).toBeInstanceOf(VerificationError)
  expect((e as VerificationError).code).toBe('ERR_SUBJECT_ID_INVALID')
}

describe('parseSubjectId', () => {
  it('parses every RFC 9493 and SSF format, keeping only defined members, frozen', () => {
    const cases: Array<[Record<string, unknown>, SubjectId]> = [
      [{ format: 'account', uri: 'acct:jdoe@example.com', extra: 1 }, { format: 'account', uri: 'acct:jdoe@example.com' }],
      [{ format: 'email', email: 'jdoe@example.com' }, { format: 'email', email: 'jdoe@example.com' }],
      [{ format: 'iss_sub', iss: 'https://issuer.example.com/', sub: '145234573' }, { format: 'iss_sub', iss: 'https://issuer.example.com/', sub: '145234573' }],
      [{ format: 'opaque', id: '11112222333344445555' }, { format: 'opaque', id: '11112222333344445555' }],
      [{ format: 'phone_number', phone_number: '+12065550100' }, { format: 'phone_number', phone_number: '+12065550100' }],
      [{ format: 'did', url: 'did:example:123456' }, { format: 'did', url: 'did:example:123456' }],
      [{ format: 'uri', uri: 'spiffe://example.org/agent' }, { format: 'uri', uri: 'spiffe://example.org/agent' }],
      [{ format: 'jwt_id', iss: 'https://idp', jti: 'j1' }, { format: 'jwt_id', iss: 'https://idp', jti: 'j1' }],
      [{ format: 'saml_assertion_id', issuer: 'https://idp', assertion_id: '_a1' }, { format: 'saml_assertion_id', issuer: 'https://idp', assertion_id: '_a1' }],
      [{ format: 'ip-addresses', 'ip-addresses': ['10.0.0.1', '::1'] }, { format: 'ip-addresses', 'ip-addresses': ['10.0.0.1', '::1'] }],
      [{ format: 'catalog_item', catalog_id: 'c1' }, { format: 'catalog_item', catalog_id: 'c1' }],
    ]
    for (const [input, expected] of cases) {
      const id = parseSubjectId(input)
      expect(id).toEqual(expected)
      expect(Object.isFrozen(id)).toBe(true)
    }
  })

  it('parses aliases (not nested, no complex inside) and complex subjects (members only, not nested)', () => {
    const aliases = parseSubjectId({ format: 'aliases', identifiers: [{ format: 'email', email: 'a@b.c' }, { format: 'phone_number', phone_number: '+12065550100' }] })
    expect(aliases).toMatchObject({ format: 'aliases', identifiers: [{ format: 'email' }, { format: 'phone_number' }] })
    bad({ format: 'aliases', identifiers: [{ format: 'aliases', identifiers: [{ format: 'opaque', id: 'x' }] }] })
    bad({ format: 'aliases', identifiers: [{ format: 'complex', user: { format: 'opaque', id: 'x' } }] })
    bad({ format: 'aliases', identifiers: [] })
    // Additional members (SSF 1.0 §3.3) are kept when they are subject identifiers; other fields are ignored.
    const complex = parseSubjectId({ format: 'complex', user: { format: 'email', email: 'a@b.c' }, session: { format: 'opaque', id: 's' }, unknown_member: { format: 'opaque', id: 'z' }, note: 'not a subject' })
    expect(complex).toEqual({ format: 'complex', user: { format: 'email', email: 'a@b.c' }, session: { format: 'opaque', id: 's' }, unknown_member: { format: 'opaque', id: 'z' } })
    bad({ format: 'complex' })
    bad({ format: 'complex', user: { format: 'complex', user: { format: 'opaque', id: 'x' } } })
    bad({ format: 'complex', user: 'jdoe' })
  })

  it('refuses malformed identifiers with ERR_SUBJECT_ID_INVALID', () => {
    for (const v of [
      null, 'x', [], {}, { format: '' }, { format: 7 },
      { format: 'email' }, { format: 'email', email: '' }, { format: 'email', email: 'no-at' }, { format: 'email', email: 'a@' }, { format: 'email', email: 'a b@c' },
      { format: 'account', uri: 'mailto:a@b' }, { format: 'iss_sub', iss: 'x' }, { format: 'opaque', id: 5 },
      { format: 'phone_number', phone_number: '2065550100' }, { format: 'phone_number', phone_number: '+0123' },
      { format: 'did', url: 'https://x' }, { format: 'uri', uri: 'not a uri' }, { format: 'jwt_id', iss: 'x' },
      { format: 'ip-addresses', 'ip-addresses': [] }, { format: 'ip-addresses', 'ip-addresses': ['999.1.1.1'] }, { format: 'ip-addresses', 'ip-addresses': ['1::2::3'] },
      { format: 'opaque', id: 'x'.repeat(3000) },
    ]) bad(v)
  })
})

describe('normalizeIP', () => {
  it('canonicalises IPv4 and IPv6 (incl. embedded IPv4) and refuses junk', () => {
    expect(normalizeIP('010.0.0.1')).toBe('10.0.0.1')
    expect(normalizeIP('2001:0db8:0000:0000:0000:8a2e:0370:7334')).toBe(normalizeIP('2001:db8::8a2e:370:7334'))
    expect(normalizeIP('::ffff:1.2.3.4')).toBe(normalizeIP('::ffff:102:304'))
    expect(normalizeIP('::')).toBe('0:0:0:0:0:0:0:0')
    for (const j of ['', '1.2.3', '1.2.3.256', ':::', '1:2:3:4:5:6:7:8:9', 'g::1', '1::2::3', '::1.2.3']) expect(normalizeIP(j)).toBeUndefined()
  })
})

describe('matchSubjectId', () => {
  const email = (e: string): SubjectId => ({ format: 'email', email: e })
  it('compares email domains case-insensitively and local parts exactly (unless asked)', () => {
    expect(matchSubjectId(email('jdoe@Example.COM'), email('jdoe@example.com'))).toBe(true)
    expect(matchSubjectId(email('JDoe@example.com'), email('jdoe@example.com'))).toBe(false)
    expect(matchSubjectId(email('JDoe@example.com'), email('jdoe@example.com'), { caseInsensitiveEmail: true })).toBe(true)
  })
  it('normalises acct: hosts, phone separators and IP lists; everything else is exact', () => {
    expect(matchSubjectId({ format: 'account', uri: 'acct:jdoe@EXAMPLE.com' }, { format: 'account', uri: 'ACCT:jdoe@example.com' })).toBe(true)
    expect(matchSubjectId({ format: 'phone_number', phone_number: '+1 206 555 0123' }, { format: 'phone_number', phone_number: '+12065550123' })).toBe(true)
    expect(matchSubjectId({ format: 'ip-addresses', 'ip-addresses': ['10.0.0.1', '2001:db8::1'] }, { format: 'ip-addresses', 'ip-addresses': ['2001:0db8:0:0:0:0:0:1'] })).toBe(true)
    expect(matchSubjectId({ format: 'uri', uri: 'spiffe://example.org/A' }, { format: 'uri', uri: 'spiffe://example.org/a' })).toBe(false)
    expect(matchSubjectId({ format: 'iss_sub', iss: 'https://a', sub: '1' }, { format: 'iss_sub', iss: 'https://b', sub: '1' })).toBe(false)
    expect(matchSubjectId({ format: 'opaque', id: 'x' }, { format: 'uri', uri: 'x:y' })).toBe(false)
    expect(matchSubjectId({ format: 'x', a: [1, { b: 2 }] } as SubjectId, { format: 'x', a: [1, { b: 2 }] } as SubjectId)).toBe(true)
    expect(matchSubjectId({ format: 'x', a: 1 } as SubjectId, { format: 'x', a: 1, b: 2 } as SubjectId)).toBe(false)
  })
  it('handles aliases on either side and complex subjects', () => {
    const aliases: SubjectId = { format: 'aliases', identifiers: [email('a@x.com'), { format: 'opaque', id: '7' }] }
    expect(matchSubjectId(aliases, { format: 'opaque', id: '7' })).toBe(true)
    expect(matchSubjectId(email('a@x.com'), aliases)).toBe(true)
    const complex: SubjectId = { format: 'complex', user: email('a@x.com'), device: { format: 'opaque', id: 'd1' } }
    expect(matchSubjectId(email('a@x.com'), complex)).toBe(true)
    expect(matchSubjectId({ format: 'complex', user: email('a@x.com') }, complex)).toBe(true)
    expect(matchSubjectId({ format: 'complex', user: email('a@x.com'), tenant: { format: 'opaque', id: 't' } }, complex)).toBe(false)
    expect(matchSubjectId(complex, email('a@x.com'))).toBe(false)
  })
})
