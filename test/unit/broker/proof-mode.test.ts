import { inspect } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker, type CredentialBrokerOptions } from '../../../src/broker/index.js'
import { composeFetch, remoteCredentials, workloadAuth } from '../../../src/fetch/index.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse } from '../../../src/server/index.js'
import { capabilityToken, codeOf, recordingAudit, routeFetch } from '../../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../../helpers/server-fixtures.js'

const API = 'https://api.example.com'
const TOKEN = capabilityToken()
let td: TrustDomainFixture
let agent: Workload

beforeAll(async () => {
  td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
})

function setup(overrides: Partial<CredentialBrokerOptions> = {}) {
  const audit = recordingAudit()
  const broker = createCredentialBroker({
    signer: agent.signer,
    wit: agent.wit,
    proof: 'wpt',
    policy: { destinations: { [API]: { paths: ['/v1/search', '/v1/orders'], methods: ['GET', 'POST'] } } },
    audit: audit.sink,
    capabilityTokens: TOKEN,
    ...overrides,
  })
  const toBroker = async (input: Request | URL | string, init?: RequestInit) => broker(new Request(input, init))
  const credentials = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: toBroker })
  const errors: unknown[] = []
  const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: API, proof: 'either', authorize: matchAny() })
  const net = routeFetch({
    [API]: async (request) => {
      try {
        const caller = await verify(request)
        if (new URL(request.url).pathname === '/v1/orders/moved') return new Response(null, { status: 302, headers: { location: '/v1/search#top' } })
        return Response.json({ caller: caller.workload.id, proof: caller.proof.type, body: await request.text() })
      } catch (err) {
        errors.push(err)
        return errorResponse(err)
      }
    },
  })
  const agentFetch = composeFetch(net.fetch, workloadAuth({ credentials, origins: [API] }))
  const raw = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }) =>
    broker(new Request('http://127.0.0.1:7070/v1/proof', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }))
  return { broker, audit, credentials, agentFetch, net, errors, raw }
}

describe('credential broker, proof mode', () => {
  it('issues a WPT or an HTTP signature for exactly one request; the API verifies it and refuses its replay', async () => {
    for (const proof of ['wpt', 'httpsig'] as const) {
      const { agentFetch, net, errors, audit } = setup({ proof })
      const res = await agentFetch(`${API}/v1/search?q=weather`, { method: 'POST', body: '{"q":1}', headers: { 'content-type': 'application/json' } })
      expect(await res.json()).toEqual({ caller: agent.id, proof, body: '{"q":1}' })
      expect(audit.records).toHaveLength(1)
      expect(audit.records[0]).toMatchObject({ decision: 'allow', reason: 'allowed', mode: 'proof', method: 'POST', url: `${API}/v1/search?q=REDACTED`, origin: API })
      const replay = await net.fetch(net.received[0]!.url, { method: 'POST', headers: net.received[0]!.headers, body: '{"q":1}' })
      expect(replay.status).toBe(401)
      expect((errors[0] as { code: string }).code).toBe('ERR_PROOF_REPLAYED')
    }
  })

  it('binds method, URL and digest: a proof used for another request fails at the API', async () => {
    const { credentials, net, errors } = setup({ proof: 'httpsig' })
    const granted = await credentials.authorize({ method: 'POST', url: `${API}/v1/orders`, contentDigest: 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:', headers: new Headers() })
    const headers = new Headers(granted)
    headers.set('content-digest', 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:')
    expect((await net.fetch(`${API}/v1/orders`, { method: 'DELETE', headers })).status).toBe(400)
    expect((await net.fetch(`${API}/v1/search`, { method: 'POST', headers, body: new Uint8Array(0) })).status).toBe(400)
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_HTTPSIG_SIGNATURE', 'ERR_HTTPSIG_AUDIENCE'])
  })

  it('refuses a missing or wrong capability token (401, audited)', async () => {
    const { raw, audit } = setup()
    const body = { method: 'GET', url: `${API}/v1/search` }
    const none = await raw(body, { 'content-type': 'application/json' })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="agentauth-broker"')
    expect(none.headers.get('agentauth-broker-error')).toBe('unauthorized')
    expect(await none.json()).toEqual({ error: { code: 'ERR_BROKER_UNAUTHORIZED', reason: 'unauthorized', message: 'a valid capability token is required' } })
    expect((await raw(body, { authorization: `Bearer ${TOKEN}x`, 'content-type': 'application/json' })).status).toBe(401)
    expect((await raw(body, { authorization: `Basic ${TOKEN}`, 'content-type': 'application/json' })).status).toBe(401)
    expect(audit.records.map((r) => [r.decision, r.reason, r.status])).toEqual(Array(3).fill(['deny', 'unauthorized', 401]))
    const wrong = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken(), fetch: async (i, init) => setup().broker(new Request(i, init)) })
    expect(await codeOf(wrong.authorize({ method: 'GET', url: `${API}/v1/search`, headers: new Headers() }))).toBe('ERR_BROKER_UNAUTHORIZED')
  })

  it('accepts any of several capability tokens (rotation)', async () => {
    const next = capabilityToken()
    const { raw } = setup({ capabilityTokens: [capabilityToken(), next] })
    const res = await raw({ method: 'GET', url: `${API}/v1/search` }, { authorization: `Bearer ${next}`, 'content-type': 'application/json' })
    expect(res.status).toBe(200)
  })

  it('refuses what the policy does not allow (403), with an audit record for each', async () => {
    const { credentials, audit } = setup({ policy: { destinations: { [API]: { paths: ['/v1/search'], methods: ['GET'] }, 'https://proxy-only.example.com': { paths: ['/'], methods: ['GET'], modes: ['proxy'] } } } })
    const ask = (method: string, url: string) => codeOf(credentials.authorize({ method, url, headers: new Headers() }))
    expect(await ask('GET', 'https://evil.example.net/v1/search')).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('GET', `${API}/v1/searchall`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('DELETE', `${API}/v1/search`)).toBe('ERR_SIGNER_REFUSED')
    expect(await ask('GET', 'https://proxy-only.example.com/')).toBe('ERR_SIGNER_REFUSED')
    expect(audit.records.map((r) => [r.decision, r.reason, r.status])).toEqual([
      ['deny', 'origin_not_allowed', 403],
      ['deny', 'path_not_allowed', 403],
      ['deny', 'method_not_allowed', 403],
      ['deny', 'mode_not_allowed', 403],
    ])
    await expect(credentials.authorize({ method: 'GET', url: `${API}/v1/admin`, headers: new Headers() })).rejects.toThrow(/path_not_allowed/)
  })

  it('rate-limits per destination (429 + Retry-After)', async () => {
    let now = Date.now()
    const { credentials, raw, audit } = setup({ clock: () => now, policy: { destinations: { [API]: { paths: ['/'], methods: ['GET'], rateLimit: { requests: 1, interval: 30 } } } } })
    const ask = () => codeOf(credentials.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() }))
    expect(await ask()).toBe('resolved')
    expect(await ask()).toBe('ERR_SIGNER_RATE_LIMITED')
    const res = await raw({ method: 'GET', url: `${API}/x` })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('30')
    now += 30_000
    expect(await ask()).toBe('resolved')
    expect(audit.records.map((r) => r.reason)).toEqual(['allowed', 'rate_limited', 'rate_limited', 'allowed'])
  })

  it('holds requests for approval: approved, denied, timed out, failed', async () => {
    const contexts: unknown[] = []
    const decide = (answer: 'yes' | 'no' | 'never' | 'throw') => async (ctx: { signal: AbortSignal }) => {
      contexts.push(ctx)
      if (answer === 'yes') return true
      if (answer === 'no') return false
      if (answer === 'throw') throw new Error('pager down')
      return new Promise<boolean>(() => undefined)
    }
    const outcomes: string[] = []
    const reported: unknown[] = []
    for (const answer of ['yes', 'no', 'never', 'throw'] as const) {
      const { credentials, audit } = setup({ approve: decide(answer), approvalTimeout: 0.05, onError: (e) => reported.push(e) })
      outcomes.push(await codeOf(credentials.authorize({ method: 'POST', url: `${API}/v1/orders?id=1`, headers: new Headers() })))
      outcomes.push(audit.records.at(-1)!.reason)
    }
    expect(outcomes).toEqual(['resolved', 'allowed', 'ERR_SIGNER_REFUSED', 'approval_denied', 'ERR_SIGNER_REFUSED', 'approval_timeout', 'ERR_SIGNER_REFUSED', 'approval_failed'])
    expect(contexts[0]).toMatchObject({ mode: 'proof', method: 'POST', url: `${API}/v1/orders?id=1`, origin: API, path: '/v1/orders', hop: 0 })
    expect((contexts[2] as { signal: AbortSignal }).signal.aborted).toBe(true)
    expect(reported).toEqual([expect.objectContaining({ message: 'pager down' })])
  })

  it('issues nothing when the allow record cannot be written (503)', async () => {
    const reported: unknown[] = []
    const { raw } = setup({ audit: () => Promise.reject(new Error('disk full')), onError: (e) => reported.push(e) })
    const res = await raw({ method: 'GET', url: `${API}/v1/search` })
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { reason: 'audit_failed' } })
    expect(reported).toHaveLength(1)
  })

  it('refuses malformed proof requests (400) and unknown paths (404)', async () => {
    const { raw, broker } = setup()
    const cases: unknown[] = [
      'not json',
      '[]',
      { method: 'GET' },
      { method: 'G T', url: `${API}/v1/search` },
      { method: 'GET', url: '/v1/search' },
      { method: 'GET', url: 'ftp://api.example.com/v1/search' },
      { method: 'GET', url: `https://u:p@api.example.com/v1/search` },
      { method: 'GET', url: `${API}/v1/search#x` },
      { method: 'GET', url: `${API}/v1/search`, extra: 1 },
      { method: 'GET', url: `${API}/v1/search`, contentDigest: 5 },
      { method: 'GET', url: `${API}/v1/search`, headers: { cookie: 'a=1' } },
      { method: 'GET', url: `${API}/v1/search`, headers: { 'content-type': 'a\u0000b' } },
      { method: 'GET', url: `${API}/v1/search`, headers: [] },
      { method: 'GET', url: `${API}/v1/search`, pad: 'x'.repeat(20_000) },
    ]
    for (const body of cases) expect([body, (await raw(body)).status]).toEqual([body, 400])
    expect((await raw({ method: 'GET', url: `${API}/v1/search` }, { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' })).status).toBe(400)
    expect((await broker(new Request('http://127.0.0.1:7070/v1/proof', { headers: { authorization: `Bearer ${TOKEN}` } }))).status).toBe(400)
    expect((await broker(new Request('http://127.0.0.1:7070/v2/other', { headers: { authorization: `Bearer ${TOKEN}` } }))).status).toBe(404)
  })

  it('never sends a URL fragment to the broker: the first URL and a redirect target are signed without it', async () => {
    const { agentFetch, credentials, net, errors, audit } = setup()
    expect(await (await agentFetch(`${API}/v1/search?q=1#section`)).json()).toMatchObject({ caller: agent.id, proof: 'wpt' })
    expect(await (await agentFetch(`${API}/v1/orders/moved#here`)).json()).toMatchObject({ caller: agent.id, proof: 'wpt' })
    expect(net.received.map((r) => r.url)).toEqual([`${API}/v1/search?q=1`, `${API}/v1/orders/moved`, `${API}/v1/search`])
    const granted = await credentials.authorize({ method: 'GET', url: `${API}/v1/search#frag`, headers: new Headers() })
    expect(granted.has('workload-proof-token')).toBe(true)
    expect(audit.records.map((r) => [r.decision, r.reason, r.url])).toEqual([
      ['allow', 'allowed', `${API}/v1/search?q=REDACTED`],
      ['allow', 'allowed', `${API}/v1/orders/moved`],
      ['allow', 'allowed', `${API}/v1/search`],
      ['allow', 'allowed', `${API}/v1/search`],
    ])
    expect(errors).toEqual([])
  })

  it('refuses a dot segment hidden behind path parameters (..;), audited as path_not_allowed', async () => {
    const { credentials, audit } = setup()
    const urls = [`${API}/v1/search/..;/admin`, `${API}/v1/orders/%2e%2e;jsessionid=1/admin`, `${API}/v1/orders/.;/x`, `${API}/v1/orders/..%3B/admin`]
    for (const url of urls) expect([url, await codeOf(credentials.authorize({ method: 'GET', url, headers: new Headers() }))]).toEqual([url, 'ERR_SIGNER_REFUSED'])
    expect(audit.records.map((r) => [r.decision, r.reason, r.status, r.url])).toEqual(urls.map((url) => ['deny', 'path_not_allowed', 403, url]))
  })

  it('audits an authenticated request to a path that is no broker endpoint (404 not_found, mode unknown)', async () => {
    const { broker, audit } = setup()
    for (const path of ['/v1/admin', '/v1/proof/', '/']) {
      const res = await broker(new Request(`http://127.0.0.1:7070${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } }))
      expect([path, res.status, res.headers.get('agentauth-broker-error')]).toEqual([path, 404, 'not_found'])
    }
    expect(audit.records.map((r) => ({ decision: r.decision, reason: r.reason, mode: r.mode, status: r.status }))).toEqual(Array(3).fill({ decision: 'deny', reason: 'not_found', mode: 'unknown', status: 404 }))
    expect(new Set(audit.records.map((r) => r.id)).size).toBe(3)
  })

  it('answers 400 invalid_request, audited, when the proof request body fails while being read', async () => {
    const reported: unknown[] = []
    const { broker, audit } = setup({ onError: (e) => reported.push(e) })
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"method":'))
      },
      pull(c) {
        c.error(new Error('client connection reset'))
      },
    })
    const res = await broker(new Request('http://127.0.0.1:7070/v1/proof', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit))
    expect([res.status, res.headers.get('agentauth-broker-error')]).toEqual([400, 'invalid_request'])
    expect(audit.records.map((r) => [r.decision, r.reason, r.mode, r.status])).toEqual([['deny', 'invalid_request', 'proof', 400]])
    expect(reported).toEqual([])
  })

  it('does not ask for approval when the agent has already gone (403 approval_failed)', async () => {
    let asked = 0
    const { broker, audit } = setup({ approve: async () => ++asked > 0 })
    const gone = new AbortController()
    gone.abort(new Error('client gone'))
    const res = await broker(new Request('http://127.0.0.1:7070/v1/proof', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', url: `${API}/v1/search` }), signal: gone.signal }))
    expect([res.status, res.headers.get('agentauth-broker-error')]).toEqual([403, 'approval_failed'])
    expect(asked).toBe(0)
    expect(audit.records.map((r) => [r.decision, r.reason, r.status])).toEqual([['deny', 'approval_failed', 403]])
  })

  it('maps broker failures to typed errors on the agent side', async () => {
    const reported: unknown[] = []
    const failing = setup({ wit: { getWIT: () => Promise.reject(new Error('identity server down')) }, onError: (e) => reported.push(e) })
    expect(await codeOf(failing.credentials.authorize({ method: 'GET', url: `${API}/v1/search`, headers: new Headers() }))).toBe('ERR_SIGNER_FAILED')
    expect(failing.audit.records.map((r) => r.reason)).toEqual(['allowed', 'credentials_failed'])
    expect(reported).toHaveLength(1)
    const unreachable = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: () => Promise.reject(new TypeError('fetch failed')) })
    expect(await codeOf(unreachable.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() }))).toBe('ERR_SIGNER_FAILED')
    const slow = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, timeout: 0.02, fetch: (_i, init) => new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))) })
    await expect(slow.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() })).rejects.toThrow(/did not answer in time/)
    const garbage = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: async () => Response.json({ headers: { 'bad name': 'x' } }) })
    expect(await codeOf(garbage.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() }))).toBe('ERR_SIGNER_FAILED')
    const empty = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: async () => Response.json({ headers: {} }) })
    expect(await codeOf(empty.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() }))).toBe('ERR_SIGNER_FAILED')
    const controller = new AbortController()
    const pending = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: (_i, init) => new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))) })
    const p = pending.authorize({ method: 'GET', url: `${API}/x`, headers: new Headers() }, { signal: controller.signal })
    controller.abort(new Error('user cancelled'))
    await expect(p).rejects.toThrow('user cancelled')
  })

  it('remoteCredentials holds no key, no upstream token, and prints nothing secret', async () => {
    const { credentials } = setup()
    const shown = [JSON.stringify(credentials), inspect(credentials, { showHidden: true, depth: 20 }), String(credentials)]
    for (const text of shown) {
      expect(text).not.toContain(TOKEN)
      expect(text).not.toMatch(/"d"|private|CryptoKey|eyJ/)
    }
    expect(Object.keys(credentials).sort()).toEqual(['authorize', 'toJSON', 'toString'])
    expect(Object.isFrozen(credentials)).toBe(true)
    expect(() => remoteCredentials({ endpoint: 'http://api.example.com', token: TOKEN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => remoteCredentials({ endpoint: 'http://127.0.0.1:1/?x', token: TOKEN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => remoteCredentials({ endpoint: 'http://localhost', token: 'short' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => remoteCredentials({ endpoint: 42 as never, token: TOKEN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => remoteCredentials({ endpoint: 'https://broker.internal.example', token: TOKEN })).not.toThrow()
  })

  it('validates its options', () => {
    const base = { signer: agent.signer, wit: agent.wit, proof: 'wpt' as const, policy: { destinations: { [API]: { paths: ['/'], methods: ['GET'] } } }, audit: () => undefined, capabilityTokens: TOKEN }
    const bad = (o: Record<string, unknown>) => () => createCredentialBroker({ ...base, ...o } as never)
    expect(bad({})).not.toThrow()
    expect(bad({ capabilityTokens: 'short' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ capabilityTokens: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ proof: 'either' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ audit: 'file' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(bad({ approvalTimeout: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ redirects: { max: -1 } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ policy: { destinations: {} } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ wit: 'x.y.z' })).toThrow(TypeError)
  })
})
