// Review round 8: token endpoints report a misused handler (no Request, a body already read) to
// onError with a coded TypeError, not an uncoded one or a runtime-specific stream error.
import { describe, expect, it } from 'vitest'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createAccessToken, createJWTTokenVerifier, createTokenExchangeHandler } from '../../../src/token-service/index.js'
import { AGENT_A, CALENDAR, createStsFixture, IDP, STS } from '../../helpers/oauth-sts.js'
import { txnFixture, TTS_ENDPOINT } from '../../helpers/txn-service.js'

describe('token endpoints (review 8): misuse is a coded server_error', () => {
  it('the exchange handler called without a Request: 500, onError sees ERR_INVALID_ARG_TYPE', async () => {
    const f = await createStsFixture()
    const response = await f.handler({ method: 'POST' } as unknown as Request)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: 'server_error' })
    expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('a request whose body was already read: 500, onError sees ERR_INVALID_ARG_VALUE', async () => {
    const f = await txnFixture()
    const request = new Request(TTS_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `subject_token_type=${TOKEN_TYPE.ACCESS_TOKEN}` })
    await request.text()
    const response = await f.handler(request)
    expect(response.status).toBe(500)
    expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    // The same for the exchange handler.
    const g = await createStsFixture()
    const used = new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })
    await used.arrayBuffer()
    expect((await g.handler(used)).status).toBe(500)
    expect(g.errors.at(-1)).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('createTokenExchangeHandler (review 8): a subject token that expires during the policy hooks', () => {
  it('answers invalid_request ERR_TOKEN_EXPIRED, not a 500, when a slow authorizeActor outlives the subject token', async () => {
    let ms = 1_800_000_000_000
    const clock = { now: () => ms }
    const f = await createStsFixture({
      // A slow policy (a remote lookup, say): the subject token expires while it runs.
      authorizeActor: async () => {
        ms += 10_000
        return true
      },
    }, clock)
    const subject = await createAccessToken({ iss: IDP, sub: 'alice', aud: STS, client_id: 'web-app', scope: 'calendar:read' }, { signer: f.idp, lifetime: 5, clock: clock.now })
    const err = await f.exchange(AGENT_A, { subjectToken: subject, audience: CALENDAR, scope: 'calendar:read' }).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_request', status: 400 })
    expect(f.errors.at(-1)).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
  })
})

describe('createTokenExchangeHandler (review 8): policy.claims result', () => {
  it('a policy.claims that returns a string or an array is a server_error, not claims "0", "1", …', async () => {
    for (const bad of ['abc', ['x'], 5, true]) {
      const f = await createStsFixture({ claims: () => bad as never })
      const err = await f.exchange(AGENT_A, { subjectToken: await f.userToken(), audience: CALENDAR, scope: 'calendar:read' }).then(() => undefined, (e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'server_error' })
      expect(f.errors.at(-1)).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    }
    // A plain object (or undefined) is used as before.
    const f = await createStsFixture({ claims: () => ({ tenant: 'acme' }) })
    const res = await f.exchange(AGENT_A, { subjectToken: await f.userToken(), audience: CALENDAR, scope: 'calendar:read' })
    expect(JSON.parse(Buffer.from(res.accessToken.split('.')[1]!, 'base64url').toString()).tenant).toBe('acme')
  })
})

describe('createJWTTokenVerifier (review 8): audience function result', () => {
  it('an audience function that returns no array is a coded TypeError, not an uncoded one', async () => {
    const f = await createStsFixture()
    const verify = createJWTTokenVerifier({ issuer: IDP, keys: [f.idp.jwk], typ: 'at+jwt', audience: () => STS as never })
    const err = await verify(await f.userToken(), { client: { clientId: AGENT_A } as never }).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })
})

describe('createTokenExchangeHandler (review 8): custom verifier results', () => {
  const client = async () => Object.freeze({ clientId: AGENT_A, method: 'private_key_jwt' as const, client: { clientId: AGENT_A }, wit: undefined, workloadId: undefined, jkt: undefined })
  const post = (handler: (r: Request) => Promise<Response>) =>
    handler(new Request(`${STS}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: 'opaque', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR }) }))

  it('a verifier result without actors, or with no subject string, is a coded server_error (not "cannot read properties")', async () => {
    const results = [
      undefined,
      { subject: 'alice', scopes: ['calendar:read'] },
      { subject: 42, scopes: ['calendar:read'], actors: [] },
      { subject: 'alice', scopes: ['calendar:read'], actors: [], expiresAt: 'soon' },
    ]
    for (const result of results) {
      const f = await createStsFixture()
      const errors: unknown[] = []
      const handler = createTokenExchangeHandler({
        issuer: STS, signer: f.sts, policy: { targets: [CALENDAR] }, clientAuthentication: client,
        subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: async () => result as never },
        onError: (e) => errors.push(e),
      })
      const response = await post(handler)
      expect(response.status).toBe(500)
      expect(errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
  })
})
