import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'

describe('createWIT: a failing random source (review 9)', () => {
  it('getRandomValues throwing is SignerError ERR_SIGNER_FAILED with the cause kept', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const workload = await generateSigner('EdDSA')
    const boom = new Error('no entropy')
    const crypto = { subtle: globalThis.crypto.subtle, getRandomValues: () => { throw boom } } as unknown as Crypto
    const err = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer: issuer, crypto }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause: boom })
  })

  it('a getRandomValues that fills the array but returns something else still gives a 128-bit jti', async () => {
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const workload = await generateSigner('EdDSA')
    const crypto = { subtle: globalThis.crypto.subtle, getRandomValues: (a: Uint8Array<ArrayBuffer>) => { globalThis.crypto.getRandomValues(a); return undefined } } as unknown as Crypto
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer: issuer, crypto })
    const payload = JSON.parse(Buffer.from(wit.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })
})
