// agentauth/adapters/express reads the Node message directly for a verifier from
// createRequestVerifier (no fetch Request unless a response is signed), and still hands any other
// verifier a fetch Request. Real Express 5 apps on loopback (port 0).
import { once } from 'node:events'
import { connect } from 'node:net'
import express from 'express'
import { beforeAll, describe, expect, it } from 'vitest'
import { captureRawBody, sendSignedResponse, workloadAuth } from '../../src/adapters/express/index.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, type RequestVerifier } from '../../src/server/index.js'
import { plainVerifier, spyOn } from '../helpers/adapters-direct.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { adapterFixture, credentialed, ORIGIN, send, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { listen, type StartedServer } from '../helpers/adapters-suite.js'

async function withApp(app: express.Express, run: (base: string) => Promise<void>): Promise<void> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const s: StartedServer = await listen(server)
  try {
    await run(s.base)
  } finally {
    await s.close()
  }
}

describe('express workloadAuth: direct reading of the Node message', () => {
  let fx: AdapterFixture
  beforeAll(async () => { fx = await adapterFixture() })

  function lenient(): RequestVerifier {
    return createRequestVerifier({ trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'either', authorize: matchId(fx.agent.id), replayCache: createMemoryReplayCache() })
  }

  it('verifies on the direct entry without building a Request, and keeps the digested body in req.rawBody', async () => {
    const { verify, log } = spyOn(lenient())
    const app = express()
    app.use(workloadAuth(verify, { publicOrigin: ORIGIN }))
    app.use(express.json()) // after the verifier read the body: the stream is finished, the bytes are in req.rawBody
    app.all('/r', (req, res) => {
      const raw = req.rawBody === undefined ? null : new TextDecoder().decode(req.rawBody)
      res.json({ id: req.workload!.workload.id, raw, parsed: raw === null ? null : JSON.parse(raw) as unknown })
    })
    await withApp(app, async (base) => {
      for (const kind of ['wpt', 'httpsig'] as const) {
        const req = await credentialed(kind, fx.agent, '/r', { body: '{"q":"digested"}', contentType: 'application/json' })
        const res = await send(base, req)
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ id: fx.agent.id, raw: '{"q":"digested"}', parsed: { q: 'digested' } })
      }
      // A WPT request without a body: nothing read, nothing kept.
      const get = await send(base, await credentialed('wpt', fx.agent, '/r'))
      expect(get.status).toBe(200)
      expect(await get.json()).toEqual({ id: fx.agent.id, raw: null, parsed: null })
    })
    expect(log).toEqual({ direct: 3, fetch: 0, toRequest: 0 })
  })

  it('leaves a body the verifier did not need to a later express.json', async () => {
    const { verify, log } = spyOn(lenient())
    const app = express()
    app.use(workloadAuth(verify, { publicOrigin: ORIGIN }))
    app.use(express.json())
    app.post('/r', (req, res) => { res.json({ id: req.workload!.workload.id, body: req.body as unknown, raw: req.rawBody ?? null }) })
    await withApp(app, async (base) => {
      const req = await credentialed('wpt', fx.agent, '/r', { body: '{"q":"later"}', contentType: 'application/json' })
      req.headers.delete('content-digest') // WPT without a digest does not cover the body
      const res = await send(base, req)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ id: fx.agent.id, body: { q: 'later' }, raw: null })
    })
    expect(log).toEqual({ direct: 1, fetch: 0, toRequest: 0 })
  })

  it('uses the raw body captured by an earlier parser, and builds the Request once to sign the response', async () => {
    const { verify, log } = spyOn(fx.verify)
    const app = express()
    app.use(express.json({ verify: captureRawBody }))
    app.use(workloadAuth(verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.post('/s', (req, res) => sendSignedResponse(req, res, Response.json({ id: req.workload!.workload.id, body: req.body as unknown })))
    await withApp(app, async (base) => {
      const req = await credentialed('httpsig', fx.agent, '/s', { body: '{"n":7}', contentType: 'application/json' })
      const res = await send(base, req)
      expect(res.status).toBe(200)
      expect(await verifySignedResponse(fx, req, res.clone())).toContain('"content-digest"')
      expect(await res.json()).toEqual({ id: fx.agent.id, body: { n: 7 } })
    })
    expect(log).toEqual({ direct: 1, fetch: 0, toRequest: 1 })
  })

  it('answers a replay and a refusal with a body as before (problem JSON, body drained, onError, passErrors)', async () => {
    const { verify, log } = spyOn(lenient())
    const errors: unknown[] = []
    const app = express()
    app.post('/a', workloadAuth(verify, { publicOrigin: ORIGIN, onError: (err) => errors.push(err) }), (req, res) => { res.json({ id: req.workload!.workload.id }) })
    app.post('/p', workloadAuth(verify, { publicOrigin: ORIGIN, passErrors: true }), (_req, res) => { res.json({}) })
    app.use(((err: { status?: number; code?: string }, _req, res, _next) => { res.status(err.status ?? 500).json({ passed: err.code }) }) as express.ErrorRequestHandler)
    await withApp(app, async (base) => {
      const req = await credentialed('wpt', fx.agent, '/a', { body: '{"n":1}', contentType: 'application/json' })
      expect((await send(base, req)).status).toBe(200)
      const replay = await send(base, req)
      expect(replay.status).toBe(401)
      expect(replay.headers.get('content-type')).toBe('application/problem+json')
      expect(await replay.json()).toMatchObject({ code: 'ERR_PROOF_REPLAYED' })

      // Refused before the body was read (no digest): the unread upload is drained and the answer arrives.
      const stranger = await credentialed('wpt', fx.stranger, '/a', { body: 'x'.repeat(200_000), contentType: 'text/plain' })
      stranger.headers.delete('content-digest')
      const refused = await send(base, stranger)
      expect(refused.status).toBe(403)
      expect(await refused.json()).toMatchObject({ code: 'ERR_POLICY_DENIED' })

      const passed = await send(base, await credentialed('httpsig', fx.stranger, '/p', { body: 'hi', contentType: 'text/plain' }))
      expect(passed.status).toBe(403)
      expect(await passed.json()).toEqual({ passed: 'ERR_POLICY_DENIED' })
    })
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ERR_PROOF_REPLAYED', 'ERR_POLICY_DENIED'])
    expect(log).toMatchObject({ direct: 4, fetch: 0, toRequest: 0 })
  })

  it('hands a verifier that is not from createRequestVerifier a fetch Request, and keeps a body it read for req.rawBody', async () => {
    const seen: unknown[] = []
    const app = express()
    const respond: express.RequestHandler = (req, res) => {
      res.json({ id: req.workload!.workload.id, body: req.body as unknown, raw: req.rawBody === undefined ? null : new TextDecoder().decode(req.rawBody) })
    }
    app.post('/read', workloadAuth(plainVerifier(seen, true), { publicOrigin: ORIGIN }), express.json(), respond)
    app.post('/skip', workloadAuth(plainVerifier(seen, false), { publicOrigin: ORIGIN }), express.json(), respond)
    await withApp(app, async (base) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-trace': 't1' }, body: '{"a":1}' }
      const read = await fetch(`${base}/read?x=1`, init)
      expect(await read.json()).toEqual({ id: 'spiffe://example.org/plain', raw: '{"a":1}' })
      const skip = await fetch(`${base}/skip`, init)
      expect(await skip.json()).toEqual({ id: 'spiffe://example.org/plain', body: { a: 1 }, raw: null })
    })
    expect(seen).toEqual([true, 'POST', `${ORIGIN}/read?x=1`, 't1', '{"a":1}', true, 'POST', `${ORIGIN}/skip`, 't1'])
  })

  it('verifies the URL the caller sent when mounted under a path (req.originalUrl)', async () => {
    const app = express()
    const tools = express.Router()
    tools.use(workloadAuth(lenient(), { publicOrigin: ORIGIN }))
    tools.get('/x', (req, res) => { res.json({ url: req.workload!.url, seen: req.url }) })
    app.use('/tools', tools)
    app.use('/api', workloadAuth(lenient(), { publicOrigin: ORIGIN }), (req, res) => { res.json({ url: req.workload!.url, seen: req.url }) })
    await withApp(app, async (base) => {
      const mounted = await send(base, await credentialed('wpt', fx.agent, '/tools/x?q=1'))
      expect(await mounted.json()).toEqual({ url: `${ORIGIN}/tools/x?q=1`, seen: '/x?q=1' })
      const signed = await send(base, await credentialed('httpsig', fx.agent, '/api/v1', { body: 'hi', contentType: 'text/plain' }))
      expect(await signed.json()).toEqual({ url: `${ORIGIN}/api/v1`, seen: '/v1' })
      // The proof still binds the full path: one made for the stripped path is refused.
      const stripped = await credentialed('wpt', fx.agent, '/x')
      const res = await fetch(`${base}/tools/x`, { headers: stripped.headers })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'ERR_WPT_AUDIENCE' })
    })
  })
  it('refuses targets a router would resolve differently from the verifier, and GET bodies the parser would hand over', async () => {
    const reached: string[] = []
    const app = express()
    app.use(express.json({ type: () => true, verify: captureRawBody }))
    app.use(workloadAuth(createRequestVerifier({
      trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'either', requireContentDigest: true,
      authorize: (_id, ctx) => ctx.url.pathname.startsWith('/public/'), replayCache: createMemoryReplayCache(),
    }), { publicOrigin: ORIGIN }))
    app.all('/admin/*rest', (req, res) => { reached.push(`admin ${req.url}`); res.send('ADMIN') })
    app.all('/public/*rest', (req, res) => { reached.push(`public ${req.method} ${JSON.stringify(req.body ?? null)}`); res.send('PUBLIC') })
    await withApp(app, async (base) => {
      const wire = async (req: Request, target: string, body = ''): Promise<number> => {
        const lines = [...req.headers].map(([k, v]) => `${k}: ${v}`)
        if (body.length > 0 || req.method === 'POST') lines.push('content-type: application/json', `content-length: ${Buffer.byteLength(body)}`)
        const head = `${req.method} ${target} HTTP/1.1\r\nhost: api.example.com\r\n${lines.join('\r\n')}\r\nconnection: close\r\n\r\n`
        const { port } = new URL(base)
        return new Promise((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.write(head + body))
          let out = ''
          socket.on('data', (d) => { out += d.toString('latin1') })
          socket.on('end', () => resolve(Number(out.split(' ')[1]) || -1))
          socket.on('error', reject)
        })
      }
      // A proof for /public/x, sent to targets that the URL parser resolves to /public/x.
      for (const target of ['/admin/../public/x', '/admin/%2e%2e/public/x', '/admin/./../public/x', 'http://api.example.com/admin/../public/x']) {
        expect(await wire(await credentialed('wpt', fx.agent, '/public/x'), target)).toBe(400)
      }
      // A body-less signed GET with a body added on the way: refused, not parsed into req.body.
      expect(await wire(await credentialed('httpsig', fx.agent, '/public/x'), '/public/x', '{"amount":1000000}')).toBe(400)
      // A body-less POST read by the parser mounted first ("" captured): no digest needed.
      expect(await wire(await credentialed('wpt', fx.agent, '/public/y', { method: 'POST' }), '/public/y', '')).toBe(200)
      expect(await wire(await credentialed('wpt', fx.agent, '/public/z'), '/public/z')).toBe(200)
    })
    expect(reached).toEqual(['public POST {}', 'public GET null'])
  })
})
