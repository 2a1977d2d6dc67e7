// Review round 9: the guide snippets of docs/getting-started.md, run as written against the real
// API (the agent's fetch is pointed at the API handler instead of the network).
import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../src/bundle/index.js'
import { composeFetch, localCredentials, workloadAuth } from '../../src/fetch/index.js'
import { matchTrustDomain } from '../../src/identifier/index.js'
import { createRequestVerifier, errorResponse } from '../../src/server/index.js'
import { generateSigner } from '../../src/signer/index.js'
import { createWIT } from '../../src/wit/index.js'

describe('docs/getting-started.md (review 9)', () => {
  it('steps 1-3 work together: the API answers the agent with its workload id', async () => {
    // 1.
    const issuer = await generateSigner('ES256', { kid: 'dev-issuer' })
    const agentKey = await generateSigner('ES256')
    const wit = await createWIT(
      { sub: 'spiffe://example.org/agents/support-bot', cnf: { jwk: await agentKey.publicJwk() } },
      { signer: issuer, lifetime: 3600 },
    )
    // 3.
    const verify = createRequestVerifier({
      trustBundles: staticTrustBundles({ 'example.org': [await issuer.publicJwk()] }),
      origin: 'https://tools.example.com',
      proof: 'either',
      authorize: matchTrustDomain('example.org'),
    })
    async function handle(request: Request): Promise<Response> {
      try {
        const caller = await verify(request)
        return Response.json({ hello: caller.workload.id })
      } catch (err) {
        return errorResponse(err)
      }
    }
    // 2., with the network replaced by the handler.
    const network = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => handle(new Request(input, init))
    const fetchWithIdentity = composeFetch(network, workloadAuth({
      credentials: localCredentials({ signer: agentKey, wit, proof: 'httpsig' }),
      origins: ['https://tools.example.com'],
    }))
    const res = await fetchWithIdentity('https://tools.example.com/search?q=weather')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ hello: 'spiffe://example.org/agents/support-bot' })
    // Without the wrapper the API refuses.
    expect((await network('https://tools.example.com/search?q=weather')).status).toBeGreaterThanOrEqual(400)
  })
})
