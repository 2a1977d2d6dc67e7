// oauth4webapi as an independent client against our token-exchange handler (served on loopback),
// and as an independent RFC 9068 validator of the tokens the handler mints.
import * as oauth from 'oauth4webapi'
import { jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { delegationChain } from '../../src/access-token/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../../src/token-service/index.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { serveHandler } from '../helpers/oauth-http-server.js'
import { oauthTestSigner, type TestSigner } from '../helpers/oauth-signer.js'

const AGENT = 'spiffe://example.com/agents/planner'
const TOOL = 'https://tool.example.com'
let served: Awaited<ReturnType<typeof serveHandler>>
let sts: TestSigner
let agentKey: TestSigner
let as: oauth.AuthorizationServer

beforeAll(async () => {
  sts = await oauthTestSigner('ES256', 'sts-1')
  agentKey = await oauthTestSigner('ES256', 'agent-1')
  let handler: (r: Request) => Promise<Response> = async () => new Response(null, { status: 503 })
  served = await serveHandler(async (request) => {
    if (new URL(request.url).pathname === '/jwks') return Response.json({ keys: [sts.jwk] })
    return handler(request)
  })
  const issuer = served.origin
  handler = createTokenExchangeHandler({
    issuer,
    signer: sts,
    clientAuthentication: createClientAuthenticator({ issuer, clients: { [AGENT]: { clientId: AGENT, keys: [agentKey.jwk] } }, replayCache: createMemoryReplayCache() }),
    subjectTokenVerifiers: {
      [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer, keys: [sts.jwk], typ: 'at+jwt', audience: ({ client }) => [issuer, client.clientId] }),
    },
    policy: { targets: [TOOL] },
  })
  as = { issuer, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` }
})

afterAll(async () => {
  await served.close()
})

const client: oauth.Client = { client_id: AGENT }

async function userToken(scope = 'files:read files:write') {
  return createAccessToken({ iss: as.issuer, sub: 'alice', aud: AGENT, client_id: 'web-app', scope }, { signer: sts, lifetime: 600 })
}

describe('oauth4webapi against createTokenExchangeHandler', () => {
  it('exchanges a token with oauth4webapi private_key_jwt; oauth4webapi and jose validate the result', async () => {
    const response = await oauth.genericTokenEndpointRequest(
      as, client, oauth.PrivateKeyJwt({ key: agentKey.privateKey, kid: agentKey.kid }), GRANT_TYPE_TOKEN_EXCHANGE,
      { subject_token: await userToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: TOOL, scope: 'files:read' },
      { [oauth.allowInsecureRequests]: true },
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response)
    expect(result.token_type).toBe('bearer')
    expect(result.issued_token_type).toBe(TOKEN_TYPE.ACCESS_TOKEN)
    expect(result.scope).toBe('files:read')
    const request = new Request(`${TOOL}/files`, { headers: { authorization: `Bearer ${result.access_token}` } })
    const claims = await oauth.validateJwtAccessToken(as, request, TOOL, { signingAlgorithms: ['ES256'], [oauth.allowInsecureRequests]: true })
    expect(claims.sub).toBe('alice')
    expect(claims.client_id).toBe(AGENT)
    expect(delegationChain(claims).map((a) => a.sub)).toEqual([AGENT])
    await jwtVerify(result.access_token, sts.publicKey, { issuer: as.issuer, audience: TOOL, typ: 'at+jwt' })
  })

  it('oauth4webapi sees our RFC 8693 errors', async () => {
    const response = await oauth.genericTokenEndpointRequest(
      as, client, oauth.PrivateKeyJwt({ key: agentKey.privateKey, kid: agentKey.kid }), GRANT_TYPE_TOKEN_EXCHANGE,
      { subject_token: await userToken('files:read'), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: TOOL, scope: 'files:write' },
      { [oauth.allowInsecureRequests]: true },
    )
    const err = await oauth.processGenericTokenEndpointResponse(as, client, response).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(oauth.ResponseBodyError)
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_scope')
    const badTarget = await oauth.genericTokenEndpointRequest(
      as, client, oauth.PrivateKeyJwt({ key: agentKey.privateKey, kid: agentKey.kid }), GRANT_TYPE_TOKEN_EXCHANGE,
      { subject_token: await userToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://elsewhere.example.com' },
      { [oauth.allowInsecureRequests]: true },
    )
    const e2 = await oauth.processGenericTokenEndpointResponse(as, client, badTarget).catch((e: unknown) => e)
    expect((e2 as oauth.ResponseBodyError).error).toBe('invalid_target')
    const unauthenticated = await oauth.genericTokenEndpointRequest(
      as, client, oauth.None(), GRANT_TYPE_TOKEN_EXCHANGE,
      { subject_token: await userToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: TOOL },
      { [oauth.allowInsecureRequests]: true },
    )
    expect(unauthenticated.status).toBe(401)
    const e3 = await oauth.processGenericTokenEndpointResponse(as, client, unauthenticated).catch((e: unknown) => e)
    expect((e3 as oauth.ResponseBodyError).error).toBe('invalid_client')
  })
})
