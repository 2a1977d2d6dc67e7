// Review 5 regression: fastify 5 replies may send a web ReadableStream or a fetch Response; with
// signResponse the first was answered 500 and the second signed with the wrong status and digest.
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { workloadAuth } from '../../src/adapters/fastify/index.js'
import { adapterFixture, credentialed, ORIGIN, readEvents, verifySignedResponse } from '../helpers/adapters-fixtures.js'
import { SSE_HEADERS, sseSource } from '../helpers/adapters-suite.js'

const text = (s: string): ReadableStream<Uint8Array> => new ReadableStream({
  start(controller) {
    controller.enqueue(new TextEncoder().encode(s))
    controller.close()
  },
})

describe('fastify signResponse with web payloads', () => {
  it('signs a ReadableStream body and a fetch Response (its status, fields and body)', async () => {
    const fx = await adapterFixture()
    const app = Fastify()
    await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.get('/stream', async (_request, reply) => reply.header('content-type', 'text/plain').send(text('web stream')))
    app.get('/response', async (_request, reply) => reply.code(200).send(new Response(text('from a Response'), { status: 201, headers: { 'content-type': 'text/plain', 'x-extra': '1' } })))
    app.get('/empty', async (_request, reply) => reply.send(new Response(null, { status: 204, headers: { 'x-extra': '2' } })))
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      const cases: Array<[string, number, string, string | null]> = [['/stream', 200, 'web stream', null], ['/response', 201, 'from a Response', '1'], ['/empty', 204, '', '2']]
      for (const [path, status, body, extra] of cases) {
        const req = await credentialed('httpsig', fx.agent, path)
        const res = await fetch(address + path, { headers: req.headers })
        expect(res.status).toBe(status)
        expect(res.headers.get('x-extra')).toBe(extra)
        const components = await verifySignedResponse(fx, req, res.clone())
        if (body !== '') expect(components).toContain('"content-digest"')
        expect(await res.text()).toBe(body)
      }
    } finally {
      await app.close()
    }
  })

  it('streams server-sent events sent as a ReadableStream or inside a Response, signed without Content-Digest', async () => {
    const fx = await adapterFixture()
    const app = Fastify()
    await app.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.get('/stream', async (_request, reply) => reply.headers(SSE_HEADERS).send(sseSource(fx.sse)))
    app.get('/response', async (_request, reply) => reply.send(new Response(sseSource(fx.sse), { headers: SSE_HEADERS })))
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      for (const path of ['/stream', '/response']) {
        fx.sse.reset()
        const req = await credentialed('httpsig', fx.agent, path)
        const res = await fetch(address + path, { headers: req.headers })
        expect(res.status).toBe(200)
        expect(await verifySignedResponse(fx, req, res, { streaming: true })).not.toContain('"content-digest"')
        const events = await readEvents(res, (seen) => {
          if (seen.includes('one')) fx.sse.open() // the second event is only produced now
          return seen.includes('two') || seen.includes('timeout')
        })
        expect(events).toEqual(['one', 'two'])
      }
    } finally {
      await app.close()
    }
  })
})
