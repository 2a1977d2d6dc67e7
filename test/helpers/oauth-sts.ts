// A token service fixture for the OAuth tests: an IdP that mints user access tokens, an STS built
// from agentauth/token-service, agent clients authenticating with private_key_jwt, and a fetch
// that routes to the handler in-process (no network).
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler, type RegisteredClient, type TokenExchangePolicy } from '../../src/token-service/index.js'
import { exchangeToken, TOKEN_TYPE, type TokenExchangeParameters } from '../../src/token-exchange/index.js'
import { oauthTestSigner, type TestSigner } from './oauth-signer.js'

export const IDP = 'https://idp.example.com'
export const STS = 'https://sts.example.com'
export const AGENT_A = 'spiffe://example.com/agents/planner'
export const AGENT_B = 'spiffe://example.com/agents/tool-runner'
export const AGENT_C = 'spiffe://example.com/agents/calendar-bot'
export const PARTNER = 'spiffe://partner.example/agents/travel'
export const CALENDAR = 'https://calendar.example.com'

export interface StsFixture {
  idp: TestSigner
  sts: TestSigner
  agents: Record<string, TestSigner>
  errors: unknown[]
  handler: (request: Request) => Promise<Response>
  fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>
  userToken: (claims?: Record<string, unknown>) => Promise<string>
  exchange: (agent: string, params: Omit<TokenExchangeParameters, 'subjectTokenType'> & { subjectTokenType?: string }) => ReturnType<typeof exchangeToken>
  clock: { now: () => number }
}

export async function createStsFixture(policy: Partial<TokenExchangePolicy> = {}, clock = { now: () => Date.now() }): Promise<StsFixture> {
  const idp = await oauthTestSigner('ES256', 'idp-1')
  const sts = await oauthTestSigner('ES256', 'sts-1')
  const agents: Record<string, TestSigner> = {}
  const clients: Record<string, RegisteredClient> = {}
  for (const id of [AGENT_A, AGENT_B, AGENT_C, PARTNER]) {
    agents[id] = await oauthTestSigner('ES256')
    clients[id] = { clientId: id, keys: [agents[id]!.jwk] }
  }
  const errors: unknown[] = []
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer: sts,
    clock: clock.now,
    clientAuthentication: createClientAuthenticator({ issuer: STS, clients, replayCache: createMemoryReplayCache({ clock: clock.now }), clock: clock.now }),
    subjectTokenVerifiers: {
      [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({
        issuer: [IDP, STS],
        issuerKeys: { [IDP]: [idp.jwk], [STS]: [sts.jwk] },
        typ: 'at+jwt',
        clock: clock.now,
        audience: ({ client }) => [STS, client.clientId, client.workloadId],
      }),
    },
    policy: { targets: [CALENDAR, AGENT_A, AGENT_B, AGENT_C, PARTNER], ...policy },
    onError: (err) => errors.push(err),
  })
  const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
  return {
    idp, sts, agents, errors, handler, fetch, clock,
    userToken: (claims = {}) =>
      createAccessToken(
        { iss: IDP, sub: 'alice', aud: STS, client_id: 'web-app', scope: 'calendar:read calendar:write files:read', ...claims },
        { signer: idp, lifetime: 3600, clock: clock.now },
      ),
    exchange: (agent, params) =>
      exchangeToken(
        { issuer: STS, tokenEndpoint: `${STS}/token` },
        { clientId: agent, auth: privateKeyJwt(agents[agent]!, { clock: clock.now }) },
        { subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, ...params } as TokenExchangeParameters,
        { fetch },
      ),
  }
}
