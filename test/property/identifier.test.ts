// Property tests for the identifier parsers (fast-check): they only ever throw VerificationError,
// generated valid identifiers round-trip, accepted input is returned unchanged, SPIFFE acceptance
// equals the reference regex of the spec digest, and accepted identifiers survive a WHATWG URL
// parser unchanged (draft-ietf-wimse-identifier §7: results agree with a standards-compliant parser).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import {
  formatSpiffeId,
  isWorkloadIdentifier,
  parseSpiffeId,
  parseTrustDomain,
  parseWorkloadIdentifier,
  type IdentifierProfile,
  type WorkloadIdentifier,
} from '../../src/identifier/index.js'
import { DIGIT, LOWER, PCHAR_CHARS, SCHEME_CHARS, SPIFFE_SEGMENT_CHARS, TRUST_DOMAIN_CHARS } from '../helpers/identifier.js'

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 1000)
const PROFILES: IdentifierProfile[] = ['any', 'wimse', 'spiffe']

const chars = (set: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...set), minLength: min, maxLength: max })

const trustDomain = chars(TRUST_DOMAIN_CHARS, 1, 40)
const spiffeSegment = chars(SPIFFE_SEGMENT_CHARS, 1, 12).filter((s) => s !== '.' && s !== '..')
const spiffeParts = fc.tuple(trustDomain, fc.array(spiffeSegment, { maxLength: 6 }))

const UPPER_HEX = '0123456789ABCDEF'
// %HH of a byte that is not unreserved (A-Z a-z 0-9 - . _ ~).
const pctEncoded = fc
  .tuple(fc.constantFrom(...UPPER_HEX), fc.constantFrom(...UPPER_HEX))
  .filter(([h, l]) => !/^[A-Za-z0-9\-._~]$/.test(String.fromCharCode(parseInt(h + l, 16))))
  .map(([h, l]) => `%${h}${l}`)
const wimseSegment = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PCHAR_CHARS) }, { weight: 1, arbitrary: pctEncoded }), { maxLength: 10 })
  .map((parts) => parts.join(''))
  .filter((s) => s !== '.' && s !== '..')
const scheme = fc.tuple(fc.constantFrom(...LOWER), chars(SCHEME_CHARS, 0, 8)).map(([a, b]) => a + b)
const nonSpiffeScheme = fc.oneof(fc.constant('wimse'), scheme.filter((s) => s !== 'spiffe'))
const wimseParts = fc.tuple(nonSpiffeScheme, trustDomain, fc.array(wimseSegment, { maxLength: 6 }))

// Near-valid noise: valid pieces, URI delimiters and arbitrary code units, so that random strings
// hit every branch instead of failing at the first byte.
const noiseUnit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...`${LOWER}${DIGIT}`) },
  { weight: 2, arbitrary: fc.constantFrom('spiffe://', 'wimse://', 'https://', '/', '.', '..', '%', '%2F', '%41', '?', '#', '@', ':', '[', ']', 'A', '~', '$') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 2 }) },
)
const noisy = fc.array(noiseUnit, { maxLength: 30 }).map((p) => p.join(''))
const anyInput = fc.oneof(noisy, fc.string({ unit: 'binary' }), fc.anything())

function onlyVerificationErrors(fn: () => WorkloadIdentifier | unknown): unknown {
  try {
    return fn()
  } catch (err) {
    if (!(err instanceof VerificationError) || !err.code.startsWith('ERR_IDENTIFIER_') || err.status !== 400) throw err
    return undefined
  }
}

const SPIFFE_REGEX = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[a-zA-Z0-9._-]+)*)$/
function spiffeOracle(v: string): boolean {
  const m = SPIFFE_REGEX.exec(v)
  if (!m || v.length > 2048 || m[1]!.length > 255) return false
  return !m[2]!.split('/').some((s) => s === '.' || s === '..')
}

describe('identifier properties', () => {
  it('parsers throw nothing but 400 VerificationErrors with identifier codes, and return the input', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        for (const profile of PROFILES) {
          const id = onlyVerificationErrors(() => parseWorkloadIdentifier(input as string, { profile })) as WorkloadIdentifier | undefined
          if (id !== undefined) {
            expect(id.id).toBe(input)
            expect(id.origin + id.path).toBe(input)
            expect(id.origin).toBe(`${id.scheme}://${id.trustDomain}`)
            expect(Object.isFrozen(id)).toBe(true)
          }
          expect(isWorkloadIdentifier(input, { profile })).toBe(id !== undefined)
        }
        onlyVerificationErrors(() => parseSpiffeId(input as string))
        onlyVerificationErrors(() => parseTrustDomain(input as string))
      }),
      { numRuns: NUM_RUNS * 3 },
    )
  })

  it('SPIFFE acceptance equals the reference regex (no dot segments, ≤ 2048 bytes, trust domain ≤ 255)', () => {
    const spiffeish = fc.oneof(
      noisy.map((s) => `spiffe://${s}`),
      spiffeParts.map(([td, segs]) => `spiffe://${td}${segs.map((s) => `/${s}`).join('')}`),
    )
    fc.assert(
      fc.property(spiffeish, (v) => {
        expect(parseSpiffeIdOk(v)).toBe(spiffeOracle(v))
      }),
      { numRuns: NUM_RUNS * 3 },
    )
  })

  it('generated SPIFFE IDs round-trip through parse and formatSpiffeId', () => {
    fc.assert(
      fc.property(spiffeParts, ([td, segs]) => {
        const v = formatSpiffeId(td, ...segs)
        const id = parseSpiffeId(v)
        expect(id.id).toBe(v)
        expect(id.trustDomain).toBe(td)
        expect(id.path).toBe(segs.map((s) => `/${s}`).join(''))
        expect(parseWorkloadIdentifier(v)).toEqual(id)
        expect(formatSpiffeId(id.trustDomain, ...(id.path === '' ? [] : id.path.slice(1).split('/')))).toBe(v)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('generated WIMSE identifiers round-trip and agree with the WHATWG URL parser', () => {
    fc.assert(
      fc.property(wimseParts, fc.boolean(), ([s, td, segs], trailing) => {
        const path = segs.map((seg) => `/${seg}`).join('') + (trailing ? '/' : '')
        const v = `${s}://${td}${path}`
        const id = parseWorkloadIdentifier(v)
        expect(id).toEqual({ id: v, scheme: s, trustDomain: td, path, origin: `${s}://${td}` })
        if (s === 'wimse') expect(parseWorkloadIdentifier(v, { profile: 'wimse' })).toEqual(id)
        if (!SPECIAL_SCHEMES.has(s)) expectUrlAgrees(id)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('every accepted identifier (from noise) is unchanged by the WHATWG URL parser', () => {
    fc.assert(
      fc.property(noisy, (v) => {
        const id = onlyVerificationErrors(() => parseWorkloadIdentifier(v)) as WorkloadIdentifier | undefined
        if (id !== undefined && !SPECIAL_SCHEMES.has(id.scheme)) expectUrlAgrees(id)
      }),
      { numRuns: NUM_RUNS * 3 },
    )
  })

  it('appending a query, fragment or trailing junk to a valid identifier is refused with its code', () => {
    fc.assert(
      fc.property(spiffeParts, fc.string({ maxLength: 5 }), trustDomain, ([td, segs], tail, user) => {
        const v = formatSpiffeId(td, ...segs)
        expect(codeOf(() => parseSpiffeId(`${v}?${tail}`))).toBe('ERR_IDENTIFIER_QUERY')
        expect(codeOf(() => parseSpiffeId(`${v}#${tail}`))).toBe('ERR_IDENTIFIER_FRAGMENT')
        expect(codeOf(() => parseSpiffeId(`${v}/`))).toBe('ERR_IDENTIFIER_TRAILING_SLASH')
        expect(codeOf(() => parseWorkloadIdentifier(`wimse://${td}:${tail}`))).toBe('ERR_IDENTIFIER_PORT')
        expect(codeOf(() => parseWorkloadIdentifier(`wimse://${user}@${td}/${tail}`))).toBe('ERR_IDENTIFIER_USERINFO')
      }),
      { numRuns: NUM_RUNS },
    )
  })
})

const SPECIAL_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp', 'file'])

function expectUrlAgrees(id: WorkloadIdentifier): void {
  const url = new URL(id.id)
  expect(url.href).toBe(id.id)
  expect(url.protocol).toBe(`${id.scheme}:`)
  expect(url.host).toBe(id.trustDomain)
  expect(url.pathname).toBe(id.path)
  expect(url.username + url.password + url.port + url.search + url.hash).toBe('')
}

function parseSpiffeIdOk(v: string): boolean {
  return onlyVerificationErrors(() => parseSpiffeId(v)) !== undefined
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
    return 'OK'
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    return err.code
  }
}
