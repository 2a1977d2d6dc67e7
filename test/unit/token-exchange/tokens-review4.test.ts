// Review round 4 regressions for agentauth/token-exchange.
import { describe, expect, it } from 'vitest'
import { createTokenCache, TOKEN_TYPE } from '../../../src/token-exchange/index.js'

describe('token cache: malformed targets', () => {
  it('get rejects with a coded TypeError (it threw synchronously, uncoded) and never calls the source', async () => {
    let calls = 0
    const cache = createTokenCache({
      fetchToken: async () => {
        calls++
        return { accessToken: 't', tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 600, scope: undefined, refreshToken: undefined }
      },
    })
    for (const target of [{ audience: 5 }, { audience: [null] }, { resource: {} }, { scope: [1] }, null]) {
      let result: Promise<unknown> | undefined
      expect(() => (result = cache.get(target as never))).not.toThrow()
      await expect(result).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
      if (target !== null) expect(() => cache.invalidate(target as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    expect(calls).toBe(0)
    await expect(cache.get({ audience: ['https://a.example'], scope: 'x y' })).resolves.toMatchObject({ token: 't' })
    expect(calls).toBe(1)
  })
})
