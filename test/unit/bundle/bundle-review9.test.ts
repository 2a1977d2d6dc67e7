// Review round 9: documented defaults and limits of remoteTrustBundle at the boundary
// (limit accepted, limit + 1 refused), with a custom fetch.
import { describe, expect, it } from 'vitest'
import { remoteTrustBundle } from '../../../src/bundle/index.js'

const key = (kid: string) => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid })

function padTo(doc: Record<string, unknown>, bytes: number): string {
  const base = JSON.stringify({ ...doc, pad: '' })
  return JSON.stringify({ ...doc, pad: 'x'.repeat(bytes - base.length) })
}

function sourceServing(body: string | (() => string), extra: Record<string, unknown> = {}) {
  let fetches = 0
  const source = remoteTrustBundle({
    urls: { 'example.org': 'https://bundle.example.org/jwks' },
    fetch: async () => {
      fetches++
      return new Response(typeof body === 'string' ? body : body(), { status: 200, headers: { 'content-type': 'application/json' } })
    },
    ...extra,
  })
  return { source, fetches: () => fetches }
}

describe('remoteTrustBundle defaults at the boundary', () => {
  it('default maxBytes 262144: exactly 256 KiB accepted, one byte more refused', async () => {
    const ok = padTo({ keys: [key('a')] }, 262_144)
    expect(new TextEncoder().encode(ok).length).toBe(262_144)
    await expect(sourceServing(ok).source.getBundle('example.org')).resolves.toMatchObject({ trustDomain: 'example.org' })
    const big = padTo({ keys: [key('a')] }, 262_145)
    await expect(sourceServing(big).source.getBundle('example.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('default maxKeys 100: 100 keys accepted, 101 refused', async () => {
    const keys = (n: number) => JSON.stringify({ keys: Array.from({ length: n }, (_, i) => key(`k${i}`)) })
    expect((await sourceServing(keys(100)).source.getBundle('example.org'))?.keys).toHaveLength(100)
    await expect(sourceServing(keys(101)).source.getBundle('example.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('default maxAgeMs 300000 and cooldownMs 30000, in milliseconds', async () => {
    let t = 0
    const { source, fetches } = sourceServing(JSON.stringify({ keys: [key('a')] }), { clock: () => t })
    await source.getBundle('example.org')
    t = 299_999
    await source.getBundle('example.org')
    expect(fetches()).toBe(1)
    t = 300_000
    await source.getBundle('example.org')
    expect(fetches()).toBe(2)
    // refresh within the cooldown answers from memory; a kid-miss storm costs one fetch per 30 s
    t = 329_999
    for (let i = 0; i < 50; i++) await source.refresh('example.org')
    expect(fetches()).toBe(2)
    t = 330_000
    await Promise.all(Array.from({ length: 50 }, () => source.refresh('example.org')))
    expect(fetches()).toBe(3)
  })

  it('default maxStaleMs 3600000: served until max age + 1 h, then fails closed', async () => {
    let t = 0
    let fail = false
    const { source } = sourceServing(() => (fail ? '{"keys":"x"}' : JSON.stringify({ keys: [key('a')] })), { clock: () => t })
    await source.getBundle('example.org')
    fail = true
    t = 300_000 + 3_600_000 - 1
    await expect(source.getBundle('example.org')).resolves.toMatchObject({ trustDomain: 'example.org' })
    t = 300_000 + 3_600_000 + 30_000
    await expect(source.getBundle('example.org')).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })
})

describe('remoteTrustBundle: a signal that is not an AbortSignal', () => {
  // It reached addEventListener and failed with an uncoded TypeError ("signal.addEventListener is
  // not a function") once the bundle had to be loaded.
  for (const signal of ['x', 42, {}, null]) {
    it(`getBundle and refresh refuse signal ${JSON.stringify(signal)} with a coded TypeError`, async () => {
      const { source, fetches } = sourceServing(JSON.stringify({ keys: [key('a')] }))
      await expect(source.getBundle('example.org', { signal: signal as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
      await expect(source.refresh('example.org', { signal: signal as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
      expect(fetches()).toBe(0)
    })
  }

  it('a real signal and no options still work', async () => {
    const { source } = sourceServing(JSON.stringify({ keys: [key('a')] }))
    await expect(source.getBundle('example.org', { signal: new AbortController().signal })).resolves.toMatchObject({ trustDomain: 'example.org' })
    await expect(source.refresh('example.org')).resolves.toMatchObject({ trustDomain: 'example.org' })
  })
})
