// Review round 4 regressions for the JOSE core (internal/jws, keys, time).
import { describe, expect, it } from 'vitest'
import { nodeCrypto } from '../../../src/adapters/node/crypto.js'
import { verifyAccessToken } from '../../../src/access-token/index.js'
import type { JWSAlgorithm } from '../../../src/signer/algorithms.js'
import { encode } from '../../../src/internal/base64url.js'
import { checkJWSSignature, parseCompactJWS, typMatches } from '../../../src/internal/jws.js'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { nowSeconds } from '../../../src/internal/time.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, part, TD, workloadJwk } from '../../helpers/wit.js'

const opts = { maxBytes: 16_384, code: 'ERR_WIT_INVALID' as const, what: 'WIT' }
const verifyWith = (token: string, key: CryptoKey, provider: Crypto): Promise<string> =>
  Promise.resolve()
    .then(() => checkJWSSignature(parseCompactJWS(token, opts), 'PS256', key, { code: 'ERR_WIT_SIGNATURE', what: 'WIT', crypto: provider }))
    .then(() => 'accepted', (e: { code?: string }) => String(e.code))

describe('internal/jws: RSA signatures are exactly as long as the modulus (RFC 8017 §8.1.2)', () => {
  it('refuses a PS256 signature whose leading zero byte was dropped, with either provider', async () => {
    const params = { name: 'RSA-PSS', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }
    const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair
    const { n, e } = await crypto.subtle.exportKey('jwk', pair.publicKey)
    const key = await importPublicJWK({ kty: 'RSA', n, e }, 'PS256')
    // PSS is randomised: sign until a signature starts with a zero byte (1 in 256).
    let input = ''
    let signature: Uint8Array | undefined
    for (let i = 0; i < 8192 && signature === undefined; i++) {
      input = `${encode(JSON.stringify({ alg: 'PS256', typ: 'wit+jwt' }))}.${encode(JSON.stringify({ i }))}`
      const s = new Uint8Array(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pair.privateKey, new TextEncoder().encode(input)))
      if (s[0] === 0) signature = s
    }
    expect(signature).toBeDefined()
    for (const provider of [globalThis.crypto, nodeCrypto()]) {
      expect(await verifyWith(`${input}.${encode(signature!)}`, key, provider)).toBe('accepted')
      expect(await verifyWith(`${input}.${encode(signature!.subarray(1))}`, key, provider)).toBe('ERR_WIT_SIGNATURE')
      expect(await verifyWith(`${input}.${encode(Uint8Array.of(0, ...signature!))}`, key, provider)).toBe('ERR_WIT_SIGNATURE')
    }
  }, 30_000)
})

describe('internal/time: a clock that returns no finite time is a coded option error', () => {
  it('nowSeconds throws ERR_INVALID_ARG_VALUE, and so does a verifier using it', async () => {
    for (const bad of [Number.NaN, Infinity, '1800000000000', undefined]) {
      expect(() => nowSeconds(() => bad as number)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(nowSeconds(() => 1_800_000_000_999)).toBe(1_800_000_000)
    const issuer = await generateSigner('ES256', { kid: 'k' })
    const wit = await createWIT({ sub: `wimse://${TD}/a`, publicJwk: await (await generateSigner('ES256')).publicJwk() }, { signer: issuer })
    const trustBundles = bundlesFor([TD, [await issuer.publicJwk()]])
    await expect(verifyWIT(wit, { trustBundles, clock: () => Number.NaN })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('internal/oauth-jwt: a CryptoKey from a key resolver must be a key for the header alg (RFC 8725 §3.1)', () => {
  const now = 1_800_000_000
  const rsa = (name: string, hash: string, modulusLength = 2048) =>
    crypto.subtle.generateKey({ name, hash, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>
  async function accessToken(alg: string, privateKey: CryptoKey, params: AlgorithmIdentifier | RsaPssParams | EcdsaParams): Promise<string> {
    const claims = { iss: 'https://as.example', sub: 'u', aud: 'https://rs.example', iat: now, exp: now + 60, jti: 'j', client_id: 'c' }
    const input = `${encode(JSON.stringify({ alg, typ: 'at+jwt' }))}.${encode(JSON.stringify(claims))}`
    return `${input}.${encode(new Uint8Array(await crypto.subtle.sign(params, privateKey, new TextEncoder().encode(input))))}`
  }
  const verify = (token: string, key: CryptoKey, algorithms?: JWSAlgorithm[]): Promise<string> =>
    verifyAccessToken(token, { issuer: 'https://as.example', audience: 'https://rs.example', keys: async () => key, clock: () => now * 1000, ...(algorithms ? { algorithms } : {}) })
      .then(() => 'accepted', (e: { code?: string }) => String(e.code))

  it('refuses an RS256 token checked with a key imported for SHA-1 (the allow-list named RS256 only)', async () => {
    const sha1 = await rsa('RSASSA-PKCS1-v1_5', 'SHA-1')
    expect(await verify(await accessToken('RS256', sha1.privateKey, 'RSASSA-PKCS1-v1_5'), sha1.publicKey, ['RS256'])).toBe('ERR_KEY_INVALID')
  })

  it('refuses an RS256 token checked with an RS512 key, and a 1024-bit RSA key', async () => {
    const sha512 = await rsa('RSASSA-PKCS1-v1_5', 'SHA-512')
    expect(await verify(await accessToken('RS256', sha512.privateKey, 'RSASSA-PKCS1-v1_5'), sha512.publicKey)).toBe('ERR_KEY_INVALID')
    expect(await verify(await accessToken('RS512', sha512.privateKey, 'RSASSA-PKCS1-v1_5'), sha512.publicKey)).toBe('accepted')
    const small = await rsa('RSASSA-PKCS1-v1_5', 'SHA-256', 1024)
    expect(await verify(await accessToken('RS256', small.privateKey, 'RSASSA-PKCS1-v1_5'), small.publicKey)).toBe('ERR_KEY_INVALID')
  })

  it('still accepts fitting EC and Ed25519 keys, and refuses one of another curve', async () => {
    const p256 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const p384 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const ed = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair
    expect(await verify(await accessToken('ES256', p256.privateKey, { name: 'ECDSA', hash: 'SHA-256' }), p256.publicKey)).toBe('accepted')
    expect(await verify(await accessToken('EdDSA', ed.privateKey, 'Ed25519'), ed.publicKey)).toBe('accepted')
    expect(await verify(await accessToken('ES256', p384.privateKey, { name: 'ECDSA', hash: 'SHA-256' }), p384.publicKey)).toBe('ERR_KEY_INVALID')
  })
})

describe('internal/jws: typ compares case-insensitively in ASCII only', () => {
  it('accepts ASCII case and the application/ prefix, refuses the Kelvin sign and other non-ASCII folds', () => {
    expect(typMatches('txntoken+jwt', 'txntoken+jwt')).toBe(true)
    expect(typMatches('TxnToken+JWT', 'txntoken+jwt')).toBe(true)
    expect(typMatches('Application/TXNTOKEN+jwt', 'txntoken+jwt')).toBe(true)
    expect(typMatches('txntoKen+jwt'.replace('K', '\u212a'), 'txntoken+jwt')).toBe(false)
    expect(typMatches('application/txntoKen+jwt'.replace('K', '\u212a'), 'txntoken+jwt')).toBe(false)
    expect(typMatches('WIT+JWT\u0000', 'wit+jwt')).toBe(false)
  })
})

describe('internal/jws: a "synchronous" crypto provider that answers with a promise fails closed', () => {
  it('refuses every token instead of letting a forged WIT borrow the shared buffers of a good one', async () => {
    const iss = await issuer('ES256')
    const cnf = await workloadJwk()
    const good = await forge(baseHeader(iss.signer), baseClaims(cnf, { jti: 'good' }), iss.signer)
    // Same length as the good token, so its signing input fits the shared buffer view exactly.
    const forged = `${part(baseHeader(iss.signer))}.${part(baseClaims(cnf, { jti: 'evil' }))}.${encode(new Uint8Array(64).fill(1))}`
    expect(forged).toHaveLength(good.length)
    // Reads its arguments only after a timer: by then the good token's verification has overwritten them.
    const provider = {
      subtle: globalThis.crypto.subtle,
      getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
      [Symbol.for('agentauth.crypto.sync')]: {
        verify: (alg: Algorithm, key: CryptoKey, sig: Uint8Array, data: Uint8Array) =>
          new Promise((r) => setTimeout(r, 5)).then(() => globalThis.crypto.subtle.verify(alg, key, sig.slice(), data.slice())),
        digest: () => undefined,
      },
    } as unknown as Crypto
    const options = { trustBundles: bundlesFor([TD, [iss.jwk]]), clock: clockAt(NOW), crypto: provider }
    const [forgedResult, goodResult] = await Promise.all([
      verifyWIT(forged, options).then((w) => `accepted ${String(w.claims.jti)}`, (e: { code?: string }) => String(e.code)),
      new Promise((r) => setTimeout(r, 1)).then(() => verifyWIT(good, options)).then((w) => `accepted ${String(w.claims.jti)}`, (e: { code?: string }) => String(e.code)),
    ])
    expect(forgedResult).toBe('ERR_WIT_SIGNATURE')
    expect(goodResult).toBe('ERR_WIT_SIGNATURE')
    await new Promise((r) => setTimeout(r, 20)) // let the provider's promises settle
  })
})

describe('internal/oauth-jwt: { bundles, trustDomain } keys come from that trust domain only', () => {
  it("refuses a bundle the source returns for another trust domain, and a null answer, with ERR_KEY_NOT_FOUND", async () => {
    const now = 1_800_000_000
    const signer = await generateSigner('ES256', { kid: 'k' })
    const jwk = await signer.publicJwk()
    const claims = { iss: 'https://as.example', sub: 'u', aud: 'https://rs.example', iat: now, exp: now + 60, jti: 'j', client_id: 'c' }
    const token = await createCompactJWS({ typ: 'at+jwt' }, claims, signer)
    const verify = (bundles: unknown): Promise<string> =>
      verifyAccessToken(token, { issuer: 'https://as.example', audience: 'https://rs.example', keys: { bundles: bundles as never, trustDomain: 'as.example' }, clock: () => now * 1000 })
        .then(() => 'accepted', (e: { code?: string }) => String(e.code))
    expect(await verify({ getBundle: async () => ({ trustDomain: 'as.example', keys: [jwk] }) })).toBe('accepted')
    expect(await verify({ getBundle: async () => ({ trustDomain: 'other.example', keys: [jwk] }) })).toBe('ERR_KEY_NOT_FOUND')
    expect(await verify({ getBundle: async () => null })).toBe('ERR_KEY_NOT_FOUND')
    expect(await verify({
      getBundle: async () => ({ trustDomain: 'as.example', keys: [] }),
      refresh: async () => ({ trustDomain: 'other.example', keys: [jwk] }),
    })).toBe('ERR_KEY_NOT_FOUND')
  })
})
