import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { generateSigner } from '../../../src/signer/index.js'

// A provider that generates and signs like the real one but cannot export private keys (an HSM-backed
// Web Crypto, a broken polyfill).
function providerFailingExport(answer: 'throw' | 'garbage'): Crypto {
  const real = globalThis.crypto.subtle
  const boom = new Error('export refused')
  const subtle = {
    generateKey: real.generateKey.bind(real),
    sign: real.sign.bind(real),
    verify: real.verify.bind(real),
    importKey: real.importKey.bind(real),
    digest: real.digest.bind(real),
    exportKey: (format: 'jwk', key: CryptoKey) => {
      if (key.type !== 'private') return real.exportKey(format, key)
      if (answer === 'throw') throw boom
      return Promise.resolve({ kty: 'EC' })
    },
  }
  return { subtle, getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) } as unknown as Crypto
}

describe('generateSigner: exportPrivateJwk when the provider cannot export (review 9)', () => {
  it('a throwing exportKey is SignerError ERR_SIGNER_FAILED with the cause', async () => {
    const signer = await generateSigner('ES256', { extractable: true, crypto: providerFailingExport('throw') })
    const err = await signer.exportPrivateJwk().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    expect((err as Error).cause).toMatchObject({ message: 'export refused' })
  })

  it('an export without d is ERR_SIGNER_FAILED, not a "private" JWK without the private key', async () => {
    const signer = await generateSigner('ES256', { extractable: true, crypto: providerFailingExport('garbage') })
    await expect(signer.exportPrivateJwk()).rejects.toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED' })
    const ok = await generateSigner('ES256', { extractable: true, kid: 'k' })
    await expect(ok.exportPrivateJwk()).resolves.toMatchObject({ kty: 'EC', alg: 'ES256', kid: 'k', d: expect.any(String) })
  })
})
