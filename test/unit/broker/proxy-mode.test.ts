import { beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker, type CredentialBrokerOptions } from '../../../src/broker/index.js'
import { createProxyFetch } from '../../../src/fetch/index.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse } from '../../../src/server/index.js'
import { createTokenCache, tokenExchange, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { capabilityToken, codeOf, credentialFields, recordingAudit, routeFetch } from '../../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../../helpers/server-fixtures.js'

const A = 'https://a.example.com'
const B = 'https://b.example.com'
const EVIL = 'https://evil.example.net'
const TOKEN = capabilityToken()
const ACCESS = 'at-for-a-0123456789abcdef'
let td: TrustDomainFixture
let agent: Workload

beforeAll(async () => {
  td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
})

function setup(overrides: Partial<CredentialBrokerOptions> = {}, proof: 'wpt' | 'httpsig' = 'wpt') {
  const errors: unknown[] = []
  const api = (origin: string) => {
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin, proof: 'either', authorize: matchAny() })
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
      if (url.pathname === '/empty') return new Response(null, { status: 204, headers: { 'x-done': '1' } })
      if (url.pathname === '/hop') return new Response('ok', { headers: { connection: 'x-resp-hop', 'x-resp-hop': 'internal', 'x-resp-keep': 'k' } })
      const headers = new Headers({ 'content-type': 'application/json', 'x-echo-auth': request.headers.get('authorization') ?? '', 'x-echo-proof': request.headers.get('workload-proof-token') ?? request.headers.get('signature') ?? '', 'agentauth-broker-error': 'spoofed', 'set-cookie': 's=1', 'set-cookie2': 's2=1' })
      if (request.headers.has('authorization')) headers.set('authorization', request.headers.get('authorization')!)
      return new Response(JSON.stringify({ caller: caller.workload.id, method: request.method, body: await request.text(), bearer: caller.proof.type === 'wpt' ? caller.proof.wpt.claims.ath !== undefined : caller.proof.signature.components.includes('"authorization"') }), { headers })
    }
  }
  const upstream = routeFetch({ [A]: api(A), [B]: api(B), [EVIL]: () => new Response('evil') })
  const audit = recordingAudit()
  const broker = createCredentialBroker({
    signer: agent.signer,
    wit: agent.wit,
    proof,
    policy: { destinations: { [A]: { paths: ['/'], methods: ['GET', 'POST'], maxBodyBytes: 32 }, [B]: { paths: ['/v1/'], methods: ['GET', 'POST'] } } },
    audit: audit.sink,
    capabilityTokens: TOKEN,
    fetch: upstream.fetch,
    ...overrides,
  })
  const toBroker = async (input: Request | URL | string, init?: RequestInit) => broker(new Request(input, init))
  const agentFetch = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: toBroker })
  return { broker, agentFetch, upstream, audit, errors }
}

describe('credential broker, proxy mode', () => {
  it('forwards with a fresh proof and never forwards the capability token', async () => {
    for (const proof of ['wpt', 'httpsig'] as const) {
      const { agentFetch, upstream, audit, errors } = setup({}, proof)
      const res = await agentFetch(`${A}/v1/orders?id=7`, { method: 'POST', body: '{"sku":1}', headers: { 'content-type': 'application/json', cookie: 'mine=1', 'x-app': 'yes' } })
      expect(await res.json()).toMatchObject({ caller: agent.id, method: 'POST', body: '{"sku":1}', bearer: false })
      const sent = upstream.received[0]!
      expect(sent.url).toBe(`${A}/v1/orders?id=7`)
      expect(sent.headers.get('x-app')).toBe('yes')
      expect(sent.headers.has('cookie')).toBe(false)
      expect(sent.headers.has('authorization')).toBe(false)
      expect([...sent.headers.values()].some((v) => v.includes(TOKEN))).toBe(false)
      expect(errors).toEqual([])
      expect(audit.records.map((r) => [r.decision, r.reason, r.mode, r.status])).toEqual([['allow', 'allowed', 'proxy', undefined], ['allow', 'completed', 'proxy', 200]])
      expect(audit.records[0]!.url).toBe(`${A}/v1/orders?id=REDACTED`)
    }
  })

  it('attaches bearer tokens via the token-exchange middleware, binds them into the proof, and never shows them to the agent', async () => {
    for (const proof of ['wpt', 'httpsig'] as const) {
      const cache = createTokenCache({ fetchToken: async () => ({ accessToken: ACCESS, tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 300, scope: undefined, refreshToken: undefined }) })
      const { agentFetch, upstream } = setup({ tokenExchange: tokenExchange({ cache, destinations: { [A]: { audience: A } } }) }, proof)
      const res = await agentFetch(`${A}/v1/orders`)
      expect(upstream.received[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`)
      const text = await res.text()
      expect(JSON.parse(text)).toMatchObject({ caller: agent.id, bearer: true })
      for (const [name, value] of res.headers) expect([name, value.includes(ACCESS)]).toEqual([name, false])
      expect(res.headers.has('authorization')).toBe(false)
      expect(res.headers.has('x-echo-auth')).toBe(false)
      expect(res.headers.has('x-echo-proof')).toBe(false)
      // A session the destination issued to the broker's identity would let the agent skip the broker.
      expect([res.headers.has('set-cookie'), res.headers.has('set-cookie2')]).toEqual([false, false])
      expect(res.headers.has('agentauth-broker-error')).toBe(false)
    }
  })

  it('follows a redirect to an allowed destination with fresh credentials, refuses one to anywhere else', async () => {
    const cache = createTokenCache({ fetchToken: async () => ({ accessToken: ACCESS, tokenType: 'Bearer', issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, expiresIn: 300, scope: undefined, refreshToken: undefined }) })
    const { agentFetch, upstream, audit, errors } = setup({ tokenExchange: tokenExchange({ cache, destinations: { [A]: { audience: A } } }) })
    const res = await agentFetch(`${A}/r?status=307&to=${encodeURIComponent(`${B}/v1/echo`)}`, { method: 'POST', body: 'once' })
    expect(await res.json()).toMatchObject({ caller: agent.id, method: 'POST', body: 'once', bearer: false })
    const [first, second] = upstream.received
    expect(second!.url).toBe(`${B}/v1/echo`)
    expect(second!.headers.has('authorization')).toBe(false)
    expect(second!.headers.get('workload-proof-token')).not.toBe(first!.headers.get('workload-proof-token'))
    expect(audit.records.map((r) => [r.reason, r.hop])).toEqual([['allowed', undefined], ['redirect', 1], ['completed', undefined]])
    expect(errors).toEqual([])

    const before = upstream.received.length
    expect(await codeOf(agentFetch(`${A}/r?status=302&to=${encodeURIComponent(`${EVIL}/steal`)}`))).toBe('ERR_SIGNER_REFUSED')
    expect(await codeOf(agentFetch(`${A}/r?status=302&to=${encodeURIComponent(`${B}/admin`)}`))).toBe('ERR_SIGNER_REFUSED')
    expect(upstream.received.slice(before).map((r) => r.url)).toEqual([`${A}/r?status=302&to=${encodeURIComponent(`${EVIL}/steal`)}`, `${A}/r?status=302&to=${encodeURIComponent(`${B}/admin`)}`])
    expect(audit.records.slice(-1)[0]).toMatchObject({ decision: 'deny', reason: 'redirect_not_allowed', hop: 1, status: 403 })
  })

  it('streams the request body with duplex and enforces the body limit', async () => {
    const { agentFetch, audit } = setup()
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('part1-'))
        c.enqueue(new TextEncoder().encode('part2'))
        c.close()
      },
    })
    const res = await agentFetch(`${A}/upload`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(await res.json()).toMatchObject({ body: 'part1-part2' })
    expect(await codeOf(agentFetch(`${A}/upload`, { method: 'POST', body: 'x'.repeat(33) }))).toBe('ERR_SIGNER_REFUSED')
    expect(audit.records.at(-1)).toMatchObject({ decision: 'deny', reason: 'body_too_large', status: 413 })
  })

  it('answers 400 for unusable targets, 502 for upstream failures, 403 by policy', async () => {
    const { broker, agentFetch, audit } = setup({ fetch: () => Promise.reject(new TypeError('connect ECONNREFUSED')), onError: () => undefined })
    const call = (path: string) => broker(new Request(`http://127.0.0.1:7070${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect((await call(`/v1/proxy/${encodeURIComponent(`${A}/x`)}?extra=1`)).status).toBe(400)
    expect((await call('/v1/proxy/not-a-url')).status).toBe(400)
    expect((await call(`/v1/proxy/${encodeURIComponent('file:///etc/passwd')}`)).status).toBe(400)
    expect((await call(`/v1/proxy/${encodeURIComponent(`${A}/x#frag`)}`)).status).toBe(400)
    expect((await call('/v1/proxy/%E0%A4%A')).status).toBe(400)
    const failed = await call(`/v1/proxy/${encodeURIComponent(`${A}/x`)}`)
    expect(failed.status).toBe(502)
    expect(await failed.json()).toMatchObject({ error: { reason: 'upstream_failed' } })
    expect(audit.records.at(-1)).toMatchObject({ decision: 'deny', reason: 'upstream_failed', status: 502 })
    expect(await codeOf(agentFetch(`${B}/admin`))).toBe('ERR_SIGNER_REFUSED')
    expect(await codeOf(agentFetch(`${A}/x`, { method: 'DELETE' }))).toBe('ERR_SIGNER_REFUSED')
    const wrong = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken(), fetch: async (i, init) => broker(new Request(i, init)) })
    expect(await codeOf(wrong(`${A}/x`))).toBe('ERR_BROKER_UNAUTHORIZED')
  })

  it('drops a URL fragment on the agent side: the target is forwarded without it', async () => {
    const { agentFetch, upstream, audit, errors } = setup()
    const res = await agentFetch(`${A}/v1/orders?id=7#intro`)
    expect(await res.json()).toMatchObject({ caller: agent.id, method: 'GET' })
    expect(upstream.received.map((r) => r.url)).toEqual([`${A}/v1/orders?id=7`])
    expect(audit.records.map((r) => r.reason)).toEqual(['allowed', 'completed'])
    expect(errors).toEqual([])
  })

  it('refuses a dot segment hidden behind path parameters (..;) as a target and as a redirect hop; the upstream is never contacted for it', async () => {
    const { agentFetch, upstream, audit } = setup()
    expect(await codeOf(agentFetch(`${B}/v1/..;/admin`))).toBe('ERR_SIGNER_REFUSED')
    expect(upstream.received).toEqual([])
    expect(audit.records.at(-1)).toMatchObject({ decision: 'deny', reason: 'path_not_allowed', url: `${B}/v1/..;/admin`, status: 403 })
    const hop = `${A}/r?status=302&to=${encodeURIComponent(`${B}/v1/%2e%2e;x=1/admin`)}`
    expect(await codeOf(agentFetch(hop))).toBe('ERR_SIGNER_REFUSED')
    expect(upstream.received.map((r) => r.url)).toEqual([hop])
    expect(audit.records.at(-1)).toMatchObject({ decision: 'deny', reason: 'redirect_not_allowed', hop: 1, status: 403 })
  })

  it('does not forward the fields the request Connection field names as hop-by-hop', async () => {
    const { agentFetch, upstream } = setup()
    const res = await agentFetch(`${A}/x`, { headers: { connection: 'keep-alive, X-Hop ,x-other, bad token', 'x-hop': 'a', 'x-other': 'b', 'x-keep': 'c' } })
    expect(res.status).toBe(200)
    const sent = upstream.received[0]!.headers
    expect([sent.has('x-hop'), sent.has('x-other'), sent.has('connection'), sent.get('x-keep')]).toEqual([false, false, false, 'c'])
    // Fields that would let an upstream change the method or path after the policy checked them.
    await agentFetch(`${A}/x`, { headers: { 'x-http-method-override': 'DELETE', 'x-original-url': '/admin', 'x-rewrite-url': '/admin', 'x-method-override': 'PUT' } })
    const overridden = upstream.received[1]!.headers
    expect(['x-http-method-override', 'x-original-url', 'x-rewrite-url', 'x-method-override'].filter((n) => overridden.has(n))).toEqual([])
    // Likewise on the way back: the fields the upstream's Connection names stay with the upstream.
    const back = await agentFetch(`${A}/hop`)
    expect([back.headers.has('x-resp-hop'), back.headers.get('x-resp-keep')]).toEqual([false, 'k'])
  })

  it('audits an unexpected failure inside a mode handler (502 credentials_failed)', async () => {
    const reported: unknown[] = []
    const misconfigured = (): never => {
      throw new Error('misconfigured middleware')
    }
    const { broker, audit, upstream } = setup({ tokenExchange: misconfigured, onError: (e) => reported.push(e) })
    const res = await broker(new Request(`http://127.0.0.1:7070/v1/proxy/${encodeURIComponent(`${A}/x`)}`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect([res.status, res.headers.get('agentauth-broker-error')]).toEqual([502, 'credentials_failed'])
    expect(audit.records.map((r) => [r.decision, r.reason, r.mode, r.status])).toEqual([['allow', 'allowed', 'proxy', undefined], ['deny', 'credentials_failed', 'proxy', 502]])
    expect(new Set(audit.records.map((r) => r.id)).size).toBe(1)
    expect(reported).toEqual([expect.objectContaining({ message: 'misconfigured middleware' })])
    expect(upstream.received).toEqual([])
  })

  it('passes a body-less answer through', async () => {
    const { agentFetch } = setup()
    const res = await agentFetch(`${A}/empty`, { method: 'POST' })
    expect([res.status, res.body, res.headers.get('x-done')]).toEqual([204, null, '1'])
  })

  it('lets the agent see a 3xx when redirects are manual', async () => {
    const { agentFetch, upstream } = setup({ redirects: 'manual' })
    const res = await agentFetch(`${A}/r?status=302&to=${encodeURIComponent(`${EVIL}/x`)}`)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${EVIL}/x`)
    expect(credentialFields(upstream.received[0]!)).toContain('workload-proof-token')
    expect(upstream.received).toHaveLength(1)
  })
})
