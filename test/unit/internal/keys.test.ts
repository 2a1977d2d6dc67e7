import { describe, expect, it } from 'vitest'
import { cachedPublicKey, importPublicJWK } from '../../../src/internal/keys.js'
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
