import { describe, expect, it } from 'vitest'
import { verifyAccessToken } from '../../../src/access-token/index.js'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { privateKeyJwt, witClientAuth, clientSecretPost, type ClientAuthentication } from '../../../src/client-auth/index.js'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler, createAccessToken } from '../../../src/token-service/index.js'
import { exchangeToken, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createWIT, createWITVerifier, staticWITSource } from '../../../src/wit/index.js'
import { jwkThumbprint } from '../../../src/signer/thumbprint.js'
import { decodeJWT, oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const WORKLOAD = 'spiffe://example.org/agents/nightly'
const server = { issuer: STS, tokenEndpoint: `${STS}/token` }

async function setup() {
  const sts = await oauthTestSigner('ES256', 'sts')
  const witIssuer = await oauthTestSigner('ES256', 'wit-issuer')
  const workloadKey = await oauthTestSigner('ES256', null)
  const brokerKey = await oauthTestSigner('ES256')
  const wit = await createWIT({ sub: WORKLOAD, publicJwk: workloadKey.jwk }, { signer: witIssuer, lifetime: 3600 })
  const errors: unknown[] = []
  const authenticate = createClientAuthenticator({
    issuer: STS,
    clients: { broker: { clientId: 'broker', keys: [brokerKey.jwk] }, [WORKLOAD]: { clientId: WORKLOAD } },
    replayCache: createMemoryReplayCache(),
    witVerifier: createWITVerifier({ trustBundles: staticTrustBundles({ 'example.org': [witIssuer.jwk] }) }),
  })
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer: sts,
    clientAuthentication: authenticate,
    subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: STS, keys: [sts.jwk], typ: 'at+jwt', audience: STS }) },
    policy: { targets: ['https://reports.example.com'] },
    onError: (e) => errors.push(e),
  })
  const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
  const subject = await createAccessToken({ iss: STS, sub: 'alice', aud: STS, client_id: 'app', scope: 'reports:read' }, { signer: sts })
  const exchange = (clientId: string, auth: ClientAuthentication) =>
    exchangeToken(server, { clientId, auth }, { subjectToken: subject, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://reports.example.com' }, { fetch })
  return { sts, wit, workloadKey, brokerKey, errors, exchange, authenticate, handler }
}

async function lastCode(s: { errors: unknown[] }, p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(ProtocolError)
  expect((err as ProtocolError).error).toBe('invalid_client')
  expect((err as ProtocolError).status).toBe(401)
  return (s.errors.at(-1) as VerificationError).code
}

describe('client authentication at the token service', () => {
  it('WIT + PoP authenticates a workload and binds the issued token to its key', async () => {
    const s = await setup()
    const r = await s.exchange(WORKLOAD, witClientAuth({ wit: staticWITSource(s.wit), signer: s.workloadKey }))
    const jkt = await jwkThumbprint(s.workloadKey.jwk)
    const { payload } = decodeJWT(r.accessToken)
    expect(payload.client_id).toBe(WORKLOAD)
    expect(payload.cnf).toEqual({ jkt })
    expect(payload.act).toEqual({ sub: WORKLOAD })
    const verified = await verifyAccessToken(r.accessToken, { issuer: STS, audience: 'https://reports.example.com', keys: [s.sts.jwk], confirmation: { jwk: s.workloadKey.jwk } })
    expect(verified.confirmation).toEqual({ jkt })
  })

  it('refuses a PoP signed by another key, a WIT for another client and replayed PoPs', async () => {
    const s = await setup()
    const stranger = await oauthTestSigner('ES256', null)
    expect(await lastCode(s, s.exchange(WORKLOAD, witClientAuth({ wit: staticWITSource(s.wit), signer: stranger })))).toBe('ERR_CLIENT_AUTH_FAILED')
    expect(await lastCode(s, s.exchange('broker', witClientAuth({ wit: staticWITSource(s.wit), signer: s.workloadKey })))).toBe('ERR_CLIENT_AUTH_FAILED')
    // replay: capture one request and send it twice
    let captured: Request | undefined
    const auth = witClientAuth({ wit: staticWITSource(s.wit), signer: s.workloadKey })
    await exchangeToken(server, { clientId: WORKLOAD, auth }, { subjectToken: 'x', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'a' }, {
      fetch: async (i, init) => { captured = new Request(i, init); return new Response('{}') },
    }).catch(() => undefined)
    const first = await s.handler(captured!.clone())
    expect(first.status).toBe(400) // client authenticated; the subject token is bogus
    const second = await s.handler(captured!)
    expect(second.status).toBe(401)
    expect((s.errors.at(-1) as VerificationError).code).toBe('ERR_CLIENT_AUTH_FAILED')
  })

  it('private_key_jwt: accepted once, replay and wrong key refused, secrets never accepted', async () => {
    const s = await setup()
    const ok = await s.exchange('broker', privateKeyJwt(s.brokerKey))
    expect(decodeJWT(ok.accessToken).payload.cnf).toBeUndefined()
    const other = await oauthTestSigner('ES256', s.brokerKey.kid)
    expect(await lastCode(s, s.exchange('broker', privateKeyJwt(other)))).toBe('ERR_CLIENT_AUTH_FAILED')
    expect(await lastCode(s, s.exchange('nobody', privateKeyJwt(s.brokerKey)))).toBe('ERR_CLIENT_AUTH_FAILED')
    expect(await lastCode(s, s.exchange('broker', clientSecretPost('hunter2')))).toBe('ERR_CLIENT_AUTH_FAILED')
    expect(await lastCode(s, s.exchange('broker', privateKeyJwt(s.brokerKey, { audience: 'https://elsewhere.example' })))).toBe('ERR_CLIENT_AUTH_FAILED')
    let captured: Request | undefined
    await exchangeToken(server, { clientId: 'broker', auth: privateKeyJwt(s.brokerKey) }, { subjectToken: 'x', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'a' }, {
      fetch: async (i, init) => { captured = new Request(i, init); return new Response('{}') },
    }).catch(() => undefined)
    expect((await s.handler(captured!.clone())).status).toBe(400)
    expect((await s.handler(captured!)).status).toBe(401)
  })

  it('answers malformed requests with invalid_request and no-store', async () => {
    const s = await setup()
    const r1 = await s.handler(new Request(`${STS}/token`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }))
    expect(r1.status).toBe(400)
    expect(r1.headers.get('cache-control')).toBe('no-store')
    expect(await r1.json()).toMatchObject({ error: 'invalid_request' })
    const r2 = await s.handler(new Request(`${STS}/token`, { method: 'POST', body: 'grant_type=a&grant_type=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
    expect((await r2.json()).error).toBe('invalid_request')
    const r3 = await s.handler(new Request(`${STS}/token`, { method: 'POST', body: `a=${'x'.repeat(70_000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
    expect((s.errors.at(-1) as VerificationError).code).toBe('ERR_INPUT_TOO_LARGE')
    expect(r3.status).toBe(400)
  })
})
