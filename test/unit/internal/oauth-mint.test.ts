// mintJWT (the OAuth token minters' common step): claims are copied as own members.
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { mintJWT } from '../../../src/internal/oauth-mint.js'
import { generateSigner } from '../../../src/signer/index.js'

describe('mintJWT', () => {
  it('keeps a claim named __proto__ as a claim, drops undefined ones, and sets iat/exp/jti itself', async () => {
    const signer = await generateSigner('ES256')
    const claims = JSON.parse('{"iss":"https://as.example","sub":"alice","__proto__":{"admin":true}}') as Record<string, unknown>
    claims.skipped = undefined
    const { token, iat, exp, jti } = await mintJWT('at+jwt', claims, { signer, clock: () => 1_700_000_000_000 }, 300)
    const payload = decodeJwt(token)
    expect(Object.hasOwn(payload, '__proto__')).toBe(true)
    expect((payload as Record<string, unknown>).admin).toBeUndefined()
    expect(Object.keys(payload)).toEqual(['iss', 'sub', '__proto__', 'iat', 'exp', 'jti'])
    expect(payload).toMatchObject({ iat: 1_700_000_000, exp: 1_700_000_300 })
    expect([iat, exp, typeof jti]).toEqual([1_700_000_000, 1_700_000_300, 'string'])
  })
})
