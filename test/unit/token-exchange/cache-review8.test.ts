// Review round 8: the token cache checks what a custom fetchToken returns before caching it.
import { describe, expect, it } from 'vitest'
import { createTokenCache, TOKEN_TYPE, type TokenExchangeResponse } from '../../../src/token-exchange/index.js'
import { testClock } from '../../helpers/oauth-signer.js'

const response = (token: string, expiresIn: unknown): TokenExchangeResponse =>
  ({ accessToken: token, issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, tokenType: 'Bearer', expiresIn, scope: undefined, refreshToken: undefined }) as TokenExchangeResponse

describe('createTokenCache (review 8): fetchToken results', () => {
  it('refuses an expiresIn that is not a finite number of seconds (a string "300" cached the token for ever)', async () => {
    const clock = testClock()
    for (const bad of ['300', Number.POSITIVE_INFINITY, Number.NaN, -1, {}]) {
      let n = 0
      const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`, bad), clock: clock.now })
      await expect(cache.get({ audience: 'https://tool.example' })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
    // A string "300" used to be concatenated: exp "1800000000300", renewed in some 57,000 years.
    let n = 0
    const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`, 300), clock: clock.now })
    expect((await cache.get({ audience: 'https://tool.example' })).expiresAt).toBe(clock.seconds() + 300)
  })

  it('refuses a result without a token string', async () => {
    const cache = createTokenCache({ fetchToken: async () => ({ accessToken: 42 }) as unknown as TokenExchangeResponse })
    await expect(cache.get({ audience: 'https://tool.example' })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })
})
