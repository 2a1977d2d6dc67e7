import { describe, expect, it } from 'vitest'
import { remoteTrustBundle, selectKey, type TrustBundle } from '../../../src/bundle/index.js'

const key = { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid: 'w', use: 'wit-svid' }

function spiffeSource(text: string) {
  let time = 1_000_000
  const source = remoteTrustBundle({
    urls: { 'example.org': 'https://bundle.example.org/' },
    format: 'spiffe',
    fetch: async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } }),
    clock: () => time,
    maxAgeMs: 60_000,
    cooldownMs: 1_000,
  })
  return { source, advance: (ms: number) => { time += ms } }
}

describe('remoteTrustBundle: SPIFFE spiffe_sequence / spiffe_refresh_hint (review 4)', () => {
  it.each([
    ['a string sequence', '"7"'],
    ['a negative sequence', '-1'],
    ['a fractional sequence', '1.5'],
    ['a null sequence', 'null'],
  ])('refuses %s also when the document has no spiffe_refresh_hint (docs: must be a non-negative integer)', async (_name, sequence) => {
    const { source } = spiffeSource(`{"keys":[${JSON.stringify(key)}],"spiffe_sequence":${sequence}}`)
    await expect(source.getBundle('example.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('accepts a 64-bit spiffe_sequence beyond 2^53 (SPIFFE Trust Domain and Bundle §4.1.1: at least 64 bits)', async () => {
    const { source } = spiffeSource(`{"keys":[${JSON.stringify(key)}],"spiffe_sequence":18446744073709551615,"spiffe_refresh_hint":300}`)
    const bundle = await source.getBundle('example.org')
    expect(bundle?.keys.map((k) => k.kid)).toEqual(['w'])
  })

  it('accepts a huge spiffe_refresh_hint and caps the cache age at maxAgeMs', async () => {
    let requests = 0
    let time = 1_000_000
    const source = remoteTrustBundle({
      urls: { 'example.org': 'https://bundle.example.org/' },
      format: 'spiffe',
      fetch: async () => {
        requests++
        return new Response(`{"keys":[${JSON.stringify(key)}],"spiffe_refresh_hint":1e300}`, { status: 200 })
      },
      clock: () => time,
      maxAgeMs: 60_000,
      cooldownMs: 1_000,
    })
    await source.getBundle('example.org')
    time += 60_000
    await source.getBundle('example.org')
    expect(requests).toBe(2)
  })
})

describe('selectKey: malformed input from a custom source or caller gets coded errors (review 4)', () => {
  const ec = { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid: 'a' }

  it.each([
    ['a bundle without keys array (a JWKS in keys)', { trustDomain: 't', keys: { keys: [ec] } }, { alg: 'ES256' }, 'ERR_INVALID_ARG_TYPE'],
    ['no bundle', undefined, { alg: 'ES256' }, 'ERR_INVALID_ARG_TYPE'],
    ['no options', { trustDomain: 't', keys: [ec] }, undefined, 'ERR_INVALID_ARG_TYPE'],
    ['a numeric use', { trustDomain: 't', keys: [{ ...ec, use: 'sig' }] }, { alg: 'ES256', use: 5 }, 'ERR_INVALID_ARG_VALUE'],
  ])('%s is a coded TypeError', (_name, bundle, options, code) => {
    expect(() => selectKey(bundle as unknown as TrustBundle, options as never)).toThrow(expect.objectContaining({ name: 'TypeError', code }))
  })

  it('skips entries that are not objects instead of crashing on them', () => {
    const bundle = { trustDomain: 't', keys: [null, 'x', ec] } as unknown as TrustBundle
    expect(selectKey(bundle, { alg: 'ES256' }).kid).toBe('a')
    expect(() => selectKey({ trustDomain: 't', keys: [null] } as unknown as TrustBundle, { alg: 'ES256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }))
  })
})
