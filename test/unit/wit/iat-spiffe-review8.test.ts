// WIT-SVID §3.6: `iat` MUST NOT be used as "not before". The spiffe profile therefore accepts a
// WIT-SVID whose `iat` is ahead of the verifier's clock (its `nbf`, when sent, still applies); the
// wimse profile keeps refusing a future `iat` (docs/specs.md, open question 3).
import { describe, expect, it } from 'vitest'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { bundlesFor, clockAt, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

describe('future iat by profile', () => {
  it('spiffe: accepted (not a not-before); wimse: ERR_TOKEN_NOT_YET_VALID; nbf still applies', async () => {
    const iss = await issuer('ES256', 'k1')
    const trustBundles = bundlesFor([TD, [{ ...iss.jwk, use: 'wit-svid' }]])
    const sub = `spiffe://${TD}/ns/prod/sa/api`
    const ahead = clockAt(NOW + 600_000)
    const svid = await createWIT({ sub, publicJwk: await workloadJwk('ES256') }, { signer: iss.signer, clock: ahead, profile: 'spiffe' })
    const clock = clockAt(NOW)
    await expect(verifyWIT(svid, { trustBundles, clock, profile: 'spiffe' })).resolves.toMatchObject({ id: sub })
    const wimseBundles = bundlesFor([TD, [iss.jwk]])
    const wit = await createWIT({ sub, publicJwk: await workloadJwk('ES256') }, { signer: iss.signer, clock: ahead })
    await expect(verifyWIT(wit, { trustBundles: wimseBundles, clock })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID', claim: 'iat' })
    const withNbf = await createWIT({ sub, publicJwk: await workloadJwk('ES256'), nbf: NOW + 600 } as never, { signer: iss.signer, clock: ahead, profile: 'spiffe' })
    await expect(verifyWIT(withNbf, { trustBundles, clock, profile: 'spiffe' })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID', claim: 'nbf' })
  })
})
