// Review 5 (inbound verification): regressions found by the fifth review of agentauth/server and
// the Node and Express adapters. Real servers on loopback (port 0).
import { createServer as createH2Server, connect as h2connect, type ClientHttp2Session } from 'node:http2'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeHandler } from '../../src/adapters/node/index.js'
import { adapterFixture, credentialed, ORIGIN, type AdapterFixture } from '../helpers/adapters-fixtures.js'

/** Sends `req` over an HTTP/2 session: no body → END_STREAM on the HEADERS frame, as curl does. */
function h2send(session: ClientHttp2Session, req: Request, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(req.url)
  const headers: Record<string, string> = { ':method': req.method, ':path': url.pathname + url.search }
  for (const [k, v] of req.headers) headers[k] = v
  return new Promise((resolve, reject) => {
    const s = session.request(headers, { endStream: body === undefined })
    if (body !== undefined) s.end(body)
    let status = 0
    let text = ''
    s.on('response', (h) => { status = Number(h[':status']) })
    s.setEncoding('utf8')
    s.on('data', (d: string) => { text += d })
    s.on('end', () => resolve({ status, text }))
    s.on('error', reject)
  })
}

describe('node adapter over HTTP/2', () => {
  let fx: AdapterFixture
  let server: ReturnType<typeof createH2Server>
  let session: ClientHttp2Session
  beforeAll(async () => {
    fx = await adapterFixture()
    const handler = createNodeHandler(fx.verify, async (r) => new Response(`${r.method} ${r.body === null ? '(no body)' : await r.text()}`), { publicOrigin: ORIGIN })
    server = createH2Server(handler as unknown as Parameters<typeof createH2Server>[0])
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    session = h2connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })
  afterAll(async () => {
    session?.close()
    server?.close()
  })

  it('a POST ended with its HEADERS frame has no body and needs no Content-Digest', async () => {
    for (const kind of ['wpt', 'httpsig'] as const) {
      const res = await h2send(session, await credentialed(kind, fx.agent, '/x', { method: 'POST' }))
      expect(res).toEqual({ status: 200, text: 'POST (no body)' })
    }
  })

  it('a POST with DATA frames still has its body digested', async () => {
    const ok = await h2send(session, await credentialed('httpsig', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' }), 'hello')
    expect(ok).toEqual({ status: 200, text: 'POST hello' })
    const tampered = await h2send(session, await credentialed('httpsig', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' }), 'HELLO')
    expect(tampered.status).toBe(400)
    expect(JSON.parse(tampered.text)).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' })
  })
})
