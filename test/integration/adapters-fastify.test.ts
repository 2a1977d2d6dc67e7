// agentauth/adapters/fastify against a real Fastify 5 app on loopback (listen({ port: 0 })) and inject().
import { Readable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { workloadAuth } from '../../src/adapters/fastify/index.js'
import { createResponseSigner } from '../../src/server/index.js'
import { adapterFixture, BODY_LIMIT, credentialed, ORIGIN, sha256hex, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { describeAdapterSuite, SSE_HEADERS, sseSource } from '../helpers/adapters-suite.js'
import { unhandledDuring } from '../helpers/unhandled.js'

async function buildApp(fx: AdapterFixture): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, maxBodyBytes: BODY_LIMIT, signResponse: fx.signResponse }))
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
  app.post('/echo', async (request) => {
    const caller = request.workload!
    return { id: caller.workload.id, proof: caller.proof.type, body: request.body, url: caller.url }
  })
  app.post('/upload', async (request) => {
    const bytes = request.body as Buffer
    return { id: request.workload!.workload.id, bytes: bytes.length, sha256: sha256hex(bytes) }
  })
  app.get('/events', async (_request, reply) => reply.headers(SSE_HEADERS).send(Readable.fromWeb(sseSource(fx.sse) as never)))
  return app
}

const suite = describeAdapterSuite('fastify workloadAuth plugin', async (fx) => {
  const app = await buildApp(fx)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { base: address, close: () => app.close() }
}, { signs: true })

describe('fastify workloadAuth plugin with inject()', () => {
  it('verifies injected requests, signs the reply and refuses a replay', async () => {
    const fx = await adapterFixture()
    const app = await buildApp(fx)
    const body = '{"q":"inject"}'
    const req = await credentialed('httpsig', fx.agent, '/echo', { body, contentType: 'application/json' })
    const inject = () => app.inject({ method: 'POST', url: '/echo', headers: Object.fromEntries(req.headers), payload: body })
    const first = await inject()
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ id: fx.agent.id, proof: 'httpsig', body: { q: 'inject' }, url: `${ORIGIN}/echo` })
    const asResponse = new Response(first.body, { status: first.statusCode, headers: first.headers as Record<string, string> })
    expect(await verifySignedResponse(fx, req, asResponse)).toContain('"content-digest"')
    const replay = await inject()
    expect(replay.statusCode).toBe(401)
    expect(replay.headers['content-type']).toBe('application/problem+json')
    expect(replay.json()).toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
    await app.close()
  })

  it('is encapsulation-free, decorates request.workload and validates options eagerly', async () => {
    const fx = suite.fixture()
    const plugin = workloadAuth(fx.verify)
    expect((plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(true)
    const app = Fastify()
    await app.register(plugin)
    app.get('/open', async (request) => ({ workload: request.workload }))
    const res = await app.inject({ method: 'GET', url: '/open' })
    expect(res.statusCode).toBe(400) // the parent context's routes are covered too
    expect(res.json()).toMatchObject({ code: 'ERR_WIT_MISSING' })
    expect(app.hasRequestDecorator('workload')).toBe(true)
    await app.close()
    expect(() => workloadAuth(fx.verify, { signResponse: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => workloadAuth(fx.verify, { maxBodyBytes: Infinity })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('answers refusals and unsignable responses as usual when onError throws or rejects (an observer changes nothing)', async () => {
    const fx = suite.fixture()
    const failing = createResponseSigner({ wit: fx.service.wit, signer: fx.service.signer, maxBodyBytes: 4 })
    const unhandled = await unhandledDuring(async () => {
      for (const onError of [() => { throw new Error('logger broke') }, async () => { throw new Error('log sink down') }]) {
        const app = Fastify()
        await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: failing, onError }))
        app.get('/big', async () => 'a body longer than four bytes')
        const refused = await credentialed('wpt', fx.stranger, '/big')
        const r1 = await app.inject({ method: 'GET', url: '/big', headers: Object.fromEntries(refused.headers) })
        expect(r1.statusCode).toBe(403)
        expect(r1.json()).toMatchObject({ code: 'ERR_POLICY_DENIED' })
        const ok = await credentialed('httpsig', fx.agent, '/big')
        const r2 = await app.inject({ method: 'GET', url: '/big', headers: Object.fromEntries(ok.headers) })
        expect(r2.statusCode).toBe(500)
        expect(r2.json()).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
        await app.close()
      }
    })
    expect(unhandled).toEqual([])
  })

  it('answers a response it cannot sign with errorResponse (generic 500, onError told), not fastify\'s error message', async () => {
    const fx = suite.fixture()
    const seen: unknown[] = []
    const failing = createResponseSigner({ wit: fx.service.wit, signer: fx.service.signer, maxBodyBytes: 4 })
    const app = Fastify()
    await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: failing, onError: (err) => { seen.push(err) } }))
    app.get('/big', async (_request, replyTo) => replyTo.header('x-internal', 'yes').send('a body longer than four bytes'))
    const req = await credentialed('httpsig', fx.agent, '/big')
    const res = await app.inject({ method: 'GET', url: '/big', headers: Object.fromEntries(req.headers) })
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.headers['x-internal']).toBeUndefined()
    expect(res.headers.signature).toBeUndefined()
    expect(res.json()).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'the request could not be verified', code: 'ERR_SIGNER_FAILED' })
    expect(res.body).not.toContain('exceeds')
    expect(seen).toEqual([expect.objectContaining({ code: 'ERR_SIGNER_FAILED' })])
    await app.close()
  })
})
