// Internal building blocks of the x509 module: the strict DER reader and name-constraint matching.
import { describe, expect, it } from 'vitest'
import { DERError, oidToString, readSmallUnsigned, readTLV, splitSequences } from '../../../src/x509/der.js'
import { checkNameConstraints, parseNameConstraints } from '../../../src/x509/name-constraints.js'
import { nameConstraintsDER } from '../../helpers/x509.js'

function derError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DERError)
    return (err as Error).message
  }
  throw new Error('expected a DERError')
}

describe('readTLV', () => {
  it('reads short and long definite lengths', () => {
    expect(readTLV(new Uint8Array([0x04, 0x01, 0xaa]), 0)).toEqual({ tag: 4, offset: 0, start: 2, end: 3 })
    const long = new Uint8Array(3 + 200)
    long.set([0x04, 0x81, 200])
    expect(readTLV(long, 0)).toEqual({ tag: 4, offset: 0, start: 3, end: 203 })
  })

  it.each([
    [[0x04], 'truncated element'],
    [[0x1f, 0x01, 0x00], 'multi-byte tag'],
    [[0x30, 0x80, 0x00, 0x00], 'unsupported length form'],
    [[0x30, 0x85, 1, 1, 1, 1, 1], 'unsupported length form'],
    [[0x30, 0x82, 0x01], 'truncated length'],
    [[0x30, 0x82, 0x00, 0x90], 'non-minimal length'],
    [[0x30, 0x81, 0x10], 'non-minimal length'],
    [[0x30, 0x05, 0x00], 'element overruns its container'],
  ])('%j → %s', (bytes, message) => {
    expect(derError(() => readTLV(new Uint8Array(bytes), 0))).toBe(message)
  })

  it('splits concatenated SEQUENCEs exactly', () => {
    expect(splitSequences(new Uint8Array([0x30, 0x00, 0x30, 0x01, 0x05]))).toHaveLength(2)
    expect(derError(() => splitSequences(new Uint8Array([0x30, 0x00, 0x04, 0x00])))).toBe('certificate: unexpected tag 0x4')
  })

  it('reads small unsigned integers minimally', () => {
    const int = (...b: number[]) => readSmallUnsigned(new Uint8Array([0x02, b.length, ...b]), readTLV(new Uint8Array([0x02, b.length, ...b]), 0))
    expect(int(0)).toBe(0)
    expect(int(0x00, 0x80)).toBe(128)
    expect(derError(() => int(0x80))).toBe('negative INTEGER')
    expect(derError(() => int(0x00, 0x01))).toBe('non-minimal INTEGER')
    expect(derError(() => int())).toBe('INTEGER out of range')
  })

  it('formats OIDs', () => {
    expect(oidToString(new Uint8Array([0x55, 0x1d, 0x11]))).toBe('2.5.29.17')
    expect(oidToString(new Uint8Array([0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01]))).toBe('1.3.6.1.4.1.99999.1')
  })
})

describe('name constraints (RFC 5280 §4.2.1.10)', () => {
  const nc = (spec: Parameters<typeof nameConstraintsDER>[0]) => parseNameConstraints(nameConstraintsDER(spec))

  it('URI constraints apply to the host: exact host, or ".domain" for proper subdomains only', () => {
    const exact = nc({ permitted: [{ type: 'uri', value: 'example.org' }] })
    expect(checkNameConstraints(exact, ['spiffe://example.org/a'], [])).toBeUndefined()
    expect(checkNameConstraints(exact, ['spiffe://sub.example.org/a'], [])).toBe('does not permit URI name spiffe://sub.example.org/a')
    const domain = nc({ permitted: [{ type: 'uri', value: '.example.org' }] })
    expect(checkNameConstraints(domain, ['spiffe://sub.example.org/a'], [])).toBeUndefined()
    expect(checkNameConstraints(domain, ['spiffe://example.org/a'], [])).toBe('does not permit URI name spiffe://example.org/a')
    expect(checkNameConstraints(domain, ['spiffe://badexample.org/a'], [])).toBe('does not permit URI name spiffe://badexample.org/a')
  })

  it('DNS constraints match the name and names with labels added on the left', () => {
    const c = nc({ permitted: [{ type: 'dns', value: 'example.org' }] })
    expect(checkNameConstraints(c, [], ['example.org', 'a.b.example.org', 'A.Example.ORG'])).toBeUndefined()
    expect(checkNameConstraints(c, [], ['badexample.org'])).toBe('does not permit DNS name badexample.org')
  })

  it('excluded wins over permitted; names of other types are not constrained', () => {
    const c = nc({ permitted: [{ type: 'dns', value: 'example.org' }], excluded: [{ type: 'dns', value: 'admin.example.org' }] })
    expect(checkNameConstraints(c, [], ['x.admin.example.org'])).toBe('excludes DNS name x.admin.example.org')
    expect(checkNameConstraints(c, ['spiffe://anything.example/a'], [])).toBeUndefined()
  })

  it('rejects malformed NameConstraints', () => {
    expect(derError(() => parseNameConstraints(new Uint8Array([0x30, 0x00])))).toBe('empty NameConstraints')
    // GeneralSubtree with a minimum [0] INTEGER 1
    const withMinimum = new Uint8Array([0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x82, 0x01, 0x61, 0x80, 0x01, 0x01])
    expect(derError(() => parseNameConstraints(withMinimum))).toBe('GeneralSubtree has minimum or maximum')
    const excludedFirst = nameConstraintsDER({ excluded: [{ type: 'dns', value: 'a' }] })
    const both = new Uint8Array([0x30, (excludedFirst.length - 2) * 2, ...excludedFirst.subarray(2), ...excludedFirst.subarray(2)])
    expect(derError(() => parseNameConstraints(both))).toBe('unexpected element in NameConstraints')
    expect(derError(() => parseNameConstraints(new Uint8Array([0x30, 0x04, 0xa0, 0x02, 0x30, 0x00])))).toBe('GeneralSubtree has no base')
  })
})
