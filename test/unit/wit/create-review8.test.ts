// Review round 8: createWIT refuses a confirmation key marked as not for signatures (use "enc" or
// "x509-svid", key_ops without "verify"), as verifyWIT refuses it in a WIT, instead of dropping the
// mark and certifying the key for proofs.
import { describe, expect, it } from 'vitest'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { bundlesFor, clockAt, issuer, NOW, TD, workloadJwk } from '../../helpers/wit.js'

describe('createWIT and key-use marks on the confirmation key', () => {
  const sub = 'wimse://example.org/a'
  it.each([
    ['use "enc"', { use: 'enc' }],
    ['use "x509-svid"', { use: 'x509-svid' }],
    ['key_ops without verify', { key_ops: ['encrypt', 'deriveBits'] }],
    ['key_ops not an array', { key_ops: 'verify' }],
  ])('refuses a key with %s (publicJwk and cnf.jwk)', async (_name, mark) => {
    const iss = await issuer('ES256')
    const jwk = { ...(await workloadJwk('ES256')), ...mark }
    await expect(createWIT({ sub, publicJwk: jwk as never }, { signer: iss.signer, clock: clockAt(NOW) })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createWIT({ sub, cnf: { jwk: jwk as never } }, { signer: iss.signer, clock: clockAt(NOW) })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('still takes keys marked for signatures (exportKey output) and leaves the marks out of the token', async () => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const base = await workloadJwk('ES256')
    for (const mark of [{ use: 'sig' }, { key_ops: ['verify'], ext: true }]) {
      const wit = await createWIT({ sub, publicJwk: { ...base, ...mark } as never }, { signer: iss.signer, clock: clockAt(NOW) })
      const verified = await verifyWIT(wit, { trustBundles, clock: clockAt(NOW) })
      expect(Object.keys(verified.key).sort()).toEqual(['alg', 'crv', 'kty', 'x', 'y'])
    }
  })
})
