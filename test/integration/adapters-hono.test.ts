// agentauth/adapters/hono against a real Hono app: @hono/node-server on loopback port 0, and app.request().
import type { Server } from 'node:http'
import { once } from 'node:events'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { streamSSE } from 'hono/streaming'
import { describe, expect, it } from 'vitest'
import { workloadAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { VerificationError } from '../../src/errors/index.js'
import { errorResponse } from '../../src/server/index.js'
import { BODY_LIMIT, credentialed, ORIGIN, sha256hex, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { describeAdapterSuite, listen } from '../helpers/adapters-suite.js'

function buildApp(fx: AdapterFixture, options: Parameters<typeof workloadAuth>[1] = { signResponse: fx.signResponse }): Hono<WorkloadEnv> {
  const app = new Hono<WorkloadEnv>()
  // Bodies without Content-Length are bounded before verification (hono's own middleware).
  app.use('*', bodyLimit({ maxSize: BODY_LIMIT, onError: () => errorResponse(new VerificationError('ERR_BODY_TOO_LARGE', 'the body is too large', { status: 413 })) }))
  app.use('*', workloadAuth(fx.verify, options))
  app.post('/echo', async (c) => {
    const caller = c.var.workload
    return c.json({ id: caller.workload.id, proof: caller.proof.type, body: await c.req.json(), url: caller.url })
  })
  app.post('/upload', async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    return c.json({ id: c.var.workload.workload.id, bytes: bytes.length, sha256: sha256hex(bytes) })
  })
  app.get('/events', (c) => streamSSE(c, async (stream) => {
    await stream.writeSSE({ data: 'one' })
    await stream.writeSSE({ data: (await fx.sse.wait()) === 'open' ? 'two' : 'timeout' })
  }))
  return app
}

const suite = describeAdapterSuite('hono workloadAuth on @hono/node-server', async (fx) => {
  const server = serve({ fetch: buildApp(fx).fetch, port: 0, hostname: '127.0.0.1' }) as Server
  if (!server.listening) await once(server, 'listening')
  return listen(server)
}, { signs: true })

describe('hono workloadAuth with app.request()', () => {
  it('verifies a Request in memory, signs the response and refuses a replay', async () => {
    const fx = suite.fixture()
    const app = buildApp(fx)
    const body = '{"q":"memory"}'
    const req = await credentialed('httpsig', fx.agent, '/echo', { body, contentType: 'application/json' })
    // (@hono/node-server swaps the global Request, and a clone is not an instance of it: pass URL + init.)
    const call = () => app.request(req.url, { method: 'POST', headers: req.headers, body })
    const res = await call()
    expect(res.status).toBe(200)
    expect(await verifySignedResponse(fx, req, res.clone())).toContain('"content-digest"')
    expect(await res.json()).toEqual({ id: fx.agent.id, proof: 'httpsig', body: { q: 'memory' }, url: `${ORIGIN}/echo` })
    const replay = await call()
    expect(replay.status).toBe(401)
    expect(await replay.json()).toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
  })

  it('refuses a path percent-encoding an unreserved character, which hono routes decoded (/%65cho → /echo)', async () => {
    const fx = suite.fixture()
    const app = buildApp(fx)
    const body = '{"q":"encoded"}'
    const req = await credentialed('httpsig', fx.agent, '/%65cho', { body, contentType: 'application/json' })
    const res = await app.request(req.url, { method: 'POST', headers: req.headers, body })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'ERR_HEADER_INVALID' })
  })

  it('lets onError answer refusals, and validates options eagerly', async () => {
    const fx = suite.fixture()
    const seen: unknown[] = []
    const app = buildApp(fx, { onError: (err, c) => { seen.push(err); return c.json({ refused: (err as { code: string }).code }, 418) } })
    const res = await app.request(await credentialed('wpt', fx.stranger, '/echo', { body: '{}', contentType: 'application/json' }))
    expect(res.status).toBe(418)
    expect(await res.json()).toEqual({ refused: 'ERR_POLICY_DENIED' })
    expect(seen[0]).toBeInstanceOf(VerificationError)
    expect(() => workloadAuth(fx.verify, { onError: 'log' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => workloadAuth(null as never)).toThrow(TypeError)
  })
})
