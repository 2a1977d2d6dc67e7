// Review 5 regressions: Fastify and Hono adapters with WIMSE response signing, on loopback (port 0)
// and in memory.
import type { Server } from 'node:http'
import { once } from 'node:events'
import { serve } from '@hono/node-server'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { workloadAuth as fastifyAuth } from '../../src/adapters/fastify/index.js'
import { workloadAuth as honoAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { adapterFixture, credentialed, ORIGIN, verifySignedResponse } from '../helpers/adapters-fixtures.js'

describe('a signed answer to HEAD carries no Content-Digest of the GET body it does not send', () => {
  it('fastify (auto HEAD route)', async () => {
    const fx = await adapterFixture()
    const app = Fastify()
    await app.register(fastifyAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.get('/doc', async () => ({ hello: 'world' }))
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      const req = await credentialed('httpsig', fx.agent, '/doc', { method: 'HEAD' })
      const res = await fetch(address + '/doc', { method: 'HEAD', headers: req.headers })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-digest')).toBeNull()
      const components = await verifySignedResponse(fx, req, res)
      expect(components).toEqual(expect.arrayContaining(['"@status"', '"workload-identity-token"', '"content-type"']))
      // GET still gets its digest.
      const get = await credentialed('httpsig', fx.agent, '/doc')
      const full = await fetch(address + '/doc', { headers: get.headers })
      expect(await verifySignedResponse(fx, get, full)).toContain('"content-digest"')
    } finally {
      await app.close()
    }
  })

  it('hono (HEAD runs the GET handler), in memory and on @hono/node-server', async () => {
    const fx = await adapterFixture()
    const app = new Hono<WorkloadEnv>()
    app.use('*', honoAuth(fx.verify, { signResponse: fx.signResponse }))
    app.get('/doc', (c) => c.json({ hello: 'world' }))
    const req = await credentialed('httpsig', fx.agent, '/doc', { method: 'HEAD' })
    const res = await app.request(req.url, { method: 'HEAD', headers: req.headers })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-digest')).toBeNull()
    await verifySignedResponse(fx, req, res)
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
    try {
      if (!server.listening) await once(server, 'listening')
      const { port } = server.address() as { port: number }
      const again = await credentialed('httpsig', fx.agent, '/doc', { method: 'HEAD' })
      const wire = await fetch(`http://127.0.0.1:${port}/doc`, { method: 'HEAD', headers: again.headers })
      expect(wire.status).toBe(200)
      await verifySignedResponse(fx, again, wire)
    } finally {
      server.close()
    }
  })
})
