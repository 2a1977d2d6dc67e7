// agentauth/adapters/node against a real node:http server on loopback.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createNodeHandler, sendWebResponse, toWebRequest, verifyIncomingMessage } from '../../src/adapters/node/index.js'
import { errorResponse } from '../../src/server/index.js'
import { BODY_LIMIT, chunkedStream, credentialed, ORIGIN, randomBytes, send, sha256hex } from '../helpers/adapters-fixtures.js'
import { describeAdapterSuite, listen, SSE_HEADERS, sseSource, type StartedServer } from '../helpers/adapters-suite.js'

const suite = describeAdapterSuite('node:http createNodeHandler', async (fx) => {
  const handler = createNodeHandler(fx.verify, async (request, caller) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/echo') return Response.json({ id: caller.workload.id, proof: caller.proof.type, body: await request.json(), url: caller.url })
    if (pathname === '/upload') {
      const bytes = new Uint8Array(await request.arrayBuffer())
      return Response.json({ id: caller.workload.id, bytes: bytes.length, sha256: sha256hex(bytes) })
    }
    if (pathname === '/events') return new Response(sseSource(fx.sse), { headers: SSE_HEADERS })
    return new Response('not found', { status: 404 })
  }, { publicOrigin: ORIGIN, maxBodyBytes: BODY_LIMIT, signResponse: fx.signResponse })
  return listen(createServer(handler))
}, { signs: true })

/** A server whose listener is swapped per test. */
async function withServer(listener: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, run: (s: StartedServer) => Promise<void>): Promise<void> {
  const s = await listen(createServer((req, res) => void listener(req, res)))
  try {
    await run(s)
  } finally {
    await s.close()
  }
}

/** Sends raw bytes over a socket and returns everything the server answered. */
function rawExchange(base: string, payload: string): Promise<string> {
  const { port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(payload))
    let out = ''
    socket.on('data', (d) => { out += d.toString('latin1') })
    socket.on('end', () => resolve(out))
    socket.on('error', reject)
  })
}

describe('toWebRequest', () => {
  it('builds the URL from Host, the absolute-form target or localhost; ignores X-Forwarded-* unless trusted', async () => {
    const seen: string[] = []
    await withServer((req, res) => {
      seen.push(toWebRequest(req).url, toWebRequest(req, { trustProxy: true }).url, toWebRequest(req, { publicOrigin: ORIGIN }).url)
      res.end()
    }, async (s) => {
      await fetch(`${s.base}//evil.example/x?y=1`, { headers: { 'x-forwarded-host': 'proxy.example', 'x-forwarded-proto': 'https' } })
      await rawExchange(s.base, 'GET http://other.example/abs?q=1 HTTP/1.0\r\n\r\n')
      await rawExchange(s.base, 'GET /no-host HTTP/1.0\r\nHost: bad host/\r\n\r\n')
    })
    expect(seen[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\/evil\.example\/x\?y=1$/) // a protocol-relative target stays on this origin
    expect(seen[1]).toBe('https://proxy.example//evil.example/x?y=1')
    expect(seen[2]).toBe(`${ORIGIN}//evil.example/x?y=1`)
    expect(seen[3]).toBe('http://localhost/abs?q=1') // HTTP/1.0 without Host
    expect(seen[6]).toBe('http://localhost/no-host') // malformed Host
  })

  it('serialises a Host as URL does (lower case, no default port), on the first request and the ones after', async () => {
    const seen: string[] = []
    await withServer((req, res) => {
      seen.push(toWebRequest(req).url)
      res.end()
    }, async (s) => {
      for (let i = 0; i < 2; i++) {
        await rawExchange(s.base, 'GET /x?y=1 HTTP/1.1\r\nHost: API.Example.COM:80\r\nConnection: close\r\n\r\n')
        await rawExchange(s.base, 'GET /a/b%2Fc HTTP/1.1\r\nHost: API.Example.COM:80\r\nConnection: close\r\n\r\n')
        await rawExchange(s.base, "GET /%c3%a9?q=it's HTTP/1.1\r\nHost: api.example.com:8080\r\nConnection: close\r\n\r\n")
      }
    })
    const once = ['http://api.example.com/x?y=1', 'http://api.example.com/a/b%2Fc', 'http://api.example.com:8080/%c3%a9?q=it%27s']
    expect(seen).toEqual([...once, ...once])
  })

  it('streams the body lazily and enforces maxBodyBytes while streaming (no Content-Length)', async () => {
    const results: Array<{ status: number; code?: string; bytes?: number }> = []
    await withServer(async (req, res) => {
      const request = toWebRequest(req, { maxBodyBytes: 32 * 1024 })
      try {
        const bytes = await request.arrayBuffer()
        results.push({ status: 200, bytes: bytes.byteLength })
        res.end('ok')
      } catch (err) {
        const r = errorResponse(err)
        results.push({ status: r.status, code: ((await r.clone().json()) as { code: string }).code })
        await sendWebResponse(res, r)
      }
    }, async (s) => {
      const small = randomBytes(30 * 1024)
      expect((await fetch(s.base + '/', { method: 'POST', body: chunkedStream(small), duplex: 'half' } as RequestInit)).status).toBe(200)
      const big = randomBytes(40 * 1024)
      expect((await fetch(s.base + '/', { method: 'POST', body: chunkedStream(big), duplex: 'half' } as RequestInit)).status).toBe(413)
      expect((await fetch(s.base + '/', { method: 'POST', body: big as BodyInit })).status).toBe(413) // declared Content-Length
    })
    expect(results).toEqual([{ status: 200, bytes: 30 * 1024 }, { status: 413, code: 'ERR_BODY_TOO_LARGE' }, { status: 413, code: 'ERR_BODY_TOO_LARGE' }])
  })

  it('validates its options eagerly', () => {
    const req = {} as IncomingMessage
    expect(() => toWebRequest(req, { publicOrigin: 'https://api.example.com/path' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => toWebRequest(req, { maxBodyBytes: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => toWebRequest(req, { trustProxy: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createNodeHandler((async () => { throw new Error('unused') }) as never, 'nope' as never)).toThrow(TypeError)
  })
})

describe('verifyIncomingMessage', () => {
  it('returns the caller and a request whose body the handler can still read', async () => {
    const fx = suite.fixture()
    let seen: unknown
    await withServer(async (req, res) => {
      try {
        const { verified, request } = await verifyIncomingMessage(req, fx.verify, { publicOrigin: ORIGIN })
        seen = { id: verified.workload.id, text: await request.text() }
        await sendWebResponse(res, new Response(null, { status: 204 }))
      } catch (err) {
        await sendWebResponse(res, errorResponse(err))
      }
    }, async (s) => {
      const req = await credentialed('httpsig', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' })
      expect((await send(s.base, req)).status).toBe(204)
    })
    expect(seen).toEqual({ id: fx.agent.id, text: 'hello' })
  })

  it('fails closed with a configuration error when the body was consumed and a digest is needed', async () => {
    const fx = suite.fixture()
    const errors: unknown[] = []
    await withServer(async (req, res) => {
      for await (const _ of req) { /* a "body parser" that kept nothing */ }
      const handler = createNodeHandler(fx.verify, () => new Response('unreachable'), { onError: (err) => { errors.push(err) } })
      await handler(req, res)
    }, async (s) => {
      const res = await send(s.base, await credentialed('wpt', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' }))
      expect(res.status).toBe(500)
      expect(((await res.json()) as { code: string }).code).toBe('ERR_INTERNAL')
    })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TypeError)
    expect(errors[0]).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('already consumed') })
  })
})

describe('sendWebResponse', () => {
  it('keeps repeated Set-Cookie headers and cancels the body when the client goes away', async () => {
    let cancelled!: () => void
    const wasCancelled = new Promise<void>((resolve) => { cancelled = resolve })
    await withServer(async (_req, res) => {
      const headers = new Headers(SSE_HEADERS)
      headers.append('set-cookie', 'a=1')
      headers.append('set-cookie', 'b=2')
      const body = new ReadableStream<Uint8Array>({
        pull: async (c) => {
          await new Promise((r) => setTimeout(r, 10))
          c.enqueue(new TextEncoder().encode('data: tick\n\n'))
        },
        cancel: () => cancelled(),
      })
      await sendWebResponse(res, new Response(body, { headers }))
    }, async (s) => {
      const controller = new AbortController()
      const res = await fetch(s.base, { signal: controller.signal })
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
      const reader = res.body!.getReader()
      await reader.read()
      controller.abort()
      await wasCancelled
    })
  })
})
