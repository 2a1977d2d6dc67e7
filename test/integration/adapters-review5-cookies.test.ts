// Review 5 regression: the Fastify adapter's signResponse must not duplicate Set-Cookie fields.
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { workloadAuth as fastifyAuth } from '../../src/adapters/fastify/index.js'
import { adapterFixture, credentialed, ORIGIN, verifySignedResponse } from '../helpers/adapters-fixtures.js'

describe('fastify signResponse keeps the reply\'s cookies', () => {
  it('sends several Set-Cookie fields once each', async () => {
    const fx = await adapterFixture()
    const app = Fastify()
    await app.register(fastifyAuth(fx.verify, { publicOrigin: ORIGIN, signResponse: fx.signResponse }))
    app.get('/c', async (_request, reply) => {
      reply.header('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly'])
      return 'x'
    })
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      const req = await credentialed('httpsig', fx.agent, '/c')
      const res = await fetch(address + '/c', { headers: req.headers })
      expect(res.status).toBe(200)
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly'])
      await verifySignedResponse(fx, req, res)
    } finally {
      await app.close()
    }
  })
})
