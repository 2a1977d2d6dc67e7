// Review round 6 regressions for agentauth/access-token.
import { describe, expect, it } from 'vitest'
import { createAccessTokenVerifier, verifyAccessToken } from '../../../src/access-token/index.js'

const base = { issuer: 'https://as.example.com', audience: 'https://api.example.com', keys: [] }

describe('confirmation option is checked at construction', () => {
  it('a jkt that is not a non-empty string, or a jwk that is not an object, is a coded TypeError (it refused every bound token as a key mismatch)', async () => {
    for (const confirmation of [{ jkt: 123 }, { jkt: '' }, { jkt: null }, { jwk: 'key' }, { jwk: null }, { jwk: [] }]) {
      expect(() => createAccessTokenVerifier({ ...base, confirmation: confirmation as never }), JSON.stringify(confirmation)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      )
      await expect(verifyAccessToken('a.b.c', { ...base, confirmation: confirmation as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
  })

  it('well-formed confirmations are still accepted', () => {
    expect(() => createAccessTokenVerifier({ ...base, confirmation: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } })).not.toThrow()
    expect(() => createAccessTokenVerifier({ ...base, confirmation: { jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } as never } })).not.toThrow()
  })
})

describe('delegation chain: an act member named "__proto__" is an ordinary claim', () => {
  it('is kept as an own claim, never becomes the prototype of Actor.claims, and survives re-minting', async () => {
    const { delegationChain } = await import('../../../src/access-token/index.js')
    const { chainToAct } = await import('../../../src/access-token/actor.js')
    const claims = JSON.parse('{"sub":"alice","act":{"sub":"agent","__proto__":{"tenant":"acme"},"act":{"sub":"planner"}}}') as Record<string, unknown>
    const [current] = delegationChain(claims)
    expect(Object.getPrototypeOf(current!.claims)).toBe(Object.prototype)
    expect((current!.claims as Record<string, unknown>).tenant).toBeUndefined()
    expect(Object.hasOwn(current!.claims, '__proto__')).toBe(true)
    expect(Object.isFrozen(current!.claims)).toBe(true)
    expect(JSON.stringify(chainToAct(delegationChain(claims)))).toBe(JSON.stringify(claims.act))
  })
})
