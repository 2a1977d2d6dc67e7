// Review round 4 regressions for agentauth/token-service.
import { describe, expect, it } from 'vitest'
import { privateKeyJwt, requestClientCredentials } from '../../../src/client-auth/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createClientAuthenticator, createClientCredentialsHandler, createTokenExchangeHandler, type TokenExchangePolicy, type TokenVerifier } from '../../../src/token-service/index.js'
import { exchangeToken, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const TOOL = 'https://tool.example.com'
const AGENT = 'spiffe://example.com/agents/planner'

async function exchangeWith(verifier: TokenVerifier, policy: Partial<TokenExchangePolicy> = {}) {
  const sts = await oauthTestSigner('ES256', 'sts')
  const agent = await oauthTestSigner('ES256')
  const errors: unknown[] = []
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer: sts,
    clientAuthentication: createClientAuthenticator({ issuer: STS, clients: { [AGENT]: { clientId: AGENT, keys: [agent.jwk] } }, replayCache: createMemoryReplayCache() }),
    subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: verifier },
    policy: { targets: [TOOL], ...policy },
    onError: (e) => errors.push(e),
  })
  const fetch = async (i: Request | URL | string, init?: RequestInit) => handler(new Request(i, init))
  const exchange = (scope: string) =>
    exchangeToken({ issuer: STS, tokenEndpoint: `${STS}/token` }, { clientId: AGENT, auth: privateKeyJwt(agent) },
      { subjectToken: 'opaque-subject-token', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TOOL, scope }, { fetch })
  return { exchange, errors }
}

function opaque(scopes: unknown): TokenVerifier {
  // e.g. an introspection-backed verifier handing on the response's space-delimited `scope` string
  return async () => Object.freeze({ subject: 'alice', issuer: undefined, clientId: undefined, audience: [], scopes: scopes as readonly string[], mayAct: undefined, actors: [], expiresAt: undefined, claims: {} })
}

describe('token exchange: scope ceilings must be lists of scope tokens', () => {
  it('a verifier result with scopes as a string is a server_error, never a substring match that widens scope', async () => {
    const { exchange, errors } = await exchangeWith(opaque('files:read files:write'))
    // "files", "read" and "s" are substrings of the string but none is a scope the subject has
    const err = await exchange('files read s').then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).error).toBe('server_error')
    expect((errors.at(-1) as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('a policy.scopes bound given as a string is a server_error too', async () => {
    const { exchange } = await exchangeWith(opaque(undefined), { scopes: () => 'files:read files:write' as never })
    const err = await exchange('files').then(() => undefined, (e: unknown) => e)
    expect((err as ProtocolError).error).toBe('server_error')
  })

  it('lists still narrow as before', async () => {
    const { exchange } = await exchangeWith(opaque(['files:read', 'files:write']), { scopes: () => ['files:read'] })
    expect((await exchange('files:read')).scope).toBe('files:read')
    const wide = await exchange('files:write').then(() => undefined, (e: unknown) => e)
    expect((wide as ProtocolError).error).toBe('invalid_scope')
  })
})

describe('client credentials: policy.scopes must be a list of scope tokens', () => {
  it('a string is a server_error, not a substring match or a list of characters', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const key = await oauthTestSigner('ES256')
    const handler = createClientCredentialsHandler({
      issuer: STS,
      signer: sts,
      clientAuthentication: createClientAuthenticator({ issuer: STS, clients: { job: { clientId: 'job', keys: [key.jwk] } }, replayCache: createMemoryReplayCache() }),
      policy: { targets: (t) => t === TOOL, scopes: () => 'reports:read reports:write' as never, defaultTarget: TOOL },
    })
    const fetch = async (i: Request | URL | string, init?: RequestInit) => handler(new Request(i, init))
    const server = { issuer: STS, tokenEndpoint: `${STS}/token` }
    for (const scope of ['reports', undefined]) {
      const err = await requestClientCredentials(server, { clientId: 'job', auth: privateKeyJwt(key) }, scope === undefined ? {} : { scope }, { fetch }).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(ProtocolError)
      expect((err as ProtocolError).error).toBe('server_error')
    }
  })
})

describe('token exchange policy options are checked at construction', () => {
  it('refuses allowedActorTrustDomains given as a string (it made the trust-domain check a substring test)', async () => {
    const { createStsFixture } = await import('../../helpers/oauth-sts.js')
    await expect(createStsFixture({ allowedActorTrustDomains: 'notexample.com' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createStsFixture({ allowedActorTrustDomains: ['example.com', ''] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('refuses a non-boolean requireMayAct or senderConstrain ("true" left may_act unchecked) and non-function hooks', async () => {
    const { createStsFixture } = await import('../../helpers/oauth-sts.js')
    await expect(createStsFixture({ requireMayAct: 'true' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(createStsFixture({ senderConstrain: 'false' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(createStsFixture({ authorizeActor: true as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(createStsFixture({ scopes: ['files:read'] as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})

describe('token exchange refusals of subject and actor tokens are invalid_request (RFC 8693 §2.2.2)', () => {
  it('answers invalid_request for an invalid or policy-refused subject token, never invalid_grant', async () => {
    const { createStsFixture, AGENT_A, AGENT_B, CALENDAR } = await import('../../helpers/oauth-sts.js')
    const f = await createStsFixture({ requireMayAct: true })
    const user = await f.userToken({ may_act: { sub: AGENT_B } })
    const forged = `${user.slice(0, user.lastIndexOf('.'))}.${'A'.repeat(86)}`
    // One exchange at a time: f.errors.at(-1) must be the error of the exchange just refused
    // (started together, a slower signature check could report last and fail the test at random).
    const other = await f.userToken()
    const cases: [string, () => Promise<unknown>][] = [
      ['ERR_SUBJECT_TOKEN_INVALID', () => f.exchange(AGENT_A, { subjectToken: 'not-a-jwt', audience: CALENDAR })],
      ['ERR_SUBJECT_TOKEN_INVALID', () => f.exchange(AGENT_A, { subjectToken: forged, audience: CALENDAR })],
      ['ERR_MAY_ACT_MISMATCH', () => f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR })],
      ['ERR_MAY_ACT_MISMATCH', () => f.exchange(AGENT_A, { subjectToken: other, audience: CALENDAR })],
    ]
    for (const [code, run] of cases) {
      const err = await run().then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(ProtocolError)
      expect((err as ProtocolError).error).toBe('invalid_request')
      expect((f.errors.at(-1) as { code?: string }).code).toBe(code)
    }
  })
})

describe('resource indicators must be absolute URIs without a fragment (RFC 8707 §2)', () => {
  const post = (handler: (r: Request) => Promise<Response>, body: URLSearchParams) =>
    handler(new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }))

  it('token exchange answers invalid_target for a relative or fragment resource, even when a prefix policy would take it', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const handler = createTokenExchangeHandler({
      issuer: STS,
      signer: sts,
      clientAuthentication: async () => Object.freeze({ clientId: AGENT, method: 'tls_client_auth', client: { clientId: AGENT }, wit: undefined, workloadId: AGENT, jkt: undefined }),
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: opaque(['calendar:read']) },
      policy: { targets: (t) => t.startsWith(TOOL) || t.endsWith('/tool') },
    })
    const form = (resource: string) => new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 's', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, resource })
    for (const resource of [`${TOOL}/#admin`, '/tool', `${TOOL}#`]) {
      const res = await post(handler, form(resource))
      expect(res.status, resource).toBe(400)
      expect(await res.json()).toMatchObject({ error: 'invalid_target' })
    }
    const ok = await post(handler, form(`${TOOL}/`))
    expect(ok.status).toBe(200)
  })

  it('client credentials does the same', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const handler = createClientCredentialsHandler({
      issuer: STS,
      signer: sts,
      clientAuthentication: async () => Object.freeze({ clientId: 'job', method: 'tls_client_auth', client: { clientId: 'job' }, wit: undefined, workloadId: 'job', jkt: undefined }),
      policy: { targets: (t) => t.startsWith(TOOL), scopes: () => ['a'] },
    })
    const bad = await post(handler, new URLSearchParams({ grant_type: 'client_credentials', resource: `${TOOL}/#x` }))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_target' })
    const ok = await post(handler, new URLSearchParams({ grant_type: 'client_credentials', resource: `${TOOL}/` }))
    expect(ok.status).toBe(200)
  })
})

describe('client lookup functions', () => {
  it('a lookup that returns a client registered under another id (case-insensitive store) is invalid_client, not the requested spelling', async () => {
    const sts = await oauthTestSigner('ES256', 'sts')
    const key = await oauthTestSigner('ES256')
    const registered = { clientId: 'job', keys: [key.jwk] }
    const seen: string[] = []
    const handler = createClientCredentialsHandler({
      issuer: STS,
      signer: sts,
      clientAuthentication: createClientAuthenticator({ issuer: STS, clients: (id) => (id.toLowerCase() === 'job' ? registered : undefined), replayCache: createMemoryReplayCache() }),
      policy: { targets: () => true, scopes: (c) => (seen.push(c.clientId), c.clientId === 'job' ? ['reports:read'] : ['reports:admin']), defaultTarget: TOOL },
    })
    const fetch = async (i: Request | URL | string, init?: RequestInit) => handler(new Request(i, init))
    const server = { issuer: STS, tokenEndpoint: `${STS}/token` }
    const err = await requestClientCredentials(server, { clientId: 'JOB', auth: privateKeyJwt(key) }, { scope: 'reports:admin' }, { fetch }).then(() => undefined, (e: unknown) => e)
    expect((err as ProtocolError).error).toBe('invalid_client')
    expect(seen).toEqual([])
    await expect(requestClientCredentials(server, { clientId: 'job', auth: privateKeyJwt(key) }, {}, { fetch })).resolves.toMatchObject({ scope: 'reports:read' })
  })
})
