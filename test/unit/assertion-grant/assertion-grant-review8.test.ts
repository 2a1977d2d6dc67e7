// Review round 8: verifyJWTAuthorizationGrant against jose's jwtVerify on the RFC 7523 §3 claim
// rules (iss, aud as string or array, exp/nbf/iat around the clock tolerance), for the same
// signed tokens. Where they may differ by design (sub required, lifetime cap, iat in the future,
// jti single use) the test says so.
import fc from 'fast-check'
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createJWTBearerGrantHandler, requestJWTBearerGrant, verifyJWTAuthorizationGrant, type JWTBearerGrantPolicy } from '../../../src/assertion-grant/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { generateSigner } from '../../../src/signer/index.js'

const ISS = 'https://as.home.example'
const AS = 'https://as.partner.example'
const TOKEN_ENDPOINT = 'https://as.partner.example/token'
const NOW = 1_800_000_000
const TOL = 30

describe('assertion grants vs jose (review 8)', () => {
  it('accept/refuse the same grants as jose on iss, aud, exp, nbf and iat (with the documented extra rules)', async () => {
    const signer = await generateSigner('ES256', { kid: 'h1', extractable: true })
    const jwk = await signer.publicJwk()
    const privateKey = await importJWK((await signer.exportPrivateJwk()) as JWK, 'ES256')
    const publicKey = await importJWK(jwk as JWK, 'ES256')
    const offset = fc.constantFrom(-10_000, -31, -30, -29, -1, 0, 1, 29, 30, 31, 599, 600, 629, 630, 631, 10_000)
    const claims = fc.record({
      iss: fc.constantFrom(ISS, `${ISS}/`, 'https://evil.example'),
      aud: fc.constantFrom<string | string[] | undefined>(AS, TOKEN_ENDPOINT, `${AS}/`, [AS, 'https://other.example'], ['https://other.example'], [], undefined),
      exp: fc.option(offset, { nil: undefined }),
      nbf: fc.option(offset, { nil: undefined }),
      iat: fc.option(offset, { nil: undefined }),
      sub: fc.option(fc.constant('alice'), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(claims, async (c) => {
        const payload: Record<string, unknown> = { iss: c.iss, jti: crypto.randomUUID() }
        if (c.aud !== undefined) payload.aud = c.aud
        if (c.sub !== undefined) payload.sub = c.sub
        for (const k of ['exp', 'nbf', 'iat'] as const) if (c[k] !== undefined) payload[k] = NOW + c[k]
        const token = await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'h1', typ: 'JWT' }).sign(privateKey)
        const ours = await verifyJWTAuthorizationGrant(token, {
          trustedIssuers: [{ issuer: ISS, keys: [jwk] }],
          audience: [AS, TOKEN_ENDPOINT],
          clock: () => NOW * 1000,
          clockTolerance: TOL,
          replayCache: createMemoryReplayCache(),
        }).then(() => true, (err: { code?: string }) => {
          expect(err.code).toMatch(/^ERR_/)
          return false
        })
        const theirs = await jwtVerify(token, publicKey, {
          issuer: ISS, audience: [AS, TOKEN_ENDPOINT], clockTolerance: TOL, currentDate: new Date(NOW * 1000),
          requiredClaims: ['iss', 'aud', 'exp'],
        }).then(() => true, () => false)
        // RFC 7523 §3 rules jose does not apply (by default): sub required, exp at most
        // maxLifetime (600 s) + tolerance ahead, iat not in the future beyond the tolerance.
        const extra = c.sub !== undefined && (c.exp === undefined || c.exp <= 600 + TOL) && (c.iat === undefined || c.iat <= TOL)
        expect(ours).toBe(theirs && extra)
      }),
      { numRuns: 250 },
    )
  })

  it('a jti is single use per issuer whatever the subject or client (RFC 7523 §3 item 7), and issuers do not share jtis', async () => {
    const home = await generateSigner('ES256', { kid: 'h1' })
    const other = await generateSigner('ES256', { kid: 'o1' })
    const OTHER = 'https://as.other.example'
    const replayCache = createMemoryReplayCache()
    const options = { trustedIssuers: [{ issuer: ISS, keys: [await home.publicJwk()] }, { issuer: OTHER, keys: [await other.publicJwk()] }], audience: AS, replayCache, clock: () => NOW * 1000 }
    const { createCompactJWS } = await import('../../../src/signer/index.js')
    const grant = (signer: typeof home, iss: string, sub: string, clientId: string) =>
      createCompactJWS({ typ: 'JWT', kid: signer.kid! }, { iss, sub, aud: AS, client_id: clientId, exp: NOW + 300, jti: 'same-jti' }, signer)
    await expect(verifyJWTAuthorizationGrant(await grant(home, ISS, 'alice', 'client-a'), options)).resolves.toMatchObject({ subject: 'alice' })
    // Another subject and another client, same issuer and jti: a replay.
    await expect(verifyJWTAuthorizationGrant(await grant(home, ISS, 'bob', 'client-b'), options)).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
    // The same jti from another issuer is another grant.
    await expect(verifyJWTAuthorizationGrant(await grant(other, OTHER, 'alice', 'client-a'), options)).resolves.toMatchObject({ issuer: OTHER })
  })

  it('the jwt-bearer handler checks its policy hooks at construction and keeps them: a targets list replaced by a string later is not matched by substring', async () => {
    const home = await generateSigner('ES256', { kid: 'h1' })
    const as = await generateSigner('ES256', { kid: 'as1' })
    const base = {
      issuer: AS, signer: as, replayCache: createMemoryReplayCache(),
      clientAuthentication: async () => Object.freeze({ clientId: 'partner-client', method: 'none' }) as never,
      trustedIssuers: [{ issuer: ISS, keys: [await home.publicJwk()] }],
    }
    for (const bad of [{ mapSubject: 'alice' }, { scopes: ['read'] }, { authorizeActors: true }, { defaultTarget: 7 }]) {
      expect(() => createJWTBearerGrantHandler({ ...base, policy: { targets: ['https://api.example'], ...bad } as never })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    }
    expect(() => createJWTBearerGrantHandler({ ...base, onError: 'log' as never, policy: { targets: ['https://api.example'] } })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    const { createCompactJWS } = await import('../../../src/signer/index.js')
    const policy: JWTBearerGrantPolicy = { targets: ['https://api.partner.example/bookings'], scopes: () => ['read'] }
    const options = { ...base, policy, clock: () => NOW * 1000 }
    const handler = createJWTBearerGrantHandler(options)
    ;(policy as { targets: unknown }).targets = 'https://api.partner.example/bookings' // e.g. a reloaded config value
    ;(options as { clientAuthentication: unknown }).clientAuthentication = null
    const redeem = async (resource: string) => {
      const assertion = await createCompactJWS({ typ: 'JWT', kid: 'h1' }, { iss: ISS, sub: 'alice', aud: AS, exp: NOW + 300, jti: crypto.randomUUID(), scope: 'read' }, home)
      const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, resource })
      const r = await handler(new Request(TOKEN_ENDPOINT, { method: 'POST', body }))
      return { status: r.status, body: (await r.json()) as Record<string, unknown> }
    }
    // A prefix of the allowed target: a substring of the string, not a member of the list.
    expect(await redeem('https://api.partner.example/')).toMatchObject({ status: 400, body: { error: 'invalid_target' } })
    expect(await redeem('https://api.partner.example/bookings')).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'read' } })
  })

  it('requestJWTBearerGrant: a connection lost while the token response is read is ERR_TOKEN_EXCHANGE_FAILED, not an uncoded TypeError', async () => {
    const fetch = async () => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"access_token":"a'))
          queueMicrotask(() => c.error(new TypeError('terminated'))) // undici, socket closed mid-body
        },
      })
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const client = { clientId: 'c', auth: async () => {} }
    await expect(requestJWTBearerGrant({ issuer: AS, tokenEndpoint: TOKEN_ENDPOINT }, client, { assertion: 'a.b.c' }, { fetch })).rejects.toMatchObject({ name: 'ProtocolError', code: 'ERR_TOKEN_EXCHANGE_FAILED' })
  })
})
