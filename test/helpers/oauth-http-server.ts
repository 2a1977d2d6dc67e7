// Serves a web `(Request) => Promise<Response>` handler on a loopback port (port 0) for interop
// tests with independent clients (oauth4webapi) — a tiny Node http ↔ fetch bridge.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x)
    else if (v !== undefined) headers.set(k, v)
  }
  const body = chunks.length === 0 ? undefined : Buffer.concat(chunks)
  return new Request(new URL(req.url ?? '/', origin), { method: req.method ?? 'GET', headers, ...(body === undefined || req.method === 'GET' ? {} : { body }) })
}

export async function serveHandler(handler: (request: Request) => Promise<Response>): Promise<{ origin: string; close: () => Promise<void>; server: Server }> {
  let origin = ''
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const response = await handler(await toRequest(req, origin))
        res.statusCode = response.status
        response.headers.forEach((v, k) => res.setHeader(k, v))
        res.end(Buffer.from(await response.arrayBuffer()))
      } catch (err) {
        res.statusCode = 500
        res.end(String(err))
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, server, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
