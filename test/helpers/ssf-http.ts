// Serves a (Request) => Promise<Response> handler on a real node:http server on loopback port 0.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LoopbackServer {
  readonly origin: string
  readonly server: Server
  close(): Promise<void>
}

export async function serve(handler: (request: Request) => Promise<Response>, port = 0): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
      const controller = new AbortController()
      res.on('close', () => controller.abort())
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks)
      const request = new Request(`http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`, { method: req.method, headers, body, signal: controller.signal })
      handler(request).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      }, () => { res.writeHead(500); res.end() })
    })
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
