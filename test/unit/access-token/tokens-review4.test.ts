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
