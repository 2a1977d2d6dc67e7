// Fixtures shared by the framework-adapter integration tests: one trust domain, an authorised
// agent, an unauthorised one, a service identity that signs responses, a verifier accepting both
// proof kinds with a replay cache that can be switched into an outage, an SSE gate, and helpers to
// build requests for the public origin and send them to a loopback server.
import { createHash } from 'node:crypto'
import { StoreError } from '../../src/errors/index.js'
import { createContentDigest } from '../../src/httpsig/index.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner, type RequestVerifier, type ResponseSigner } from '../../src/server/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import type { ReplayCache } from '../../src/stores/types.js'
import { verifyWIMSEResponse } from '../../src/wimse-httpsig/index.js'
import { verifyWIT } from '../../src/wit/index.js'
import { signedRequest, trustDomain, wptRequest, type TrustDomainFixture, type Workload } from './server-fixtures.js'

export const ORIGIN = 'https://api.example.com'
/** The verifier's body limit (Content-Digest checks read at most this much). */
export const BODY_LIMIT = 64 * 1024

export type ProofKind = 'wpt' | 'httpsig'

/** Lets a server hold its second server-sent event until the client has seen the first. */
export interface SSEGate {
  /** Resolves when the client opened the gate, or after 5 s (the server then sends `timeout`). */
  wait(): Promise<'open' | 'timeout'>
  open(): void
  reset(): void
}

export interface AdapterFixture {
  readonly td: TrustDomainFixture
  readonly agent: Workload
  readonly stranger: Workload
  readonly service: Workload
  readonly verify: RequestVerifier
  readonly signResponse: ResponseSigner
  readonly sse: SSEGate
  storeDown(down: boolean): void
}

function gate(): SSEGate {
  let release: (() => void) | undefined
  let opened = false
  return {
    wait() {
      if (opened) return Promise.resolve('open')
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), 5000)
        release = () => {
          clearTimeout(timer)
          resolve('open')
        }
      })
    },
    open() {
      opened = true
      release?.()
    },
    reset() {
      opened = false
      release = undefined
    },
  }
}

export async function adapterFixture(): Promise<AdapterFixture> {
  const td = await trustDomain('example.org')
  const [agent, stranger, service] = await Promise.all([td.workload('/agents/bot'), td.workload('/agents/intruder'), td.workload('/services/api')])
  const memory = createMemoryReplayCache()
  let down = false
  const replayCache: ReplayCache = {
    async claim(key, expiresAt) {
      if (down) throw new StoreError('ERR_STORE_UNAVAILABLE', 'replay store unreachable (test outage)')
      return memory.claim(key, expiresAt)
    },
  }
  const verify = createRequestVerifier({
    trustBundles: td.trustBundles,
    origin: ORIGIN,
    proof: 'either',
    authorize: matchId(agent.id),
    replayCache,
    requireContentDigest: true,
    limits: { bodyBytes: BODY_LIMIT },
  })
  const signResponse = createResponseSigner({ wit: service.wit, signer: service.signer })
  return { td, agent, stranger, service, verify, signResponse, sse: gate(), storeDown: (d) => { down = d } }
}

/** A request for `ORIGIN + path` carrying the workload's credentials (WPT + Content-Digest, or a WIMSE signature). */
export async function credentialed(kind: ProofKind, w: Workload, path: string, init: { method?: string; body?: string | Uint8Array; contentType?: string } = {}): Promise<Request> {
  const headers = new Headers()
  if (init.contentType) headers.set('content-type', init.contentType)
  const reqInit: RequestInit = { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, ...(init.body !== undefined ? { body: init.body as BodyInit } : {}) }
  if (kind === 'httpsig') return signedRequest(w, ORIGIN + path, reqInit, { signResponse: true })
  if (init.body !== undefined) headers.set('content-digest', await createContentDigest(init.body))
  return wptRequest(w, ORIGIN + path, reqInit)
}

/** Sends `req` (addressed to the public origin) to a loopback server, optionally with another body. */
export async function send(base: string, req: Request, body?: BodyInit | null): Promise<Response> {
  const url = new URL(req.url)
  const payload = body !== undefined ? body : req.body === null ? null : await req.clone().arrayBuffer()
  return fetch(base + url.pathname + url.search, {
    method: req.method,
    headers: req.headers,
    ...(payload !== null ? { body: payload, duplex: 'half' } : {}),
  } as RequestInit)
}

/** A body delivered in `parts` chunks, with a pause between them (sent with chunked encoding). */
export function chunkedStream(bytes: Uint8Array, parts = 4): ReadableStream<Uint8Array> {
  const size = Math.ceil(bytes.length / parts)
  let offset = 0
  return new ReadableStream({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close()
      await new Promise((r) => setTimeout(r, 5))
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
}

export function sha256hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

/** Verifies that `res` was signed by the fixture's service for `req`; returns the signature's covered components. */
export async function verifySignedResponse(fx: AdapterFixture, req: Request, res: Response, options: { streaming?: boolean } = {}): Promise<readonly string[]> {
  const token = res.headers.get('workload-identity-token')
  if (token === null) throw new Error('the response carries no Workload-Identity-Token')
  const wit = await verifyWIT(token, { trustBundles: fx.td.trustBundles })
  const verified = await verifyWIMSEResponse(res, { request: req, wit, ...(options.streaming ? { body: null } : {}) })
  if (verified === undefined || verified.id !== fx.service.id) throw new Error('the response was not signed by the service')
  return verified.components
}

/** Reads server-sent events until `stop` returns true; returns the data lines seen. */
export async function readEvents(res: Response, stop: (events: string[]) => boolean): Promise<string[]> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const events: string[] = []
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    buffer += decoder.decode(value, { stream: true })
    let idx: number
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, idx)
      buffer = buffer.slice(idx + 2)
      for (const line of block.split('\n')) if (line.startsWith('data:')) events.push(line.slice(5).trim())
    }
    if (stop(events)) {
      await reader.cancel()
      break
    }
  }
  return events
}
