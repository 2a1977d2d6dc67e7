// Our client (client credentials + private_key_jwt) against a real authorization server,
// oidc-provider v8 on loopback, and its RFC 9068 JWT access tokens verified by verifyAccessToken.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAccessToken, verifyAuthorizationHeader } from '../../src/access-token/index.js'
import { clientCredentialsRequest, privateKeyJwt, processTokenResponse, requestClientCredentials } from '../../src/client-auth/index.js'
import { ProtocolError, VerificationError } from '../../src/errors/index.js'
import { decodeJWT, oauthTestSigner, type TestSigner } from '../helpers/oauth-signer.js'

const API = 'https://api.example.com'
let server: Server
let issuer: string
let tokenEndpoint: string
let jwksUri: string
let agent: TestSigner
let es256Agent: TestSigner

beforeAll(async () => {
  agent = await oauthTestSigner('PS256', 'agent-key-1')
  es256Agent = await oauthTestSigner('ES256', 'agent-key-2')
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const asKey = { ...(await exportJWK(privateKey)), kid: 'as-1', alg: 'ES256', use: 'sig' }
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'nightly-agent', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', jwks: { keys: [agent.jwk] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256', scope: 'reports:read reports:write' },
      { client_id: 'es-agent', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [es256Agent.jwk] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256', scope: 'reports:read' },
    ],
    jwks: { keys: [asKey] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: 'reports:read reports:write',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    scopes: ['reports:read', 'reports:write'],
    enabledJWA: { clientAuthSigningAlgValues: ['PS256', 'ES256'] },
  } as never)
  server.on('request', provider.callback())
  const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string; jwks_uri: string }
  tokenEndpoint = meta.token_endpoint
  jwksUri = meta.jwks_uri
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('oidc-provider v8 (real authorization server on loopback)', () => {
  it('client credentials with private_key_jwt (PS256) → RFC 9068 token verified by verifyAccessToken', async () => {
    const token = await requestClientCredentials(
      { issuer, tokenEndpoint },
      { clientId: 'nightly-agent', auth: privateKeyJwt(agent) },
      { scope: 'reports:read', resource: API },
    )
    expect(token.tokenType).toBe('Bearer')
    expect(token.expiresIn).toBeGreaterThan(0)
    const verified = await verifyAccessToken(token.accessToken, {
      issuer,
      audience: API,
      keys: createRemoteJWKSet(new URL(jwksUri)),
      algorithms: ['ES256'],
      requiredScopes: ['reports:read'],
    })
    expect(verified.clientId).toBe('nightly-agent')
    expect(verified.header.typ).toBe('at+jwt')
    expect(verified.scopes).toEqual(['reports:read'])
    expect(verified.actors).toEqual([])
    const viaHeader = await verifyAuthorizationHeader(`Bearer ${token.accessToken}`, { issuer, audience: API, keys: await (await fetch(jwksUri)).json() as { keys: [] } })
    expect(viaHeader.jti).toBe(verified.jti)
  })

  it('ES256 client assertion via the request/process split', async () => {
    const response = await clientCredentialsRequest({ issuer, tokenEndpoint }, { clientId: 'es-agent', auth: privateKeyJwt(es256Agent) }, { scope: 'reports:read', resource: API })
    const token = await processTokenResponse(response)
    const verified = await verifyAccessToken(token.accessToken, { issuer, audience: API, keys: createRemoteJWKSet(new URL(jwksUri)) })
    expect(verified.subject).toBe('es-agent')
  })

  it('its refusals surface as ERR_OAUTH_ERROR, and its tokens fail our audience/scope checks where they should', async () => {
    const wrongKey = await oauthTestSigner('PS256', 'agent-key-1')
    const err = await requestClientCredentials({ issuer, tokenEndpoint }, { clientId: 'nightly-agent', auth: privateKeyJwt(wrongKey) }, { scope: 'reports:read', resource: API }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_client', status: 401 })
    const scopeErr = await requestClientCredentials({ issuer, tokenEndpoint }, { clientId: 'es-agent', auth: privateKeyJwt(es256Agent) }, { scope: 'reports:write', resource: API }).catch((e: unknown) => e)
    expect(scopeErr).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_scope' })
    const token = await requestClientCredentials({ issuer, tokenEndpoint }, { clientId: 'es-agent', auth: privateKeyJwt(es256Agent) }, { scope: 'reports:read', resource: API })
    const keys = createRemoteJWKSet(new URL(jwksUri))
    const wrongAud = await verifyAccessToken(token.accessToken, { issuer, audience: 'https://other.example.com', keys }).catch((e: unknown) => e)
    expect(wrongAud).toBeInstanceOf(VerificationError)
    expect((wrongAud as VerificationError).claim).toBe('aud')
    await expect(verifyAccessToken(token.accessToken, { issuer, audience: API, keys, requiredScopes: ['reports:write'] })).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 })
  })
})

describe('oidc-provider v8: privateKeyJwt aud without a known issuer', () => {
  // docs/oauth-client-auth.md: the server accepts both aud values privateKeyJwt sends, the issuer
  // (above) and, when no issuer is known, the token endpoint URL.
  it('sends the token endpoint URL as aud, and the server accepts it', async () => {
    let sentAud: unknown
    const capture = async (input: Request | URL | string, init?: RequestInit) => {
      const body = new URLSearchParams(String(init?.body))
      sentAud = decodeJWT(body.get('client_assertion')!).payload.aud
      return fetch(input, init)
    }
    const token = await requestClientCredentials({ tokenEndpoint }, { clientId: 'es-agent', auth: privateKeyJwt(es256Agent) }, { scope: 'reports:read', resource: API }, { fetch: capture })
    expect(sentAud).toBe(tokenEndpoint)
    expect(token.tokenType).toBe('Bearer')
  })
})
