// Property tests (review round 8): bundle and X.509 bundle parsers given random and mutated JSON
// throw only coded errors (ProtocolError / VerificationError / coded TypeError), never an uncoded
// TypeError, RangeError or SyntaxError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { selectKey, staticTrustBundles } from '../../../src/bundle/index.js'
import { parseX509Bundle, staticX509Bundles } from '../../../src/x509/index.js'

const NUM_RUNS = 300

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('ERR_')) throw err
    return code
  }
}

const member = fc.constantFrom('kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'kid', 'use', 'x5c', 'key_ops', 'd', 'k', 'keys', 'spiffe_sequence', '__proto__', 'constructor')
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('EC', 'RSA', 'OKP', 'oct', 'P-256', 'Ed25519', 'x509-svid', 'jwt-svid', 'wit-svid', 'AQAB', 'eA', 'MIIB', ''),
  fc.array(fc.constantFrom('MIIBIjAN', 'AAAA', '', '!!', 'MA=='), { maxLength: 3 }),
)
const jwk = fc.dictionary(member, value, { maxKeys: 8 })
const doc = fc.record({ keys: fc.oneof(fc.array(fc.oneof(jwk, fc.jsonValue({ maxDepth: 1 })), { maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] })

describe('bundle parsers: coded errors only', () => {
  it('staticTrustBundles and selectKey', () => {
    fc.assert(
      fc.property(doc, fc.constantFrom('ES256', 'EdDSA', 'RS256', 'PS256'), fc.option(fc.string({ maxLength: 4 })), (input, alg, kid) => {
        let bundle: ReturnType<typeof staticTrustBundles> | undefined
        codeOf(() => (bundle = staticTrustBundles({ 'example.org': input as never })))
        codeOf(() => selectKey({ trustDomain: 'example.org', keys: (input as { keys?: unknown }).keys } as never, { alg, kid: kid ?? undefined } as never))
        expect(bundle === undefined || bundle.trustDomains.length === 1).toBe(true)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('parseX509Bundle (object and text, also mutated text) and staticX509Bundles', () => {
    fc.assert(
      fc.property(doc, fc.nat(), fc.integer({ min: 0, max: 255 }), (input, at, byte) => {
        codeOf(() => parseX509Bundle(input as never, 'example.org'))
        const text = JSON.stringify(input)
        codeOf(() => parseX509Bundle(text, 'example.org'))
        const bytes = new TextEncoder().encode(text)
        if (bytes.length > 0) bytes[at % bytes.length] = byte
        codeOf(() => parseX509Bundle(bytes, 'example.org'))
        codeOf(() => staticX509Bundles({ 'example.org': input as never }))
      }),
      { numRuns: NUM_RUNS },
    )
  })
})
