// Review round 9: option checks and documented limits of the assertion-grant verifier and handler.
import { describe, expect, it } from 'vitest'
import { createJWTAuthorizationGrant, createJWTBearerGrantHandler, verifyIdJag, verifyJWTAuthorizationGrant } from '../../../src/assertion-grant/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'

const ISS = 'https://as.home.example'
const AS = 'https://as.partner.example'

describe('assertion grants (review 9)', () => {
  it('refuses the same issuer twice in trustedIssuers (only the first entry\'s keys would ever be used)', async () => {
    const oldKey = await generateSigner('ES256', { kid: 'old' })
    const newKey = await generateSigner('ES256', { kid: 'new' })
    const trustedIssuers = [{ issuer: ISS, keys: [await oldKey.publicJwk()] }, { issuer: ISS, keys: [await newKey.publicJwk()] }]
    const grant = await createJWTAuthorizationGrant({ iss: ISS, sub: 'alice', aud: AS }, { signer: newKey })
    await expect(verifyJWTAuthorizationGrant(grant, { trustedIssuers, audience: AS })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(verifyIdJag(grant, { trustedIssuers, audience: AS, clientId: 'c' })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    const base = {
      issuer: AS,
      signer: oldKey,
      clientAuthentication: async () => ({ clientId: 'c', method: 'none' }) as never,
      replayCache: createMemoryReplayCache(),
      policy: { targets: ['https://api.partner.example'] },
    }
    expect(() => createJWTBearerGrantHandler({ ...base, trustedIssuers })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createJWTBearerGrantHandler({ ...base, trustedIdJagIssuers: trustedIssuers })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

describe('assertion grants: documented limits (review 9)', () => {
  it('maxTokenBytes up to its documented maximum is honoured (a grant over 64 KiB was refused as an untrusted issuer)', async () => {
    const signer = await generateSigner('ES256', { kid: 'k' })
    const trustedIssuers = [{ issuer: ISS, keys: [await signer.publicJwk()] }]
    const grant = await createJWTAuthorizationGrant({ iss: ISS, sub: 'alice', aud: AS, pad: 'x'.repeat(70_000) } as never, { signer })
    expect(grant.length).toBeGreaterThan(65_536)
    const ok = await verifyJWTAuthorizationGrant(grant, { trustedIssuers, audience: AS, maxTokenBytes: 200_000, replayCache: createMemoryReplayCache() })
    expect(ok.subject).toBe('alice')
    // Over the limit: the size error, not "the assertion issuer is not trusted".
    await expect(verifyJWTAuthorizationGrant(grant, { trustedIssuers, audience: AS, maxTokenBytes: grant.length - 1 })).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
    // At the limit it passes.
    expect((await verifyJWTAuthorizationGrant(grant, { trustedIssuers, audience: AS, maxTokenBytes: grant.length })).subject).toBe('alice')
  })
})

describe('jwt-bearer handler: when the grant is used up (review 9)', () => {
  it('a request refused for its target or scope does not burn the grant; a request that gets a token does', async () => {
    const { createCompactJWS } = await import('../../../src/signer/index.js')
    const NOW = 1_800_000_000
    const home = await generateSigner('ES256', { kid: 'h1' })
    const as = await generateSigner('ES256', { kid: 'as1' })
    let now = NOW * 1000
    const handler = createJWTBearerGrantHandler({
      issuer: AS, signer: as, replayCache: createMemoryReplayCache(), clock: () => now,
      clientAuthentication: async () => Object.freeze({ clientId: 'partner-client', method: 'none' }) as never,
      trustedIssuers: [{ issuer: ISS, keys: [await home.publicJwk()] }],
      policy: { targets: ['https://api.partner.example'], mapSubject: async ({ grant }) => { now += 1000; return grant.subject } },
    })
    const assertion = await createCompactJWS({ typ: 'JWT', kid: 'h1' }, { iss: ISS, sub: 'alice', aud: AS, exp: NOW + 300, jti: 'g1', scope: 'read' }, home)
    const redeem = async (params: Record<string, string>) => {
      const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, ...params })
      const r = await handler(new Request(`${AS}/token`, { method: 'POST', body }))
      return { status: r.status, body: (await r.json()) as Record<string, unknown> }
    }
    expect(await redeem({ resource: 'https://api.other.example' })).toMatchObject({ status: 400, body: { error: 'invalid_target' } })
    expect(await redeem({ resource: 'https://api.partner.example', scope: 'read write' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } })
    expect(await redeem({ resource: 'https://api.partner.example', scope: 'read' })).toMatchObject({ status: 200, body: { scope: 'read' } })
    expect(await redeem({ resource: 'https://api.partner.example' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    // A grant that expires while the policy hooks run is refused, not accepted unrecorded.
    const late = await createCompactJWS({ typ: 'JWT', kid: 'h1' }, { iss: ISS, sub: 'alice', aud: AS, exp: Math.floor(now / 1000) - 29, jti: 'g2' }, home)
    const r = await handler(new Request(`${AS}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: late, resource: 'https://api.partner.example' }) }))
    expect(r.status).toBe(400)
    expect(await r.json()).toMatchObject({ error: 'invalid_grant' })
  })
})

describe('assertion grants: client authentication failures (review 9)', () => {
  it('a custom authenticator failing with its own verification code is answered 401 invalid_client (RFC 6749 §5.2)', async () => {
    const { VerificationError } = await import('../../../src/errors/index.js')
    const signer = await generateSigner('ES256', { kid: 'k' })
    const handler = createJWTBearerGrantHandler({
      issuer: AS,
      signer,
      clientAuthentication: async () => {
        throw new VerificationError('ERR_JWS_INVALID', 'client proof signature does not verify')
      },
      trustedIssuers: [{ issuer: ISS, keys: [await signer.publicJwk()] }],
      replayCache: createMemoryReplayCache(),
      policy: { targets: ['https://api.partner.example'] },
    })
    const grant = await createJWTAuthorizationGrant({ iss: ISS, sub: 'alice', aud: AS }, { signer })
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: grant })
    const response = await handler(new Request(`${AS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })
})
