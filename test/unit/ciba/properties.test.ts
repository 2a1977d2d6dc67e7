// fast-check: the CIBA response parsers and the ping endpoint meet hostile input with typed errors
// (or a 4xx answer) only.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { createCibaPingHandler, createClientNotificationToken, processBackchannelAuthenticationResponse, processCibaTokenResponse } from '../../../src/ciba/index.js'

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const bodies = fc.oneof(
  fc.record(
    {
      auth_req_id: fc.oneof(fc.string(), jsonValue),
      expires_in: fc.oneof(fc.integer(), fc.double(), jsonValue),
      interval: fc.oneof(fc.integer({ min: -5, max: 5000 }), jsonValue),
      access_token: fc.oneof(fc.string(), jsonValue),
      token_type: fc.oneof(fc.constantFrom('Bearer', 'DPoP', ''), jsonValue),
      id_token: fc.oneof(fc.constant('a.b.c'), fc.string(), jsonValue),
      error: fc.oneof(fc.constantFrom('authorization_pending', 'slow_down', 'access_denied', 'expired_token'), fc.string(), jsonValue),
    },
    { requiredKeys: [] },
  ).map((b) => JSON.stringify(b)),
  fc.string(),
)
const status = fc.constantFrom(200, 200, 400, 401, 503)
const contentType = fc.constantFrom('application/json', 'text/html', 'application/problem+json')
const allowed = new Set(['ERR_OAUTH_RESPONSE_INVALID', 'ERR_OAUTH_ERROR', 'ERR_APPROVAL_DENIED', 'ERR_APPROVAL_EXPIRED'])

describe('CIBA parsers under hostile input', () => {
  it('processBackchannelAuthenticationResponse returns a sound result or a ProtocolError', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, status, contentType, async (text, s, ct) => {
        try {
          const r = await processBackchannelAuthenticationResponse(new Response(text, { status: s, headers: { 'content-type': ct } }))
          expect(r.authReqId.length).toBeGreaterThan(0)
          expect(Number.isInteger(r.expiresIn) && r.expiresIn > 0).toBe(true)
          expect(Number.isInteger(r.interval) && r.interval >= 0).toBe(true)
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
          expect(allowed.has((err as ProtocolError).code)).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('processCibaTokenResponse returns a sound result or a ProtocolError', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, status, contentType, async (text, s, ct) => {
        try {
          const r = await processCibaTokenResponse(new Response(text, { status: s, headers: { 'content-type': ct } }))
          expect(typeof r.accessToken).toBe('string')
          if (r.idToken !== undefined) expect(r.idToken.split('.')).toHaveLength(3)
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
          expect(allowed.has((err as ProtocolError).code)).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('the ping endpoint answers 204 only for the right token and a sound body', async () => {
    const token = createClientNotificationToken()
    const seen: string[] = []
    const handler = createCibaPingHandler({ clientNotificationToken: token, onNotification: (id) => void seen.push(id) })
    const auth = fc.oneof(fc.constant(`Bearer ${token}`), fc.string().map((s) => `Bearer ${s}`), fc.string())
    await fc.assert(
      fc.asyncProperty(auth, bodies, fc.constantFrom('application/json', 'text/plain'), async (authorization, body, ct) => {
        let headers: Headers
        try {
          headers = new Headers({ authorization, 'content-type': ct })
        } catch {
          return // not a valid header value: fetch would not send it
        }
        const before = seen.length
        const res = await handler(new Request('https://broker.example/notify', { method: 'POST', headers, body }))
        expect([204, 400, 401]).toContain(res.status)
        if (res.status === 204) {
          expect(authorization).toBe(`Bearer ${token}`)
          expect(seen.length).toBe(before + 1)
        } else {
          expect(seen.length).toBe(before)
        }
      }),
      { numRuns: 200 },
    )
  })
})
