// Review 8: errorResponse is the last resort of every error path and "never throws": property test
// over arbitrary reasons, challenge parameters, realms, schemes and Retry-After values.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, ProtocolError, StoreError, VerificationError } from '../../../src/errors/index.js'
import { errorResponse } from '../../../src/server/index.js'

const verificationCodes = Object.entries(ERROR_CODES).filter(([, v]) => v.category === 'verification').map(([k]) => k)
const protocolCodes = Object.entries(ERROR_CODES).filter(([, v]) => v.category === 'protocol').map(([k]) => k)

describe('errorResponse never throws and answers a well-formed response', () => {
  it('for arbitrary verification errors and options', () => {
    fc.assert(fc.property(
      fc.constantFrom(...verificationCodes), fc.string({ maxLength: 300 }), fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 50 }), { maxKeys: 3 }),
      fc.constantFrom<400 | 401 | 403 | 413>(400, 401, 403, 413),
      fc.record({ realm: fc.oneof(fc.string({ maxLength: 50 }), fc.integer()), scheme: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(undefined)), retryAfter: fc.oneof(fc.double(), fc.integer(), fc.constant(undefined)) }, { requiredKeys: [] }),
      (code, reason, challenge, status, options) => {
        const err = new VerificationError(code as never, reason, { status, challenge })
        const res = errorResponse(err, options as never)
        expect(res.status).toBe(status)
        const h = res.headers.get('www-authenticate') ?? ''
        expect(/^[\x20-\x7e]*$/.test(h)).toBe(true)
      },
    ), { numRuns: 300 })
  })

  it('for store and protocol errors with arbitrary Retry-After', () => {
    fc.assert(fc.property(fc.constantFrom(...protocolCodes), fc.option(fc.integer({ min: 100, max: 599 })), fc.anything(), (code, upstream, retryAfter) => {
      const p = errorResponse(new ProtocolError(code as never, 'x', upstream === null ? {} : { status: upstream }), { retryAfter } as never)
      expect([500, 502, 503, 504]).toContain(p.status)
      const s = errorResponse(new StoreError('ERR_STORE_UNAVAILABLE', 'x'), { retryAfter } as never)
      expect(s.status).toBe(503)
      expect(s.headers.get('retry-after')).toMatch(/^\d+$/)
    }), { numRuns: 200 })
  })
})
