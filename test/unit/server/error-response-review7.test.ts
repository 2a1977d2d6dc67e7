// Review 7: errorResponse promises it never throws (it is the last resort of every error path), but
// a realm that was not a string (a number or null read from configuration) or a null options object
// made it throw a plain TypeError, so createNodeHandler's listener rejected and the request was never
// answered. Unusable options are now ignored, as `scheme` and `retryAfter` already were.
// Also: RFC 6750 §3 forbids `"` and `\` in the values of a Bearer challenge's error,
// error_description and scope (%x20-21 / %x23-5B / %x5D-7E): an access token missing a claim was
// answered with `error_description="access token is missing the \"sub\" claim"`.
import { describe, expect, it } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { matchTrustDomain } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type ErrorResponseOptions } from '../../../src/server/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createCompactJWS } from '../../../src/signer/jws.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

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

/** The quoted values of a challenge, unescaped: each must fit RFC 6750 §3's character set. */
function bearerValues(header: string): string[] {
  return [...header.matchAll(/ (error|error_description|scope)="((?:[^"\\]|\\.)*)"/g)].map((m) => m[2]!)
}

describe('errorResponse: Bearer challenge values (RFC 6750 §3)', () => {
  it('carries no quote or backslash in error_description for a token missing a claim', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const as = await generateSigner('ES256', { kid: 'as-1' })
    const origin = 'https://api.example.com'
    const issuer = 'https://as.example.com'
    const verify = createRequestVerifier({
      trustBundles: td.trustBundles, origin, proof: 'wpt', authorize: matchTrustDomain('example.org'),
      accessToken: { mode: 'required', issuer, audience: origin, keys: [await as.publicJwk()] },
    })
    const now = Math.floor(Date.now() / 1000)
    const noSub = await createCompactJWS({ alg: 'ES256', typ: 'at+jwt', kid: 'as-1' }, { iss: issuer, aud: origin, client_id: 'app', iat: now, exp: now + 300, jti: 'j1' }, as)
    const err = await verify(await wptRequest(agent, `${origin}/x`, {}, { accessToken: noSub })).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID' })
    const header = errorResponse(err, { realm: 'api "prod"' }).headers.get('www-authenticate')!
    expect(header).toMatch(/^Bearer realm="api \\"prod\\"", error="invalid_token", error_description="[^"]*sub[^"]*"$/)
    for (const v of bearerValues(header)) expect(v).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/)
  })

  it('replaces quotes and backslashes in a Bearer scope but still escapes them under the WIMSE scheme', () => {
    const bearer = new VerificationError('ERR_INSUFFICIENT_SCOPE', 'needs "a\\b"', { status: 403, challenge: { scope: 'x"y\\z' } })
    const header = errorResponse(bearer).headers.get('www-authenticate')!
    expect(header).toBe(`Bearer error="insufficient_scope", error_description="needs 'a?b'", scope="x'y?z"`)
    const wimse = new VerificationError('ERR_WIT_INVALID', 'WIT is missing the "sub" claim')
    expect(errorResponse(wimse).headers.get('www-authenticate')).toBe('WIMSE error="invalid_request", error_description="WIT is missing the \\"sub\\" claim"')
  })
})
