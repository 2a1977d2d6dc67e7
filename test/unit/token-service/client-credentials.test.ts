import { describe, expect, it } from 'vitest'
import { verifyAccessToken } from '../../../src/access-token/index.js'
import { privateKeyJwt, requestClientCredentials } from '../../../src/client-auth/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createClientAuthenticator, createClientCredentialsHandler } from '../../../src/token-service/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const API = 'https://reports.example.com'

/** A client-credentials service for the reports API and its one client, `job` (private_key_jwt). */
async function reportsService() {
  const sts = await oauthTestSigner('ES256', 'sts')
  const key = await oauthTestSigner('ES256')
  const handler = createClientCredentialsHandler({
    issuer: STS,
    signer: sts,
    clientAuthentication: createClientAuthenticator({ issuer: STS, clients: { job: { clientId: 'job', keys: [key.jwk] } }, replayCache: createMemoryReplayCache() }),
    policy: { targets: (t) => t === API, scopes: () => ['reports:write', 'reports:read'], defaultTarget: API },
  })
  const server = { issuer: STS, tokenEndpoint: `${STS}/token` }
  const client = { clientId: 'job', auth: privateKeyJwt(key) }
  return { sts, handler, server, client }
}

describe('createClientCredentialsHandler', () => {
  it('issues scoped tokens to authenticated clients and refuses wider scopes or other targets', async () => {
    const { sts, handler, server, client } = await reportsService()
    const fetch = async (i: Request | URL | string, init?: RequestInit) => handler(new Request(i, init))
    const t = await requestClientCredentials(server, client, { scope: 'reports:write' }, { fetch })
    const v = await verifyAccessToken(t.accessToken, { issuer: STS, audience: API, keys: [sts.jwk] })
    expect(v).toMatchObject({ subject: 'job', clientId: 'job', scopes: ['reports:write'], actors: [] })
    const all = await requestClientCredentials(server, client, {}, { fetch })
    expect(all.scope).toBe('reports:write reports:read')
    const wide = await requestClientCredentials(server, client, { scope: 'admin' }, { fetch }).catch((e: unknown) => e)
    expect(wide).toBeInstanceOf(ProtocolError)
    expect((wide as ProtocolError).error).toBe('invalid_scope')
    const target = await requestClientCredentials(server, client, { resource: 'https://other.example.com/' }, { fetch }).catch((e: unknown) => e)
    expect((target as ProtocolError).error).toBe('invalid_target')
    expect(() => createClientCredentialsHandler({ issuer: STS, signer: sts, clientAuthentication: async () => { throw new Error('x') }, policy: { targets: () => true } as never })).toThrow(TypeError)
  })
})

describe('parameters without a value (RFC 6749 §3.2)', () => {
  it('are treated as omitted, and a parameter repeated with values is still refused', async () => {
    const { handler, server, client } = await reportsService()
    let extra = ''
    const fetch = async (i: Request | URL | string, init?: RequestInit) => {
      const request = new Request(i, init)
      return handler(new Request(request, { body: `${await request.text()}${extra}` }))
    }
    extra = '&scope=&unknown_extension=&resource='
    const t = await requestClientCredentials(server, client, {}, { fetch })
    expect(t.scope).toBe('reports:write reports:read')
    extra = '&scope=&scope=reports:read'
    expect((await requestClientCredentials(server, client, {}, { fetch })).scope).toBe('reports:read')
    extra = '&grant_type=client_credentials'
    const repeated = await requestClientCredentials(server, client, {}, { fetch }).catch((e: unknown) => e)
    expect((repeated as ProtocolError).error).toBe('invalid_request')
  })
})

describe('invalid_client answers (RFC 6749 §5.2)', () => {
  async function handlerFor() {
    const sts = await oauthTestSigner('ES256', 'sts')
    const key = await oauthTestSigner('ES256')
    return createClientCredentialsHandler({
      issuer: STS,
      signer: sts,
      clientAuthentication: createClientAuthenticator({ issuer: STS, clients: { job: { clientId: 'job', keys: [key.jwk] } }, replayCache: createMemoryReplayCache() }),
      policy: { targets: (t) => t === API, scopes: () => ['reports:read'], defaultTarget: API },
    })
  }
  const form = (headers: Record<string, string> = {}, body = 'grant_type=client_credentials&client_id=job') =>
    new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })

  it('names the scheme the client used in the Authorization field with a 401 challenge', async () => {
    const handler = await handlerFor()
    const basic = await handler(form({ authorization: `Basic ${btoa('job:secret')}` }))
    expect(basic.status).toBe(401)
    expect(basic.headers.get('www-authenticate')).toBe('Basic')
    expect(await basic.json()).toMatchObject({ error: 'invalid_client' })
    const bearer = await handler(form({ authorization: 'Bearer abc' }))
    expect(bearer.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('sends no challenge when the client did not use the Authorization field, or sent no valid scheme', async () => {
    const handler = await handlerFor()
    const plain = await handler(form())
    expect(plain.status).toBe(401)
    expect(plain.headers.get('www-authenticate')).toBeNull()
    const odd = await handler(form({ authorization: '"x" y' }))
    expect(odd.status).toBe(401)
    expect(odd.headers.get('www-authenticate')).toBeNull()
  })
})
