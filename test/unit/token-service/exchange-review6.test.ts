// Review round 6 regressions for agentauth/token-service.
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { createAccessToken, createClientAuthenticator, createClientCredentialsHandler, createJWTTokenVerifier, createTokenExchangeHandler, type TokenVerifierContext } from '../../../src/token-service/index.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { decodeJWT, oauthTestSigner } from '../../helpers/oauth-signer.js'
import { AGENT_A, CALENDAR, createStsFixture } from '../../helpers/oauth-sts.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { privateKeyJwt, requestClientCredentials } from '../../../src/client-auth/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createCompactJWS } from '../../../src/signer/jws.js'
import { unhandledDuring } from '../../helpers/unhandled.js'

const IDP = 'https://idp.example.com'
const STS = 'https://sts.example.com'
const context = { client: { clientId: 'spiffe://example.com/agents/planner' } } as unknown as TokenVerifierContext

describe('createJWTTokenVerifier: issuerKeys binds each issuer to its own keys (RFC 8725 §3.8)', () => {
  async function setup() {
    const idp = await oauthTestSigner('ES256', 'idp-1')
    const sts = await oauthTestSigner('ES256', 'sts-1')
    const verify = createJWTTokenVerifier({
      issuer: [IDP, STS],
      issuerKeys: { [IDP]: { keys: [idp.jwk] }, [STS]: [sts.jwk] },
      audience: STS,
    })
    const mint = (iss: string, signer: typeof idp) =>
      createAccessToken({ iss, sub: 'alice', aud: STS, client_id: 'web', act: { sub: 'spiffe://example.com/agents/planner' } }, { signer })
    return { idp, sts, verify, mint }
  }

  it('a token naming the STS as issuer but signed with the IdP key is refused', async () => {
    const { idp, verify, mint } = await setup()
    const err = await verify(await mint(STS, idp), context).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
  })

  it('the same holds when the forger omits kid (only the named issuer\'s keys are tried)', async () => {
    const idp = await oauthTestSigner('ES256', null)
    const sts = await oauthTestSigner('ES256', null)
    const verify = createJWTTokenVerifier({ issuer: [IDP, STS], issuerKeys: { [IDP]: [idp.jwk], [STS]: [sts.jwk] }, audience: STS })
    const forged = await createAccessToken({ iss: IDP, sub: 'alice', aud: STS, client_id: 'web' }, { signer: sts })
    await expect(verify(forged, context)).rejects.toBeInstanceOf(VerificationError)
    const good = await createAccessToken({ iss: IDP, sub: 'alice', aud: STS, client_id: 'web' }, { signer: idp })
    expect((await verify(good, context)).issuer).toBe(IDP)
  })

  it('each issuer\'s own tokens verify', async () => {
    const { idp, sts, verify, mint } = await setup()
    expect((await verify(await mint(IDP, idp), context)).issuer).toBe(IDP)
    const own = await verify(await mint(STS, sts), context)
    expect(own.issuer).toBe(STS)
    expect(own.actors.map((a) => a.sub)).toEqual(['spiffe://example.com/agents/planner'])
  })

  it('a token without iss or from an unlisted issuer is refused before any key is looked up', async () => {
    const { idp, verify, mint } = await setup()
    for (const token of [await mint('https://other.example', idp), 'e30.e30.e30']) {
      const err = await verify(token, context).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(VerificationError)
      expect((err as VerificationError).code).toBe('ERR_SUBJECT_TOKEN_INVALID')
    }
  })

  it('options: exactly one of keys and issuerKeys, and an entry for every issuer', async () => {
    const { idp } = await setup()
    const bad = [
      { issuer: IDP, audience: STS },
      { issuer: IDP, audience: STS, keys: [idp.jwk], issuerKeys: { [IDP]: [idp.jwk] } },
      { issuer: [IDP, STS], audience: STS, issuerKeys: { [IDP]: [idp.jwk] } },
      { issuer: IDP, audience: STS, issuerKeys: { [IDP]: 'jwks' } },
      { issuer: IDP, audience: STS, issuerKeys: 'jwks' },
    ]
    for (const options of bad) {
      expect(() => createJWTTokenVerifier(options as never)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    }
  })
})

describe('token exchange: a resource must be an RFC 3986 absolute URI (RFC 8707 §2)', () => {
  // A policy deciding on the parsed origin: the WHATWG parser strips or rewrites these characters.
  const byOrigin = { targets: (t: string) => new URL(t).origin === CALENDAR }

  it('spaces, tabs, newlines, backslashes and bad percent-encodings are invalid_target, never an aud', async () => {
    const f = await createStsFixture(byOrigin)
    const user = await f.userToken()
    for (const resource of [' https://calendar.example.com', 'https://calendar.example.com/a b', 'https://calendar.example.com/\tx', 'https://calendar.example.com/x\n', 'https://calendar.example.com\\admin', 'https://calendar.example.com/%zz', 'https://calendar.example.com/\u00e9']) {
      const err = await f.exchange(AGENT_A, { subjectToken: user, resource, scope: 'calendar:read' }).then((r) => decodeJWT(r.accessToken).payload.aud, (e: unknown) => e)
      expect(err, JSON.stringify(resource)).toBeInstanceOf(ProtocolError)
      expect((err as ProtocolError).error).toBe('invalid_target')
    }
  })

  it('URIs with queries, percent-encodings, IPv6 literals and URNs still pass', async () => {
    const f = await createStsFixture({ targets: (t: string) => t.startsWith(CALENDAR) || t.startsWith('urn:') })
    const user = await f.userToken()
    for (const resource of [`${CALENDAR}/a%20b?x=1&y=(2)`, 'urn:example:calendar']) {
      const r = await f.exchange(AGENT_A, { subjectToken: user, resource, scope: 'calendar:read' })
      expect(decodeJWT(r.accessToken).payload.aud).toBe(resource)
    }
  })
})

describe('handlers: an async onError / onIssued that rejects is not an unhandled rejection', () => {
  const rejectingOnError = {
    clientAuthentication: async (): Promise<never> => { throw new Error('unused') },
    onError: async (): Promise<never> => { throw new Error('log sink down') },
  }
  it.each([
    ['token exchange', (sts: Awaited<ReturnType<typeof oauthTestSigner>>) => createTokenExchangeHandler({ issuer: STS, signer: sts, subjectTokenVerifiers: {}, policy: { targets: [CALENDAR] }, ...rejectingOnError })],
    ['client credentials', (sts: Awaited<ReturnType<typeof oauthTestSigner>>) => createClientCredentialsHandler({ issuer: STS, signer: sts, policy: { targets: () => true, scopes: () => [] }, ...rejectingOnError })],
  ])('%s: the refusal is answered and the onError hook\'s rejection is dropped', async (_name, create) => {
    const handler = create(await oauthTestSigner('ES256', 'sts'))
    let status = 0
    const seen = await unhandledDuring(async () => {
      status = (await handler(new Request(`${STS}/token`, { method: 'GET' }))).status
    })
    expect(status).toBe(400)
    expect(seen).toEqual([])
  })

  it('token exchange: an async onIssued that rejects neither fails the answer nor the process', async () => {
    const f = await createStsFixture()
    const handler = createTokenExchangeHandler({
      issuer: STS, signer: f.sts, policy: { targets: [CALENDAR] },
      clientAuthentication: async () => Object.freeze({ clientId: AGENT_A, method: 'private_key_jwt', client: { clientId: AGENT_A }, wit: undefined, workloadId: undefined, jkt: undefined }),
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: async () => Object.freeze({ subject: 'alice', issuer: undefined, clientId: undefined, audience: [], scopes: ['calendar:read'], mayAct: undefined, actors: [], expiresAt: undefined, claims: {} }) },
      onIssued: async () => { throw new Error('audit sink down') },
    })
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: 'opaque', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR })
    let status = 0
    const seen = await unhandledDuring(async () => {
      status = (await handler(new Request(`${STS}/token`, { method: 'POST', body }))).status
    })
    expect(status).toBe(200)
    expect(seen).toEqual([])
  })

})

describe('token exchange / client credentials: a repeated audience or resource is one target', () => {
  const AS_B = 'https://as.partner.example'

  it('a JWT grant for one AS named as both resource and audience is issued, with that aud once', async () => {
    const f = await createStsFixture({ targets: [AS_B], requestedTokenTypes: [TOKEN_TYPE.JWT] })
    const user = await f.userToken()
    const grant = await f.exchange(AGENT_A, { subjectToken: user, requestedTokenType: TOKEN_TYPE.JWT, resource: AS_B, audience: AS_B, scope: 'calendar:read' })
    expect(decodeJWT(grant.accessToken).payload.aud).toBe(AS_B)
  })

  it('an access token never carries the same aud twice', async () => {
    const f = await createStsFixture()
    const user = await f.userToken()
    const t = await f.exchange(AGENT_A, { subjectToken: user, audience: [CALENDAR, CALENDAR], resource: [CALENDAR, CALENDAR], scope: 'calendar:read' })
    expect(decodeJWT(t.accessToken).payload.aud).toBe(CALENDAR)
    const two = await f.exchange(AGENT_A, { subjectToken: user, audience: [CALENDAR, AGENT_A, CALENDAR], scope: 'calendar:read' })
    expect(decodeJWT(two.accessToken).payload.aud).toEqual([CALENDAR, AGENT_A])
  })

  it('client credentials: same', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const key = await oauthTestSigner('ES256')
    const handler = createClientCredentialsHandler({
      issuer: STS, signer: sts, policy: { targets: (t) => t === CALENDAR, scopes: () => ['calendar:read'] },
      clientAuthentication: createClientAuthenticator({ issuer: STS, clients: { job: { clientId: 'job', keys: [key.jwk] } }, replayCache: createMemoryReplayCache() }),
    })
    const fetch = async (i: Request | URL | string, init?: RequestInit) => handler(new Request(i, init))
    const r = await requestClientCredentials({ issuer: STS, tokenEndpoint: `${STS}/token` }, { clientId: 'job', auth: privateKeyJwt(key) }, { resource: [CALENDAR, CALENDAR], audience: CALENDAR }, { fetch })
    expect(decodeJWT(r.accessToken).payload.aud).toBe(CALENDAR)
  })
})

describe('WIT client authentication: a PoP is single use whatever client_id it comes with', () => {
  it('the same PoP is refused as a replay under a second client registered for the same workload', async () => {
    const W = 'spiffe://example.com/agents/shared'
    const key = await oauthTestSigner('ES256', null)
    const authenticate = createClientAuthenticator({
      issuer: STS,
      replayCache: createMemoryReplayCache(),
      clients: { A: { clientId: 'A', workloadId: W }, B: { clientId: 'B', workloadId: W } },
      witVerifier: async () => ({ id: W, key: key.jwk, proofAlgorithm: 'ES256' }) as never,
    })
    const pop = await createCompactJWS({ typ: 'oauth-client-attestation-pop+jwt' }, { aud: STS, jti: 'pop-1', iat: Math.floor(Date.now() / 1000) }, key)
    const request = () => new Request(`${STS}/token`, { method: 'POST', headers: { 'OAuth-Client-Attestation': 'a.b.c', 'OAuth-Client-Attestation-PoP': pop } })
    expect((await authenticate(request(), new URLSearchParams({ client_id: 'A' }))).clientId).toBe('A')
    for (const clientId of ['B', 'A']) {
      await expect(authenticate(request(), new URLSearchParams({ client_id: clientId }))).rejects.toMatchObject({ code: 'ERR_CLIENT_AUTH_FAILED' })
    }
  })
})

describe('handlers: onError / onIssued must be functions (checked at construction)', () => {
  it('a non-function hook is a coded TypeError, not a server_error on every issued token or a silent log', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const common = { issuer: STS, signer: sts, clientAuthentication: async () => { throw new Error('unused') } }
    for (const hooks of [{ onError: 'console.log' }, { onIssued: true }, { onIssued: {} }]) {
      expect(() => createTokenExchangeHandler({ ...common, subjectTokenVerifiers: {}, policy: { targets: [CALENDAR] }, ...(hooks as object) })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      )
    }
    expect(() => createClientCredentialsHandler({ ...common, policy: { targets: () => true, scopes: () => [] }, onError: 'log' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    )
  })
})

describe('client credentials: policy options are checked at construction', () => {
  it('a defaultTarget that is not a non-empty string, or a senderConstrain that is not a boolean, is a coded TypeError', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const common = { issuer: STS, signer: sts, clientAuthentication: async () => { throw new Error('unused') } }
    for (const extra of [{ defaultTarget: 42 }, { defaultTarget: '' }, { senderConstrain: 'false' }, { senderConstrain: 0 }]) {
      expect(() => createClientCredentialsHandler({ ...common, policy: { targets: () => true, scopes: () => [], ...(extra as object) } }), JSON.stringify(extra)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }),
      )
    }
    expect(() => createClientCredentialsHandler({ ...common, policy: { targets: () => true, scopes: () => [], defaultTarget: CALENDAR, senderConstrain: false } })).not.toThrow()
  })
})

describe('createJWTTokenVerifier: audience and typ are checked at construction', () => {
  it('an empty or non-string typ or audience entry is a coded TypeError (every token was refused at run time)', async () => {
    const idp = await oauthTestSigner('ES256', 'idp')
    for (const extra of [{ typ: '' }, { typ: [] }, { typ: [5] }, { typ: 5 }, { audience: [5] }, { audience: [''] }, { audience: [STS, null] }]) {
      expect(() => createJWTTokenVerifier({ issuer: IDP, keys: [idp.jwk], audience: STS, ...(extra as object) }), JSON.stringify(extra)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      )
    }
    expect(() => createJWTTokenVerifier({ issuer: IDP, keys: [idp.jwk], audience: [STS, 'other'], typ: ['at+jwt', 'jwt'] })).not.toThrow()
  })
})
