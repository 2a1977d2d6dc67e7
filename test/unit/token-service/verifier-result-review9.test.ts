import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTokenExchangeHandler, type AuthenticatedClient, type VerifiedToken } from '../../../src/token-service/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const CALENDAR = 'https://calendar.example.com'
const AGENT = 'spiffe://example.com/agents/tool'

async function setup(actors: unknown, mayAct?: unknown) {
  const signer = await oauthTestSigner('ES256', 'sts-1')
  const errors: unknown[] = []
  const client: AuthenticatedClient = Object.freeze({ clientId: AGENT, method: 'private_key_jwt', client: { clientId: AGENT }, wit: undefined, workloadId: undefined, jkt: undefined })
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer,
    clientAuthentication: async () => client,
    // A custom verifier (an introspection wrapper, say) that builds its own actor list.
    subjectTokenVerifiers: {
      [TOKEN_TYPE.ACCESS_TOKEN]: async () => ({ subject: 'alice', scopes: ['calendar:read'], actors, mayAct, expiresAt: undefined, claims: {} }) as unknown as VerifiedToken,
    },
    policy: { targets: [CALENDAR] },
    onError: (err) => errors.push(err),
  })
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: 'opaque-token', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR })
  const response = await handler(new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }))
  return { response, errors }
}

describe('createTokenExchangeHandler (review 9): a custom verifier\'s actors', () => {
  it.each([
    ['actors as strings', ['spiffe://example.com/agents/planner']],
    ['actors without claims', [{ sub: 'spiffe://example.com/agents/planner' }]],
    ['an actor without sub', [{ claims: { sub: 'x' } }]],
    ['a null actor', [null]],
  ])('%s: a coded server_error, never a token whose act loses the earlier hop', async (_name, actors) => {
    const { response, errors } = await setup(actors)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: 'server_error' })
    expect(errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('actors built as the library builds them (sub and claims) still make the nested act', async () => {
    const planner = 'spiffe://example.com/agents/planner'
    const { response } = await setup([{ sub: planner, trustDomain: 'example.com', claims: { sub: planner } }])
    expect(response.status).toBe(200)
    const { access_token } = (await response.json()) as { access_token: string }
    expect(decodeJwt(access_token).act).toEqual({ sub: AGENT, act: { sub: planner } })
  })
})

describe('createTokenExchangeHandler (review 9): a custom verifier\'s mayAct', () => {
  it.each([['null', null], ['a string', AGENT], ['an array', [AGENT]]])('%s: a coded server_error, not an uncoded TypeError', async (_name, mayAct) => {
    const { response, errors } = await setup([], mayAct)
    expect(response.status).toBe(500)
    expect(errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('an object naming the actor still allows it', async () => {
    const { response } = await setup([], { sub: AGENT })
    expect(response.status).toBe(200)
  })
})
