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
