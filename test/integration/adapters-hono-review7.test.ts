// Review round 7 probes: hono workloadAuth response signing edge cases (app.request in memory).
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { workloadAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { createResponseSigner } from '../../src/server/index.js'
import { adapterFixture, credentialed, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'

let fx: AdapterFixture
beforeAll(async () => { fx = await adapterFixture() })

function call(app: Hono<WorkloadEnv>, req: Request): Promise<Response> {
  return Promise.resolve(app.request(req.url, { method: req.method, headers: req.headers }))
}

describe('hono workloadAuth signing (review 7)', () => {
  it('signs an error thrown by the handler', async () => {
    const app = new Hono<WorkloadEnv>()
    app.use('*', workloadAuth(fx.verify, { signResponse: fx.signResponse }))
    app.get('/boom', () => { throw new Error('boom') })
    const req = await credentialed('httpsig', fx.agent, '/boom')
    const res = await call(app, req)
    expect(res.status).toBe(500)
    expect(await verifySignedResponse(fx, req, res)).toContain('"@status"')
  })

  it('signs HEAD without Content-Digest', async () => {
    const app = new Hono<WorkloadEnv>()
    app.use('*', workloadAuth(fx.verify, { signResponse: fx.signResponse }))
    app.get('/doc', (c) => c.json({ a: 1 }))
    const req = await credentialed('httpsig', fx.agent, '/doc', { method: 'HEAD' })
    const res = await call(app, req)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-digest')).toBeNull()
    expect(await verifySignedResponse(fx, req, res)).not.toContain('content-digest')
  })

  it('signs 204 and 304', async () => {
    const app = new Hono<WorkloadEnv>()
    app.use('*', workloadAuth(fx.verify, { signResponse: fx.signResponse }))
    app.get('/none', (c) => c.body(null, 204))
    app.get('/same', (c) => c.body(null, 304))
    for (const path of ['/none', '/same']) {
      const req = await credentialed('httpsig', fx.agent, path)
      const res = await call(app, req)
      expect(await verifySignedResponse(fx, req, res)).toContain('"@status"')
    }
  })

  it('answers 500 for a stream over maxBodyBytes and ends the stream', async () => {
    const app = new Hono<WorkloadEnv>()
    let aborted = false
    app.use('*', workloadAuth(fx.verify, { signResponse: createResponseSigner({ wit: fx.service.wit, signer: fx.service.signer, maxBodyBytes: 1000 }) }))
    app.get('/big', (c) => stream(c, async (s) => {
      s.onAbort(() => { aborted = true })
      for (let i = 0; i < 100 && !s.aborted; i++) await s.write(new Uint8Array(100))
    }))
    const req = await credentialed('httpsig', fx.agent, '/big')
    const res = await call(app, req)
    expect(res.status).toBe(500)
    expect(res.headers.get('signature')).toBeNull()
    await vi.waitFor(() => expect(aborted).toBe(true))
  })
})
