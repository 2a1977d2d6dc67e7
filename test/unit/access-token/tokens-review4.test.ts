// Review round 4 regressions for agentauth/access-token.
import { describe, expect, it } from 'vitest'
import { createAccessTokenVerifier, delegationChain, verifyDelegation } from '../../../src/access-token/index.js'

const chain = delegationChain({ sub: 'alice', act: { sub: 'spiffe://example.com/agents/tool' } })

describe('delegation policy options', () => {
  it('refuses a non-boolean requireActor ("true" from a config file silently allowed tokens without act)', () => {
    expect(() => verifyDelegation([], { requireActor: 'true' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createAccessTokenVerifier({ issuer: 'https://as.example.com', audience: 'https://api.example.com', keys: [], delegation: { requireActor: 1 as never } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    )
    expect(() => verifyDelegation([], { requireActor: true })).toThrow(expect.objectContaining({ code: 'ERR_ACTOR_NOT_ALLOWED' }))
  })

  it('refuses a per-hop matcher that is not a sub, a list of subs or a function (it threw an uncoded TypeError per request)', () => {
    for (const bad of [5, null, '', [1], {}]) {
      expect(() => verifyDelegation(chain, { allowedActors: [bad as never] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    expect(() => verifyDelegation(chain, { allowedActors: [['spiffe://example.com/agents/tool']] })).not.toThrow()
    expect(() => verifyDelegation(chain, { allowedActors: ['spiffe://example.com/agents/tool'] })).not.toThrow()
    expect(() => verifyDelegation(chain, { allowedActors: [(a) => a.trustDomain === 'example.com'] })).not.toThrow()
  })
})

describe('Authorization header: invalid_request is a 400 (RFC 6750 §3.1)', () => {
  const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', keys: [] }
  it('answers malformed Bearer credentials and an oversized header with 400 invalid_request, a missing header or another scheme with 401', async () => {
    const { verifyAuthorizationHeader } = await import('../../../src/access-token/index.js')
    const refusal = (value: string | null) => verifyAuthorizationHeader(value, options).then(() => { throw new Error('expected a refusal') }, (e: unknown) => e)
    expect(await refusal('Bearer a b')).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 400, challenge: { error: 'invalid_request' } })
    expect(await refusal(`Bearer ${'a'.repeat(17 * 1024)}`)).toMatchObject({ code: 'ERR_INPUT_TOO_LARGE', status: 400, challenge: { error: 'invalid_request' } })
    expect(await refusal(null)).toMatchObject({ status: 401, challenge: {} })
    expect(await refusal('Basic dXNlcjpwYXNz')).toMatchObject({ status: 401, challenge: {} })
  })
})

describe('delegation refusals of a valid token (RFC 6750 §3.1)', () => {
  it('are 403 with error="insufficient_scope", never a 403 with invalid_token', async () => {
    const { verifyAccessToken } = await import('../../../src/access-token/index.js')
    const { errorResponse } = await import('../../../src/server/index.js')
    const { createAccessToken } = await import('../../../src/token-service/index.js')
    const { oauthTestSigner } = await import('../../helpers/oauth-signer.js')
    const signer = await oauthTestSigner('ES256', 'as-1')
    const token = await createAccessToken(
      { iss: 'https://as.example.com', sub: 'alice', aud: 'https://api.example.com', client_id: 'a', act: { sub: 'spiffe://x.example/a', act: { sub: 'spiffe://y.example/b' } } },
      { signer },
    )
    const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', keys: [signer.jwk] }
    for (const [delegation, code] of [
      [{ maxDepth: 1 }, 'ERR_DELEGATION_DEPTH'],
      [{ allowedTrustDomains: ['x.example'] }, 'ERR_ACTOR_NOT_ALLOWED'],
    ] as const) {
      const err = await verifyAccessToken(token, { ...options, delegation }).then(() => undefined, (e: unknown) => e)
      expect(err).toMatchObject({ code, status: 403, challenge: { error: 'insufficient_scope' } })
      const res = errorResponse(err)
      expect(res.status).toBe(403)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/)
    }
  })
})
