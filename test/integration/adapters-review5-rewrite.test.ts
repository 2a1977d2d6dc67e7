// Review 5 regression: with fastify's rewriteUrl, the plugin verified the rewritten URL, so every
// proof for the URL the caller sent was refused (audience mismatch).
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { workloadAuth } from '../../src/adapters/fastify/index.js'
import { adapterFixture, credentialed, ORIGIN, verifySignedResponse } from '../helpers/adapters-fixtures.js'

describe('fastify workloadAuth with rewriteUrl', () => {
  it('verifies (and signs for) the URL the caller sent, and the route still sees the rewritten one', async () => {
    const fx = await adapterFixture()
    const app = Fastify({ rewriteUrl: (req) => (req.url ?? '/').replace(/^\/v1\//, '/') })
    await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.get('/doc', async (request) => ({ verified: request.workload?.url, routed: request.url }))
    try {
      for (const kind of ['httpsig', 'wpt'] as const) {
        const req = await credentialed(kind, fx.agent, '/v1/doc?x=1')
        const res = await app.inject({ method: 'GET', url: '/v1/doc?x=1', headers: Object.fromEntries(req.headers) })
        expect(res.statusCode).toBe(200)
        expect(res.json()).toEqual({ verified: `${ORIGIN}/v1/doc?x=1`, routed: '/doc?x=1' })
        const asResponse = new Response(res.body, { status: res.statusCode, headers: res.headers as Record<string, string> })
        await verifySignedResponse(fx, req, asResponse)
      }
      // A proof for the rewritten URL is not one for the URL sent.
      const other = await credentialed('wpt', fx.agent, '/doc?x=1')
      const refused = await app.inject({ method: 'GET', url: '/v1/doc?x=1', headers: Object.fromEntries(other.headers) })
      expect(refused.statusCode).toBe(400)
      expect(refused.json()).toMatchObject({ code: 'ERR_WPT_AUDIENCE' })
    } finally {
      await app.close()
    }
  })
})
