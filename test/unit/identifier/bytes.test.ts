// Every byte 0x00–0xFF (as the code point U+0000–U+00FF, like go-spiffe's loops) in every position
// class, for every profile, with the exact expected code. Expectations are derived from the rules
// as written in docs/identifier.md, independently of the scanner's tables.
import { describe, expect, it } from 'vitest'
import { parseTrustDomain, parseWorkloadIdentifier, type IdentifierProfile } from '../../../src/identifier/index.js'
import { LOWER, outcome, PCHAR_CHARS, SCHEME_CHARS, SPIFFE_SEGMENT_CHARS, TRUST_DOMAIN_CHARS } from '../../helpers/identifier.js'

type Rules = 'spiffe' | 'wimse'
const OK = 'OK'
const BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i))

const TD_DELIMS: Record<string, string> = {
  '?': 'ERR_IDENTIFIER_QUERY', '#': 'ERR_IDENTIFIER_FRAGMENT', '@': 'ERR_IDENTIFIER_USERINFO',
  ':': 'ERR_IDENTIFIER_PORT', '%': 'ERR_IDENTIFIER_PERCENT_ENCODING',
}
const PATH_DELIMS: Record<string, string> = {
  '?': 'ERR_IDENTIFIER_QUERY', '#': 'ERR_IDENTIFIER_FRAGMENT', '%': 'ERR_IDENTIFIER_PERCENT_ENCODING',
}
const trustDomainByte = (b: string): string =>
  TRUST_DOMAIN_CHARS.includes(b) ? OK : TD_DELIMS[b] ?? 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR'
const pathByte = (rules: Rules, b: string): string =>
  (rules === 'spiffe' ? SPIFFE_SEGMENT_CHARS : PCHAR_CHARS).includes(b) ? OK : PATH_DELIMS[b] ?? 'ERR_IDENTIFIER_PATH_CHAR'

interface Position {
  name: string
  build: (scheme: string, b: string) => string
  /** Expected code under the scheme's own rules with a profile that accepts the scheme. */
  expected: (rules: Rules, b: string) => string
  /** True when the byte sits inside the scheme (then only 'any' can accept it). */
  inScheme?: boolean
}

const POSITIONS: Position[] = [
  { name: 'scheme, first byte', inScheme: true, build: (s, b) => `${b}${s}://td/p`, expected: (_r, b) => (LOWER.includes(b) ? OK : 'ERR_IDENTIFIER_SCHEME') },
  { name: 'scheme, inner byte', inScheme: true, build: (s, b) => `${s.slice(0, 2)}${b}${s.slice(2)}://td/p`, expected: (_r, b) => (SCHEME_CHARS.includes(b) ? OK : 'ERR_IDENTIFIER_SCHEME') },
  { name: 'scheme, last byte', inScheme: true, build: (s, b) => `${s}${b}://td/p`, expected: (_r, b) => (SCHEME_CHARS.includes(b) ? OK : 'ERR_IDENTIFIER_SCHEME') },
  { name: 'trust domain, first byte', build: (s, b) => `${s}://${b}td/p`, expected: (_r, b) => (b === '/' ? 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING' : trustDomainByte(b)) },
  { name: 'trust domain, inner byte', build: (s, b) => `${s}://tr${b}ust/p`, expected: (_r, b) => (b === '/' ? OK : trustDomainByte(b)) },
  { name: 'trust domain, last byte (no path)', build: (s, b) => `${s}://td${b}`, expected: (r, b) => (b === '/' ? (r === 'spiffe' ? 'ERR_IDENTIFIER_TRAILING_SLASH' : OK) : trustDomainByte(b)) },
  { name: 'path segment, inner byte', build: (s, b) => `${s}://td/pa${b}th`, expected: (r, b) => (b === '/' ? OK : pathByte(r, b)) },
  {
    name: 'path segment, whole last segment',
    build: (s, b) => `${s}://td/a/${b}`,
    expected: (r, b) => {
      if (b === '.') return 'ERR_IDENTIFIER_DOT_SEGMENT'
      if (b === '/') return r === 'spiffe' ? 'ERR_IDENTIFIER_EMPTY_SEGMENT' : OK
      return pathByte(r, b)
    },
  },
  { name: "after '?'", build: (s, b) => `${s}://td/p?${b}`, expected: () => 'ERR_IDENTIFIER_QUERY' },
  { name: "after '#'", build: (s, b) => `${s}://td/p#${b}`, expected: () => 'ERR_IDENTIFIER_FRAGMENT' },
  { name: "after '@'", build: (s, b) => `${s}://user@${b}td/p`, expected: () => 'ERR_IDENTIFIER_USERINFO' },
  { name: "after ':'", build: (s, b) => `${s}://td:${b}/p`, expected: () => 'ERR_IDENTIFIER_PORT' },
]

const SCHEMES: [string, Rules, IdentifierProfile, IdentifierProfile][] = [
  // scheme, its rules, the profile limited to it, the profile that refuses it
  ['spiffe', 'spiffe', 'spiffe', 'wimse'],
  ['wimse', 'wimse', 'wimse', 'spiffe'],
]

describe('byte-exhaustive identifier table', () => {
  for (const [scheme, rules, own, other] of SCHEMES) {
    for (const pos of POSITIONS) {
      const inputs = BYTES.map((b) => pos.build(scheme, b))
      const run = (profile: IdentifierProfile): string[] => inputs.map((v) => outcome(() => parseWorkloadIdentifier(v, { profile })))

      it(`${scheme}: ${pos.name}, profile 'any'`, () => {
        expect(run('any')).toEqual(BYTES.map((b) => pos.expected(rules, b)))
      })
      it(`${scheme}: ${pos.name}, profile '${own}'`, () => {
        const want = BYTES.map((b) => (pos.inScheme ? 'ERR_IDENTIFIER_SCHEME' : pos.expected(rules, b)))
        expect(run(own)).toEqual(want)
        if (rules === 'spiffe') expect(inputs.map((v) => outcome(() => parseWorkloadIdentifier(v, { profile: 'spiffe' })))).toEqual(want)
      })
      it(`${scheme}: ${pos.name}, profile '${other}'`, () => {
        expect(run(other)).toEqual(BYTES.map(() => 'ERR_IDENTIFIER_SCHEME'))
      })
    }
  }

  it('bare trust-domain names: every byte first, inner and last', () => {
    const expected = (b: string): string => (b === '/' ? 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR' : trustDomainByte(b))
    for (const build of [(b: string) => `${b}td`, (b: string) => `tr${b}ust`, (b: string) => `td${b}`]) {
      expect(BYTES.map((b) => outcome(() => parseTrustDomain(build(b))))).toEqual(BYTES.map(expected))
    }
  })

  it('WIMSE percent-encoding: every byte as %HH is accepted unless it encodes an unreserved byte', () => {
    const hex = (i: number): string => i.toString(16).toUpperCase().padStart(2, '0')
    const unreserved = (i: number): boolean => /^[A-Za-z0-9\-._~]$/.test(String.fromCharCode(i))
    const codes = Array.from({ length: 256 }, (_, i) => outcome(() => parseWorkloadIdentifier(`wimse://td/a%${hex(i)}b`)))
    expect(codes).toEqual(Array.from({ length: 256 }, (_, i) => (unreserved(i) ? 'ERR_IDENTIFIER_PERCENT_ENCODING' : OK)))
    // Lower-case hex digits are never canonical; truncated escapes are malformed.
    for (const bad of ['%2f', '%a0', '%Af', '%', '%2', '%G0', '%0G', '%%20']) {
      expect(outcome(() => parseWorkloadIdentifier(`wimse://td/a${bad}`)), bad).toBe('ERR_IDENTIFIER_PERCENT_ENCODING')
    }
    // SPIFFE never allows percent-encoding.
    expect(outcome(() => parseWorkloadIdentifier('spiffe://td/a%20b'))).toBe('ERR_IDENTIFIER_PERCENT_ENCODING')
  })
})
