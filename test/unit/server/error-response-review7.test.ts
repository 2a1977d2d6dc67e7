// Review 7: errorResponse promises it never throws (it is the last resort of every error path), but
// a realm that was not a string (a number or null read from configuration) or a null options object
// made it throw a plain TypeError, so createNodeHandler's listener rejected and the request was never
// answered. Unusable options are now ignored, as `scheme` and `retryAfter` already were.
import { describe, expect, it } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { errorResponse, type ErrorResponseOptions } from '../../../src/server/index.js'

const refusal = new VerificationError('ERR_WIT_MISSING', 'the request carries no Workload-Identity-Token')

describe('errorResponse: unusable options are ignored, never thrown on', () => {
  it.each([
    ['a numeric realm', { realm: 42 }],
    ['a null realm', { realm: null }],
    ['an object realm', { realm: {} }],
    ['null options', null],
    ['string options', 'https://api.example.com'],
  ])('answers a refusal with %s', (_name, options) => {
    const res = errorResponse(refusal, options as unknown as ErrorResponseOptions)
    expect(res.status).toBe(400)
    expect(res.headers.get('www-authenticate')).toBe('WIMSE error="invalid_request", error_description="the request carries no Workload-Identity-Token"')
  })

  it('answers a store outage with null options (503, default Retry-After)', () => {
    const res = errorResponse(new StoreError('ERR_STORE_UNAVAILABLE', 'down'), null as unknown as ErrorResponseOptions)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
  })

  it('still sends a string realm, escaped', () => {
    const res = errorResponse(refusal, { realm: 'api "prod"' })
    expect(res.headers.get('www-authenticate')).toMatch(/^WIMSE realm="api \\"prod\\"", error="invalid_request"/)
  })
})
