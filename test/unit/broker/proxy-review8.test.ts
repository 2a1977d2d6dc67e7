// Review 8: proxy mode must not forward what the agent claims about the request's route or origin;
// the capability check must not remember a failed digest.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker } from '../../../src/broker/index.js'
import { createProxyFetch } from '../../../src/fetch/index.js'
import { capabilityToken, recordingAudit, routeFetch } from '../../helpers/broker-fixtures.js'
import { trustDomain, type Workload } from '../../helpers/server-fixtures.js'

const A = 'https://a.example.com'
const TOKEN = capabilityToken()
let agent: Workload

beforeAll(async () => {
  agent = await (await trustDomain('example.org')).workload('/agents/bot')
})

function setup() {
  const upstream = routeFetch({ [A]: () => new Response('ok') })
  const broker = createCredentialBroker({
    signer: agent.signer,
    wit: agent.wit,
    proof: 'wpt',
    policy: { destinations: { [A]: { paths: ['/v1/'], methods: ['GET'] } } },
    audit: recordingAudit().sink,
    capabilityTokens: TOKEN,
    fetch: upstream.fetch,
  })
  const agentFetch = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: TOKEN, fetch: async (input, init) => broker(new Request(input, init)) })
  return { agentFetch, upstream }
}

describe('broker proxy mode: forwarding fields the agent sets', () => {
  it('drops Forwarded, X-Forwarded-*, X-Real-IP and Via (a destination trusting its front end would read the agent-chosen host, scheme, prefix or client)', async () => {
    const { agentFetch, upstream } = setup()
    const claimed = {
      forwarded: 'for=10.0.0.1;host=admin.a.example.com;proto=https',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'admin.a.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '8443',
      'x-forwarded-prefix': '/admin',
      'x-forwarded-server': 'admin',
      'x-real-ip': '10.0.0.1',
      via: '1.1 trusted-gateway',
      'x-keep': 'k',
    }
    const res = await agentFetch(`${A}/v1/items`, { headers: claimed })
    expect(res.status).toBe(200)
    const sent = upstream.received[0]!.headers
    expect(Object.keys(claimed).filter((name) => sent.has(name))).toEqual(['x-keep'])
  })
})

describe('broker capability check: a failed digest is not remembered', () => {
  it('recovers after the crypto provider failed once while hashing the configured tokens', async () => {
    let failures = 1
    const flaky = {
      randomUUID: () => globalThis.crypto.randomUUID(),
      subtle: {
        digest: (alg: AlgorithmIdentifier, data: BufferSource) => (failures-- > 0 ? Promise.reject(new Error('provider busy')) : globalThis.crypto.subtle.digest(alg, data)),
      },
    } as unknown as Crypto
    const broker = createCredentialBroker({
      signer: agent.signer,
      wit: agent.wit,
      proof: 'wpt',
      policy: { destinations: { [A]: { paths: ['/v1/'], methods: ['GET'] } } },
      audit: () => undefined,
      capabilityTokens: TOKEN,
      crypto: flaky,
    })
    const ask = () => broker(new Request('http://localhost/v1/elsewhere', { headers: { authorization: `Bearer ${TOKEN}` } }))
    expect((await ask()).status).toBe(502)
    // The provider works again: the broker must not keep failing every request.
    expect((await ask()).status).toBe(404)
  })
})
