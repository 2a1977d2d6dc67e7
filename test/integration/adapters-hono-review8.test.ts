// Review 8 (Hono on @hono/node-server): the runtime gives every POST a body stream, also with
// `Content-Length: 0` or no framing at all. A body-less POST from an agent (signed or with a WPT,
// no body so no Content-Digest) was refused ERR_DIGEST_MISSING here while the Node adapter
// accepted the same bytes. An empty body is now no body.
import type { Server } from 'node:http'
import { once } from 'node:events'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workloadAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { adapterFixture, credentialed, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { listen, type StartedServer } from '../helpers/adapters-suite.js'
import { sendRaw, serialiseRaw } from '../helpers/raw-http.js'

let fx: AdapterFixture
let s: StartedServer

beforeAll(async () => {
  fx = await adapterFixture()
  const app = new Hono<WorkloadEnv>()
  app.use('*', workloadAuth(fx.verify))
  app.post('/x', async (c) => c.json({ status: 200, id: c.var.workload.workload.id, body: await c.req.text() }))
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
  if (!server.listening) await once(server, 'listening')
  s = await listen(server)
})

afterAll(async () => {
  await s.close()
})

describe('hono on @hono/node-server: a body-less POST', () => {
  for (const kind of ['wpt', 'httpsig'] as const) {
    for (const length of [undefined, '0'] as const) {
      it(`${kind}, ${length === undefined ? 'no Content-Length' : 'Content-Length: 0'}: verified`, async () => {
        const raw = await serialiseRaw(await credentialed(kind, fx.agent, '/x', { method: 'POST' }), (l) => length === undefined ? l : [...l, ['Content-Length', length]])
        expect(await sendRaw(s.base, raw)).toMatchObject({ status: 200, id: fx.agent.id, body: '' })
      })
    }
  }

  it('a POST with bytes and no Content-Digest is still refused', async () => {
    const req = await credentialed('httpsig', fx.agent, '/x', { method: 'POST' })
    expect(await sendRaw(s.base, await serialiseRaw(req, undefined, '{}'))).toMatchObject({ status: 400, code: 'ERR_DIGEST_MISSING' })
  })
})
