// Review round 8, fast-check: parseWPTHeaders on hostile header values answers with the tokens or a
// VerificationError with a stable code — never an uncoded error.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { parseWPTHeaders } from '../../src/wpt/index.js'

const CODES = new Set(['ERR_WIT_MISSING', 'ERR_WPT_MISSING', 'ERR_HEADER_INVALID', 'ERR_INPUT_TOO_LARGE'])
// Header values Headers accepts: no NUL, CR or LF; Latin-1 only.
const value = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\u0000\r\n]/g, '').replace(/[^\u0000-\u00ff]/g, 'x')),
  fc.constantFrom('', ' ', 'a.b.c', 'a.b.c, a.b.c', 'Bearer', 'Bearer ', 'Bearer a b', 'bearer abc==', 'DPoP x', 'Basic a,b', 'Bearer =', 'Bearer a=b'),
  fc.nat({ max: 20_000 }).map((n) => 'a'.repeat(n)),
)

describe('parseWPTHeaders on hostile header values', () => {
  it('returns tokens or throws a coded VerificationError', () => {
    fc.assert(fc.property(fc.option(value), fc.option(value), fc.option(value), fc.option(value), fc.option(value), (wit, wpt, auth, txn, other) => {
      const headers = new Headers()
      if (wit !== null) headers.set('workload-identity-token', wit)
      if (wpt !== null) headers.set('workload-proof-token', wpt)
      if (auth !== null) headers.set('authorization', auth)
      if (txn !== null) headers.set('txn-token', txn)
      if (other !== null) headers.set('x-user-assertion', other)
      try {
        const out = parseWPTHeaders(headers, { otherTokenHeaders: ['X-User-Assertion'] })
        expect(Object.isFrozen(out)).toBe(true)
        expect(out.wit.length).toBeGreaterThan(0)
      } catch (err) {
        if (!(err instanceof VerificationError)) throw err
        expect(CODES.has(err.code)).toBe(true)
      }
    }), { numRuns: 300 })
  })
})
