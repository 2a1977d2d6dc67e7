import { describe, expect, it } from 'vitest'
import { privateKeyJwt } from '../../../src/client-auth/index.js'
import { VerificationError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { exchangeToken, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler, type TokenExchangePolicy } from '../../../src/token-service/index.js'
import { decodeJWT, oauthTestSigner } from '../../helpers/oauth-signer.js'

const IDP = 'https://idp.example.com'
const STS = 'https://sts.example.com'
const AGENT = 'spiffe://other.example/agents/x'
const CALENDAR = 'https://calendar.example.com'

async function setup(policy: Partial<TokenExchangePolicy>) {
  const idp = await oauthTestSigner('ES256', 'idp')
  const sts = await oauthTestSigner('ES256', 'sts')
  const agent = await oauthTestSigner('ES256')
  const alice = await oauthTestSigner('ES256')
  const verifier = createJWTTokenVerifier({ issuer: IDP, keys: [idp.jwk], typ: 'at+jwt', audience: ({ client }) => [STS, client.clientId] })
  const errors: unknown[] = []
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer: sts,
    clientAuthentication: createClientAuthenticator({
      issuer: STS,
      clients: { [AGENT]: { clientId: AGENT, keys: [agent.jwk] }, alice: { clientId: 'alice', keys: [alice.jwk] } },
      replayCache: createMemoryReplayCache(),
    }),
    subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: verifier },
    actorTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: verifier },
    policy: { targets: [CALENDAR], ...policy },
    onError: (e) => errors.push(e),
  })
  const user = await createAccessToken({ iss: IDP, sub: 'alice', aud: STS, client_id: 'web', scope: 'calendar:read' }, { signer: idp, lifetime: 600 })
  const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
  const exchange = (clientId: string, signer: typeof agent, actorToken?: string) =>
    exchangeToken(
      { issuer: STS, tokenEndpoint: `${STS}/token` },
      { clientId, auth: privateKeyJwt(signer) },
      { subjectToken: user, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR, ...(actorToken === undefined ? {} : { actorToken, actorTokenType: TOKEN_TYPE.ACCESS_TOKEN }) },
      { fetch },
    )
  return { user, errors, exchange, agent, alice }
}

describe('token exchange: an actor token naming the subject', () => {
  it('does not turn another client\'s delegation into a self exchange (requireMayAct still applies)', async () => {
    const s = await setup({ requireMayAct: true })
    const err = await s.exchange(AGENT, s.agent, s.user).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ error: 'invalid_request' })
    expect(s.errors.at(-1)).toBeInstanceOf(VerificationError)
    expect((s.errors.at(-1) as VerificationError).code).toBe('ERR_MAY_ACT_MISMATCH')
  })

  it('keeps the trust-domain and authorizeActor checks', async () => {
    const domains = await setup({ allowedActorTrustDomains: ['example.com'] })
    await expect(domains.exchange(AGENT, domains.agent, domains.user)).rejects.toMatchObject({ error: 'invalid_request' })
    expect((domains.errors.at(-1) as VerificationError).code).toBe('ERR_ACTOR_NOT_ALLOWED')
    const hook = await setup({ authorizeActor: () => false })
    await expect(hook.exchange(AGENT, hook.agent, hook.user)).rejects.toMatchObject({ error: 'invalid_request' })
    expect((hook.errors.at(-1) as VerificationError).code).toBe('ERR_ACTOR_NOT_ALLOWED')
  })

  it('records the named actor in act instead of dropping the delegation', async () => {
    const s = await setup({})
    const issued = await s.exchange(AGENT, s.agent, s.user)
    const { payload } = decodeJWT(issued.accessToken)
    expect(payload.sub).toBe('alice')
    expect(payload.client_id).toBe(AGENT)
    expect(payload.act).toEqual({ sub: 'alice', iss: IDP })
  })

  it('still treats the subject exchanging its own token as a self exchange (no act)', async () => {
    const s = await setup({ requireMayAct: true })
    const own = await s.exchange('alice', s.alice, s.user)
    expect(decodeJWT(own.accessToken).payload.act).toBeUndefined()
    const plain = await s.exchange('alice', s.alice)
    expect(decodeJWT(plain.accessToken).payload.act).toBeUndefined()
  })
})
