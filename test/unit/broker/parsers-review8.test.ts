// Review 8: property tests on what the broker parses from the agent (proof-request JSON, proxy
// target path). Random and mutated inputs must give a refusal (400/403/404) or an answer — never
// the 502 of an unexpected internal failure.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCredentialBroker, type CredentialBrokerOptions } from '../../../src/broker/index.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'
import { trustDomain, type Workload } from '../../helpers/server-fixtures.js'

const TOKEN = capabilityToken()
const A = 'https://a.example.com'
let agent: Workload

beforeAll(async () => {
  agent = await (await trustDomain('example.org')).workload('/agents/bot')
})

function broker(proof: 'wpt' | 'httpsig', errors: unknown[]) {
  const options: CredentialBrokerOptions = {
    signer: agent.signer,
    wit: agent.wit,
    proof,
    policy: { destinations: { [A]: { paths: ['/'], methods: ['GET', 'POST', 'patch'] } } },
    audit: () => undefined,
    capabilityTokens: TOKEN,
    fetch: async () => new Response('upstream'),
    onError: (err) => errors.push(err),
  }
  return createCredentialBroker(options)
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', 'Bearer abc', 'bearer  ' + 'a'.repeat(40), 'DPoP x', 'Basic Zm9v', 'sha-256=:AAAA:', 'application/json', '\u0100', 'a\u0000b'),
)

describe('broker parsers: random input never becomes an internal failure', () => {
  it('proof requests', async () => {
    const errors: unknown[] = []
    const brokers = [broker('wpt', errors), broker('httpsig', errors)]
    const url = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }).map((u) => u.replace(/^https?:\/\/[^/]+/, A)), fc.webUrl(), fc.string())
    const member = fc.oneof(text, fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1),
        fc.oneof(fc.constantFrom('GET', 'POST', 'patch', 'get'), fc.string({ maxLength: 40 })),
        url,
        fc.option(text, { nil: undefined }),
        fc.dictionary(fc.constantFrom('content-type', 'authorization', 'txn-token', 'Authorization', 'cookie'), member, { maxKeys: 3 }),
        async (i, method, target, contentDigest, headers) => {
          const body = JSON.stringify({ method, url: target, ...(contentDigest !== undefined ? { contentDigest } : {}), headers })
          const res = await brokers[i]!(new Request('http://localhost/v1/proof', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body }))
          expect([200, 400, 403]).toContain(res.status)
        },
      ),
      { numRuns: 300 },
    )
    expect(errors).toEqual([])
  })

  it('proxy target paths', async () => {
    const errors: unknown[] = []
    const handler = broker('httpsig', errors)
    const piece = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('%', '%zz', '%2F', '%252F', '..', '%2e%2e', '\\', '//', '?', '#', 'https%3A%2F%2Fa.example.com', 'https://a.example.com/', '%F0%9F', '%C0%AE'))
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }), async (pieces) => {
        let request: Request
        try {
          request = new Request(`http://localhost/v1/proxy/${pieces.join('')}`, { headers: { authorization: `Bearer ${TOKEN}` } })
        } catch {
          return
        }
        const res = await handler(request)
        expect([200, 400, 403, 404]).toContain(res.status)
      }),
      { numRuns: 300 },
    )
    expect(errors).toEqual([])
  })
})
