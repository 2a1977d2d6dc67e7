// docs/oauth-client-auth.md says oidc-provider v8 accepts both `aud` values privateKeyJwt sends:
// the issuer (tested in oauth-oidc-provider.test.ts) and, when no issuer is known, the token
// endpoint URL (tested here).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyJwt, requestClientCredentials } from '../../src/client-auth/index.js'
import { decodeJWT, oauthTestSigner, type TestSigner } from '../helpers/oauth-signer.js'

const API = 'https://api.example.com'
let server: Server
let issuer: string
let tokenEndpoint: string
let agent: TestSigner

beforeAll(async () => {
  agent = await oauthTestSigner('ES256', 'agent-key')
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const asKey = { ...(await exportJWK(privateKey)), kid: 'as-1', alg: 'ES256', use: 'sig' }
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'agent', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [agent.jwk] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256', scope: 'reports:read' },
    ],
    jwks: { keys: [asKey] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({ scope: 'reports:read', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
    scopes: ['reports:read'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES256'] },
  } as never)
  server.on('request', provider.callback())
  const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }
  tokenEndpoint = meta.token_endpoint
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('oidc-provider v8: privateKeyJwt aud without a known issuer (review 4)', () => {
  it('sends the token endpoint URL as aud, and the server accepts it', async () => {
    let sentAud: unknown
    const capture = async (input: Request | URL | string, init?: RequestInit) => {
      const body = new URLSearchParams(String(init?.body))
      sentAud = decodeJWT(body.get('client_assertion')!).payload.aud
      return fetch(input, init)
    }
    const token = await requestClientCredentials({ tokenEndpoint }, { clientId: 'agent', auth: privateKeyJwt(agent) }, { scope: 'reports:read', resource: API }, { fetch: capture })
    expect(sentAud).toBe(tokenEndpoint)
    expect(token.tokenType).toBe('Bearer')
  })
})
