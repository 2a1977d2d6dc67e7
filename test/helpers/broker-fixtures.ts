// Fixtures for the fetch / broker tests: real node:http servers on loopback (port 0) serving Fetch
// handlers, an API verifying callers with createRequestVerifier, a foreign server that records
// everything it receives, and a recording audit sink.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { nodeListener } from '../../src/broker/node/http.js'
import type { AuditRecord } from '../../src/broker/index.js'
import { matchAny } from '../../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner, errorResponse, type VerifiedRequest } from '../../src/server/index.js'
import type { TrustDomainFixture, Workload } from './server-fixtures.js'

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  readonly body: string
}

export interface TestServer {
  readonly origin: string
  readonly server: Server
  readonly received: Received[]
  close(): Promise<void>
}

/** Serves `handler` on 127.0.0.1:0; every request is recorded (body read from a clone). */
export async function startServer(handler: (request: Request, origin: string) => Promise<Response> | Response, options: { recordBody?: boolean } = {}): Promise<TestServer> {
  const received: Received[] = []
  let origin = ''
  const server = createServer(
    nodeListener(async (request) => {
      const url = new URL(request.url)
      const publicRequest = new Request(origin + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body, duplex: 'half' } as RequestInit)
      const body = options.recordBody === false || publicRequest.body === null ? '' : await publicRequest.clone().text()
      received.push({ method: publicRequest.method, url: publicRequest.url, headers: new Headers(publicRequest.headers), body })
      return handler(publicRequest, origin)
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    server,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export const CREDENTIAL_FIELDS = ['workload-identity-token', 'workload-proof-token', 'signature', 'signature-input', 'authorization', 'proxy-authorization', 'txn-token', 'cookie']

/** Names of credential fields present in a recorded request. */
export function credentialFields(r: Received): string[] {
  return CREDENTIAL_FIELDS.filter((n) => r.headers.has(n))
}

export interface ApiOptions {
  proof: 'wpt' | 'httpsig' | 'either'
  /** Sign responses with this workload (WIMSE response signatures). */
  responder?: Workload
  accessToken?: boolean
  /** Where `/v1/redirect` sends callers (set after start). */
}

export interface ApiServer extends TestServer {
  readonly verified: VerifiedRequest[]
  readonly errors: unknown[]
  /** Lets the SSE route send its second event. */
  release(): void
}

/**
 * An API that verifies every request (except `/public/*`) and answers:
 * - `/v1/echo` — JSON `{ caller, method, body, authorization }`;
 * - `/v1/redirect?status=307&to=<url>` — a redirect;
 * - `/v1/sse` — `text/event-stream`: one event, then (after `release()`) a second, then the end.
 */
export async function startApi(td: TrustDomainFixture, options: ApiOptions): Promise<ApiServer> {
  const verified: VerifiedRequest[] = []
  const errors: unknown[] = []
  let release: () => void = () => undefined
  let verify: ((r: Request) => Promise<VerifiedRequest>) | undefined
  const signResponse = options.responder ? createResponseSigner({ wit: options.responder.wit, signer: options.responder.signer }) : undefined
  const base = await startServer(async (request, origin) => {
    verify ??= createRequestVerifier({ trustBundles: td.trustBundles, origin, proof: options.proof, authorize: matchAny() })
    const url = new URL(request.url)
    let caller: VerifiedRequest
    try {
      caller = await verify(request)
    } catch (err) {
      errors.push(err)
      return errorResponse(err)
    }
    verified.push(caller)
    let response: Response
    if (url.pathname === '/v1/redirect') {
      response = new Response('moved', { status: Number(url.searchParams.get('status') ?? 307), headers: { location: url.searchParams.get('to') ?? '/' } })
    } else if (url.pathname === '/v1/sse') {
      const encoder = new TextEncoder()
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: one\n\n'))
          await gate
          controller.enqueue(encoder.encode('data: two\n\n'))
          controller.close()
        },
      })
      response = new Response(stream, { headers: { 'content-type': 'text/event-stream' } })
    } else {
      const body = await request.text()
      response = Response.json({ caller: caller.workload.id, method: request.method, body, authorization: request.headers.get('authorization'), proof: caller.proof.type })
    }
    return signResponse ? signResponse(response, { request, verified: caller }) : response
  })
  return { ...base, verified, errors, release: () => release() }
}

export interface RecordingAudit {
  readonly records: AuditRecord[]
  sink(record: AuditRecord): void
}

export function recordingAudit(): RecordingAudit {
  const records: AuditRecord[] = []
  return { records, sink: (record) => void records.push(record) }
}

/** 43 characters of base64url randomness: a capability token. */
export function capabilityToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

/** Resolves with the error code of a rejected promise ('resolved' otherwise). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).message)
  }
  return 'resolved'
}

/** An in-process "network": a fetch that hands each request to the handler of its origin and records it. */
export function routeFetch(handlers: Record<string, (request: Request) => Promise<Response> | Response>): { fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>; received: Received[] } {
  const received: Received[] = []
  return {
    received,
    async fetch(input, init) {
      const request = new Request(input, init)
      const handler = handlers[new URL(request.url).origin]
      if (handler === undefined) throw new TypeError(`fetch failed: no route to ${request.url}`)
      const body = request.body === null ? '' : await request.clone().text()
      received.push({ method: request.method, url: request.url, headers: new Headers(request.headers), body })
      return handler(request)
    },
  }
}
