import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { parseCompactJWS, verifyJWSSignature } from '../../../src/internal/jws.js'
import { importPublicJWK } from '../../../src/internal/keys.js'
import {
  JWS_ALGORITHMS,
  createCompactJWS,
  createCryptoKeySigner,
  createJWKSigner,
  generateSigner,
  type JWSAlgorithm,
  type PublicJWK,
} from '../../../src/signer/index.js'

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext']

function expectPublicOnly(jwk: PublicJWK): void {
  for (const m of PRIVATE) expect(Object.hasOwn(jwk, m), m).toBe(false)
  expect(Object.isFrozen(jwk)).toBe(true)
}

async function ecPair(extractable: boolean, curve = 'P-256'): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, extractable, ['sign', 'verify']) as Promise<CryptoKeyPair>
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

describe('createCryptoKeySigner', () => {
  it('signs with a non-extractable key and publishes a public-only JWK with alg and kid', async () => {
    const { privateKey, publicKey } = await ecPair(false)
    const signer = createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256', kid: 'k1' })
    expect(signer.alg).toBe('ES256')
    expect(signer.kid).toBe('k1')
    expect(Object.isFrozen(signer)).toBe(true)
    const jwk = await signer.publicJwk()
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1' })
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'x', 'y'])
    expectPublicOnly(jwk)
    expect(await signer.publicJwk()).toBe(jwk)
    const jws = await createCompactJWS({ typ: 'JWT' }, { sub: 'x' }, signer)
    const parsed = parseCompactJWS(jws, { maxBytes: 4096, code: 'ERR_JWS_INVALID', what: 'JWS' })
    expect(parsed.header).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
    await verifyJWSSignature(parsed, 'ES256', await importPublicJWK(jwk, 'ES256'), { code: 'ERR_JWS_SIGNATURE', what: 'JWS' })
  })

  it('refuses an extractable private key unless allowExtractable is set', async () => {
    const { privateKey, publicKey } = await ecPair(true)
    expect(code(() => createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256' }))).toBe('ERR_INVALID_ARG_VALUE')
    const signer = createCryptoKeySigner({ privateKey, alg: 'ES256', allowExtractable: true })
    const jwk = await signer.publicJwk()
    expectPublicOnly(jwk)
    expect(jwk.kid).toBeUndefined()
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kty', 'x', 'y'])
  })

  it('requires publicKey when the private key is not extractable', async () => {
    const { privateKey } = await ecPair(false)
    expect(() => createCryptoKeySigner({ privateKey, alg: 'ES256' })).toThrow(/publicKey is required/)
  })

  it('requires an extractable public key', async () => {
    const { privateKey } = await ecPair(false)
    const pair = await ecPair(false)
    const raw = await crypto.subtle.exportKey('raw', pair.publicKey)
    const hidden = await crypto.subtle.importKey('raw', raw, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    expect(code(() => createCryptoKeySigner({ privateKey, publicKey: hidden, alg: 'ES256' }))).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('checks key/alg compatibility eagerly', async () => {
    const p256 = await ecPair(false)
    const p384 = await ecPair(false, 'P-384')
    expect(code(() => createCryptoKeySigner({ privateKey: p256.privateKey, publicKey: p256.publicKey, alg: 'ES384' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: p384.privateKey, publicKey: p256.publicKey, alg: 'ES384' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: p256.publicKey, publicKey: p256.publicKey, alg: 'ES256' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: p256.privateKey, publicKey: p256.publicKey, alg: 'EdDSA' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: p256.privateKey, publicKey: p256.publicKey, alg: 'HS256' as JWSAlgorithm }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: {} as CryptoKey, publicKey: p256.publicKey, alg: 'ES256' }))).toBe('ERR_INVALID_ARG_TYPE')
    expect(code(() => createCryptoKeySigner({ privateKey: p256.privateKey, publicKey: p256.publicKey, alg: 'ES256', kid: '' }))).toBe('ERR_INVALID_ARG_VALUE')
    const pss = await crypto.subtle.generateKey({ name: 'RSA-PSS', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['sign', 'verify'])
    expect(code(() => createCryptoKeySigner({ privateKey: pss.privateKey, publicKey: pss.publicKey, alg: 'PS384' }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => createCryptoKeySigner({ privateKey: pss.privateKey, publicKey: pss.publicKey, alg: 'RS256' }))).toBe('ERR_INVALID_ARG_VALUE')
    const small = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['sign', 'verify'])
    expect(() => createCryptoKeySigner({ privateKey: small.privateKey, publicKey: small.publicKey, alg: 'RS256' })).toThrow(/2048/)
  })

  it('detects a public key that does not belong to the private key', async () => {
    const a = await ecPair(false)
    const b = await ecPair(true)
    const signer = createCryptoKeySigner({ privateKey: a.privateKey, publicKey: b.publicKey, alg: 'ES256' })
    await expect(signer.publicJwk()).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    await expect(signer.publicJwk()).rejects.toBeInstanceOf(SignerError)
  })

  it('rejects an already aborted sign call with ERR_SIGNER_FAILED', async () => {
    const signer = await generateSigner('ES256')
    await expect(signer.sign(new Uint8Array(1), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
})

describe('generateSigner', () => {
  it.each(JWS_ALGORITHMS)('%s: non-extractable key, public-only JWK, verifiable JWS', async (alg) => {
    const signer = await generateSigner(alg, { kid: `kid-${alg}` })
    expect('exportPrivateJwk' in signer).toBe(false)
    const jwk = await signer.publicJwk()
    expectPublicOnly(jwk)
    expect(jwk.alg).toBe(alg)
    const jws = await createCompactJWS({}, { n: 1 }, signer)
    const opts = { maxBytes: 8192, code: 'ERR_JWS_INVALID', what: 'JWS' } as const
    const key = await importPublicJWK(jwk, alg)
    await verifyJWSSignature(parseCompactJWS(jws, opts), alg, key, { code: 'ERR_JWS_SIGNATURE', what: 'JWS' })
    const parsed = parseCompactJWS(jws.replace(/\.[^.]*\./, `.${'eyJ4IjoxfQ'}.`), { maxBytes: 8192, code: 'ERR_JWS_INVALID', what: 'JWS' })
    await expect(verifyJWSSignature(parsed, alg, key, { code: 'ERR_JWS_SIGNATURE', what: 'JWS' })).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' })
  })

  it('exports the private JWK only when extractable is requested, and createJWKSigner re-imports it', async () => {
    const dev = await generateSigner('ES384', { kid: 'dev', extractable: true })
    const priv = await dev.exportPrivateJwk()
    expect(priv).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', kid: 'dev' })
    expect(typeof priv.d).toBe('string')
    expectPublicOnly(await dev.publicJwk())
    const again = await createJWKSigner({ privateJwk: priv })
    expect(again.alg).toBe('ES384')
    expect(again.kid).toBe('dev')
    const { d: _d, key_ops: _ops, ext: _ext, ...pub } = priv as Record<string, unknown>
    expect(await again.publicJwk()).toEqual(pub)
  })

  it('rejects bad options with coded TypeErrors', async () => {
    await expect(generateSigner('none' as JWSAlgorithm)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(generateSigner('ES256', { extractable: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})

describe('createJWKSigner', () => {
  it('refuses public JWKs, contradictory alg and wrong key types', async () => {
    const dev = await generateSigner('ES256', { extractable: true })
    const priv = await dev.exportPrivateJwk()
    const { d: _d, ...pub } = priv as Record<string, unknown>
    await expect(createJWKSigner({ privateJwk: pub })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createJWKSigner({ privateJwk: priv, alg: 'ES384' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createJWKSigner({ privateJwk: { ...priv, alg: undefined }, alg: 'RS256' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createJWKSigner({ privateJwk: { ...priv, alg: undefined } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(createJWKSigner({ privateJwk: { ...priv, d: 'AAAA' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})
