import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { jwkThumbprint } from '../../../src/signer/index.js'

// A fresh key per test so the thumbprint cache never answers first.
function freshOkp(): { kty: string; crv: string; x: string } {
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }
}

describe('jwkThumbprint: a failing crypto provider (review 9)', () => {
  it('a digest that throws is VerificationError ERR_KEY_INVALID with the cause kept', async () => {
    const boom = new Error('digest down')
    const crypto = { subtle: { digest: () => { throw boom } } } as unknown as Crypto
    const err = await jwkThumbprint(freshOkp(), crypto).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect(err).toMatchObject({ code: 'ERR_KEY_INVALID', cause: boom })
  })

  it('a digest that rejects, or answers with the wrong size, is ERR_KEY_INVALID and is not cached', async () => {
    const jwk = freshOkp()
    const rejecting = { subtle: { digest: () => Promise.reject(new Error('x')) } } as unknown as Crypto
    await expect(jwkThumbprint(jwk, rejecting)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const short = { subtle: { digest: () => Promise.resolve(new ArrayBuffer(4)) } } as unknown as Crypto
    await expect(jwkThumbprint(jwk, short)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(jwkThumbprint(jwk)).resolves.toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
