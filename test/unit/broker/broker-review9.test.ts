// Review 9: the rate limiter under a wall-clock jump, and bounds at the documented limits.
import { beforeAll, describe, expect, it } from 'vitest'
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
