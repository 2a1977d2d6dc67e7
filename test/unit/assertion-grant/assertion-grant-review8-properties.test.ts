import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createJWTBearerGrantHandler } from '../../../src/assertion-grant/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'
// Review round 8: the jwt-bearer grant handler under random grant claims (any JSON value in each
// claim), typ values and extra/repeated form parameters: a 200 or a 4xx OAuth error, never a
// server_error for a client's bad input.
describe('jwt-bearer handler under hostile grants and forms (review 8)', () => {
  it('answers 200 or a 4xx OAuth error, never 500', async () => {
    const home = await generateSigner('ES256', { kid: 'h1' })
    const as = await generateSigner('ES256', { kid: 'a1' })
    const errors: unknown[] = []
    const handler = createJWTBearerGrantHandler({
      issuer: 'https://as.example', signer: as, replayCache: createMemoryReplayCache(),
      clientAuthentication: async () => Object.freeze({ clientId: 'c', method: 'none' }) as never,
      trustedIssuers: [{ issuer: 'https://home.example', keys: [await home.publicJwk()] }],
      trustedIdJagIssuers: [{ issuer: 'https://home.example', keys: [await home.publicJwk()] }],
      policy: { targets: ['https://api.example'], defaultTarget: 'https://api.example', scopes: () => ['a', 'b'] },
      onError: (e) => void errors.push(e),
    })
    const now = Math.floor(Date.now() / 1000)
    const claimsArb = fc.record({ iss: fc.constantFrom('https://home.example', 'x'), sub: fc.oneof(fc.constant('alice'), fc.jsonValue()), aud: fc.oneof(fc.constant('https://as.example'), fc.jsonValue()), exp: fc.oneof(fc.constant(now + 100), fc.jsonValue()), jti: fc.oneof(fc.uuid(), fc.jsonValue()), iat: fc.oneof(fc.constant(now), fc.jsonValue()), client_id: fc.oneof(fc.constant('c'), fc.jsonValue()), scope: fc.oneof(fc.constantFrom('a', 'a b c', ''), fc.jsonValue()), resource: fc.oneof(fc.constant('https://api.example'), fc.jsonValue()), act: fc.oneof(fc.record({ sub: fc.string() }), fc.jsonValue()) }, { requiredKeys: [] })
    const typ = fc.constantFrom('JWT', 'oauth-id-jag+jwt', 'at+jwt', undefined)
    const extra = fc.array(fc.tuple(fc.constantFrom('scope', 'resource', 'audience', 'grant_type', 'assertion', 'x'), fc.oneof(fc.string(), fc.constantFrom('a', 'https://api.example', 'https://api.example/#f', 'urn:x'))), { maxLength: 4 })
    await fc.assert(fc.asyncProperty(claimsArb, typ, extra, async (claims, t, ex) => {
      const assertion = await createCompactJWS({ kid: 'h1', ...(t === undefined ? {} : { typ: t }) }, claims as never, home)
      const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
      for (const [k, v] of ex) body.append(k, v)
      errors.length = 0
      const r = await handler(new Request('https://as.example/token', { method: 'POST', body }))
      const j = await r.json() as { error?: string }
      expect([200, 400, 401], JSON.stringify([claims, t, ex, j, String(errors[0])])).toContain(r.status)
      if (r.status !== 200) expect(typeof j.error).toBe('string')
    }), { numRuns: 400 })
  })
})
