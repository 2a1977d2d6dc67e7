// Our Signer + createCompactJWS against jose (an independent JOSE implementation), both ways.
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'
import { SignJWT, compactVerify, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseCompactJWS, verifyJWSSignature } from '../../src/internal/jws.js'
import { importPublicJWK } from '../../src/internal/keys.js'
import { ALGORITHMS, JWS_ALGORITHMS, createCompactJWS, createCryptoKeySigner, derToJoseSignature, type JWSAlgorithm, type PublicJWK, type Signer } from '../../src/signer/index.js'

import { sharedRSAPrivateJWK, testSigner } from '../helpers/signer-keys.js'

const PARSE = { maxBytes: 16_384, code: 'ERR_JWS_INVALID', what: 'JWS' } as const
const VERIFY = { code: 'ERR_JWS_SIGNATURE', what: 'JWS' } as const
const peculiar = new PeculiarCrypto() as unknown as Crypto
const publicPart = (jwk: JsonWebKey): JWK => ({ kty: jwk.kty!, n: jwk.n!, e: jwk.e! })

describe('our signer → jose', () => {
  it.each(JWS_ALGORITHMS)('%s: jose.compactVerify and jose.jwtVerify accept our JWS', async (alg) => {
    const signer = await testSigner(alg, { kid: `k-${alg}` })
    const jwk = await signer.publicJwk()
    const key = await importJWK(jwk as never, alg)
    const now = Math.floor(Date.now() / 1000)
    const jwt = await createCompactJWS({ typ: 'JWT' }, { sub: 'spiffe://example.org/svc', iat: now, exp: now + 60 }, signer)
    const { protectedHeader } = await compactVerify(jwt, key, { algorithms: [alg] })
    expect(protectedHeader).toEqual({ alg, kid: `k-${alg}`, typ: 'JWT' })
    const { payload } = await jwtVerify(jwt, key, { algorithms: [alg], typ: 'JWT' })
    expect(payload.sub).toBe('spiffe://example.org/svc')
    const tampered = jwt.slice(0, -4) + (jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await expect(compactVerify(tampered, key)).rejects.toThrow()
  })
})

describe('jose → our verifier (src/internal/jws.ts + keys.ts)', () => {
  it.each(JWS_ALGORITHMS)('%s: a jose-signed JWT verifies with parseCompactJWS/verifyJWSSignature', async (alg) => {
    const { privateKey, publicKey } = ALGORITHMS[alg].kty === 'RSA'
      ? { privateKey: await importJWK(sharedRSAPrivateJWK() as JWK, alg), publicKey: await importJWK(publicPart(sharedRSAPrivateJWK()), alg, { extractable: true }) }
      : await generateKeyPair(alg, { extractable: true })
    const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt().sign(privateKey)
    const jwk = { ...(await exportJWK(publicKey)), alg }
    const parsed = parseCompactJWS(jwt, PARSE)
    await verifyJWSSignature(parsed, alg, await importPublicJWK(jwk, alg), VERIFY)
    const [h, p, sig] = jwt.split('.') as [string, string, string]
    const flipped = sig.slice(0, 5) + (sig[5] === 'A' ? 'B' : 'A') + sig.slice(6)
    const wrong = parseCompactJWS(`${h}.${p}.${flipped}`, PARSE)
    await expect(verifyJWSSignature(wrong, alg, await importPublicJWK(jwk, alg), VERIFY)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' })
  })
})

describe('two Web Crypto providers: Node and @peculiar/webcrypto', () => {
  const verifyWith = async (jws: string, alg: JWSAlgorithm, jwk: Record<string, unknown>, provider: Crypto) => {
    const key = await importPublicJWK(jwk, alg, provider)
    await verifyJWSSignature(parseCompactJWS(jws, PARSE), alg, key, { ...VERIFY, crypto: provider })
  }

  it.each(JWS_ALGORITHMS)('%s: signed with @peculiar/webcrypto, verified with Node and jose', async (alg) => {
    const signer = await testSigner(alg, { kid: 'p', crypto: peculiar })
    const jwk = await signer.publicJwk()
    expect(Object.hasOwn(jwk, 'd')).toBe(false)
    const jws = await createCompactJWS({}, { n: 1 }, signer)
    await verifyWith(jws, alg, jwk, globalThis.crypto)
    await compactVerify(jws, await importJWK(jwk as never, alg))
  })

  it.each(JWS_ALGORITHMS)('%s: signed with Node Web Crypto, verified with @peculiar/webcrypto', async (alg) => {
    const signer = await testSigner(alg)
    const jws = await createCompactJWS({}, { n: 2 }, signer)
    await verifyWith(jws, alg, await signer.publicJwk() as Record<string, unknown>, peculiar)
  })

  it('createCryptoKeySigner accepts keys from the provider passed as crypto', async () => {
    const pair = await peculiar.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']) as CryptoKeyPair
    const signer = createCryptoKeySigner({ ...pair, alg: 'ES384', crypto: peculiar })
    const jws = await createCompactJWS({}, { n: 3 }, signer)
    await verifyWith(jws, 'ES384', await signer.publicJwk() as Record<string, unknown>, globalThis.crypto)
  })
})

describe('a KMS-style signer (DER output) → jose', () => {
  it('derToJoseSignature makes DER ECDSA output a valid JWS signature', async () => {
    const { createPrivateKey, generateKeyPairSync, sign } = await import('node:crypto')
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256' }
    const kms = { sign: async (message: Uint8Array) => new Uint8Array(sign('sha256', message, { key: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), dsaEncoding: 'der' })) }
    const signer: Signer = {
      alg: 'ES256',
      kid: 'kms-1',
      publicJwk: async () => jwk as PublicJWK,
      sign: async (input: Uint8Array) => derToJoseSignature(await kms.sign(input), 'ES256'),
    }
    const jws = await createCompactJWS({ typ: 'JWT' }, { sub: 'kms' }, signer)
    const { payload } = await jwtVerify(jws, await importJWK(jwk as never, 'ES256'))
    expect(payload.sub).toBe('kms')
  })
})
