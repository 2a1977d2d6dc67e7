// Review round 6: a JWK marked for encryption (use "enc"), for X.509-SVIDs, or whose key_ops lack
// "verify" never verifies a JWS, wherever a key is accepted — as for trust-bundle keys.
import { describe, expect, it } from 'vitest'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { decodeWIT, verifyWIT } from '../../../src/wit/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

const MARKS: Array<[string, Record<string, unknown>]> = [
  ['use "enc"', { use: 'enc' }],
  ['use "x509-svid"', { use: 'x509-svid' }],
  ['key_ops without verify', { key_ops: ['encrypt'] }],
  ['key_ops not an array', { key_ops: 'verify' }],
]

describe('keys not meant for signatures', () => {
  it.each(MARKS)('WIT cnf.jwk with %s is refused (verifyWIT, decodeWIT)', async (_name, mark) => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const jwk = { ...(await workloadJwk('ES256')), ...mark }
    const wit = await forge(baseHeader(iss.signer), baseClaims(jwk as never), iss.signer)
    await expect(verifyWIT(wit, { trustBundles, clock: clockAt(NOW) })).rejects.toMatchObject({ code: 'ERR_WIT_CNF_INVALID' })
    expect(() => decodeWIT(wit)).toThrow(expect.objectContaining({ code: 'ERR_WIT_CNF_INVALID' }))
  })

  it.each(MARKS)('importPublicJWK refuses a key with %s', async (_name, mark) => {
    const jwk = { ...(await workloadJwk('EdDSA')), ...mark }
    await expect(importPublicJWK(jwk, 'EdDSA')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('keys marked for signatures, or unmarked, still work; a cached key stops fitting once its key_ops change', async () => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const base = await workloadJwk('ES256')
    for (const mark of [{}, { use: 'sig' }, { key_ops: ['verify'] }, { use: 'sig', key_ops: ['sign', 'verify'], ext: true }]) {
      const wit = await forge(baseHeader(iss.signer), baseClaims({ ...base, ...mark } as never), iss.signer)
      await expect(verifyWIT(wit, { trustBundles, clock: clockAt(NOW) })).resolves.toMatchObject({ proofAlgorithm: 'ES256' })
    }
    const jwk: Record<string, unknown> = { ...base, key_ops: ['verify'] }
    await importPublicJWK(jwk, 'ES256')
    jwk.key_ops = ['encrypt']
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
