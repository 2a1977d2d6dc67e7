// agentauth/adapters/express against a real Express 5 app on loopback (app.listen(0)).
import { once } from 'node:events'
import express, { type ErrorRequestHandler } from 'express'
import { describe, expect, it } from 'vitest'
import { captureRawBody, sendSignedResponse, workloadAuth } from '../../src/adapters/express/index.js'
import { matchAny } from '../../src/identifier/index.js'
import { createRequestVerifier } from '../../src/server/index.js'
import { BODY_LIMIT, credentialed, ORIGIN, send, sha256hex } from '../helpers/adapters-fixtures.js'
import { describeAdapterSuite, listen, SSE_HEADERS, sseSource, type StartedServer } from '../helpers/adapters-suite.js'
import { unhandledDuring } from '../helpers/unhandled.js'

async function serve(app: express.Express): Promise<StartedServer> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return listen(server)
}

const suite = describeAdapterSuite('express workloadAuth', async (fx) => {
  const app = express()
  app.use(express.json({ verify: captureRawBody })) // parsed bodies keep their raw bytes for the digest
  app.use(workloadAuth(fx.verify, { publicOrigin: ORIGIN, maxBodyBytes: BODY_LIMIT, signResponse: fx.signResponse }))
  app.post('/echo', (req, res) => {
    const caller = req.workload!
    return sendSignedResponse(req, res, Response.json({ id: caller.workload.id, proof: caller.proof.type, body: req.body as unknown, url: caller.url }))
  })
  // octet-stream is not parsed: the middleware streamed it into the digest check and left the bytes in req.rawBody
  app.post('/upload', (req, res) => sendSignedResponse(req, res, Response.json({ id: req.workload!.workload.id, bytes: req.rawBody!.length, sha256: sha256hex(req.rawBody!) })))
  app.get('/events', (req, res) => sendSignedResponse(req, res, new Response(sseSource(fx.sse), { headers: SSE_HEADERS })))
  return serve(app)
}, { signs: true })

async function withApp(app: express.Express, run: (s: StartedServer) => Promise<void>): Promise<void> {
  const s = await serve(app)
  try {
    await run(s)
  } finally {
    await s.close()
  }
}

describe('express workloadAuth configuration', () => {
  it('fails closed (500, typed) when a parser consumed the body without captureRawBody and the digest is needed', async () => {
    const fx = suite.fixture()
    const errors: unknown[] = []
    const lenient = createRequestVerifier({ trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny() })
    const app = express()
    app.use(express.json()) // no verify hook: the raw bytes are gone
    app.post('/strict', workloadAuth(fx.verify, { onError: (err) => errors.push(err) }), (req, res) => { res.json(req.body) })
    app.post('/lenient', workloadAuth(lenient), (req, res) => { res.json({ id: req.workload?.workload.id, body: req.body as unknown }) })
    await withApp(app, async (s) => {
      for (const kind of ['wpt', 'httpsig'] as const) {
        const res = await send(s.base, await credentialed(kind, fx.agent, '/strict', { body: '{"a":1}', contentType: 'application/json' }))
        expect(res.status).toBe(500)
        expect(await res.json()).toMatchObject({ status: 500, code: 'ERR_INTERNAL' })
      }
      // WPT without Content-Digest does not cover the body: nothing to check, the request passes.
      const plain = await credentialed('wpt', fx.agent, '/lenient', { body: '{"a":1}', contentType: 'application/json' })
      plain.headers.delete('content-digest')
      const ok = await send(s.base, plain)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ id: fx.agent.id, body: { a: 1 } })
    })
    expect(errors).toHaveLength(2)
    for (const err of errors) expect(err).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('answers a refusal as usual when onError throws or rejects (an observer changes nothing)', async () => {
    const fx = suite.fixture()
    const app = express()
    app.get('/sync', workloadAuth(fx.verify, { onError: () => { throw new Error('logger broke') } }), (_req, res) => { res.json({}) })
    app.get('/async', workloadAuth(fx.verify, { onError: async () => { throw new Error('log sink down') } }), (_req, res) => { res.json({}) })
    const unhandled = await unhandledDuring(() => withApp(app, async (s) => {
      for (const path of ['/sync', '/async']) {
        const res = await send(s.base, await credentialed('wpt', fx.stranger, path))
        expect(res.status, path).toBe(403)
        expect(await res.json()).toMatchObject({ code: 'ERR_POLICY_DENIED' })
      }
    }))
    expect(unhandled).toEqual([])
  })

  it('passes refusals to next(err) with passErrors, and refuses sendSignedResponse without a signer', async () => {
    const fx = suite.fixture()
    const app = express()
    app.use(express.text({ verify: captureRawBody }))
    app.use(workloadAuth(fx.verify, { passErrors: true }))
    app.post('/x', (req, res) => sendSignedResponse(req, res, new Response('never unsigned')))
    const handler: ErrorRequestHandler = (err: { status?: number; code?: string }, _req, res, _next) => { res.status(err.status ?? 500).json({ handled: err.code }) }
    app.use(handler)
    await withApp(app, async (s) => {
      const refused = await send(s.base, await credentialed('httpsig', fx.stranger, '/x', { body: 'hi', contentType: 'text/plain' }))
      expect(refused.status).toBe(403)
      expect(await refused.json()).toEqual({ handled: 'ERR_POLICY_DENIED' })
      const unsigned = await send(s.base, await credentialed('httpsig', fx.agent, '/x', { body: 'hi', contentType: 'text/plain' }))
      expect(unsigned.status).toBe(500)
      expect(await unsigned.json()).toEqual({ handled: 'ERR_INVALID_ARG_VALUE' })
    })
  })

  it('validates its options eagerly', () => {
    const verify = suite.fixture().verify
    expect(() => workloadAuth(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => workloadAuth(verify, { maxBodyBytes: -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => workloadAuth(verify, { rawBody: 'req.raw' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => workloadAuth(verify, { publicOrigin: 'api.example.com' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
