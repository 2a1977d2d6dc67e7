// Review round 4: small-order Ed25519 keys are refused wherever a key is accepted (cnf.jwk, imports).
import { describe, expect, it } from 'vitest'
import { encode } from '../../../src/internal/base64url.js'
import { importPublicJWK, isSmallOrderEd25519 } from '../../../src/internal/keys.js'
import { createWIT, decodeWIT, verifyWIT } from '../../../src/wit/index.js'
import { verifyWPT } from '../../../src/wpt/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, part, TD } from '../../helpers/wit.js'

const P = 2n ** 255n - 19n
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n
const le = (y: bigint, sign = false): Uint8Array => {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn)
  if (sign) out[31]! |= 0x80
  return out
}
const SMALL = [0n, 1n, Y8, P - Y8, P - 1n, P, P + 1n].flatMap((y) => [le(y), le(y, true)])
const okp = (x: Uint8Array) => ({ kty: 'OKP', crv: 'Ed25519', x: encode(x), alg: 'EdDSA' })

describe('small-order Ed25519 keys (anyone can "sign" under them)', () => {
  it('isSmallOrderEd25519 names exactly the torsion points, with either sign bit', async () => {
    for (const x of SMALL) expect(isSmallOrderEd25519(x)).toBe(true)
    const real = (await crypto.subtle.exportKey('jwk', ((await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair).publicKey)).x!
    expect(isSmallOrderEd25519(Buffer.from(real, 'base64url'))).toBe(false)
    expect(isSmallOrderEd25519(le(2n))).toBe(false)
  })

  it('refuses them as cnf.jwk (verifyWIT, decodeWIT, createWIT) and on import (bundles, WPT, HTTP signatures)', async () => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    for (const x of [le(1n), le(P - 1n), le(Y8, true)]) {
      const wit = await forge(baseHeader(iss.signer), baseClaims(okp(x) as never), iss.signer)
      await expect(verifyWIT(wit, { trustBundles, clock: clockAt(NOW) })).rejects.toMatchObject({ code: 'ERR_WIT_CNF_INVALID' })
      expect(() => decodeWIT(wit)).toThrow(expect.objectContaining({ code: 'ERR_WIT_CNF_INVALID' }))
      await expect(createWIT({ sub: 'wimse://example.org/a', publicJwk: okp(x) as never }, { signer: iss.signer })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(importPublicJWK(okp(x), 'EdDSA')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
      await expect(importPublicJWK(okp(x), 'Ed25519')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    }
  })

  it('a WPT "signed" with R = identity, S = 0 never verifies against such a key', async () => {
    const iss = await issuer('ES256')
    const wit = await forge(baseHeader(iss.signer), baseClaims(okp(le(1n)) as never), iss.signer)
    // What the old code accepted: the WIT, then a proof nobody signed.
    const verified = await verifyWIT(wit, { trustBundles: bundlesFor([TD, [iss.jwk]]), clock: clockAt(NOW) }).catch(() => undefined)
    expect(verified).toBeUndefined()
    const key = okp(le(1n))
    const fakeWIT = Object.freeze({ token: wit, header: {}, claims: { exp: NOW + 600 }, id: 'wimse://example.org/payments/api', trustDomain: TD, key, proofAlgorithm: 'EdDSA', issuerKid: undefined })
    const sig = new Uint8Array(64)
    sig[0] = 1
    const wth = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(wit))).toString('base64url')
    const wpt = `${part({ alg: 'EdDSA', typ: 'wpt+jwt' })}.${part({ aud: 'https://api.example.org/x', exp: NOW + 60, jti: 'j', wth })}.${encode(sig)}`
    await expect(verifyWPT(wpt, { wit: fakeWIT as never, uri: 'https://api.example.org/x', clock: clockAt(NOW) })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
