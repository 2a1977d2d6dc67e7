// Review 8: with several public origins, "the request's host picks among the configured ones"
// (api-guide). The verifier compared whole origins, so behind a proxy that terminates TLS (the
// request arrives as http://b.example.com/…) a request addressed to the configured
// https://b.example.com was reported, and its signature components derived, as the first origin's
// (https://a.example.com). The host now picks the configured origin when exactly one has it.
import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, type AuthorizationContext } from '../../../src/server/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

describe('createRequestVerifier: several origins, the request host picks one', () => {
  it('a request reaching the service as http://b… is attributed to https://b…', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/a')
    const seen: string[] = []
    const verify = createRequestVerifier({
      trustBundles: td.trustBundles, origin: ['https://a.example.com', 'https://b.example.com'], proof: 'wpt',
      authorize: (id, ctx: AuthorizationContext) => { seen.push(ctx.url.href); return matchAny()(id) },
    })
    const signed = await wptRequest(agent, 'https://b.example.com/x?q=1')
    const internal = new Request('http://b.example.com/x?q=1', { headers: signed.headers })
    const result = await verify(internal)
    expect(result.url).toBe('https://b.example.com/x?q=1')
    expect(seen).toEqual(['https://b.example.com/x?q=1'])
  })

  it('a host no configured origin has still falls back to the first origin; another port is another host', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/a')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ['https://a.example.com', 'https://b.example.com'], proof: 'wpt', authorize: matchAny() })
    for (const url of ['http://10.0.0.7/x', 'http://b.example.com:8080/x']) {
      const signed = await wptRequest(agent, 'https://a.example.com/x')
      expect((await verify(new Request(url, { headers: signed.headers }))).url).toBe('https://a.example.com/x')
    }
  })
})
