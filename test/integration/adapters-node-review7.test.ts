// Review 7 (Node adapter): createNodeHandler's listener "never rejects", but with
// `errorOptions: { realm: <not a string> }` errorResponse threw on every refusal, its catch threw
// again, and the client was left waiting for an answer that never came.
// Also: a client that aborted mid-body made the verifier reject with Node's own
// `Error: aborted` (ECONNRESET), no agentauth code: answered and reported to onError as a 500
// ERR_INTERNAL server failure. It is now VerificationError ERR_BODY_INCOMPLETE (400).
// Also: a GET or HEAD with a body is refused (fetch cannot represent it, no proof covers it), but
// over HTTP/2 a GET whose HEADERS frame did not end the stream passed with its DATA frames (no
// Content-Length needed there), and the handler read bytes neither the WPT nor the signature covered.
// Also: an onError hook returning something other than a Response (winston's `log.warn()` returns
// the logger) made createNodeHandler destroy the connection instead of answering the refusal.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect as h2connect, createServer as createH2Server } from 'node:http2'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeHandler, toWebRequest, verifyIncomingMessage } from '../../src/adapters/node/index.js'
import { errorResponse, type ErrorResponseOptions, type VerifiedRequest } from '../../src/server/index.js'
import { adapterFixture, credentialed, ORIGIN, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { serialiseRaw } from '../helpers/raw-http.js'

let fx: AdapterFixture
let server: Server
let base: string

beforeAll(async () => {
  fx = await adapterFixture()
  const errorOptions = { realm: 443 } as unknown as ErrorResponseOptions
  server = createServer(createNodeHandler(fx.verify, () => new Response('ok'), { publicOrigin: ORIGIN, errorOptions }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('createNodeHandler: unusable errorOptions', () => {
  it('still answers a refusal (no hang)', async () => {
    const res = await fetch(`${base}/x`, { signal: AbortSignal.timeout(3000) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('ERR_WIT_MISSING')
  })
})

describe('a request aborted mid-body', () => {
  for (const kind of ['httpsig', 'wpt'] as const) {
    for (const path of ['direct', 'fetch Request'] as const) {
      it(`is refused with ERR_BODY_INCOMPLETE (${kind}, ${path})`, async () => {
        let settle!: (outcome: unknown) => void
        const outcome = new Promise<unknown>((resolve) => { settle = resolve })
        const aborting = createServer((req: IncomingMessage) => {
          const run: Promise<unknown> = path === 'direct'
            ? verifyIncomingMessage(req, fx.verify, { publicOrigin: ORIGIN })
            : fx.verify(toWebRequest(req, { publicOrigin: ORIGIN })) as Promise<VerifiedRequest>
          run.then(() => settle('allowed'), settle)
        })
        await new Promise<void>((resolve) => aborting.listen(0, '127.0.0.1', resolve))
        try {
          const raw = await serialiseRaw(await credentialed(kind, fx.agent, '/upload', { body: 'x'.repeat(2000) }))
          const socket = connect((aborting.address() as { port: number }).port, '127.0.0.1', () => {
            socket.write(raw.slice(0, raw.length - 1000)) // headers and half the body, then gone
            setTimeout(() => socket.destroy(), 50)
          })
          socket.on('error', () => undefined)
          const err = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('hung'), 3000))])
          expect(err).toMatchObject({ name: 'VerificationError', code: 'ERR_BODY_INCOMPLETE', status: 400 })
          expect(errorResponse(err).status).toBe(400)
        } finally {
          aborting.closeAllConnections()
          await new Promise((resolve) => aborting.close(resolve))
        }
      })
    }
  }
})

describe('HTTP/2 GET and HEAD', () => {
  async function h2(run: (session: ReturnType<typeof h2connect>) => Promise<void>): Promise<void> {
    const server = createH2Server((async (req: IncomingMessage, res: ServerResponse) => {
      try {
        await verifyIncomingMessage(req, fx.verify, { publicOrigin: ORIGIN })
        let body = ''
        for await (const chunk of req) body += String(chunk)
        res.end(`verified, body ${JSON.stringify(body)}`)
      } catch (err) {
        res.end(`refused ${(err as { code?: string }).code}`)
      }
    }) as never)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const session = h2connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      await run(session)
    } finally {
      session.close()
      await new Promise((resolve) => server.close(resolve))
    }
  }

  function send(session: ReturnType<typeof h2connect>, req: Request, body?: string): Promise<string> {
    const headers: Record<string, string> = { ':method': req.method, ':path': new URL(req.url).pathname }
    for (const [k, v] of req.headers) headers[k] = v
    return new Promise((resolve, reject) => {
      const stream = session.request(headers, { endStream: body === undefined })
      if (body !== undefined) stream.end(body)
      let text = ''
      stream.setEncoding('utf8')
      stream.on('data', (d: string) => { text += d })
      stream.on('end', () => resolve(text))
      stream.on('error', reject)
    })
  }

  it('refuses a GET followed by DATA frames (ERR_HEADER_INVALID), for both proofs', async () => {
    await h2(async (session) => {
      for (const kind of ['wpt', 'httpsig'] as const) {
        expect(await send(session, await credentialed(kind, fx.agent, '/x'), '{"injected":true}')).toBe('refused ERR_HEADER_INVALID')
      }
    })
  })

  it('accepts a GET whose HEADERS frame ends the stream', async () => {
    await h2(async (session) => {
      for (const kind of ['wpt', 'httpsig'] as const) {
        expect(await send(session, await credentialed(kind, fx.agent, '/x'))).toBe('verified, body ""')
      }
    })
  })
})

describe('createNodeHandler: an onError hook returning something other than a Response', () => {
  it('still answers with errorResponse', async () => {
    const logger = { warn: () => logger }
    const onError = ((_err: unknown) => logger.warn()) as unknown as (err: unknown) => undefined
    const other = createServer(createNodeHandler(fx.verify, () => new Response('ok'), { publicOrigin: ORIGIN, onError }))
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    try {
      const res = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/x`, { signal: AbortSignal.timeout(3000) })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('ERR_WIT_MISSING')
    } finally {
      other.closeAllConnections()
      await new Promise((resolve) => other.close(resolve))
    }
  })
})
