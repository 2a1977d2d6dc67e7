// Interop with jose (an independent JWS/JWT implementation) in both directions, for every
// algorithm: WITs from createWIT verify with jose.jwtVerify (typ checked), WITs minted with jose's
// SignJWT verify with verifyWIT. Also a second Web Crypto provider (@peculiar/webcrypto).
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../src/bundle/index.js'
import type { JWSAlgorithm } from '../../src/signer/algorithms.js'
import { generateSigner, type PublicJWK } from '../../src/signer/index.js'
import { createWIT, verifyWIT } from '../../src/wit/index.js'

const NOW = 1_800_000_000
const clock = () => NOW * 1000
const SUB = 'wimse://example.org/interop/workload'
const ALGS: JWSAlgorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512']

async function workloadKey(): Promise<PublicJWK> {
  return (await generateSigner('ES256')).publicJwk()
}

describe.each(ALGS)('%s', (alg) => {
  it('createWIT → jose.jwtVerify (typ wit+jwt enforced)', async () => {
    const signer = await generateSigner(alg, { kid: `kid-${alg}` })
    const cnf = await workloadKey()
    const token = await createWIT({ sub: SUB, publicJwk: cnf, iss: 'https://id.example.org' }, { signer, clock })
    const key = await importJWK({ ...(await signer.publicJwk()) } as never, alg)
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      typ: 'wit+jwt',
      algorithms: [alg],
      issuer: 'https://id.example.org',
      subject: SUB,
      currentDate: new Date(NOW * 1000),
      requiredClaims: ['exp', 'cnf'],
    })
    expect(protectedHeader).toEqual({ alg, kid: `kid-${alg}`, typ: 'wit+jwt' })
    expect(payload.cnf).toEqual({ jwk: { ...cnf } })
    // jose refuses the token under another typ, so our typ is what it checks.
    await expect(jwtVerify(token, key, { typ: 'JWT', currentDate: new Date(NOW * 1000) })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' })
  })

  it('jose SignJWT → verifyWIT', async () => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    const jwk = { ...(await exportJWK(publicKey)), kid: `jose-${alg}` } as PublicJWK
    const cnf = await workloadKey()
    const token = await new SignJWT({ cnf: { jwk: cnf } })
      .setProtectedHeader({ alg, kid: `jose-${alg}`, typ: 'wit+jwt' })
      .setSubject(SUB)
      .setIssuedAt(NOW - 10)
      .setExpirationTime(NOW + 3600)
      .setJti('jose-minted')
      .sign(privateKey)
    const trustBundles = staticTrustBundles({ 'example.org': [jwk] })
    const wit = await verifyWIT(token, { trustBundles, clock })
    expect(wit.id).toBe(SUB)
    expect(wit.issuerKid).toBe(`jose-${alg}`)
    expect(wit.header.alg).toBe(alg)
    expect(wit.key).toEqual(cnf)
  })
})

describe('second Web Crypto provider (@peculiar/webcrypto)', () => {
  const peculiar = new PeculiarCrypto()

  it.each(['ES256', 'ES384', 'PS256', 'RS256'] as const)('verifies a %s WIT with crypto: @peculiar/webcrypto', async (alg) => {
    const signer = await generateSigner(alg, { kid: 'k' })
    const token = await createWIT({ sub: SUB, publicJwk: await workloadKey() }, { signer, clock, crypto: peculiar })
    const trustBundles = staticTrustBundles({ 'example.org': [await signer.publicJwk()] })
    await expect(verifyWIT(token, { trustBundles, clock, crypto: peculiar })).resolves.toMatchObject({ id: SUB })
  })

  it('signs with @peculiar/webcrypto keys and verifies with the platform', async () => {
    const signer = await generateSigner('ES256', { kid: 'p', crypto: peculiar })
    const token = await createWIT({ sub: SUB, publicJwk: await workloadKey() }, { signer, clock })
    const trustBundles = staticTrustBundles({ 'example.org': [await signer.publicJwk()] })
    await expect(verifyWIT(token, { trustBundles, clock })).resolves.toMatchObject({ issuerKid: 'p' })
  })
})
