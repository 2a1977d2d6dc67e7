// Review 9: the rate limiter under a wall-clock jump, and bounds at the documented limits.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createCredentialBroker, type CredentialBrokerOptions } from '../../../src/broker/index.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain, type Workload } from '../../helpers/server-fixtures.js'

let agent: Workload
const TOKEN = capabilityToken()

beforeAll(async () => {
  agent = await (await trustDomain('example.org')).workload('/agents/bot')
})

const proofRequest = (url: string): Request =>
  new Request('http://localhost/v1/proof', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', url }) })

describe('rate limit and the clock', () => {
  it('keeps refilling after the clock steps back (it stalled until the clock caught up again)', async () => {
    let now = Date.now()
    const options: CredentialBrokerOptions = {
      signer: agent.signer,
      wit: agent.wit,
      proof: 'wpt',
      policy: { destinations: { 'https://a.example.com': { paths: ['/'], methods: ['GET'], rateLimit: { requests: 1, interval: 1 } } } },
      audit: () => undefined,
      capabilityTokens: TOKEN,
      clock: () => now,
    }
    const broker = createCredentialBroker(options)
    expect((await broker(proofRequest('https://a.example.com/x'))).status).toBe(200)
    expect((await broker(proofRequest('https://a.example.com/x'))).status).toBe(429)
    now -= 600_000 // NTP steps the wall clock back ten minutes
    expect((await broker(proofRequest('https://a.example.com/x'))).status).toBe(429)
    now += 2_000
    expect((await broker(proofRequest('https://a.example.com/x'))).status).toBe(200)
  })
})

describe('documented limits at the boundary', () => {
  const base = (fetch: CredentialBrokerOptions['fetch']): CredentialBrokerOptions => ({
    signer: agent.signer,
    wit: agent.wit,
    proof: 'httpsig',
    policy: { destinations: { 'https://a.example.com': { paths: ['/'], methods: ['GET', 'POST'], maxBodyBytes: 10 } } },
    audit: () => undefined,
    capabilityTokens: TOKEN,
    ...(fetch ? { fetch } : {}),
  })
  const proxied = (body: string, streamed: boolean): Request => {
    const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } }
    if (streamed) {
      init.body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode(body)), c.close()) })
      init.duplex = 'half'
    } else init.body = body
    return new Request(`http://localhost/v1/proxy/${encodeURIComponent('https://a.example.com/x')}`, init)
  }

  it('proxy mode: a body of exactly maxBodyBytes passes, one byte more is 413 (declared or streamed)', async () => {
    const sent: number[] = []
    const broker = createCredentialBroker(base(async (input, init) => {
      sent.push((await new Request(input, init).arrayBuffer()).byteLength)
      return new Response('ok')
    }))
    for (const streamed of [false, true]) {
      expect((await broker(proxied('0123456789', streamed))).status).toBe(200)
      expect((await broker(proxied('0123456789a', streamed))).status).toBe(413)
    }
    expect(sent).toEqual([10, 10])
  })

  it('proof mode: a JSON request of exactly 16 KiB is read, one byte more is 400', async () => {
    const broker = createCredentialBroker(base(undefined))
    const request = (size: number): Request => {
      const prefix = JSON.stringify({ method: 'GET', url: 'https://a.example.com/x' })
      const json = prefix.slice(0, -1) + ' '.repeat(size - prefix.length) + '}'
      expect(json.length).toBe(size)
      return new Request('http://localhost/v1/proof', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: json })
    }
    expect((await broker(request(16 * 1024))).status).toBe(200)
    expect((await broker(request(16 * 1024 + 1))).status).toBe(400)
  })
})

describe('pending approvals are bounded', () => {
  it('holds at most 64 requests for approval at once; more are refused approval_failed without asking, and room frees up', async () => {
    const releases: Array<(v: boolean) => void> = []
    let asked = 0
    const audit: Array<Record<string, unknown>> = []
    const broker = createCredentialBroker({
      signer: agent.signer,
      wit: agent.wit,
      proof: 'wpt',
      policy: { destinations: { 'https://a.example.com': { paths: ['/'], methods: ['GET'] } } },
      audit: (r) => void audit.push({ ...r }),
      capabilityTokens: TOKEN,
      approve: () => {
        asked++
        return new Promise<boolean>((r) => releases.push(r))
      },
    })
    const held = Array.from({ length: 64 }, () => broker(proofRequest('https://a.example.com/x')))
    await vi.waitFor(() => expect(asked).toBe(64), { timeout: 10_000 })
    const extra = await broker(proofRequest('https://a.example.com/x'))
    expect(extra.status).toBe(403)
    expect(extra.headers.get('agentauth-broker-error')).toBe('approval_failed')
    expect(asked).toBe(64)
    expect(audit.at(-1)).toMatchObject({ decision: 'deny', reason: 'approval_failed', status: 403 })
    // The first approval asked for need not be held[0]'s (capability checks may finish out of
    // order under load): the request it releases is the first of the held ones to settle.
    releases.shift()!(true)
    expect((await Promise.race(held)).status).toBe(200)
    const next = broker(proofRequest('https://a.example.com/x'))
    await vi.waitFor(() => expect(asked).toBe(65), { timeout: 10_000 })
    for (const release of releases) release(false)
    expect((await next).status).toBe(403)
    const settled = await Promise.all(held)
    expect(settled.filter((r) => r.status === 200)).toHaveLength(1)
    for (const r of settled.filter((x) => x.status !== 200)) expect(r.headers.get('agentauth-broker-error')).toBe('approval_denied')
  }, 30_000)
})
