// oauth4webapi, an independent OAuth client, against our Txn-Token Service on loopback; jose
// verifies every token the service mints; and the access-token exchange of agentauth/token-service
// refuses a Txn-Token (no circular flows between token exchange and Txn-Tokens).
import * as oauth from 'oauth4webapi'
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { exchangeToken, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../../src/token-service/index.js'
import { requestTxnToken, verifyTxnToken } from '../../src/txn-token/index.js'
import { GATEWAY, serveLoopback, TRUST_DOMAIN, TTS_ISSUER, txnFixture, type TxnFixture } from '../helpers/txn-service.js'

let f: TxnFixture
let http: Awaited<ReturnType<typeof serveLoopback>>
let as: oauth.AuthorizationServer
let client: oauth.Client

beforeAll(async () => {
  f = await txnFixture()
  http = await serveLoopback(f.handler)
  as = { issuer: TTS_ISSUER, token_endpoint: `${http.url}/token` }
  // oauth4webapi's clock follows the fixture's injected clock.
  client = { client_id: GATEWAY, [oauth.clockSkew]: f.clock.seconds() - Math.floor(Date.now() / 1000) }
})

afterAll(async () => {
  await http?.close()
})

const jwks = () => createLocalJWKSet({ keys: [f.tts.jwk as JWK] })

async function o4wRequest(params: Record<string, string>) {
  // oauth4webapi signs its own private_key_jwt assertion (aud = issuer) with the gateway key.
  return oauth.genericTokenEndpointRequest(as, client, oauth.PrivateKeyJwt(f.gatewaySigner.privateKey), 'urn:ietf:params:oauth:grant-type:token-exchange', {
    requested_token_type: TOKEN_TYPE.TXN_TOKEN,
    audience: TRUST_DOMAIN,
    subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
    ...params,
  }, { [oauth.allowInsecureRequests]: true })
}

describe('Txn-Token Service with oauth4webapi as the client', () => {
  it('issues a Txn-Token that jose verifies (N_A token type, no refresh token)', async () => {
    const response = await o4wRequest({ subject_token: await f.accessToken(), scope: 'trade.stocks', request_details: JSON.stringify({ action: 'BUY', ticker: 'MSFT' }), request_context: JSON.stringify({ req_ip: '69.151.72.123' }) })
    let seenType: string | undefined
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response, {
      recognizedTokenTypes: { n_a: (_res, body) => void (seenType = body.token_type) },
    })
    expect(seenType).toBe('n_a')
    expect(result).toMatchObject({ issued_token_type: TOKEN_TYPE.TXN_TOKEN, scope: 'trade.stocks' })
    expect(result.refresh_token).toBeUndefined()
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { payload, protectedHeader } = await jwtVerify(result.access_token, jwks(), { typ: 'txntoken+jwt', audience: TRUST_DOMAIN, issuer: TTS_ISSUER, currentDate: new Date(f.clock.now()) })
    expect(protectedHeader.alg).toBe('ES256')
    expect(payload).toMatchObject({ sub: 'user-42', req_wl: GATEWAY, scope: 'trade.stocks', tctx: { action: 'BUY', ticker: 'MSFT' }, rctx: { req_ip: '69.151.72.123' } })
  })

  it('reports a widened scope as an invalid_scope ResponseBodyError', async () => {
    const response = await o4wRequest({ subject_token: await f.accessToken(), scope: 'trade.stocks admin' })
    const err = await oauth.processGenericTokenEndpointResponse(as, client, response, { recognizedTokenTypes: { n_a: () => undefined } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(oauth.ResponseBodyError)
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_scope')
    expect((err as oauth.ResponseBodyError).status).toBe(400)
  })

  it('replacement tokens minted for oauth4webapi verify with jose and keep txn/sub/aud', async () => {
    const first = await oauth.processGenericTokenEndpointResponse(as, client, await o4wRequest({ subject_token: await f.accessToken(), scope: 'trade.stocks trade.read' }), { recognizedTokenTypes: { n_a: () => undefined } })
    const second = await oauth.processGenericTokenEndpointResponse(as, client, await o4wRequest({ subject_token: first.access_token, subject_token_type: TOKEN_TYPE.TXN_TOKEN, scope: 'trade.read' }), { recognizedTokenTypes: { n_a: () => undefined } })
    const a = (await jwtVerify(first.access_token, jwks(), { currentDate: new Date(f.clock.now()) })).payload
    const b = (await jwtVerify(second.access_token, jwks(), { currentDate: new Date(f.clock.now()) })).payload
    expect(b).toMatchObject({ txn: a.txn, sub: a.sub, aud: a.aud, scope: 'trade.read', req_wl_chain: [GATEWAY] })
  })

  it('our own client gets the same answer over HTTP', async () => {
    const res = await requestTxnToken({ issuer: TTS_ISSUER, tokenEndpoint: as.token_endpoint! }, f.gateway, {
      subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.read',
    })
    await expect(verifyTxnToken(res.txnToken, { trustDomain: TRUST_DOMAIN, keys: jwks(), clock: f.clock.now })).resolves.toMatchObject({ scopes: ['trade.read'] })
  })
})

describe('no circular flows', () => {
  it('the access-token exchange refuses a Txn-Token as its subject token', async () => {
    const { txnToken } = await requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' }, { fetch: f.fetch })
    const sts = 'https://sts.bank.example'
    const errors: unknown[] = []
    const handler = createTokenExchangeHandler({
      issuer: sts,
      signer: f.as,
      policy: { targets: ['https://ledger.bank.example'] },
      clientAuthentication: createClientAuthenticator({ issuer: sts, clients: { [GATEWAY]: { clientId: GATEWAY, keys: [f.gatewaySigner.jwk] } }, replayCache: createMemoryReplayCache({ clock: f.clock.now }), clock: f.clock.now }),
      // The documented configuration: access-token subjects must be at+jwt; txn_token is not a subject type.
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: [TTS_ISSUER, 'https://as.bank.example'], issuerKeys: { [TTS_ISSUER]: [f.tts.jwk], 'https://as.bank.example': [f.as.jwk] }, typ: 'at+jwt', audience: sts, clock: f.clock.now }) },
      clock: f.clock.now,
      onError: (e) => void errors.push(e),
    })
    const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
    const server = { issuer: sts, tokenEndpoint: `${sts}/token` }
    const gw = { clientId: GATEWAY, auth: privateKeyJwt(f.gatewaySigner, { clock: f.clock.now }) }
    for (const subjectTokenType of [TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.ACCESS_TOKEN]) {
      const err = await exchangeToken(server, gw, { subjectToken: txnToken, subjectTokenType, audience: 'https://ledger.bank.example' }, { fetch }).catch((e: unknown) => e)
      expect(err, subjectTokenType).toMatchObject({ code: 'ERR_OAUTH_ERROR' })
    }
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_OAUTH_REQUEST_INVALID', 'ERR_OAUTH_REQUEST_INVALID'])
  })

  it('refuses a Txn-Token even when a lax verifier would accept it (subject or actor token)', async () => {
    const { txnToken } = await requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' }, { fetch: f.fetch })
    const sts = 'https://sts.bank.example'
    const errors: unknown[] = []
    // No typ check and an audience list that includes the trust domain: this verifier alone would accept a Txn-Token.
    const lax = createJWTTokenVerifier({ issuer: [TTS_ISSUER, 'https://as.bank.example'], issuerKeys: { [TTS_ISSUER]: [f.tts.jwk], 'https://as.bank.example': [f.as.jwk] }, audience: [sts, TRUST_DOMAIN], clock: f.clock.now })
    const handler = createTokenExchangeHandler({
      issuer: sts,
      signer: f.as,
      policy: { targets: ['https://ledger.bank.example'] },
      clientAuthentication: createClientAuthenticator({ issuer: sts, clients: { [GATEWAY]: { clientId: GATEWAY, keys: [f.gatewaySigner.jwk] } }, replayCache: createMemoryReplayCache({ clock: f.clock.now }), clock: f.clock.now }),
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: lax, [TOKEN_TYPE.TXN_TOKEN]: lax },
      actorTokenVerifiers: { [TOKEN_TYPE.JWT]: lax },
      clock: f.clock.now,
      onError: (e) => void errors.push(e),
    })
    const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
    const server = { issuer: sts, tokenEndpoint: `${sts}/token` }
    const gw = { clientId: GATEWAY, auth: privateKeyJwt(f.gatewaySigner, { clock: f.clock.now }) }
    for (const subjectTokenType of [TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.ACCESS_TOKEN]) {
      const err = await exchangeToken(server, gw, { subjectToken: txnToken, subjectTokenType, audience: 'https://ledger.bank.example' }, { fetch }).catch((e: unknown) => e)
      expect(err, subjectTokenType).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_request' })
    }
    const asActor = await exchangeToken(server, gw, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, actorToken: txnToken, actorTokenType: TOKEN_TYPE.JWT, audience: 'https://ledger.bank.example' }, { fetch }).catch((e: unknown) => e)
    expect(asActor).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_request' })
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_OAUTH_REQUEST_INVALID', 'ERR_OAUTH_REQUEST_INVALID', 'ERR_OAUTH_REQUEST_INVALID'])
  })
})
