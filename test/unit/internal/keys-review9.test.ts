// Review round 9: a crypto provider whose importKey answers with something that is not a key.
import { describe, expect, it } from 'vitest'
import { providerAnswering } from '../../helpers/crypto-override.js'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { verifyWIT, createWIT } from '../../../src/wit/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { staticTrustBundles } from '../../../src/bundle/index.js'

const providerImporting = (answer: unknown): Crypto => providerAnswering('importKey', answer)

describe('importPublicJWK: a provider answering with no CryptoKey (review 9)', () => {
  it('is ERR_KEY_INVALID, and verifyWIT with an RSA issuer fails closed with a coded error', async () => {
    const rsa = await generateSigner('RS256', { kid: 'r' })
    const jwk = await rsa.publicJwk()
    for (const answer of [undefined, null, {}, 'key']) {
      await expect(importPublicJWK(jwk, 'RS256', providerImporting(answer))).rejects.toMatchObject({ name: 'VerificationError', code: 'ERR_KEY_INVALID' })
    }
    const workload = await generateSigner('ES256')
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer: rsa })
    const trustBundles = staticTrustBundles({ 'example.org': [jwk] })
    await expect(verifyWIT(wit, { trustBundles, crypto: providerImporting(undefined) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(verifyWIT(wit, { trustBundles })).resolves.toMatchObject({ trustDomain: 'example.org' })
  })
})
