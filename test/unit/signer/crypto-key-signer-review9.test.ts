// Review round 9: publicJwk() when the crypto provider exports no (or an incomplete) JWK.
import { describe, expect, it } from 'vitest'
import { providerAnswering } from '../../helpers/crypto-override.js'
import { SignerError } from '../../../src/errors/index.js'
import { createCryptoKeySigner } from '../../../src/signer/index.js'

const providerExporting = (answer: unknown): Crypto => providerAnswering('exportKey', answer)

describe('createCryptoKeySigner: publicJwk with a provider exporting garbage (review 9)', () => {
  it('is SignerError ERR_SIGNER_FAILED, never an uncoded TypeError or a JWK without key members', async () => {
    const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
    for (const answer of [undefined, null, 'jwk', { kty: 'EC' }, { kty: 'EC', crv: 'P-256', x: 'AA' }, { kty: 'RSA', n: 'AQAB', e: 'AQAB' }]) {
      const signer = createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256', crypto: providerExporting(answer) })
      const err = await signer.publicJwk().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SignerError)
      expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    }
    const ok = createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256' })
    await expect(ok.publicJwk()).resolves.toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
  })
})
