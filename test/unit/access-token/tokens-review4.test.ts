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
