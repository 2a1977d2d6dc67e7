// agentauth/adapters/undici: requests through an Agent composed with workloadAuthInterceptor (and
// undici's retry / redirect interceptors after it) are verified by a node:http server running
// createRequestVerifier; a second loopback server plays the origin nobody allow-listed.
import { createServer, type IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, fetch as undiciFetch, interceptors, request } from 'undici'
import { createNodeHandler } from '../../src/adapters/node/index.js'
import { workloadAuthInterceptor } from '../../src/adapters/undici/index.js'
import { SignerError } from '../../src/errors/index.js'
import { localCredentials } from '../../src/fetch/index.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, type VerifiedRequest } from '../../src/server/index.js'
import { trustDomain, type Workload } from '../helpers/server-fixtures.js'
import { listen, type StartedServer } from '../helpers/adapters-suite.js'

const CREDENTIAL_FIELDS = ['workload-identity-token', 'workload-proof-token', 'signature', 'signature-input']

let api: StartedServer
let foreign: StartedServer
let agent: Workload
const proofsSeen: string[] = [] // jti / nonce of every verified attempt
const foreignHeaders: Array<IncomingMessage['headers']> = []
let flaky = 0

function proofId(v: VerifiedRequest): string {
  return v.proof.type === 'wpt' ? v.proof.wpt.jti : v.proof.signature.nonce
}

beforeAll(async () => {
  const td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
  let verify: ReturnType<typeof createRequestVerifier> | undefined
  const handler = createNodeHandler(async (req) => verify!(req), async (req, caller) => {
    const url = new URL(req.url)
    proofsSeen.push(proofId(caller))
    if (url.pathname === '/flaky' && flaky++ === 0) return new Response('try again', { status: 503, headers: { 'retry-after': '0' } })
    if (url.pathname === '/hop') return new Response(null, { status: 307, headers: { location: `${foreign.base}/landing` } })
    if (url.pathname === '/self-hop') return new Response(null, { status: 307, headers: { location: '/echo?hopped=1' } })
    return Response.json({
      id: caller.workload.id,
      proof: caller.proof.type,
      url: caller.url,
      body: req.body === null ? null : await req.text(),
      digest: req.headers.get('content-digest'),
      custom: req.headers.get('x-custom'),
    })
  })
  api = await listen(createServer(handler))
  verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: api.base, proof: 'either', authorize: matchId(agent.id), requireContentDigest: true })
  foreign = await listen(createServer((req, res) => {
    foreignHeaders.push(req.headers)
    res.end('landed')
  }))
})

afterAll(async () => {
  await api?.close()
  await foreign?.close()
})

for (const proof of ['wpt', 'httpsig'] as const) {
  describe(`workloadAuthInterceptor with ${proof} credentials`, () => {
    const composed = () => new Agent().compose(
      workloadAuthInterceptor(localCredentials({ signer: agent.signer, wit: agent.wit, proof }), { origins: [api.base], maxBodyBytes: 32 * 1024 }),
      interceptors.retry({ maxRetries: 2, statusCodes: [503], methods: ['GET', 'POST'], minTimeout: 1, timeoutFactor: 1 }),
      interceptors.redirect({ maxRedirections: 3 }),
    )

    it('authenticates undici.request (query folded into the proof) and undici.fetch with a body', async () => {
      const dispatcher = composed()
      const r = await request(`${api.base}/echo`, { dispatcher, query: { q: 'a b', n: [1, 2] } })
      expect(r.statusCode).toBe(200)
      expect(await r.body.json()).toMatchObject({ id: agent.id, proof, url: `${api.base}/echo?q=a+b&n=1&n=2` })

      const res = await undiciFetch(`${api.base}/echo`, { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' }, dispatcher })
      expect(res.status).toBe(200)
      const json = (await res.json()) as { body: string; digest: string }
      expect(json.body).toBe('{"hello":"world"}')
      expect(json.digest).toMatch(/^sha-256=:/)
      await dispatcher.close()
    })

    it('drains a streamed request body, digests it and re-dispatches it as bytes', async () => {
      const dispatcher = composed()
      const chunks = ['part one, ', 'part two, ', 'part three']
      const r = await request(`${api.base}/echo`, { method: 'POST', body: Readable.from(chunks), dispatcher })
      expect(r.statusCode).toBe(200)
      expect(await r.body.json()).toMatchObject({ body: chunks.join('') })
      const big = await request(`${api.base}/echo`, { method: 'POST', body: Readable.from([new Uint8Array(40 * 1024)]), dispatcher }).catch((e: unknown) => e)
      expect(big).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
      await dispatcher.close()
    })

    it('normalises the three header forms and never forwards a proof field the caller set', async () => {
      const dispatcher = composed()
      const forms = [
        { 'x-custom': 'object', 'workload-proof-token': 'stale' },
        ['x-custom', 'flat', 'signature', 'stale'],
        new Map([['x-custom', 'iterable']]),
      ]
      for (const headers of forms) {
        const r = await request(`${api.base}/echo`, { dispatcher, headers: headers as never })
        expect(r.statusCode).toBe(200)
        expect(((await r.body.json()) as { custom: string }).custom).toBe(Array.isArray(headers) ? 'flat' : headers instanceof Map ? 'iterable' : 'object')
      }
      await dispatcher.close()
    })

    it('gives every retry placed after it a fresh proof', async () => {
      const dispatcher = composed()
      flaky = 0
      const before = proofsSeen.length
      const r = await request(`${api.base}/flaky`, { method: 'POST', body: 'same body', dispatcher })
      expect(r.statusCode).toBe(200)
      await r.body.dump()
      const attempts = proofsSeen.slice(before)
      expect(attempts).toHaveLength(2) // both attempts verified: the second was not a replay
      expect(new Set(attempts).size).toBe(2)
      await dispatcher.close()
    })

    it('re-authorises a same-origin redirect hop and sends nothing to a foreign origin', async () => {
      const dispatcher = composed()
      const self = await request(`${api.base}/self-hop`, { dispatcher })
      expect(self.statusCode).toBe(200)
      expect(await self.body.json()).toMatchObject({ url: `${api.base}/echo?hopped=1` })

      foreignHeaders.length = 0
      // undici's redirect interceptor itself drops only Authorization, Cookie and Proxy-Authorization.
      const hop = await request(`${api.base}/hop`, { dispatcher, headers: { 'txn-token': 'txn-for-the-api', authorization: 'Bearer at-for-the-api', 'x-custom': 'kept' } })
      expect(await hop.body.text()).toBe('landed')
      expect([foreignHeaders[0]?.['txn-token'], foreignHeaders[0]?.authorization, foreignHeaders[0]?.['x-custom']]).toEqual([undefined, undefined, 'kept'])
      const direct = await request(`${foreign.base}/direct`, { dispatcher, headers: { 'txn-token': 'the caller chose this origin' } })
      await direct.body.dump()
      expect(foreignHeaders).toHaveLength(2)
      expect(foreignHeaders[1]?.['txn-token']).toBe('the caller chose this origin')
      for (const seen of foreignHeaders) for (const name of CREDENTIAL_FIELDS) expect(seen[name]).toBeUndefined()
      await dispatcher.close()
    })
  })
}

describe('workloadAuthInterceptor failures and options', () => {
  it('reports a credentials failure through the handler, so the request rejects with it', async () => {
    const refused = new SignerError('ERR_SIGNER_REFUSED', 'broker said no')
    const dispatcher = new Agent().compose(workloadAuthInterceptor({ authorize: async () => { throw refused } }, { origins: api.base }))
    await expect(request(`${api.base}/echo`, { dispatcher })).rejects.toBe(refused)
    const bad = new Agent().compose(workloadAuthInterceptor({ authorize: async () => new Headers({ 'content-length': '1' }) }, { origins: api.base }))
    await expect(undiciFetch(`${api.base}/echo`, { dispatcher: bad })).rejects.toMatchObject({ cause: { code: 'ERR_SIGNER_FAILED' } })
    await dispatcher.close()
    await bad.close()
  })

  it('refuses a Host field naming another host than the origin (undici would send it as is)', async () => {
    foreignHeaders.length = 0
    let asked = 0
    const credentials = { authorize: async () => (asked++, new Headers({ 'workload-identity-token': 'wit', 'workload-proof-token': 'wpt' })) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: foreign.base }))
    await expect(request(`${foreign.base}/x`, { dispatcher, headers: { host: 'evil.example.net' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(request(`${foreign.base}/x`, { dispatcher, headers: ['Host', `localhost:${new URL(foreign.base).port}`] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect([asked, foreignHeaders.length]).toEqual([0, 0])
    // The origin's own host passes (compared case-insensitively).
    const same = await request(`${foreign.base}/x`, { dispatcher, headers: { host: new URL(foreign.base).host.toUpperCase() } })
    await same.body.dump()
    expect([same.statusCode, asked, foreignHeaders[0]?.['workload-proof-token']]).toEqual([200, 1, 'wpt'])
    await dispatcher.close()
  })

  it('refuses an invalid field name or value with a coded error (not the platform Headers TypeError)', async () => {
    let asked = 0
    const credentials = { authorize: async () => (asked++, new Headers({ 'workload-identity-token': 'wit', 'workload-proof-token': 'wpt' })) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    await expect(request(`${api.base}/echo`, { dispatcher, headers: { 'x-bad': 'a\nb' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(request(`${api.base}/echo`, { dispatcher, headers: { 'x bad': 'a' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(asked).toBe(0)
    await dispatcher.close()
  })

  it('refuses a raw dispatch path the proof would not name (dot segments, fragment): undici sends opts.path as is', async () => {
    let asked = 0
    const credentials = { authorize: async () => (asked++, new Headers({ 'workload-identity-token': 'wit', 'workload-proof-token': 'wpt' })) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    for (const path of ['/v1/admin/../public', '/v1/./x', '/v1/%2e%2E/x', '/v1/.%2e', '/a#frag']) {
      await expect(dispatcher.request({ origin: api.base, path, method: 'GET' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
    expect(asked).toBe(0)
    // Dots inside a segment, and in the query, are fine.
    const ok = await dispatcher.request({ origin: api.base, path: '/echo/..x/a.b?p=../..', method: 'GET' })
    await ok.body.dump()
    expect(asked).toBe(1)
    await dispatcher.close()
  })

  it('validates its options eagerly', () => {
    const credentials = { authorize: async () => new Headers() }
    expect(() => workloadAuthInterceptor(credentials, { origins: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => workloadAuthInterceptor(credentials, { origins: ['https://api.example.com/path'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => workloadAuthInterceptor(credentials, { origins: 'https://*.example.com' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => workloadAuthInterceptor(credentials, { origins: 'https://api.example.com', maxBodyBytes: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => workloadAuthInterceptor({} as never, { origins: 'https://api.example.com' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
