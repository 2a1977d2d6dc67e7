import { describe, expect, it } from 'vitest'
import { cachedPublicKey, importPublicJWK } from '../../../src/internal/keys.js'

async function publicJwk(): Promise<Record<string, unknown>> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return { kty, crv, x, y }
}

describe('internal/keys: key cache and key_ops changed in place', () => {
  it('does not serve the cached key once the same key_ops array no longer lists verify', async () => {
    const jwk = { ...(await publicJwk()), key_ops: ['verify'] }
    await importPublicJWK(jwk, 'ES256')
    await Promise.resolve()
    expect(cachedPublicKey(jwk, 'ES256')).toBeDefined()
    jwk.key_ops[0] = 'encrypt'
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    jwk.key_ops[0] = 'verify'
    await importPublicJWK(jwk, 'ES256')
    await Promise.resolve()
    jwk.key_ops.length = 0
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('compares key_ops of a frozen JWK whose array was not frozen', async () => {
    const ops = ['verify']
    const jwk = Object.freeze({ ...(await publicJwk()), key_ops: ops })
    await importPublicJWK(jwk, 'ES256')
    await Promise.resolve()
    expect(cachedPublicKey(jwk, 'ES256')).toBeDefined()
    ops.splice(0, 1, 'encrypt')
    expect(cachedPublicKey(jwk, 'ES256')).toBeUndefined()
    await expect(importPublicJWK(jwk, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})

describe('internal/keys: a crypto provider whose importKey throws', () => {
  it('rejects with ERR_KEY_INVALID (the cause kept) instead of throwing its raw error synchronously', async () => {
    const thrown = new Error('provider broke')
    const provider = { subtle: { importKey: () => { throw thrown } } } as unknown as Crypto
    const jwk = await publicJwk()
    let result: Promise<CryptoKey> | undefined
    expect(() => { result = importPublicJWK(jwk, 'ES256', provider) }).not.toThrow()
    await expect(result).rejects.toMatchObject({ code: 'ERR_KEY_INVALID', cause: thrown })
    // not cached: a provider that recovers imports the key
    const recovered = { subtle: crypto.subtle } as unknown as Crypto
    await expect(importPublicJWK(jwk, 'ES256', recovered)).resolves.toBeDefined()
  })
})
