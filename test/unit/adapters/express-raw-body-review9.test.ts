// Review 9: maxBodyBytes ("largest body, in bytes") was compared with the string's length when a
// body parser handed the body over as a string (`rawBody: (req) => req.body` after express.text), so
// a body of 600 'é' (1,200 bytes) passed a 1,000-byte limit. Strings are now counted in UTF-8 bytes.
import { request as httpRequest, type Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { workloadAuth } from '../../../src/adapters/express/index.js'
import { createContentDigest } from '../../../src/httpsig/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const servers: Server[] = []
afterEach(() => { for (const s of servers.splice(0)) s.close() })

describe('express workloadAuth: a raw body given as a string is limited in bytes', () => {
  it('maxBodyBytes counts UTF-8 bytes: at the limit passes, one character more is 413', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const origin = 'http://127.0.0.1'
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin, proof: 'wpt', authorize: () => true })
    const app = express()
    app.use(express.text({ type: '*/*' }))
    app.use(workloadAuth(verify, { publicOrigin: origin, maxBodyBytes: 1000, rawBody: (req) => req.body as string }))
    app.post('/x', (_req, res) => { res.send('handled') })
    const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
    servers.push(server)
    const port = (server.address() as { port: number }).port
    const send = async (text: string): Promise<number> => {
      const bytes = new TextEncoder().encode(text)
      const headers = {
        'workload-identity-token': agent.wit,
        'workload-proof-token': await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${origin}/x`, method: 'POST' }),
        'content-digest': await createContentDigest(bytes),
        'content-type': 'text/plain; charset=utf-8',
        'content-length': String(bytes.length),
      }
      return new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/x', method: 'POST', headers }, (res) => { res.resume(); resolve(res.statusCode!) })
        req.on('error', reject)
        req.end(bytes)
      })
    }
    expect(await send('é'.repeat(500))).toBe(200) // 1,000 bytes
    expect(await send('é'.repeat(501))).toBe(413) // 1,002 bytes, 501 characters
    expect(await send('😀'.repeat(250))).toBe(200) // 1,000 bytes, 500 UTF-16 code units
    expect(await send(`${'😀'.repeat(250)}a`)).toBe(413)
    expect(await send('a'.repeat(1000))).toBe(200)
  })
})
