import { describe, expect, it } from 'vitest'
import { assertJWKMatchesAlg, cachedPublicKey, importPublicJWK } from '../../../src/internal/keys.js'
import { VerificationError } from '../../../src/errors/index.js'

async function publicJwk(): Promise<Record<string, unknown>> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return { kty, crv, x, y }
}

describe('internal/keys: import cache by JWK object', () => {
  it('serves the imported key for the same object while its members are unchanged', async () => {
    const jwk = await publicJwk()
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    const key = await importPublicJWK(jwk, 'ES256')
    await Promise.resolve()
    expect(cachedPublicKey(jwk, 'ES256')).toBe(key)
    expect(cachedPublicKey(jwk, 'ES384')).toBeUndefined()
    expect(cachedPublicKey(jwk, 'ES256', { subtle: crypto.subtle } as Crypto)).toBeUndefined()
  })

  it('serves a JWK frozen before its import without comparing, and still compares one frozen only later', async () => {
    const frozen = Object.freeze(await publicJwk())
    const key = await importPublicJWK(frozen, 'ES256')
    await Promise.resolve()
    expect(cachedPublicKey(frozen, 'ES256')).toBe(key)
    // Frozen after the values were read: a change made in between must still be noticed.
    const late = await publicJwk()
    await importPublicJWK(late, 'ES256')
    await Promise.resolve()
    late.x = (await publicJwk()).x
    Object.freeze(late)
    expect(cachedPublicKey(late, 'ES256')).toBeUndefined()
  })

  it('never serves a stale key after the object is mutated', async () => {
    const jwk = await publicJwk()
    const first = await importPublicJWK(jwk, 'ES256')
    await Promise.resolve()
    const other = await publicJwk()
    jwk.x = other.x
    jwk.y = other.y
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    const second = await importPublicJWK(jwk, 'ES256')
    expect(second).not.toBe(first)
    expect((await crypto.subtle.exportKey('jwk', second)).x).toBe(other.x)
    // a private member added later makes the object unusable again
    jwk.d = 'AAAA'
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toBeInstanceOf(VerificationError)
    delete jwk.d
    jwk.alg = 'ES384'
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})

describe('internal/keys: one spelling per EC / OKP key', () => {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
  const raw = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'))
  async function exported(params: EcKeyGenParams | Algorithm): Promise<Record<string, string>> {
    const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair
    return (await crypto.subtle.exportKey('jwk', pair.publicKey)) as Record<string, string>
  }
  function flipSpareBit(text: string): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    return text.slice(0, -1) + alphabet[alphabet.indexOf(text.at(-1)!) ^ 1]
  }

  it('refuses P-256 coordinates with a leading zero byte, padding or non-zero spare bits', async () => {
    const jwk = await exported({ name: 'ECDSA', namedCurve: 'P-256' })
    const good = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }
    await expect(importPublicJWK(good, 'ES256')).resolves.toBeDefined()
    const spellings = [
      { ...good, x: b64(new Uint8Array([0, ...raw(jwk.x!)])) },
      { ...good, y: jwk.y! + '=' },
      { ...good, x: flipSpareBit(jwk.x!) },
      { ...good, y: b64(raw(jwk.y!).subarray(1)) },
    ]
    for (const spelling of spellings) {
      await expect(importPublicJWK(spelling, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
      expect(() => assertJWKMatchesAlg(spelling, 'ES256')).toThrow(/canonical|bytes/)
    }
  })

  it('refuses an Ed25519 key with non-zero spare bits or the wrong length', async () => {
    const jwk = await exported({ name: 'Ed25519' })
    const good = { kty: 'OKP', crv: 'Ed25519', x: jwk.x! }
    await expect(importPublicJWK(good, 'EdDSA')).resolves.toBeDefined()
    await expect(importPublicJWK({ ...good, x: flipSpareBit(jwk.x!) }, 'EdDSA')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(importPublicJWK({ ...good, x: b64(new Uint8Array([...raw(jwk.x!), 0])) }, 'EdDSA')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
