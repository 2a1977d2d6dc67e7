import fc from 'fast-check'
import { decode as joseDecode, encode as joseEncode } from 'jose/base64url'
import { describe, expect, it } from 'vitest'
import { decodeCanonical, decodeStrict, encode } from '../../../src/internal/base64url.js'
import { VerificationError } from '../../../src/errors/index.js'

describe('internal/base64url', () => {
  it('encodes like jose / Buffer for every length around the group boundaries and large inputs', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 4095, 4096, 4097, 10_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 97 + 13) & 0xff)
      expect(encode(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
    expect(encode('héllo ✓')).toBe(joseEncode('héllo ✓'))
  })

  it('round-trips random bytes and agrees with jose on canonical input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encode(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64url'))
        expect(decodeStrict(text)).toEqual(bytes)
        expect(decodeStrict(text)).toEqual(joseDecode(text))
      }),
      { numRuns: 300 },
    )
  })

  it('refuses padding, whitespace, other alphabets, non-ASCII, impossible lengths and non-zero trailing bits', () => {
    for (const bad of ['AA==', 'AA=', 'A', 'AAAAA', 'AB', 'AAB', 'AQ ', ' AQ', 'A\nQ', 'a+b/', 'ab.c', 'QUJD\u00c1', 'QU\u0141D', 'QUJDRA%']) {
      expect(() => decodeStrict(bad), bad).toThrow(VerificationError)
      expect(typeof decodeCanonical(bad), bad).toBe('string')
    }
    expect(decodeCanonical('AB')).toBe('FORM')
    expect(decodeCanonical('A')).toBe('FORM')
    expect(decodeCanonical('A=')).toBe('ALPHABET')
    expect(decodeCanonical('QU\u0141D')).toBe('ALPHABET')
    // the last character of a 2- or 3-character tail may only use its significant bits
    expect(decodeStrict('AQ')).toEqual(new Uint8Array([1]))
    expect(decodeStrict('AQE')).toEqual(new Uint8Array([1, 1]))
    expect(() => decodeStrict('AQF')).toThrow(VerificationError)
    expect(decodeStrict('')).toEqual(new Uint8Array(0))
  })

  it('decodes a slice without copying the string and keeps the error code the caller asks for', () => {
    const s = 'xx.' + encode(new Uint8Array([1, 2, 3, 4])) + '.yy'
    expect(decodeCanonical(s, 3, s.length - 3)).toEqual(new Uint8Array([1, 2, 3, 4]))
    const err = ((): VerificationError | undefined => {
      try {
        decodeStrict('A', 'thing', 'ERR_JWS_INVALID')
      } catch (e) {
        return e as VerificationError
      }
      return undefined
    })()
    expect(err?.code).toBe('ERR_JWS_INVALID')
    expect(() => decodeStrict(undefined as unknown as string)).toThrow(VerificationError)
  })

  it('agrees with a reference strict decoder on arbitrary strings', () => {
    const reference = (s: string): Uint8Array | undefined => {
      if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined
      const out = Buffer.from(s, 'base64url')
      return Buffer.from(out).toString('base64url') === s ? new Uint8Array(out) : undefined
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('A', 'Q', 'g', 'w', '-', '_', '9', '=', '+', '/', ' ', '\u00e9', 'z'), maxLength: 12 }), (s) => {
        const ours = decodeCanonical(s)
        const ref = reference(s)
        if (ref === undefined) expect(typeof ours).toBe('string')
        else expect(ours).toEqual(ref)
      }),
      { numRuns: 2000 },
    )
  })
})
