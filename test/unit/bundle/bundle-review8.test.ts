// Review round 8 regressions for agentauth/bundle.
import { describe, expect, it } from 'vitest'
import { remoteTrustBundle, selectKey, staticTrustBundles } from '../../../src/bundle/index.js'
import type { PublicJWK } from '../../../src/signer/types.js'

const ec = (kid: string, use = 'jwt-svid') => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid, use })
// A key type this library does not know, with members no known type has (nested object, numbers,
// an array of objects, even a "d" and a kid that repeats another entry's).
const future = { kty: 'ML-DSA-FUTURE', use: 'jwt-svid', kid: 'k1', params: { set: 44 }, pub: [{ a: 1 }], d: 'x', size: 1312 }

describe('an entry of an unknown key type is ignored, not validated (SPIFFE Trust Domain and Bundle §4.2.1, RFC 7517 §5)', () => {
  it('static: the bundle is accepted (it was refused: member "params" must not be an object) and holds the known keys only', async () => {
    const source = staticTrustBundles({ 'example.org': { keys: [future as unknown as PublicJWK, ec('k1')] } })
    const bundle = await source.getBundle('example.org')
    expect(bundle!.keys).toEqual([ec('k1')])
    expect(selectKey(bundle!, { kid: 'k1', alg: 'ES256' }).kid).toBe('k1')
  })

  it('remote (SPIFFE format): the document is accepted instead of rejected whole', async () => {
    const doc = { spiffe_sequence: 3, keys: [ec('k1'), future] }
    const source = remoteTrustBundle({
      urls: { 'example.org': 'https://bundle.example.org/' },
      format: 'spiffe',
      fetch: async () => new Response(JSON.stringify(doc), { status: 200 }),
    })
    const bundle = await source.getBundle('example.org')
    expect(bundle!.keys.map((k) => k.kid)).toEqual(['k1'])
  })

  it.each([
    ['no kty', { use: 'jwt-svid', kid: 'x' }],
    ['an empty kty', { kty: '', kid: 'x' }],
    ['a kty that is not a string', { kty: 7, kid: 'x' }],
    ['a known kty with a private member', { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', d: 'eA' }],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0' }],
  ])('%s is still refused', (_, key) => {
    expect(() => staticTrustBundles({ 'example.org': [key as unknown as PublicJWK] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
