import { describe, expect, it } from 'vitest'
import { nodeCrypto } from '../../../src/adapters/node/crypto.js'

const data = new TextEncoder().encode('the quick brown fox')
const fast = nodeCrypto()
const web = globalThis.crypto

const cases: Array<{ name: string; gen: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm; sign: Algorithm | EcdsaParams | RsaPssParams }> = [
  { name: 'ES256', gen: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams, sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
  { name: 'ES384', gen: { name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams, sign: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams },
  { name: 'ES512', gen: { name: 'ECDSA', namedCurve: 'P-521' } as EcKeyGenParams, sign: { name: 'ECDSA', hash: 'SHA-512' } as EcdsaParams },
  { name: 'Ed25519', gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  { name: 'PS512', gen: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-512' } as RsaHashedKeyGenParams, sign: { name: 'RSA-PSS', saltLength: 64 } as RsaPssParams },
  { name: 'RS256', gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams, sign: { name: 'RSASSA-PKCS1-v1_5' } },
]

describe('nodeCrypto()', () => {
  it.each(cases)('$name: signatures interoperate with Web Crypto both ways', async ({ gen, sign }) => {
    const { privateKey, publicKey } = (await web.subtle.generateKey(gen, false, ['sign', 'verify'])) as CryptoKeyPair
    const s1 = await web.subtle.sign(sign, privateKey, data)
    expect(await fast.subtle.verify(sign, publicKey, s1, data)).toBe(true)
    const s2 = await fast.subtle.sign(sign, privateKey, data)
    expect(await web.subtle.verify(sign, publicKey, s2, data)).toBe(true)
    const tampered = new Uint8Array(s1)
    tampered[5]! ^= 1
    expect(await fast.subtle.verify(sign, publicKey, tampered, data)).toBe(false)
  })

  it('HMAC sign/verify matches Web Crypto', async () => {
    const key = await web.subtle.importKey('raw', new Uint8Array(32).fill(3), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    const a = new Uint8Array(await web.subtle.sign('HMAC', key, data))
    const b = new Uint8Array(await fast.subtle.sign('HMAC', key, data))
    expect(b).toEqual(a)
    expect(await fast.subtle.verify('HMAC', key, a, data)).toBe(true)
    expect(await fast.subtle.verify('HMAC', key, a.slice(1), data)).toBe(false)
  })

  it('digest matches Web Crypto and other calls are delegated', async () => {
    for (const alg of ['SHA-256', 'SHA-384', 'SHA-512']) {
      expect(new Uint8Array(await fast.subtle.digest(alg, data))).toEqual(new Uint8Array(await web.subtle.digest(alg, data)))
    }
    const pair = (await fast.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const jwk = await fast.subtle.exportKey('jwk', pair.publicKey)
    expect(jwk.crv).toBe('Ed25519')
    expect(fast.getRandomValues(new Uint8Array(4))).toHaveLength(4)
    expect(typeof fast.randomUUID()).toBe('string')
  })
})
