import { describe, expect, it } from 'vitest'
import { createIdJag, createJWTAuthorizationGrant, createJWTBearerGrantHandler, requestJWTBearerGrant } from '../../../src/assertion-grant/index.js'
import { privateKeyJwt } from '../../../src/client-auth/index.js'
import type { VerificationError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createClientAuthenticator } from '../../../src/token-service/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const IDP = 'https://idp.example'
const HOME = 'https://as.home.example'
const RAS = 'https://as.saas.example'
const TOKEN_ENDPOINT = `${RAS}/token`
const API = 'https://api.saas.example'

async function setup() {
  const idp = await oauthTestSigner('ES256', 'idp')
  const home = await oauthTestSigner('ES256', 'home')
  const ras = await oauthTestSigner('ES256', 'ras')
  const agent = await oauthTestSigner('ES256')
  const errors: unknown[] = []
  const handler = createJWTBearerGrantHandler({
    issuer: RAS,
    tokenEndpoint: TOKEN_ENDPOINT,
    signer: ras,
    clientAuthentication: createClientAuthenticator({
      issuer: RAS,
      tokenEndpoint: TOKEN_ENDPOINT,
      clients: { agent: { clientId: 'agent', keys: [agent.jwk] } },
      replayCache: createMemoryReplayCache(),
    }),
    trustedIssuers: [{ issuer: HOME, keys: [home.jwk] }],
    trustedIdJagIssuers: [{ issuer: IDP, keys: [idp.jwk] }],
    replayCache: createMemoryReplayCache(),
    policy: { targets: [API] },
    onError: (e) => errors.push(e),
  })
  const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
  const redeem = (assertion: string) =>
    requestJWTBearerGrant({ issuer: RAS, tokenEndpoint: TOKEN_ENDPOINT }, { clientId: 'agent', auth: privateKeyJwt(agent) }, { assertion, resource: API }, { fetch })
  return { idp, home, errors, redeem }
}

describe('createJWTBearerGrantHandler: audience of an ID-JAG (review 4)', () => {
  it('refuses an ID-JAG addressed to the token endpoint: its aud MUST be the Resource AS issuer (ID-JAG §4.4)', async () => {
    const s = await setup()
    const jag = await createIdJag({ iss: IDP, sub: 'alice', aud: TOKEN_ENDPOINT, client_id: 'agent' }, { signer: s.idp, lifetime: 120 })
    await expect(s.redeem(jag)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect((s.errors.at(-1) as VerificationError).claim).toBe('aud')
  })

  it('accepts an ID-JAG addressed to the issuer', async () => {
    const s = await setup()
    const jag = await createIdJag({ iss: IDP, sub: 'alice', aud: RAS, client_id: 'agent' }, { signer: s.idp, lifetime: 120 })
    await expect(s.redeem(jag)).resolves.toMatchObject({ tokenType: 'Bearer' })
  })

  it('still accepts a JWT authorization grant addressed to the token endpoint (RFC 7523 §3)', async () => {
    const s = await setup()
    const grant = await createJWTAuthorizationGrant({ iss: HOME, sub: 'alice', aud: TOKEN_ENDPOINT }, { signer: s.home, lifetime: 120 })
    await expect(s.redeem(grant)).resolves.toMatchObject({ tokenType: 'Bearer' })
  })
})
