// Review round 8: decodeWIT applies every check that needs neither keys nor a clock (docs/wit.md),
// so a WIT whose exp is not after its iat — refused by verifyWIT with ERR_WIT_INVALID — is refused
// by decodeWIT (and so by a WITSource holding or fetching it) too.
import { describe, expect, it } from 'vitest'
import { decodeWIT, refreshingWITSource, staticWITSource, verifyWIT } from '../../../src/wit/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

describe('decodeWIT and exp <= iat', () => {
  it('refuses exp equal to or before iat, as verifyWIT does; accepts exp after iat', async () => {
    const iss = await issuer('ES256')
    const cnf = await workloadJwk('ES256')
    for (const exp of [NOW + 20, NOW + 10]) {
      const wit = await forge(baseHeader(iss.signer), baseClaims(cnf, { iat: NOW + 20, exp }), iss.signer)
      await expect(verifyWIT(wit, { trustBundles: bundlesFor([TD, [iss.jwk]]), clock: clockAt(NOW) })).rejects.toMatchObject({ code: 'ERR_WIT_INVALID' })
      expect(() => decodeWIT(wit)).toThrow(expect.objectContaining({ code: 'ERR_WIT_INVALID', claim: 'exp' }))
      expect(() => staticWITSource(wit, { clock: clockAt(NOW) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
      await expect(refreshingWITSource(async () => wit, { clock: clockAt(NOW) }).getWIT()).rejects.toMatchObject({ code: 'ERR_WIT_INVALID' })
    }
    const ok = await forge(baseHeader(iss.signer), baseClaims(cnf, { iat: NOW, exp: NOW + 1 }), iss.signer)
    expect(decodeWIT(ok).claims.exp).toBe(NOW + 1)
  })
})
