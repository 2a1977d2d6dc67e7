// Property test (review round 8): parseWorkloadIdentifier (profile 'any') against an independent
// oracle written from the rules as documented (docs/identifier.md; SPIFFE-ID §2; draft-ietf-wimse-
// identifier §4.1 plus agentauth's canonical-form rules), on strings built from URI-ish pieces and
// then mutated. Acceptance must agree exactly, and every refusal is a coded 400 VerificationError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseWorkloadIdentifier } from '../../src/identifier/index.js'
import { outcome } from '../helpers/identifier.js'

const SPIFFE = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[a-zA-Z0-9._-]+)*)$/
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/([a-z0-9._-]{1,255})(\/.*)?$/s
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*$/

function oracle(s: string): boolean {
  if (new TextEncoder().encode(s).length > 2048) return false
  if (s.startsWith('spiffe://')) {
    const m = SPIFFE.exec(s)
    if (m === null || m[1]!.length > 255) return false
    return m[2]!.split('/').every((seg) => seg !== '.' && seg !== '..')
  }
  const m = SCHEME.exec(s)
  if (m === null) return false
  const path = m[3] ?? ''
  for (const seg of path.split('/').slice(1)) {
    if (!SEGMENT.test(seg) || seg === '.' || seg === '..') return false
    for (const [, hex] of seg.matchAll(/%([0-9A-F]{2})/g)) if (/^[A-Za-z0-9\-._~]$/.test(String.fromCharCode(parseInt(hex!, 16)))) return false
  }
  return true
}

const piece = fc.constantFrom(
  'spiffe://', 'wimse://', 'x+y.z-1://', 'Spiffe://', 'spiffe:/', '://', 'example.org', 'EX', 'a', '.', '..', '/', '//', '%41', '%2F', '%2f', '%7E',
  '%', '%G1', '?', '#', '@', ':', ':8443', '~', '!', "'", '[', ']', '::1', 'é', '\u0000', ' ', '_', '-', '0', '*', ';', '=', '\uD800',
)
const candidate = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''))
const mutated = fc.tuple(candidate, fc.nat(), fc.integer({ min: 0, max: 0x7f })).map(([s, at, c]) =>
  s.length === 0 ? String.fromCharCode(c) : s.slice(0, at % s.length) + String.fromCharCode(c) + s.slice((at % s.length) + 1),
)

describe('parseWorkloadIdentifier agrees with an independent oracle of the documented rules', () => {
  it.each([
    ['built from URI pieces', candidate],
    ['with one byte mutated', mutated],
  ])('%s', (_, arbitrary) => {
    const seen = new Set<boolean>()
    fc.assert(
      fc.property(arbitrary, (s) => {
        const result = outcome(() => parseWorkloadIdentifier(s))
        expect(result === 'OK', `${JSON.stringify(s)} → ${result}`).toBe(oracle(s))
        seen.add(result === 'OK')
      }),
      { numRuns: 3000 },
    )
    expect(seen).toEqual(new Set([true, false]))
  })
})
