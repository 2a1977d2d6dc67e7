// A small-order Ed25519 key in a trust bundle lets anyone mint WITs for the whole domain (every
// signature verifies under it): such a bundle is refused when configured or fetched, like a weak
// RSA key, not only when the key is used.
import { describe, expect, it } from 'vitest'
import { remoteTrustBundle, staticTrustBundles } from '../../../src/bundle/index.js'

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
const identity = new Uint8Array(32)
identity[0] = 1 // y = 1: the neutral element
const order2 = new Uint8Array(32).fill(0xff)
order2[0] = 0xec
order2[31] = 0x7f // y = p - 1
const small = [identity, order2].map((x) => ({ kty: 'OKP', crv: 'Ed25519', x: b64u(x), kid: 'k' }))

describe('bundle: small-order Ed25519 keys are refused up front', () => {
  it.each(small)('staticTrustBundles refuses %o with a coded TypeError', (jwk) => {
    expect(() => staticTrustBundles({ 'example.org': [jwk as never] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('a fetched bundle holding one is refused (ERR_BUNDLE_FETCH), a normal Ed25519 key is accepted', async () => {
    const fetched = (jwk: object) => remoteTrustBundle({
      urls: { 'example.org': 'https://bundle.example.org/' },
      fetch: async () => Response.json({ keys: [jwk] }),
    }).getBundle('example.org')
    await expect(fetched(small[0]!)).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
    const { publicKey } = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
    const good = await crypto.subtle.exportKey('jwk', publicKey)
    const bundle = await fetched({ kty: 'OKP', crv: 'Ed25519', x: good.x, kid: 'k' })
    expect(bundle?.keys).toHaveLength(1)
  })
})
