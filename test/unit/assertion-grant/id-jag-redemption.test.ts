import { describe, expect, it } from 'vitest'
import { createIdJag, createJWTBearerGrantHandler, requestJWTBearerGrant, verifyIdJag } from '../../../src/assertion-grant/index.js'
import { privateKeyJwt } from '../../../src/client-auth/index.js'
import { VerificationError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createClientAuthenticator } from '../../../src/token-service/index.js'
import { decodeJWT, oauthTestSigner } from '../../helpers/oauth-signer.js'
import { unhandledDuring } from '../../helpers/unhandled.js'

const IDP = 'https://idp.example'
const RAS = 'https://as.saas.example'
const API = 'https://api.saas.example'
const ADMIN = 'https://admin.saas.example'

async function setup(onError?: (e: unknown) => unknown, scopes?: () => unknown) {
  const idp = await oauthTestSigner('ES256', 'idp')
  const ras = await oauthTestSigner('ES256', 'ras')
  const agent = await oauthTestSigner('ES256')
  const other = await oauthTestSigner('ES256')
  const errors: unknown[] = []
  const replayCache = createMemoryReplayCache()
  const handler = createJWTBearerGrantHandler({
    issuer: RAS,
    signer: ras,
    clientAuthentication: createClientAuthenticator({
      issuer: RAS,
      clients: { agent: { clientId: 'agent', keys: [agent.jwk] }, other: { clientId: 'other', keys: [other.jwk] } },
      replayCache: createMemoryReplayCache(),
    }),
    trustedIdJagIssuers: [{ issuer: IDP, keys: [idp.jwk] }],
    replayCache,
    policy: { targets: [API, ADMIN], ...(scopes === undefined ? {} : { scopes: scopes as () => string[] }) },
    onError: onError ?? ((e) => errors.push(e)),
  })
  let extra = ''
  const fetch = async (input: Request | URL | string, init?: RequestInit) => {
    const request = new Request(input, init)
    return handler(extra === '' ? request : new Request(request, { body: `${await request.text()}${extra}` }))
  }
  const appendToForm = (text: string) => { extra = text }
  const server = { issuer: RAS, tokenEndpoint: `${RAS}/token` }
  const jag = (claims: Record<string, unknown> = {}) =>
    createIdJag({ iss: IDP, sub: 'alice', aud: RAS, client_id: 'agent', scope: 'read', resource: API, ...claims }, { signer: idp, lifetime: 120 })
  const redeem = (clientId: 'agent' | 'other', assertion: string, params: { resource?: string; audience?: string } = {}) =>
    requestJWTBearerGrant(server, { clientId, auth: privateKeyJwt(clientId === 'agent' ? agent : other) }, { assertion, ...params }, { fetch })
  return { idp, errors, jag, redeem, replayCache, appendToForm }
}

describe('ID-JAG redemption at the Resource AS', () => {
  it('counts a target named twice (resource or audience) once, and refuses a resource that is not an RFC 3986 absolute URI', async () => {
    const s = await setup()
    s.appendToForm(`&resource=${encodeURIComponent(API)}&audience=${encodeURIComponent(API)}`)
    const t = await s.redeem('agent', await s.jag(), { resource: API })
    expect(decodeJWT(t.accessToken).payload.aud).toBe(API)
    s.appendToForm(`&resource=${encodeURIComponent(`${API}/a b`)}`)
    await expect(s.redeem('agent', await s.jag({ resource: [API, `${API}/a b`] }), { resource: API })).rejects.toMatchObject({ error: 'invalid_target' })
    expect(s.errors.at(-1)).toMatchObject({ code: 'ERR_TARGET_NOT_ALLOWED', message: expect.stringContaining('absolute URI') })
  })

  it('a policy.scopes that returns a string instead of a list is a server_error, never a substring match', async () => {
    const s = await setup(undefined, () => 'read:all write')
    await expect(s.redeem('agent', await s.jag({ scope: 'read' }), { resource: API })).rejects.toMatchObject({ error: 'server_error' })
    const listed = await setup(undefined, () => ['read'])
    await expect(listed.redeem('agent', await listed.jag({ scope: 'read' }), { resource: API })).resolves.toMatchObject({ tokenType: 'Bearer' })
  })

  it('an async onError that rejects neither changes the answer nor becomes an unhandled rejection', async () => {
    const s = await setup(async () => { throw new Error('log sink down') })
    const seen = await unhandledDuring(async () => {
      await expect(s.redeem('agent', await s.jag(), { resource: ADMIN })).rejects.toMatchObject({ error: 'invalid_target' })
    })
    expect(seen).toEqual([])
  })

  it('refuses a target outside the ID-JAG resource with invalid_target', async () => {
    const s = await setup()
    await expect(s.redeem('agent', await s.jag(), { resource: ADMIN })).rejects.toMatchObject({ error: 'invalid_target', status: 400 })
    expect((s.errors.at(-1) as VerificationError).code).toBe('ERR_TARGET_NOT_ALLOWED')
    await expect(s.redeem('agent', await s.jag(), { audience: ADMIN })).rejects.toMatchObject({ error: 'invalid_target' })
    await expect(s.redeem('agent', await s.jag({ resource: [API, ADMIN] }), { resource: ADMIN })).resolves.toMatchObject({ tokenType: 'Bearer' })
  })

  it('issues for the ID-JAG resource, requested or by default', async () => {
    const s = await setup()
    const named = await s.redeem('agent', await s.jag(), { resource: API })
    expect(decodeJWT(named.accessToken).payload.aud).toBe(API)
    const implied = await s.redeem('agent', await s.jag())
    expect(decodeJWT(implied.accessToken).payload.aud).toBe(API)
  })

  it('a grant without resource leaves the choice to the policy', async () => {
    const s = await setup()
    const t = await s.redeem('agent', await s.jag({ resource: undefined }), { resource: ADMIN })
    expect(decodeJWT(t.accessToken).payload.aud).toBe(ADMIN)
  })

  it('another client presenting the ID-JAG does not burn it', async () => {
    const s = await setup()
    const j = await s.jag()
    await expect(s.redeem('other', j)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect((s.errors.at(-1) as VerificationError).claim).toBe('client_id')
    await expect(s.redeem('agent', j)).resolves.toMatchObject({ tokenType: 'Bearer' })
    await expect(s.redeem('agent', j)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect((s.errors.at(-1) as VerificationError).code).toBe('ERR_PROOF_REPLAYED')
  })

  it('verifyIdJag checks client_id before claiming the jti', async () => {
    const s = await setup()
    const replayCache = createMemoryReplayCache()
    const options = { trustedIssuers: [{ issuer: IDP, keys: [s.idp.jwk] }], audience: RAS, replayCache }
    const j = await s.jag()
    const err = await verifyIdJag(j, { ...options, clientId: 'other' }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_ASSERTION_INVALID')
    expect((err as VerificationError).claim).toBe('client_id')
    const ok = await verifyIdJag(j, { ...options, clientId: 'agent' })
    expect(ok.clientId).toBe('agent')
  })
})
