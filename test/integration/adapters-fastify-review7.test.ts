// Review round 7 probes: fastify workloadAuth response signing edge cases.
import Fastify, { type FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { workloadAuth } from '../../src/adapters/fastify/index.js'
import { adapterFixture, credentialed, ORIGIN, verifySignedResponse, type AdapterFixture } from '../helpers/adapters-fixtures.js'

let fx: AdapterFixture
beforeAll(async () => { fx = await adapterFixture() })

async function app(routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const a = Fastify()
  await a.register(workloadAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
  routes(a)
  return a
}

async function get(a: FastifyInstance, path: string, method = 'GET'): Promise<{ req: Request; res: Response }> {
  const req = await credentialed('httpsig', fx.agent, path, { method })
  const r = await a.inject({ method: method as 'GET', url: path, headers: Object.fromEntries(req.headers) })
  const headers = new Headers()
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [String(v)]) headers.append(k, x)
  const nullBody = [204, 304].includes(r.statusCode) || method === 'HEAD'
  return { req, res: new Response(nullBody ? null : new Uint8Array(r.rawPayload), { status: r.statusCode, headers }) }
}

describe('fastify workloadAuth signing (review 7)', () => {
  it('signs an error thrown by the handler', async () => {
    const a = await app((a) => a.get('/boom', async () => { throw new Error('boom') }))
    const { req, res } = await get(a, '/boom')
    expect(res.status).toBe(500)
    expect(await verifySignedResponse(fx, req, res)).toContain('"content-digest"')
    await a.close()
  })

  it('signs HEAD without Content-Digest', async () => {
    const a = await app((a) => a.get('/doc', async () => ({ a: 1 })))
    const { req, res } = await get(a, '/doc', 'HEAD')
    expect(res.status).toBe(200)
    expect(await verifySignedResponse(fx, req, res)).toContain('"@status"')
    await a.close()
  })

  it('signs a 204 sent with a payload as fastify sends it (no Content-Type)', async () => {
    const a = await app((a) => {
      a.delete('/item', async (_q, reply) => reply.code(204).send(''))
      a.get('/item', async (_q, reply) => reply.code(204).send({ gone: true }))
    })
    for (const method of ['DELETE', 'GET']) {
      const { req, res } = await get(a, '/item', method)
      expect(res.status).toBe(204)
      expect(res.headers.get('content-type')).toBeNull()
      expect(await verifySignedResponse(fx, req, res)).not.toContain('"content-type"')
    }
    await a.close()
  })
})
