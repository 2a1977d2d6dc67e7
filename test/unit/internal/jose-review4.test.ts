// Review round 4 regressions for the JOSE core (internal/jws, keys, time).
import { describe, expect, it } from 'vitest'
import { nodeCrypto } from '../../../src/adapters/node/crypto.js'
import { encode } from '../../../src/internal/base64url.js'
import { checkJWSSignature, parseCompactJWS } from '../../../src/internal/jws.js'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { nowSeconds } from '../../../src/internal/time.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { bundlesFor, TD } from '../../helpers/wit.js'

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
