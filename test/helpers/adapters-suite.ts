// The behaviour every server adapter must show against its real framework on loopback, for both
// proof kinds. A server under test implements three routes behind the adapter:
//   POST /echo    JSON body parsed by the framework → { id, proof, body, url }
//   POST /upload  application/octet-stream (possibly chunked) → { id, bytes, sha256 }
//   GET  /events  server-sent events: `one`, then (after the client saw it) `two` — see sseSource
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adapterFixture,
  BODY_LIMIT,
  chunkedStream,
  credentialed,
  ORIGIN,
  randomBytes,
  readEvents,
  send,
  sha256hex,
  verifySignedResponse,
  type AdapterFixture,
  type ProofKind,
  type SSEGate,
} from './adapters-fixtures.js'

export interface StartedServer {
  readonly base: string
  close(): Promise<void>
}

/** Starts `server` on a free loopback port, unless it is already listening (e.g. `app.listen(0)`). */
export async function listen(server: Server): Promise<StartedServer> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** The event source every adapter serves on /events (pull-driven: `two` waits for the gate). */
export function sseSource(gate: SSEGate): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  let step = 0
  return new ReadableStream({
    async pull(controller) {
      step += 1
      if (step === 1) controller.enqueue(enc.encode('data: one\n\n'))
      else if (step === 2) controller.enqueue(enc.encode(`data: ${(await gate.wait()) === 'open' ? 'two' : 'timeout'}\n\n`))
      else controller.close()
    },
  })
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } as const

async function problem(res: Response): Promise<{ status: number; code: string; challenge: string | null }> {
  const body = (await res.json()) as { code: string }
  return { status: res.status, code: body.code, challenge: res.headers.get('www-authenticate') }
}

/**
 * Registers the shared adapter suite. `signs`: responses of verified requests carry a WIMSE
 * response signature (JSON with Content-Digest, SSE without).
 */
export function describeAdapterSuite(name: string, start: (fx: AdapterFixture) => Promise<StartedServer>, options: { signs: boolean }): { fixture: () => AdapterFixture; server: () => StartedServer } {
  let fx: AdapterFixture
  let server: StartedServer
  beforeAll(async () => {
    fx = await adapterFixture()
    server = await start(fx)
  })
  afterAll(async () => server?.close())

  const kinds: ProofKind[] = ['wpt', 'httpsig']
  for (const kind of kinds) {
    describe(`${name} with ${kind === 'wpt' ? 'WPT' : 'WIMSE HTTP signatures'}`, () => {
      it('accepts the call, hands the parsed body to the handler and populates the caller', async () => {
        const req = await credentialed(kind, fx.agent, '/echo?page=2', { body: JSON.stringify({ q: 'weather', kind }), contentType: 'application/json' })
        const res = await send(server.base, req)
        expect(res.status).toBe(200)
        if (options.signs) expect(await verifySignedResponse(fx, req, res.clone())).toContain('"content-digest"')
        expect(await res.json()).toEqual({ id: fx.agent.id, proof: kind, body: { q: 'weather', kind }, url: `${ORIGIN}/echo?page=2` })
      })

      it('refuses a replayed request with 401 ERR_PROOF_REPLAYED', async () => {
        const req = await credentialed(kind, fx.agent, '/echo', { body: '{"n":1}', contentType: 'application/json' })
        expect((await send(server.base, req)).status).toBe(200)
        const again = await problem(await send(server.base, req))
        expect(again).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
        expect(again.challenge).toMatch(/^WIMSE error="invalid_request", error_description="/)
      })

      it('refuses a tampered body', async () => {
        const req = await credentialed(kind, fx.agent, '/echo', { body: '{"q":"weather"}', contentType: 'application/json' })
        expect(await problem(await send(server.base, req, '{"q":"exfiltrate"}'))).toMatchObject({ status: 400, code: 'ERR_DIGEST_MISMATCH' })
      })

      it('refuses an authenticated but unauthorised caller with 403', async () => {
        const req = await credentialed(kind, fx.stranger, '/echo', { body: '{}', contentType: 'application/json' })
        const refused = await problem(await send(server.base, req))
        expect(refused).toMatchObject({ status: 403, code: 'ERR_POLICY_DENIED' })
        expect(refused.challenge).toContain('error="access_denied"')
      })

      it('fails closed with 503 and Retry-After while the replay store is down', async () => {
        const req = await credentialed(kind, fx.agent, '/echo', { body: '{}', contentType: 'application/json' })
        fx.storeDown(true)
        let res: Response
        try {
          res = await send(server.base, req)
        } finally {
          fx.storeDown(false)
        }
        expect(res.headers.get('retry-after')).toBe('1')
        expect(await problem(res)).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE' })
        const retry = await credentialed(kind, fx.agent, '/echo', { body: '{}', contentType: 'application/json' })
        expect((await send(server.base, retry)).status).toBe(200)
      })

      it('verifies a chunked streaming upload against its digest, and refuses one over the limit', async () => {
        const bytes = randomBytes(48 * 1024)
        const req = await credentialed(kind, fx.agent, '/upload', { body: bytes, contentType: 'application/octet-stream' })
        const res = await send(server.base, req, chunkedStream(bytes))
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ id: fx.agent.id, bytes: bytes.length, sha256: sha256hex(bytes) })

        const big = randomBytes(BODY_LIMIT + 16 * 1024)
        const bigReq = await credentialed(kind, fx.agent, '/upload', { body: big, contentType: 'application/octet-stream' })
        expect(await problem(await send(server.base, bigReq, chunkedStream(big, 8)))).toMatchObject({ status: 413, code: 'ERR_BODY_TOO_LARGE' })
      })

      it(`streams server-sent events as they are produced${options.signs ? ', signed without Content-Digest' : ''}`, async () => {
        fx.sse.reset()
        const req = await credentialed(kind, fx.agent, '/events')
        const res = await send(server.base, req)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
        if (options.signs) {
          const components = await verifySignedResponse(fx, req, res, { streaming: true })
          expect(components).not.toContain('"content-digest"')
          expect(components).toContain('"@status"')
          expect(res.headers.get('content-digest')).toBeNull()
        }
        const events = await readEvents(res, (seen) => {
          if (seen.includes('one')) fx.sse.open() // the second event is only produced now
          return seen.includes('two') || seen.includes('timeout')
        })
        expect(events).toEqual(['one', 'two'])
      })
    })
  }
  return { fixture: () => fx, server: () => server }
}
