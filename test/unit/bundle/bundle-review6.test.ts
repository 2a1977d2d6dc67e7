// Review round 6 regressions for agentauth/bundle.
import { describe, expect, it } from 'vitest'
import { remoteTrustBundle, selectKey, type TrustBundle } from '../../../src/bundle/index.js'

const ec = (kid: string, use?: string) => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid, ...(use === undefined ? {} : { use }) })

describe('selectKey: a key with an unknown use is never selected for a JWS unless asked for (SPIFFE Trust Domain and Bundle §4.2.2, docs/specs.md)', () => {
  const bundle = { trustDomain: 'example.org', keys: [ec('future', 'future-svid'), ec('typo', 'SIG')] } as unknown as TrustBundle

  it.each(['future', 'typo'])('kid %s is not selected without a use list', (kid) => {
    expect(() => selectKey(bundle, { kid, alg: 'ES256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }))
  })

  it('nor as the single key of a bundle without a kid in the token', () => {
    expect(() => selectKey({ trustDomain: 't', keys: [ec('future', 'future-svid')] } as unknown as TrustBundle, { alg: 'ES256' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }),
    )
  })

  it.each([undefined, 'sig', 'jwt-svid', 'wit-svid'])('a key with use %s still fits without a use list', (use) => {
    expect(selectKey({ trustDomain: 't', keys: [ec('k', use)] } as unknown as TrustBundle, { alg: 'ES256' }).kid).toBe('k')
  })

  it('a caller naming the use explicitly still gets the key', () => {
    expect(selectKey(bundle, { kid: 'future', alg: 'ES256', use: 'future-svid' }).kid).toBe('future')
  })

  it('a fetched SPIFFE bundle with an unknown-use key does not let that key verify', async () => {
    const source = remoteTrustBundle({
      urls: { 'example.org': 'https://bundle.example.org/' },
      format: 'spiffe',
      fetch: async () => new Response(JSON.stringify({ keys: [ec('w', 'wit-svid'), ec('f', 'future-svid')] }), { status: 200 }),
    })
    const fetched = (await source.getBundle('example.org'))!
    expect(selectKey(fetched, { kid: 'w', alg: 'ES256' }).kid).toBe('w')
    expect(() => selectKey(fetched, { kid: 'f', alg: 'ES256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }))
  })
})
