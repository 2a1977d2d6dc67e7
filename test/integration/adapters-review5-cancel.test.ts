// Review 5 regression: a streamed body the response signer cannot sign (over maxBodyBytes) is
// answered 500 and the handler's stream is cancelled, not left open forever (Fastify and Hono).
import Fastify from 'fastify'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { workloadAuth as fastifyAuth } from '../../src/adapters/fastify/index.js'
import { workloadAuth as honoAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { createResponseSigner } from '../../src/server/index.js'
import { adapterFixture, credentialed, ORIGIN, type AdapterFixture } from '../helpers/adapters-fixtures.js'

/** An endless body; `cancelled` resolves when its consumer cancels it ('open' if that does not happen within 2 s). */
function endless(): { body: ReadableStream<Uint8Array>; cancelled: Promise<'cancelled' | 'open'> } {
  let done!: (v: 'cancelled') => void
  const cancelled = new Promise<'cancelled' | 'open'>((resolve) => {
    done = resolve
    setTimeout(() => resolve('open'), 2000).unref()
  })
  const body = new ReadableStream<Uint8Array>({
    pull(controller) { controller.enqueue(new Uint8Array(100)) },
    cancel() { done('cancelled') },
  })
  return { body, cancelled }
}

const smallSigner = (fx: AdapterFixture) => createResponseSigner({ wit: fx.service.wit, signer: fx.service.signer, maxBodyBytes: 1000 })

describe('an unsignable streamed body is cancelled', () => {
  it('hono', async () => {
    const fx = await adapterFixture()
    const source = endless()
    const app = new Hono<WorkloadEnv>()
    app.use('*', honoAuth(fx.verify, { signResponse: smallSigner(fx) }))
    app.get('/big', (c) => c.body(source.body))
    const req = await credentialed('httpsig', fx.agent, '/big')
    const res = await app.request(req.url, { headers: req.headers })
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    expect(await source.cancelled).toBe('cancelled')
  })

  it('fastify (web ReadableStream payload)', async () => {
    const fx = await adapterFixture()
    const source = endless()
    const app = Fastify()
    await app.register(fastifyAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: smallSigner(fx) }))
    app.get('/big', async (_request, reply) => reply.header('content-type', 'application/octet-stream').send(source.body))
    try {
      const req = await credentialed('httpsig', fx.agent, '/big')
      const res = await app.inject({ method: 'GET', url: '/big', headers: Object.fromEntries(req.headers) })
      expect(res.statusCode).toBe(500)
      expect(res.json()).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
      expect(await source.cancelled).toBe('cancelled')
    } finally {
      await app.close()
    }
  })
})
