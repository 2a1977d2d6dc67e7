// A loopback HTTP server (port 0) for trust-bundle tests. The handler can be swapped between
// requests; every request is counted. Requests can be held open to test timeouts and dedupe.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type BundleHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface BundleServer {
  readonly url: string
  /** Number of requests received so far. */
  readonly requests: number
  handler: BundleHandler
  /** Serves `body` as JSON with status 200 (or `status`). */
  serve(body: unknown, status?: number): void
  close(): Promise<void>
}

export async function startBundleServer(): Promise<BundleServer> {
  let requests = 0
  const open = new Set<ServerResponse>()
  const state: { handler: BundleHandler } = { handler: (_req, res) => res.end('{}') }
  const server: Server = createServer((req, res) => {
    requests++
    open.add(res)
    res.on('close', () => open.delete(res))
    state.handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/bundle`,
    get requests() {
      return requests
    },
    get handler() {
      return state.handler
    },
    set handler(h: BundleHandler) {
      state.handler = h
    },
    serve(body: unknown, status = 200) {
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      state.handler = (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(text)
      }
    },
    async close() {
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
