import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { composeFetch, localCredentials, workloadAuth, type OutboundCredentials, type OutboundRequest } from '../../../src/fetch/index.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner, errorResponse } from '../../../src/server/index.js'
import { codeOf, credentialFields, routeFetch } from '../../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../../helpers/server-fixtures.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const EVIL = 'https://evil.example.net'

let td: TrustDomainFixture
let agent: Workload
let api: Workload

beforeAll(async () => {
  td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
  api = await td.workload('/apis/a')
})

/** Two verifying APIs (A, B) and a foreign origin; `/r?to=…&status=…` redirects, `/echo` echoes. */
function network(proof: 'wpt' | 'httpsig' | 'either' = 'either', options: { sign?: boolean } = {}) {
  const errors: unknown[] = []
  const sign = options.sign ? createResponseSigner({ wit: api.wit, signer: api.signer }) : undefined
  const apiHandler = (origin: string) => {
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin, proof, authorize: matchAny() })
    return async (request: Request) => {
      let caller
      try {
        caller = await verify(request)
      } catch (err) {
        errors.push(err)
        return errorResponse(err)
      }
      const url = new URL(request.url)
      if (url.pathname === '/r') return new Response(null, { status: Number(url.searchParams.get('status')), headers: { location: url.searchParams.get('to')! } })
      const response = Response.json({ caller: caller.workload.id, method: request.method, body: await request.text() })
      return sign ? sign(response, { request, verified: caller }) : response
    }
  }
  const route = routeFetch({
    [A]: apiHandler(A),
    [B]: apiHandler(B),
    [EVIL]: (request) => Response.json({ got: request.method }),
  })
  return { ...route, errors }
}

const creds = (proof: 'wpt' | 'httpsig', extra: { signResponse?: boolean } = {}) => localCredentials({ signer: agent.signer, wit: agent.wit, proof, ...extra })

describe('workloadAuth', () => {
  it('authenticates GET (WPT) and POST with a body (HTTP signature) against a real verifier', async () => {
    for (const proof of ['wpt', 'httpsig'] as const) {
      const net = network(proof)
      const f = composeFetch(net.fetch, workloadAuth({ credentials: creds(proof), origins: [A] }))
      const get = await f(`${A}/echo?q=1`)
      expect(await get.json()).toMatchObject({ caller: agent.id, method: 'GET' })
      const post = await f(`${A}/echo`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } })
      expect(await post.json()).toMatchObject({ caller: agent.id, method: 'POST', body: '{"x":1}' })
      expect(net.received[1]!.headers.get('content-digest')).toBe(`sha-256=:${createHash('sha256').update('{"x":1}').digest('base64')}:`)
      expect(net.errors).toEqual([])
    }
  })

  it('a captured request replayed to the API is refused', async () => {
    const net = network('wpt')
    const f = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A] }))
    expect((await f(`${A}/echo`)).status).toBe(200)
    const captured = net.received[0]!
    const replay = await net.fetch(captured.url, { headers: captured.headers })
    expect(replay.status).toBe(401)
    expect(net.errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_PROOF_REPLAYED'])
  })

  it('refuses, or skips without credentials, an origin that is not allow-listed', async () => {
    const net = network()
    const strict = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A] }))
    await expect(strict(`${EVIL}/x`)).rejects.toMatchObject({ code: 'ERR_ORIGIN_NOT_ALLOWED', status: 403 })
    expect(net.received).toHaveLength(0)
    const lenient = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A], onDisallowed: 'skip' }))
    expect((await lenient(`${EVIL}/x`, { headers: { 'x-app': '1' } })).status).toBe(200)
    expect(credentialFields(net.received[0]!)).toEqual([])
    expect(net.received[0]!.headers.get('x-app')).toBe('1')
  })

  it('a 307 to a foreign origin carries no credential header of any kind; to an allow-listed origin it carries a fresh proof', async () => {
    for (const proof of ['wpt', 'httpsig'] as const) {
      const net = network(proof)
      const outer = (next: typeof net.fetch) => (input: Request | URL | string, init?: RequestInit) => {
        const r = new Request(input, init)
        r.headers.set('txn-token', 'txn-secret')
        r.headers.set('cookie', 'session=1')
        return next(r)
      }
      const f = composeFetch(net.fetch, outer, workloadAuth({ credentials: creds(proof), origins: [A, B] }))
      const foreign = await f(`${A}/r?status=307&to=${encodeURIComponent(`${EVIL}/steal`)}`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } })
      expect(foreign.status).toBe(200)
      const atEvil = net.received.at(-1)!
      expect(atEvil.url).toBe(`${EVIL}/steal`)
      expect(atEvil.method).toBe('POST')
      expect(atEvil.body).toBe('payload')
      expect(credentialFields(atEvil)).toEqual([])
      expect(atEvil.headers.has('content-digest')).toBe(false)

      const before = net.received.length
      const allowed = await f(`${A}/r?status=307&to=${encodeURIComponent(`${B}/echo`)}`, { method: 'POST', body: 'again', headers: { 'content-type': 'text/plain' } })
      expect(await allowed.json()).toMatchObject({ caller: agent.id, method: 'POST', body: 'again' })
      const [first, second] = net.received.slice(before)
      const proofOf = (h: Headers) => h.get('workload-proof-token') ?? h.get('signature')
      expect(proofOf(second!.headers)).not.toBeNull()
      expect(proofOf(second!.headers)).not.toBe(proofOf(first!.headers))
      expect(second!.headers.get('txn-token')).toBe('txn-secret')
      expect(net.errors).toEqual([])
    }
  })

  it('drops Authorization set outside on a cross-origin hop (as fetch does), keeps it on the same origin', async () => {
    const net = network('wpt')
    const bearer = (next: typeof net.fetch) => (input: Request | URL | string, init?: RequestInit) => {
      const r = new Request(input, init)
      r.headers.set('authorization', 'Bearer token-for-a')
      return next(r)
    }
    const f = composeFetch(net.fetch, bearer, workloadAuth({ credentials: creds('wpt'), origins: [A, B] }))
    await f(`${A}/r?status=302&to=${encodeURIComponent('/echo')}`)
    expect(net.received.at(-1)!.headers.get('authorization')).toBe('Bearer token-for-a')
    await f(`${A}/r?status=302&to=${encodeURIComponent(`${B}/echo`)}`)
    expect(net.received.at(-1)!.headers.has('authorization')).toBe(false)
    expect(net.received.at(-1)!.headers.has('workload-proof-token')).toBe(true)
  })

  it('303 turns into a body-less GET; 301 after POST too; 308 keeps method and body', async () => {
    const net = network('httpsig')
    const f = composeFetch(net.fetch, workloadAuth({ credentials: creds('httpsig'), origins: [A] }))
    const init = { method: 'POST', body: 'b', headers: { 'content-type': 'text/plain' } }
    expect(await (await f(`${A}/r?status=303&to=/echo`, init)).json()).toMatchObject({ method: 'GET', body: '' })
    const hop303 = net.received.at(-1)!
    expect(hop303.headers.has('content-type')).toBe(false)
    expect(hop303.headers.has('content-digest')).toBe(false)
    expect(await (await f(`${A}/r?status=301&to=/echo`, init)).json()).toMatchObject({ method: 'GET' })
    expect(await (await f(`${A}/r?status=308&to=/echo`, init)).json()).toMatchObject({ method: 'POST', body: 'b' })
  })

  it('honours redirects: max, error and manual (option or the request own mode)', async () => {
    const net = network('wpt')
    const loop = `${A}/r?status=302&to=${encodeURIComponent(`${A}/r?status=302&to=/echo`)}`
    const one = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A], redirects: { max: 1 } }))
    expect(await codeOf(one(loop))).toBe('ERR_FETCH_REDIRECT')
    const two = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A], redirects: { max: 2 } }))
    expect((await two(loop)).status).toBe(200)
    const error = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A], redirects: 'error' }))
    expect(await codeOf(error(loop))).toBe('ERR_FETCH_REDIRECT')
    const manual = composeFetch(net.fetch, workloadAuth({ credentials: creds('wpt'), origins: [A], redirects: 'manual' }))
    expect((await manual(loop)).status).toBe(302)
    expect((await two(loop, { redirect: 'manual' })).status).toBe(302)
    expect(await codeOf(two(loop, { redirect: 'error' }))).toBe('ERR_FETCH_REDIRECT')
    expect(await codeOf(two(`${A}/r?status=302&to=${encodeURIComponent('javascript:alert(1)')}`))).toBe('ERR_FETCH_REDIRECT')
    expect(await codeOf(two(`${A}/r?status=302&to=${encodeURIComponent('https://u:p@b.example.com/')}`))).toBe('ERR_FETCH_REDIRECT')
  })

  it('digests a streaming body within maxBodyBytes and refuses a larger one', async () => {
    const net = network('httpsig')
    const f = composeFetch(net.fetch, workloadAuth({ credentials: creds('httpsig'), origins: [A], maxBodyBytes: 16 }))
    const stream = (parts: string[]) => new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p))
        c.close()
      },
    })
    const ok = await f(`${A}/echo`, { method: 'POST', body: stream(['hello ', 'world']), duplex: 'half' } as RequestInit)
    expect(await ok.json()).toMatchObject({ body: 'hello world' })
    expect(await codeOf(f(`${A}/echo`, { method: 'POST', body: stream(['0123456789', '0123456789']), duplex: 'half' } as RequestInit))).toBe('ERR_BODY_TOO_LARGE')
    expect(await codeOf(f(`${A}/echo`, { method: 'POST', body: 'x', headers: { 'content-length': '999' } }))).toBe('ERR_BODY_TOO_LARGE')
  })

  it('passes a streaming (SSE) response through untouched', async () => {
    let push: (s: string) => void = () => undefined
    let end: () => void = () => undefined
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s))
        end = () => c.close()
      },
    })
    const original = new Response(stream, { headers: { 'content-type': 'text/event-stream' } })
    const f = composeFetch(async () => original, workloadAuth({ credentials: creds('wpt'), origins: [A] }))
    const response = await f(`${A}/events`)
    expect(response).toBe(original)
    const reader = response.body!.getReader()
    push('data: 1\n\n')
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n')
    end()
    expect((await reader.read()).done).toBe(true)
  })

  it('validates what credentials return', async () => {
    const net = network()
    const bad = (headers: unknown): OutboundCredentials => ({ authorize: async () => headers as Headers })
    const run = (c: OutboundCredentials) => composeFetch(net.fetch, workloadAuth({ credentials: c, origins: [A] }))(`${A}/echo`)
    expect(await codeOf(run(bad({ 'workload-identity-token': 'x' })))).toBe('ERR_SIGNER_FAILED')
    expect(await codeOf(run(bad(new Headers({ host: 'evil.example.net' }))))).toBe('ERR_SIGNER_FAILED')
    expect(await codeOf(run(bad(new Headers({ 'content-digest': 'sha-256=:x:' }))))).toBe('ERR_SIGNER_FAILED')
    expect(net.received).toHaveLength(0)
  })

  it('hands credentials a copy of the request without cookies and proof fields; each retry gets a fresh proof', async () => {
    const seen: OutboundRequest[] = []
    const names: string[][] = []
    const credentials: OutboundCredentials = {
      async authorize(request) {
        seen.push(request)
        names.push([...request.headers.keys()].sort())
        request.headers.set('x-injected', '1')
        return new Headers({ 'workload-proof-token': `proof-${seen.length}` })
      },
    }
    const net = routeFetch({ [A]: () => new Response('ok') })
    let attempts = 0
    const retry = (next: typeof net.fetch) => async (input: Request | URL | string, init?: RequestInit) => {
      for (;;) {
        attempts++
        const response = await next(input, init)
        if (attempts >= 2) return response
      }
    }
    const f = composeFetch(net.fetch, retry, workloadAuth({ credentials, origins: [A] }))
    await f(`${A}/x?y=1`, { method: 'PUT', body: 'z', headers: { cookie: 'c=1', 'workload-proof-token': 'caller-set', 'content-type': 'text/plain' } })
    expect(seen[0]).toMatchObject({ method: 'PUT', url: `${A}/x?y=1`, contentDigest: expect.stringMatching(/^sha-256=:/) })
    expect(names[0]).toEqual(['content-digest', 'content-type'])
    expect(net.received.map((r) => r.headers.get('workload-proof-token'))).toEqual(['proof-1', 'proof-2'])
    expect(net.received[0]!.headers.has('x-injected')).toBe(false)
  })

  it('verifies signed responses when asked, and fails the fetch when they do not verify', async () => {
    const net = network('httpsig', { sign: true })
    const verifyResponse = { trustBundles: td.trustBundles }
    const f = composeFetch(net.fetch, workloadAuth({ credentials: creds('httpsig', { signResponse: true }), origins: [A], verifyResponse: { ...verifyResponse, authorize: (w) => w.id === api.id } }))
    expect(await (await f(`${A}/echo`, { method: 'POST', body: 'hi' })).json()).toMatchObject({ body: 'hi' })

    const tamper = (next: typeof net.fetch) => async (input: Request | URL | string, init?: RequestInit) => {
      const r = await next(input, init)
      return new Response('{"forged":true}', { status: r.status, headers: r.headers })
    }
    const tampered = composeFetch(tamper(net.fetch), workloadAuth({ credentials: creds('httpsig', { signResponse: true }), origins: [A], verifyResponse }))
    expect(await codeOf(tampered(`${A}/echo`))).toBe('ERR_DIGEST_MISMATCH')

    const unsigned = network('httpsig')
    const strict = composeFetch(unsigned.fetch, workloadAuth({ credentials: creds('httpsig', { signResponse: true }), origins: [A], verifyResponse }))
    expect(await codeOf(strict(`${A}/echo`))).toBe('ERR_HTTPSIG_MISSING')
    const lenient = composeFetch(unsigned.fetch, workloadAuth({ credentials: creds('httpsig'), origins: [A], verifyResponse }))
    expect((await lenient(`${A}/echo`)).status).toBe(200)
    const wrongId = composeFetch(net.fetch, workloadAuth({ credentials: creds('httpsig'), origins: [A], verifyResponse: { ...verifyResponse, authorize: () => false } }))
    expect(await codeOf(wrongId(`${A}/echo`))).toBe('ERR_POLICY_DENIED')
    const foreignFinal = composeFetch(net.fetch, workloadAuth({ credentials: creds('httpsig'), origins: [A], verifyResponse: { ...verifyResponse, required: true } }))
    expect(await codeOf(foreignFinal(`${A}/r?status=307&to=${encodeURIComponent(`${EVIL}/x`)}`))).toBe('ERR_HTTPSIG_MISSING')
  })

  it('drops the URL fragment before authorizing, on the first URL and on a redirect target', async () => {
    const net = network('wpt')
    const asked: string[] = []
    const inner = creds('wpt')
    const recording: OutboundCredentials = {
      authorize(request, options) {
        asked.push(request.url)
        return inner.authorize(request, options)
      },
    }
    const f = composeFetch(net.fetch, workloadAuth({ credentials: recording, origins: [A] }))
    expect((await f(`${A}/echo?q=1#section`)).status).toBe(200)
    expect((await f(`${A}/r?status=302&to=${encodeURIComponent('/echo#top')}`)).status).toBe(200)
    expect(asked).toEqual([`${A}/echo?q=1`, `${A}/r?status=302&to=${encodeURIComponent('/echo#top')}`, `${A}/echo`])
    expect(net.received.map((r) => r.url)).toEqual(asked)
    expect(net.errors).toEqual([])
  })

  it('passes non-standard init fields (undici dispatcher) to the next fetch on every hop', async () => {
    const dispatcher = { dispatch: () => true }
    const calls: Array<{ url: string; init: RequestInit | undefined }> = []
    const base = async (input: Request | URL | string, init?: RequestInit) => {
      calls.push({ url: new Request(input, init).url, init })
      return calls.length === 1 ? new Response(null, { status: 307, headers: { location: `${EVIL}/next` } }) : new Response('ok')
    }
    const f = composeFetch(base, workloadAuth({ credentials: creds('wpt'), origins: [A] }))
    const init = { method: 'POST', body: 'b', headers: { 'x-app': '1' }, dispatcher } as RequestInit
    expect(await (await f(`${A}/x`, init)).text()).toBe('ok')
    expect(calls.map((c) => [c.url, c.init])).toEqual([
      [`${A}/x`, { dispatcher }],
      [`${EVIL}/next`, { dispatcher }],
    ])
    expect((calls[1]!.init as { dispatcher?: unknown }).dispatcher).toBe(dispatcher)
    const skip = composeFetch(base, workloadAuth({ credentials: creds('wpt'), origins: [A], onDisallowed: 'skip' }))
    await skip(`${EVIL}/y`, { dispatcher } as RequestInit)
    expect(calls.at(-1)).toEqual({ url: `${EVIL}/y`, init: { dispatcher } })
    await f(`${A}/z`)
    expect(calls.at(-1)).toEqual({ url: `${A}/z`, init: undefined })
  })

  it('drops a Host field the caller set, so a proof never travels under another site name', async () => {
    const seen: Array<string | null> = []
    const base = async (input: Request | URL | string, init?: RequestInit) => {
      const request = new Request(input, init)
      seen.push(request.headers.get('host'))
      return new Response(null, { status: seen.length === 1 ? 307 : 200, headers: seen.length === 1 ? { location: `${B}/next` } : {} })
    }
    const f = composeFetch(base, workloadAuth({ credentials: creds('wpt'), origins: [A, B] }))
    expect((await f(`${A}/x`, { headers: { host: 'evil.example.net' } })).status).toBe(200)
    expect(seen).toEqual([null, null])
  })

  it('validates its options', () => {
    const credentials = creds('wpt')
    const bad = (o: unknown) => () => workloadAuth(o as never)
    expect(bad({ credentials, origins: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: ['https://a.example.com/path'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: ['https://*.example.com'] })).toThrow(TypeError)
    expect(bad({ credentials, origins: ['ftp://a.example.com'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials: {}, origins: [A] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(bad({ credentials, origins: [A], onDisallowed: 'allow' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: [A], maxBodyBytes: Number.POSITIVE_INFINITY })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: [A], redirects: { max: 21 } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: [A], redirects: 'follow' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ credentials, origins: [A], verifyResponse: {} })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
