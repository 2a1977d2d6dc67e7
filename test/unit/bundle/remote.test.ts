import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { remoteTrustBundle, selectKey, type RemoteTrustBundleOptions } from '../../../src/bundle/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { startBundleServer, type BundleServer } from '../../helpers/bundle-server.js'

const key = (kid: string, extra: Record<string, unknown> = {}) => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid, ...extra })

let server: BundleServer
let time: number
const clock = () => time

beforeEach(async () => {
  server = await startBundleServer()
  time = 1_000_000
})
afterEach(async () => {
  await server.close()
})

function source(extra: Partial<RemoteTrustBundleOptions> = {}) {
  return remoteTrustBundle({ urls: { 'example.org': server.url }, clock, maxAgeMs: 60_000, cooldownMs: 10_000, maxStaleMs: 30_000, ...extra })
}

async function rejection(p: Promise<unknown>): Promise<ProtocolError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    return err as ProtocolError
  }
  throw new Error('expected a rejection')
}

describe('remoteTrustBundle: caching and rotation', () => {
  it('fetches once, serves from cache until max age, then refetches and picks up rotation', async () => {
    server.serve({ keys: [key('k1')] })
    const s = source()
    const b1 = await s.getBundle('example.org')
    expect(b1).toEqual({ trustDomain: 'example.org', keys: [key('k1')] })
    expect(Object.isFrozen(b1)).toBe(true)
    time += 59_999
    expect(await s.getBundle('example.org')).toBe(b1)
    expect(server.requests).toBe(1)
    server.serve({ keys: [key('k2')] })
    time += 1
    const b2 = await s.getBundle('example.org')
    expect(server.requests).toBe(2)
    expect(selectKey(b2!, { kid: 'k2', alg: 'ES256' }).kid).toBe('k2')
    expect(() => selectKey(b2!, { kid: 'k1', alg: 'ES256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }))
  })

  it('answers undefined for an unconfigured trust domain without fetching', async () => {
    const s = source()
    expect(await s.getBundle('other.example')).toBeUndefined()
    expect(await s.refresh('other.example')).toBeUndefined()
    expect(server.requests).toBe(0)
    expect(s.trustDomains).toEqual(['example.org'])
  })

  it('refresh (unknown kid) refetches, but at most once per cooldown', async () => {
    server.serve({ keys: [key('k1')] })
    const s = source()
    await s.getBundle('example.org')
    server.serve({ keys: [key('k1'), key('k2')] })
    time += 9_999
    expect((await s.refresh('example.org'))!.keys).toHaveLength(1)
    expect(server.requests).toBe(1)
    time += 1
    expect((await s.refresh('example.org'))!.keys).toHaveLength(2)
    expect(server.requests).toBe(2)
    expect((await s.refresh('example.org'))!.keys).toHaveLength(2)
    expect(server.requests).toBe(2)
  })

  it('shares one in-flight fetch between concurrent callers', async () => {
    const release: Array<() => void> = []
    server.handler = (_req, res) => {
      release.push(() => res.end(JSON.stringify({ keys: [key('k1')] })))
    }
    const s = source()
    const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? s.getBundle('example.org') : s.refresh('example.org')))
    await expect.poll(() => server.requests).toBe(1)
    release.forEach((r) => r())
    const results = await Promise.all(calls)
    expect(new Set(results).size).toBe(1)
    expect(server.requests).toBe(1)
  })

  it('shares one document between trust domains with the same URL', async () => {
    server.serve({ keys: [key('k1')] })
    const s = remoteTrustBundle({ urls: { 'a.example': server.url, 'b.example': new URL(server.url) }, clock, issuers: { 'b.example': ['https://b.example'] } })
    const a = await s.getBundle('a.example')
    const b = await s.getBundle('b.example')
    expect(server.requests).toBe(1)
    expect(a).toEqual({ trustDomain: 'a.example', keys: [key('k1')] })
    expect(b).toEqual({ trustDomain: 'b.example', keys: [key('k1')], issuers: ['https://b.example'] })
  })

  it('sends GET with accept: application/json and does not follow redirects', async () => {
    let seen: { method?: string; accept?: string } = {}
    server.handler = (req, res) => {
      seen = { method: req.method, accept: req.headers.accept }
      res.writeHead(302, { location: '/elsewhere' })
      res.end()
    }
    const e = await rejection(source().getBundle('example.org'))
    expect(e.code).toBe('ERR_BUNDLE_FETCH')
    expect(seen).toEqual({ method: 'GET', accept: 'application/json' })
    expect(server.requests).toBe(1)
  })
})

describe('remoteTrustBundle: SPIFFE format', () => {
  it('requires use on every key and honours spiffe_refresh_hint within [cooldown, maxAge]', async () => {
    server.serve({ keys: [key('w', { use: 'wit-svid' }), { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', use: 'x509-svid', x5c: ['MIIB'] }], spiffe_refresh_hint: 20, spiffe_sequence: 7 })
    const s = source({ format: 'spiffe' })
    const b = await s.getBundle('example.org')
    expect(selectKey(b!, { alg: 'ES256', use: 'wit-svid' }).kid).toBe('w')
    time += 19_999
    await s.getBundle('example.org')
    expect(server.requests).toBe(1)
    time += 1
    await s.getBundle('example.org')
    expect(server.requests).toBe(2)

    server.serve({ keys: [key('w', { use: 'wit-svid' })], spiffe_refresh_hint: 0 })
    time += 60_000
    await s.getBundle('example.org')
    expect(server.requests).toBe(3)
    time += 9_999 // a zero hint cannot push refetches below the cooldown
    await s.getBundle('example.org')
    expect(server.requests).toBe(3)
  })

  it.each([
    ['key without use', { keys: [key('a')] }],
    ['negative refresh hint', { keys: [key('a', { use: 'wit-svid' })], spiffe_refresh_hint: -1 }],
    ['string refresh hint', { keys: [key('a', { use: 'wit-svid' })], spiffe_refresh_hint: '300' }],
    ['fractional sequence', { keys: [key('a', { use: 'wit-svid' })], spiffe_refresh_hint: 1, spiffe_sequence: 1.5 }],
  ])('rejects a SPIFFE bundle with %s', async (_name, doc) => {
    server.serve(doc)
    expect((await rejection(source({ format: 'spiffe' }).getBundle('example.org'))).code).toBe('ERR_BUNDLE_FETCH')
  })
})

describe('remoteTrustBundle: hostile responses', () => {
  it.each([
    ['HTTP 500', () => server.serve({ keys: [] }, 500)],
    ['HTTP 204', () => server.serve('', 204)],
    ['not JSON', () => server.serve('{"keys": [')],
    ['a JSON array', () => server.serve('[]')],
    ['invalid UTF-8', () => {
      server.handler = (_req, res) => res.end(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))
    }],
    ['no keys member', () => server.serve({ kids: [] })],
    ['a private key', () => server.serve({ keys: [key('a', { d: 'ZA' })] })],
    ['a symmetric key', () => server.serve({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })],
    ['duplicate kids', () => server.serve({ keys: [key('a'), key('a')] })],
    ['too many keys', () => server.serve({ keys: Array.from({ length: 101 }, (_, i) => key(`k${i}`)) })],
    ['an RSA key of 1024 bits', () => server.serve({ keys: [{ kty: 'RSA', kid: 'r', n: Buffer.alloc(128, 0xff).toString('base64url'), e: 'AQAB' }] })],
    ['an RSA key with e = 1', () => server.serve({ keys: [{ kty: 'RSA', kid: 'r', n: Buffer.alloc(256, 0xff).toString('base64url'), e: 'AQ' }] })],
  ])('rejects %s with ERR_BUNDLE_FETCH', async (_name, setup) => {
    setup()
    const e = await rejection(source().getBundle('example.org'))
    expect(e.code).toBe('ERR_BUNDLE_FETCH')
  })

  it('rejects a declared Content-Length above maxBytes before reading', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '5000' })
      res.write('{"keys":[')
    }
    const e = await rejection(source({ maxBytes: 1000 }).getBundle('example.org'))
    expect(e.code).toBe('ERR_BUNDLE_FETCH')
    expect(e.message).toMatch(/larger than 1000/)
  })

  it('stops reading a chunked body once it exceeds maxBytes', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(`{"keys":[], "pad": "${'x'.repeat(800)}`)
      res.write('x'.repeat(800)) // never finished: the reader must give up on size, not wait
    }
    const e = await rejection(source({ maxBytes: 1000, timeoutMs: 10_000 }).getBundle('example.org'))
    expect(e.message).toMatch(/larger than 1000/)
  })

  it('times out a server that never answers with ERR_REMOTE_TIMEOUT', async () => {
    server.handler = () => {}
    const e = await rejection(source({ timeoutMs: 50 }).getBundle('example.org'))
    expect(e.code).toBe('ERR_REMOTE_TIMEOUT')
  })

  it('times out a custom fetch that ignores its signal, and a body it never ends', async () => {
    const urls = { 'example.org': 'https://bundles.example.org/jwks' }
    const hung = remoteTrustBundle({ urls, timeoutMs: 30, fetch: () => new Promise<Response>(() => {}) })
    expect((await rejection(hung.getBundle('example.org'))).code).toBe('ERR_REMOTE_TIMEOUT')
    const endless = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('{"keys":')) } })
    const stalled = remoteTrustBundle({ urls, timeoutMs: 30, fetch: async () => new Response(endless, { status: 200 }) })
    expect((await rejection(stalled.getBundle('example.org'))).code).toBe('ERR_REMOTE_TIMEOUT')
  })

  it('times out a body that stalls after the headers', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"keys":')
    }
    const e = await rejection(source({ timeoutMs: 50 }).getBundle('example.org'))
    expect(e.code).toBe('ERR_REMOTE_TIMEOUT')
  })

  it('maps network errors to ERR_BUNDLE_FETCH', async () => {
    const url = server.url
    await server.close()
    const s = remoteTrustBundle({ urls: { 'example.org': url }, clock })
    expect((await rejection(s.getBundle('example.org'))).code).toBe('ERR_BUNDLE_FETCH')
    server = await startBundleServer()
  })
})

describe('remoteTrustBundle: stale-while-error', () => {
  it('serves the last good bundle up to maxStaleMs past max age, then fails closed', async () => {
    server.serve({ keys: [key('k1')] })
    const s = source()
    const good = await s.getBundle('example.org')
    server.serve('oops', 500)
    time += 60_000
    expect(await s.getBundle('example.org')).toBe(good)
    expect(server.requests).toBe(2)
    time += 9_999 // within cooldown: no new attempt, stale served
    expect(await s.getBundle('example.org')).toBe(good)
    expect(server.requests).toBe(2)
    time += 1
    expect(await s.getBundle('example.org')).toBe(good)
    expect(server.requests).toBe(3)
    time += 20_000 // now 60s + 30s = max age + maxStaleMs
    const e = await rejection(s.getBundle('example.org'))
    expect(e.code).toBe('ERR_BUNDLE_FETCH')
    expect(e.status).toBe(500)
  })

  it('keeps the previous bundle when a refresh returns an invalid document', async () => {
    server.serve({ keys: [key('k1')] })
    const s = source()
    const good = await s.getBundle('example.org')
    server.serve({ keys: [key('k1', { d: 'ZA' })] })
    time += 10_000
    expect(await s.refresh('example.org')).toBe(good)
    expect(await s.getBundle('example.org')).toBe(good)
  })

  it('with no cached bundle, throws the last error during the cooldown without refetching', async () => {
    server.serve('nope', 503)
    const s = source()
    const first = await rejection(s.getBundle('example.org'))
    time += 5_000
    const second = await rejection(s.getBundle('example.org'))
    expect(second).toBe(first)
    expect(server.requests).toBe(1)
    server.serve({ keys: [key('k1')] })
    time += 5_000
    expect((await s.getBundle('example.org'))!.keys).toHaveLength(1)
    expect(server.requests).toBe(2)
  })

  it('with maxStaleMs: 0 fails closed as soon as the bundle is past max age', async () => {
    server.serve({ keys: [key('k1')] })
    const s = source({ maxStaleMs: 0 })
    await s.getBundle('example.org')
    server.serve('down', 502)
    time += 60_000
    expect((await rejection(s.getBundle('example.org'))).code).toBe('ERR_BUNDLE_FETCH')
  })
})

describe('remoteTrustBundle: caller signal', () => {
  it('lets one caller stop waiting without cancelling the shared fetch', async () => {
    const release: Array<() => void> = []
    server.handler = (_req, res) => {
      release.push(() => res.end(JSON.stringify({ keys: [key('k1')] })))
    }
    const s = source()
    const controller = new AbortController()
    const aborted = s.getBundle('example.org', { signal: controller.signal })
    const other = s.getBundle('example.org')
    await expect.poll(() => server.requests).toBe(1)
    controller.abort()
    expect((await rejection(aborted)).code).toBe('ERR_BUNDLE_FETCH')
    release.forEach((r) => r())
    expect((await other)!.keys).toHaveLength(1)
    // A cached bundle is returned without waiting, so the signal does not matter then.
    expect(await s.getBundle('example.org', { signal: AbortSignal.abort() })).toBe(await other)
    const cold = source()
    expect((await rejection(cold.getBundle('example.org', { signal: AbortSignal.abort() }))).code).toBe('ERR_BUNDLE_FETCH')
    expect((await rejection(cold.getBundle('example.org', { signal: AbortSignal.timeout(0) }))).code).toMatch(/ERR_REMOTE_TIMEOUT|ERR_BUNDLE_FETCH/)
  })
})

describe('remoteTrustBundle: options', () => {
  const bad = (o: Partial<RemoteTrustBundleOptions>) => () => remoteTrustBundle({ urls: { 'example.org': 'https://example.org/jwks' }, ...o } as RemoteTrustBundleOptions)
  it.each([
    ['plain http to a remote host', { urls: { 'example.org': 'http://example.org/jwks' } }],
    ['a non-URL', { urls: { 'example.org': 'not a url' } }],
    ['credentials in the URL', { urls: { 'example.org': 'https://u:p@example.org/jwks' } }],
    ['a bad trust domain', { urls: { 'Example.org': 'https://example.org/jwks' } }],
    ['no trust domains', { urls: {} }],
    ['NaN timeout', { timeoutMs: Number.NaN }],
    ['Infinity max age', { maxAgeMs: Number.POSITIVE_INFINITY }],
    ['negative cooldown', { cooldownMs: -1 }],
    ['zero maxBytes', { maxBytes: 0 }],
    ['an unknown format', { format: 'pem' as 'jwks' }],
    ['issuers for an unknown domain', { issuers: { 'other.example': ['https://x'] } }],
    ['an empty issuer list', { issuers: { 'example.org': [] } }],
    ['a non-function fetch', { fetch: 'fetch' as never }],
  ])('rejects %s with a coded TypeError', (_name, o) => {
    expect(bad(o as Partial<RemoteTrustBundleOptions>)).toThrow(TypeError)
    try {
      bad(o as Partial<RemoteTrustBundleOptions>)()
    } catch (err) {
      expect(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']).toContain((err as { code?: string }).code)
    }
  })

  it('accepts http on loopback and a custom fetch', async () => {
    const urls: string[] = []
    const s = remoteTrustBundle({
      urls: { 'example.org': 'http://localhost:1/jwks' },
      fetch: async (input) => {
        urls.push(input)
        return new Response(JSON.stringify({ keys: [key('k')] }), { status: 200 })
      },
    })
    expect((await s.getBundle('example.org'))!.keys).toHaveLength(1)
    expect(urls).toEqual(['http://localhost:1/jwks'])
  })
})
