// Review round 6: createWIT refuses an nbf at or after exp (a WIT that is never valid) with a coded
// TypeError, as documented for bad input, instead of minting it.
import { describe, expect, it } from 'vitest'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { bundlesFor, clockAt, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

describe('createWIT nbf', () => {
  it('refuses nbf >= exp; accepts nbf before exp', async () => {
    const iss = await issuer('ES256')
    const publicJwk = await workloadJwk('ES256')
    const sub = 'wimse://example.org/a'
    for (const nbf of [NOW + 600, NOW + 601, NOW + 10_000]) {
      await expect(createWIT({ sub, publicJwk, iat: NOW, exp: NOW + 600, nbf }, { signer: iss.signer })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
    await expect(createWIT({ sub, publicJwk, iat: NOW, lifetime: 60, nbf: NOW + 60 }, { signer: iss.signer })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    const wit = await createWIT({ sub, publicJwk, iat: NOW, exp: NOW + 600, nbf: NOW + 599 }, { signer: iss.signer })
    await expect(verifyWIT(wit, { trustBundles: bundlesFor([TD, [iss.jwk]]), clock: clockAt(NOW + 599) })).resolves.toMatchObject({ id: sub })
  })
})
