import { describe, expect, it } from 'vitest'
import { createJWTBearerGrantHandler } from '../../../src/assertion-grant/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createClientCredentialsHandler, createJWTTokenVerifier, createTokenExchangeHandler, type AuthenticatedClient } from '../../../src/token-service/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'
import { generateSigner } from '../../../src/signer/index.js'

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, -1, 1e9]
const client = {} as AuthenticatedClient

describe('numeric options never disable a check', () => {
  it('createJWTTokenVerifier refuses an unusable clockTolerance or maxTokenBytes at construction', async () => {
    const idp = await oauthTestSigner('ES256', 'idp')
    const base = { issuer: 'https://idp.example', keys: [idp.jwk], audience: 'https://sts.example' }
    for (const v of BAD) {
      expect(() => createJWTTokenVerifier({ ...base, clockTolerance: v })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
      expect(() => createJWTTokenVerifier({ ...base, maxTokenBytes: v })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    // in range: an expired token stays expired
    const t0 = Date.now()
    const expired = await createAccessToken({ iss: base.issuer, sub: 'alice', aud: base.audience, client_id: 'c' }, { signer: idp, lifetime: 60, clock: () => t0 - 7_200_000 })
    await expect(createJWTTokenVerifier({ ...base, clockTolerance: 3600 })(expired, { client })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
  })

  it('the client-credentials and jwt-bearer handlers refuse an unusable maxBodyBytes at construction', async () => {
    const signer = await oauthTestSigner('ES256')
    const clientAuthentication = createClientAuthenticator({ issuer: 'https://as.example', clients: {}, replayCache: createMemoryReplayCache() })
    for (const v of [...BAD, 0, 1023, 1.5]) {
      expect(() =>
        createClientCredentialsHandler({ issuer: 'https://as.example', signer, clientAuthentication, policy: { targets: () => true, scopes: () => [] }, maxBodyBytes: v }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
      expect(() =>
        createJWTBearerGrantHandler({
          issuer: 'https://as.example', signer, clientAuthentication, replayCache: createMemoryReplayCache(),
          trustedIssuers: [{ issuer: 'https://home.example', keys: [signer.jwk] }], policy: { targets: [] }, maxBodyBytes: v,
        }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    const handler = createClientCredentialsHandler({ issuer: 'https://as.example', signer, clientAuthentication, policy: { targets: () => true, scopes: () => [] }, maxBodyBytes: 1024 })
    const res = await handler(new Request('https://as.example/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `x=${'a'.repeat(4096)}` }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('createTokenExchangeHandler refuses requestedTokenTypes it does not mint (they would get a mislabelled JWT grant)', async () => {
    const signer = await oauthTestSigner('ES256')
    const clientAuthentication = createClientAuthenticator({ issuer: 'https://sts.example', clients: {}, replayCache: createMemoryReplayCache() })
    const make = (requestedTokenTypes: readonly string[]) =>
      createTokenExchangeHandler({ issuer: 'https://sts.example', signer, clientAuthentication, subjectTokenVerifiers: {}, policy: { targets: ['https://rs.example'], requestedTokenTypes } })
    for (const t of [TOKEN_TYPE.REFRESH_TOKEN, TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.ID_TOKEN, 'urn:example:custom']) {
      expect(() => make([TOKEN_TYPE.ACCESS_TOKEN, t])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(() => make([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => make([TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.JWT, TOKEN_TYPE.ID_JAG])).not.toThrow()
  })
})

describe('createAccessToken notAfter (review)', () => {
  it('refuses a notAfter that is not a finite number (NaN gave "exp": null, a token without expiry)', async () => {
    const signer = await generateSigner('ES256')
    const claims = { iss: 'https://as.example.com', sub: 'alice', aud: 'https://api.example.com', client_id: 'web' }
    for (const notAfter of [Number.NaN, Number.POSITIVE_INFINITY, '1800000000' as unknown as number]) {
      await expect(createAccessToken(claims, { signer, notAfter })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    const token = await createAccessToken(claims, { signer, notAfter: Math.floor(Date.now() / 1000) + 60 })
    expect(typeof JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp).toBe('number')
  })
})
