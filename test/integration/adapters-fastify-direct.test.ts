// agentauth/adapters/fastify reads the Node message directly for a verifier from
// createRequestVerifier (no fetch Request unless a response is signed), replays the body it read to
// fastify's parsers, and still hands any other verifier a fetch Request. Real Fastify 5 apps on
// loopback (port 0).
import Fastify, { type FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { workloadAuth } from '../../src/adapters/fastify/index.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, type RequestVerifier } from '../../src/server/index.js'
import { plainVerifier, spyOn } from '../helpers/adapters-direct.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { adapterFixture, credentialed, ORIGIN, send, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'

async function withApp(app: FastifyInstance, run: (base: string) => Promise<void>): Promise<void> {
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    await run(base)
  } finally {
    await app.close()
  }
}

function echo(app: FastifyInstance): void {
  app.route({ method: ['GET', 'POST'], url: '/r', handler: async (request) => ({ id: request.workload!.workload.id, body: request.body ?? null }) })
}

describe('fastify workloadAuth: direct reading of the Node message', () => {
  let fx: AdapterFixture
  beforeAll(async () => { fx = await adapterFixture() })

  function lenient(): RequestVerifier {
    return createRequestVerifier({ trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'either', authorize: matchId(fx.agent.id), replayCache: createMemoryReplayCache() })
  }

  it('refuses a path with percent-encoded unreserved characters, which the router decodes but the authorizer sees encoded', async () => {
    // find-my-way decodes "/%61dmin" to "/admin": an authorizer refusing /admin/* saw "/%61dmin/…"
    // and the admin handler ran.
    const verify = createRequestVerifier({
      trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'wpt', replayCache: createMemoryReplayCache(),
      authorize: (_id, ctx) => !ctx.url.pathname.startsWith('/admin'),
    })
    const app = Fastify()
    await app.register(workloadAuth(verify, { publicOrigin: ORIGIN }))
    const ran: string[] = []
    app.get('/admin/secret', async () => { ran.push('admin'); return 'admin' })
    app.get('/files/:name', async (request) => (request.params as { name: string }).name)
    await withApp(app, async (base) => {
      for (const path of ['/%61dmin/secret', '/a%64min/secret', '/%41dmin/secret', '/admin/secre%74', '/%7eadmin/secret', '/admin/secret%2D']) {
        const res = await send(base, await credentialed('wpt', fx.agent, path))
        expect(res.status, path).toBe(400)
        expect(await res.json()).toMatchObject({ code: 'ERR_HEADER_INVALID' })
      }
      expect((await send(base, await credentialed('wpt', fx.agent, '/admin/secret'))).status).toBe(403)
      // Reserved and non-ASCII escapes keep working (they have no unencoded equivalent).
      for (const [path, name] of [['/files/a%2Fb', 'a/b'], ['/files/caf%C3%A9', 'café'], ['/files/a%20b', 'a b']]) {
        const res = await send(base, await credentialed('wpt', fx.agent, path!))
        expect(res.status, path).toBe(200)
        expect(await res.text()).toBe(name)
      }
    })
    expect(ran).toEqual([])
  })

  it('verifies on the direct entry without building a Request, and replays the digested body to the JSON parser', async () => {
    const { verify, log } = spyOn(lenient())
    const app = Fastify()
    await app.register(workloadAuth(verify, { publicOrigin: ORIGIN }))
    echo(app)
    await withApp(app, async (base) => {
      for (const kind of ['wpt', 'httpsig'] as const) {
        const body = JSON.stringify({ q: 'digested', kind, text: 'é✓' })
        const res = await send(base, await credentialed(kind, fx.agent, '/r', { body, contentType: 'application/json' }))
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ id: fx.agent.id, body: { q: 'digested', kind, text: 'é✓' } })
      }
      // A WPT request without a body, and one whose body the verifier did not need (no digest).
      const get = await send(base, await credentialed('wpt', fx.agent, '/r'))
      expect(get.status).toBe(200)
      expect(await get.json()).toEqual({ id: fx.agent.id, body: null })
      const undigested = await credentialed('wpt', fx.agent, '/r', { body: '{"q":"parsed by fastify"}', contentType: 'application/json' })
      undigested.headers.delete('content-digest')
      const res = await send(base, undigested)
      expect(await res.json()).toEqual({ id: fx.agent.id, body: { q: 'parsed by fastify' } })
    })
    expect(log).toEqual({ direct: 4, fetch: 0, toRequest: 0 })
  })

  it('builds the Request once, in onSend, to sign the response', async () => {
    const { verify, log } = spyOn(fx.verify)
    const app = Fastify()
    await app.register(workloadAuth(verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    echo(app)
    await withApp(app, async (base) => {
      const req = await credentialed('httpsig', fx.agent, '/r', { body: '{"n":7}', contentType: 'application/json' })
      const res = await send(base, req)
      expect(res.status).toBe(200)
      expect(await verifySignedResponse(fx, req, res.clone())).toContain('"content-digest"')
      expect(await res.json()).toEqual({ id: fx.agent.id, body: { n: 7 } })
    })
    expect(log).toEqual({ direct: 1, fetch: 0, toRequest: 1 })
  })

  it('answers a replay and a refusal with an unread body as before (problem JSON, body drained, onError)', async () => {
    const { verify, log } = spyOn(lenient())
    const errors: unknown[] = []
    // Node keeps a connection whose request was answered before its body was read out of
    // closeIdleConnections (same before and after direct reading): close it on app.close().
    const app = Fastify({ forceCloseConnections: true })
    await app.register(workloadAuth(verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse, onError: (err) => errors.push(err) }))
    echo(app)
    await withApp(app, async (base) => {
      const req = await credentialed('wpt', fx.agent, '/r', { body: '{"n":1}', contentType: 'application/json' })
      expect((await send(base, req)).status).toBe(200)
      const replay = await send(base, req)
      expect(replay.status).toBe(401)
      expect(replay.headers.get('content-type')).toBe('application/problem+json')
      expect(replay.headers.get('workload-identity-token')).toBeNull() // refusals are never signed
      expect(await replay.json()).toMatchObject({ code: 'ERR_PROOF_REPLAYED' })

      const stranger = await credentialed('wpt', fx.stranger, '/r', { body: 'x'.repeat(200_000), contentType: 'text/plain' })
      stranger.headers.delete('content-digest')
      const refused = await send(base, stranger)
      expect(refused.status).toBe(403)
      expect(await refused.json()).toMatchObject({ code: 'ERR_POLICY_DENIED' })
    })
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_PROOF_REPLAYED', 'ERR_POLICY_DENIED'])
    expect(log).toEqual({ direct: 3, fetch: 0, toRequest: 1 }) // only the accepted request was signed
  })

  it('hands a verifier that is not from createRequestVerifier a fetch Request, and replays a body it read', async () => {
    const seen: unknown[] = []
    for (const readBody of [true, false]) {
      const app = Fastify()
      await app.register(workloadAuth(plainVerifier(seen, readBody), { publicOrigin: ORIGIN }))
      echo(app)
      await withApp(app, async (base) => {
        const res = await fetch(`${base}/r?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-trace': 't1' }, body: '{"a":1}' })
        expect(await res.json()).toEqual({ id: 'spiffe://example.org/plain', body: { a: 1 } })
      })
    }
    expect(seen).toEqual([true, 'POST', `${ORIGIN}/r?x=1`, 't1', '{"a":1}', true, 'POST', `${ORIGIN}/r?x=1`, 't1'])
  })
})
