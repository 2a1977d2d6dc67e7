import { describe, expect, it } from 'vitest'
import { createIdJag, createJWTAuthorizationGrant } from '../../../src/assertion-grant/index.js'
import { decodeJWT, oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

describe('createIdJag / createJWTAuthorizationGrant notAfter (review)', () => {
  it('refuses a notAfter that is not a finite number (NaN made "exp": null, a grant that never expires)', async () => {
    const signer = await oauthTestSigner()
    const clock = testClock()
    const idJag = { iss: 'https://idp.example', sub: 'u', aud: 'https://ras.example', client_id: 'c' }
    const grant = { iss: 'https://home.example', sub: 'u', aud: 'https://foreign.example' }
    for (const notAfter of [Number.NaN, Number.POSITIVE_INFINITY, '1800000100' as unknown as number]) {
      await expect(createIdJag(idJag, { signer, clock: clock.now, notAfter })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(createJWTAuthorizationGrant(grant, { signer, clock: clock.now, notAfter })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    const capped = decodeJWT(await createIdJag(idJag, { signer, clock: clock.now, notAfter: clock.seconds() + 60 })).payload
    expect(capped.exp).toBe(clock.seconds() + 60)
    expect(decodeJWT(await createJWTAuthorizationGrant(grant, { signer, clock: clock.now })).payload.exp).toBe(clock.seconds() + 300)
  })
})
