import { jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { verifyAccessToken } from '../../../src/access-token/index.js'
import {
  createIdJag,
  createJWTBearerGrantHandler,
  requestIdJag,
  requestJWTAuthorizationGrant,
  requestJWTBearerGrant,
  verifyIdJag,
  verifyJWTAuthorizationGrant,
} from '../../../src/assertion-grant/index.js'
import { privateKeyJwt } from '../../../src/client-auth/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../../../src/token-service/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { decodeJWT, oauthTestSigner, type TestSigner } from '../../helpers/oauth-signer.js'

const HOME = 'https://as.home.example'
const FOREIGN = 'https://as.partner.example'
const API = 'https://api.partner.example'
const AGENT = 'spiffe://home.example/agents/buyer'
const AGENT_AT_PARTNER = 'home-buyer-agent'

function route(handler: (r: Request) => Promise<Response>) {
  return async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
}

async function setup() {
  const homeSigner = await oauthTestSigner('ES256', 'home-1')
  const foreignSigner = await oauthTestSigner('ES256', 'partner-1')
  const agentKey = await oauthTestSigner('ES256')
  const errors: unknown[] = []
  const home = createTokenExchangeHandler({
    issuer: HOME,
    signer: homeSigner,
    clientAuthentication: createClientAuthenticator({ issuer: HOME, clients: { [AGENT]: { clientId: AGENT, keys: [agentKey.jwk] } }, replayCache: createMemoryReplayCache() }),
    subjectTokenVerifiers: {
      [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: HOME, keys: [homeSigner.jwk], typ: 'at+jwt', audience: ({ client }) => [HOME, client.clientId] }),
      [TOKEN_TYPE.ID_TOKEN]: createJWTTokenVerifier({ issuer: HOME, keys: [homeSigner.jwk], audience: ({ client }) => [client.clientId] }),
    },
    policy: {
      targets: [FOREIGN],
      requestedTokenTypes: [TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.JWT, TOKEN_TYPE.ID_JAG],
      idJagClientId: ({ audiences }) => (audiences[0] === FOREIGN ? AGENT_AT_PARTNER : undefined),
      scopes: () => ['orders:read', 'orders:write'],
    },
    onError: (e) => errors.push(e),
  })
  const foreign = createJWTBearerGrantHandler({
    issuer: FOREIGN,
    signer: foreignSigner,
    clientAuthentication: createClientAuthenticator({ issuer: FOREIGN, clients: { [AGENT_AT_PARTNER]: { clientId: AGENT_AT_PARTNER, keys: [agentKey.jwk] } }, replayCache: createMemoryReplayCache() }),
    trustedIssuers: [{ issuer: HOME, keys: [homeSigner.jwk] }],
    trustedIdJagIssuers: [{ issuer: HOME, keys: [homeSigner.jwk] }],
    replayCache: createMemoryReplayCache(),
    policy: { targets: [API], defaultTarget: API, mapSubject: ({ grant }) => (grant.subject === 'alice' ? 'partner-user-42' : undefined) },
    onError: (e) => errors.push(e),
  })
  const homeServer = { issuer: HOME, tokenEndpoint: `${HOME}/token` }
  const foreignServer = { issuer: FOREIGN, tokenEndpoint: `${FOREIGN}/token` }
  const homeClient = { clientId: AGENT, auth: privateKeyJwt(agentKey) }
  const foreignClient = { clientId: AGENT_AT_PARTNER, auth: privateKeyJwt(agentKey) }
  const userToken = (claims: Record<string, unknown> = {}) =>
    createAccessToken({ iss: HOME, sub: 'alice', aud: AGENT, client_id: 'web', scope: 'orders:read orders:write', ...claims }, { signer: homeSigner, lifetime: 600 })
  return { homeSigner, foreignSigner, agentKey, errors, homeFetch: route(home), foreignFetch: route(foreign), homeServer, foreignServer, homeClient, foreignClient, userToken }
}

describe('identity chaining (draft -17)', () => {
  it('home token exchange → JWT grant → jwt-bearer at the foreign AS, carrying the act chain', async () => {
    const s = await setup()
    const grant = await requestJWTAuthorizationGrant(s.homeServer, s.homeClient, {
      subjectToken: await s.userToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: FOREIGN, scope: 'orders:read',
    }, { fetch: s.homeFetch })
    expect(grant.issuedTokenType).toBe(TOKEN_TYPE.JWT)
    expect(grant.tokenType).toBe('N_A')
    const g = await jwtVerify(grant.accessToken, s.homeSigner.publicKey, { issuer: HOME, audience: FOREIGN })
    expect(g.payload.act).toEqual({ sub: AGENT })
    const token = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: grant.accessToken }, { fetch: s.foreignFetch })
    const at = await verifyAccessToken(token.accessToken, { issuer: FOREIGN, audience: API, keys: [s.foreignSigner.jwk], requiredScopes: ['orders:read'] })
    expect(at.subject).toBe('partner-user-42')
    expect(at.clientId).toBe(AGENT_AT_PARTNER)
    expect(at.actors.map((a) => a.sub)).toEqual([AGENT])
    expect(at.scopes).toEqual(['orders:read'])
    // replay of the grant is refused
    const replay = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: grant.accessToken }, { fetch: s.foreignFetch }).catch((e: unknown) => e)
    expect(replay).toBeInstanceOf(ProtocolError)
    expect((replay as ProtocolError).error).toBe('invalid_grant')
    expect((s.errors.at(-1) as { code: string }).code).toBe('ERR_PROOF_REPLAYED')
  })

  it('refuses widened scope, unknown subjects, untrusted issuers and access tokens posing as grants', async () => {
    const s = await setup()
    const grant = await requestJWTAuthorizationGrant(s.homeServer, s.homeClient, { subjectToken: await s.userToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: FOREIGN, scope: 'orders:read' }, { fetch: s.homeFetch })
    const wider = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: grant.accessToken, scope: 'orders:write' }, { fetch: s.foreignFetch }).catch((e: unknown) => e)
    expect((wider as ProtocolError).error).toBe('invalid_scope')
    const bob = await requestJWTAuthorizationGrant(s.homeServer, s.homeClient, { subjectToken: await s.userToken({ sub: 'bob' }), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: FOREIGN }, { fetch: s.homeFetch })
    const unknown = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: bob.accessToken }, { fetch: s.foreignFetch }).catch((e: unknown) => e)
    expect((unknown as ProtocolError).error).toBe('invalid_grant')
    const home = await requestJWTAuthorizationGrant(s.homeServer, s.homeClient, { subjectToken: await s.userToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://evil.example' }, { fetch: s.homeFetch }).catch((e: unknown) => e)
    expect((home as ProtocolError).error).toBe('invalid_target')
    const at = await createAccessToken({ iss: HOME, sub: 'alice', aud: FOREIGN, client_id: 'x' }, { signer: s.homeSigner })
    await expect(verifyJWTAuthorizationGrant(at, { trustedIssuers: [{ issuer: HOME, keys: [s.homeSigner.jwk] }], audience: FOREIGN })).rejects.toMatchObject({ code: 'ERR_TYP_INVALID' })
    const rogue = await oauthTestSigner('ES256', 'home-1')
    const forged = await new SignJWT({ sub: 'alice', aud: FOREIGN }).setProtectedHeader({ alg: 'ES256', kid: 'home-1', typ: 'JWT' }).setIssuer(HOME).setExpirationTime('2m').sign(rogue.privateKey)
    await expect(verifyJWTAuthorizationGrant(forged, { trustedIssuers: [{ issuer: HOME, keys: [s.homeSigner.jwk] }], audience: FOREIGN })).rejects.toMatchObject({ code: 'ERR_ASSERTION_INVALID' })
    const other = await new SignJWT({ sub: 'alice', aud: FOREIGN }).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).setIssuer('https://other.example').setExpirationTime('2m').sign(rogue.privateKey)
    await expect(verifyJWTAuthorizationGrant(other, { trustedIssuers: [{ issuer: HOME, keys: [s.homeSigner.jwk] }], audience: FOREIGN })).rejects.toMatchObject({ code: 'ERR_ASSERTION_INVALID', claim: 'iss' })
  })
})

describe('ID-JAG', () => {
  async function idToken(s: { homeSigner: TestSigner }, aud = AGENT) {
    return new SignJWT({ sub: 'alice', email: 'alice@home.example' }).setProtectedHeader({ alg: 'ES256', kid: 'home-1', typ: 'JWT' }).setIssuer(HOME).setAudience(aud).setIssuedAt().setExpirationTime('5m').sign(s.homeSigner.privateKey)
  }

  it('IdP token exchange → ID-JAG → Resource AS access token', async () => {
    const s = await setup()
    const jag = await requestIdJag(s.homeServer, s.homeClient, { subjectToken: await idToken(s), audience: FOREIGN, scope: 'orders:read' }, { fetch: s.homeFetch })
    expect(jag.issuedTokenType).toBe(TOKEN_TYPE.ID_JAG)
    expect(jag.tokenType).toBe('N_A')
    const { header, payload } = decodeJWT(jag.accessToken)
    expect(header.typ).toBe('oauth-id-jag+jwt')
    expect(payload).toMatchObject({ iss: HOME, sub: 'alice', aud: FOREIGN, client_id: AGENT_AT_PARTNER, scope: 'orders:read' })
    for (const c of ['jti', 'exp', 'iat']) expect(payload).toHaveProperty(c)
    await jwtVerify(jag.accessToken, s.homeSigner.publicKey, { typ: 'oauth-id-jag+jwt', audience: FOREIGN })
    const token = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: jag.accessToken }, { fetch: s.foreignFetch })
    const at = await verifyAccessToken(token.accessToken, { issuer: FOREIGN, audience: API, keys: [s.foreignSigner.jwk] })
    expect(at.subject).toBe('partner-user-42')
  })

  it('refuses an ID Token not issued to the client and an ID-JAG for another client', async () => {
    const s = await setup()
    const err = await requestIdJag(s.homeServer, s.homeClient, { subjectToken: await idToken(s, 'someone-else'), audience: FOREIGN }, { fetch: s.homeFetch }).catch((e: unknown) => e)
    expect((err as ProtocolError).error).toBe('invalid_request') // RFC 8693 §2.2.2: an unacceptable subject token is invalid_request
    const jag = await createIdJag({ iss: HOME, sub: 'alice', aud: FOREIGN, client_id: 'other-client' }, { signer: s.homeSigner })
    await expect(verifyIdJag(jag, { trustedIssuers: [{ issuer: HOME, keys: [s.homeSigner.jwk] }], audience: FOREIGN, clientId: AGENT_AT_PARTNER })).rejects.toMatchObject({ code: 'ERR_ASSERTION_INVALID', claim: 'client_id' })
    const viaHandler = await requestJWTBearerGrant(s.foreignServer, s.foreignClient, { assertion: jag }, { fetch: s.foreignFetch }).catch((e: unknown) => e)
    expect((viaHandler as ProtocolError).error).toBe('invalid_grant')
    await expect(verifyIdJag(await createAccessToken({ iss: HOME, sub: 'a', aud: FOREIGN, client_id: AGENT_AT_PARTNER }, { signer: s.homeSigner }), { trustedIssuers: [{ issuer: HOME, keys: [s.homeSigner.jwk] }], audience: FOREIGN, clientId: AGENT_AT_PARTNER }))
      .rejects.toMatchObject({ code: 'ERR_TYP_INVALID' })
  })
})
