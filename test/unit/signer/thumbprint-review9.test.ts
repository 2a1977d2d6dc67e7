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

describe('jwkThumbprint: one key, one thumbprint, also for the curve (review 9)', () => {
  it('an unknown curve (no known size) is ERR_KEY_INVALID instead of two thumbprints for one key', async () => {
    const x31 = Buffer.from(new Uint8Array(31).fill(7)).toString('base64url')
    const x32 = Buffer.concat([Buffer.from([0]), Buffer.from(new Uint8Array(31).fill(7))]).toString('base64url')
    for (const x of [x31, x32]) {
      await expect(jwkThumbprint({ kty: 'EC', crv: 'brainpoolP256r1', x, y: x })).rejects.toMatchObject({ name: 'VerificationError', code: 'ERR_KEY_INVALID' })
      await expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519ph', x })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    }
  })

  it('a curve of the other key type is ERR_KEY_INVALID; every registered curve at its size is accepted', async () => {
    const b = (n: number): string => Buffer.from(new Uint8Array(n).fill(1)).toString('base64url')
    await expect(jwkThumbprint({ kty: 'EC', crv: 'Ed25519', x: b(32), y: b(32) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(jwkThumbprint({ kty: 'OKP', crv: 'P-256', x: b(32) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    for (const [crv, n] of [['P-256', 32], ['P-384', 48], ['P-521', 66], ['secp256k1', 32]] as const) {
      await expect(jwkThumbprint({ kty: 'EC', crv, x: b(n), y: b(n) })).resolves.toHaveLength(43)
      await expect(jwkThumbprint({ kty: 'EC', crv, x: b(n + 1), y: b(n + 1) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    }
    for (const [crv, n] of [['Ed25519', 32], ['Ed448', 57], ['X25519', 32], ['X448', 56]] as const) {
      await expect(jwkThumbprint({ kty: 'OKP', crv, x: b(n) })).resolves.toHaveLength(43)
      await expect(jwkThumbprint({ kty: 'OKP', crv, x: b(n - 1) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    }
  })
})

describe('jwkThumbprint: the cache is bounded in bytes too (review 9)', () => {
  it('refuses required members over 4096 characters; a 16384-bit RSA key still has a thumbprint', async () => {
    const n = (bytes: number): string => Buffer.from(new Uint8Array(bytes).fill(0xc5)).toString('base64url')
    await expect(jwkThumbprint({ kty: 'RSA', n: n(2048), e: 'AQAB' })).resolves.toHaveLength(43)
    await expect(jwkThumbprint({ kty: 'RSA', n: n(1_000_000), e: 'AQAB' })).rejects.toMatchObject({ name: 'VerificationError', code: 'ERR_KEY_INVALID' })
    await expect(jwkThumbprint({ kty: 'RSA', n: n(3072), e: 'AQAB' })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
