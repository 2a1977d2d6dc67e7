import { describe, expect, it } from 'vitest'
import {
  clientCredentialsRequest,
  clientSecretBasic,
  clientSecretPost,
  privateKeyJwt,
  processTokenResponse,
  requestClientCredentials,
  tlsClientAuth,
  witClientAuth,
  CLIENT_ASSERTION_TYPE_JWT_BEARER,
  type ClientAuthenticationContext,
} from '../../../src/client-auth/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { decodeJWT, joseVerify, oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

function ctx(over: Partial<ClientAuthenticationContext> = {}): ClientAuthenticationContext {
  return { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token', clientId: 'client-1', body: new URLSearchParams(), headers: new Headers(), ...over }
}

describe('privateKeyJwt', () => {
  it('adds an RFC 7523 assertion with aud = issuer that jose verifies', async () => {
    const signer = await oauthTestSigner('ES256')
    const clock = testClock()
    const c = ctx()
    await privateKeyJwt(signer, { clock: clock.now })(c)
    expect(c.body.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE_JWT_BEARER)
    expect(c.body.get('client_id')).toBe('client-1')
    const { payload, protectedHeader } = await joseVerify(c.body.get('client_assertion')!, signer, {
      issuer: 'client-1', subject: 'client-1', audience: 'https://as.example.com', currentDate: new Date(clock.now()),
    })
    expect(protectedHeader.kid).toBe(signer.kid)
    expect(payload.exp! - payload.iat!).toBe(60)
    expect(typeof payload.jti).toBe('string')
  })

  it('falls back to the token endpoint as aud and makes a fresh jti each time', async () => {
    const signer = await oauthTestSigner('EdDSA')
    const a = ctx({ issuer: undefined })
    const b = ctx({ issuer: undefined })
    const auth = privateKeyJwt(signer)
    await auth(a)
    await auth(b)
    const pa = decodeJWT(a.body.get('client_assertion')!).payload
    const pb = decodeJWT(b.body.get('client_assertion')!).payload
    expect(pa.aud).toBe('https://as.example.com/token')
    expect(pa.jti).not.toBe(pb.jti)
  })

  it('validates options eagerly and refuses a mismatched client id', async () => {
    const signer = await oauthTestSigner()
    expect(() => privateKeyJwt(signer, { lifetime: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => privateKeyJwt(signer, { lifetime: 0 })).toThrow(TypeError)
    expect(() => privateKeyJwt(null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    await expect(privateKeyJwt(signer, { clientId: 'other' })(ctx())).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('witClientAuth', () => {
  it('sends the WIT and a PoP signed by the workload key', async () => {
    const signer = await oauthTestSigner('ES256', null)
    const wit = { getWIT: async () => ({ token: 'eyJ.wit.token', expiresAt: 2_000_000_000 }) }
    const clock = testClock()
    const c = ctx({ clientId: 'spiffe://example.org/agent' })
    await witClientAuth({ wit, signer, clock: clock.now })(c)
    expect(c.headers.get('oauth-client-attestation')).toBe('eyJ.wit.token')
    const pop = c.headers.get('oauth-client-attestation-pop')!
    const { payload, protectedHeader } = await joseVerify(pop, signer, { audience: 'https://as.example.com', issuer: 'spiffe://example.org/agent', currentDate: new Date(clock.now()) })
    expect(protectedHeader.typ).toBe('oauth-client-attestation-pop+jwt')
    expect(typeof payload.jti).toBe('string')
    expect(c.body.get('client_id')).toBe('spiffe://example.org/agent')
    expect(c.body.has('client_assertion')).toBe(false)
  })

  it('needs an audience', async () => {
    const signer = await oauthTestSigner()
    const auth = witClientAuth({ wit: { getWIT: async () => ({ token: 'a.b.c', expiresAt: 1 }) }, signer })
    await expect(auth(ctx({ issuer: undefined }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(() => witClientAuth({ wit: {} as never, signer })).toThrow(TypeError)
  })
})

describe('tls and legacy secrets', () => {
  it('tlsClientAuth only sets client_id', async () => {
    const c = ctx()
    await tlsClientAuth()(c)
    expect([...c.body.keys()]).toEqual(['client_id'])
    expect([...c.headers.keys()]).toEqual([])
  })

  it('client_secret_post and client_secret_basic (RFC 6749 §2.3.1 form-encoding)', async () => {
    const post = ctx()
    await clientSecretPost('s3cr3t')(post)
    expect(post.body.get('client_secret')).toBe('s3cr3t')
    const basic = ctx({ clientId: 'a b:c' })
    await clientSecretBasic('p@ss word')(basic)
    const decoded = atob(basic.headers.get('authorization')!.slice(6))
    expect(decoded).toBe('a+b%3Ac:p%40ss+word')
    expect(() => clientSecretPost('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

describe('client credentials', () => {
  it('posts the grant with client auth and processes the response', async () => {
    let seen: Request | undefined
    const fetch = async (input: Request | URL | string, init?: RequestInit) => {
      seen = new Request(input, init)
      return Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, scope: 'a b' })
    }
    const signer = await oauthTestSigner()
    const token = await requestClientCredentials(
      { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' },
      { clientId: 'c', auth: privateKeyJwt(signer) },
      { scope: ['a', 'b'], resource: 'https://api.example.com/' },
      { fetch },
    )
    expect(token).toEqual({ accessToken: 'at', tokenType: 'Bearer', expiresIn: 300, scope: 'a b', refreshToken: undefined })
    expect(Object.isFrozen(token)).toBe(true)
    expect(seen!.method).toBe('POST')
    expect(seen!.redirect).toBe('manual')
    const body = new URLSearchParams(await seen!.text())
    expect(body.get('grant_type')).toBe('client_credentials')
    expect(body.get('scope')).toBe('a b')
    expect(body.get('resource')).toBe('https://api.example.com/')
    expect(body.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE_JWT_BEARER)
  })

  it('refuses plain http to a non-loopback host and bad scope', async () => {
    const client = { clientId: 'c', auth: tlsClientAuth() }
    await expect(clientCredentialsRequest({ tokenEndpoint: 'http://as.example.com/token' }, client)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(clientCredentialsRequest({ tokenEndpoint: 'https://as.example.com/token' }, client, { scope: 'a\tb' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(clientCredentialsRequest({ tokenEndpoint: 'https://as/token' }, client, { extra: { client_secret: 'x' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('maps errors and network failures to typed errors', async () => {
    const client = { clientId: 'c', auth: tlsClientAuth() }
    const server = { tokenEndpoint: 'http://127.0.0.1:1/token' }
    await expect(requestClientCredentials(server, client, {}, { fetch: async () => Response.json({ error: 'invalid_client', error_description: 'nope' }, { status: 401 }) }))
      .rejects.toMatchObject({ code: 'ERR_OAUTH_ERROR', status: 401, error: 'invalid_client', errorDescription: 'nope' })
    const err = await requestClientCredentials(server, client, {}, { fetch: async () => { throw new Error('ECONNREFUSED') } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toBe('ERR_TOKEN_EXCHANGE_FAILED')
    await expect(processTokenResponse(Response.json({ access_token: 'x', token_type: 'Bearer', expires_in: '300' }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })
})
