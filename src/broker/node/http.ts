// A minimal node:http ↔ Fetch bridge for the broker handler: request bodies stream in, response
// bodies (server-sent events included) stream out with back-pressure, and a client that goes away
// aborts the request's signal (which cancels a pending approval or upstream call).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

export function toWebRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!)
  const method = req.method ?? 'GET'
  const length = req.headers['content-length']
  const hasBody = method !== 'GET' && method !== 'HEAD' && ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined)
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (hasBody) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  return new Request(new URL(req.url ?? '/', 'http://localhost'), init)
}

export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  if (response.statusText !== '') res.statusMessage = response.statusText
  const cookies = response.headers.getSetCookie()
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (response.body === null) {
    res.end()
    return
  }
  res.flushHeaders()
  const reader = response.body.getReader()
  const onClose = (): void => {
    reader.cancel().catch(() => undefined)
  }
  res.once('close', onClose)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await new Promise<void>((resolve) => {
        const resume = (): void => {
          res.off('close', resume)
          res.off('drain', resume)
          resolve()
        }
        res.once('drain', resume)
        res.once('close', resume)
      })
      if (res.destroyed) break
    }
    res.end()
  } catch {
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
}

/**
 * A node:http request listener serving a Fetch-style handler. A request Fetch cannot represent
 * (a method it forbids, such as `TRACE`) is answered by `unusable` when given (the broker audits
 * and refuses it like any other malformed request), else with a bare 400.
 */
export function nodeListener(handler: (request: Request) => Promise<Response>, unusable?: () => Promise<Response>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const controller = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('the client went away'))
    })
    let request: Request
    try {
      request = toWebRequest(req, controller.signal)
    } catch {
      if (unusable === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"reason":"invalid_request"}}')
        return
      }
      unusable()
        .then((response) => writeWebResponse(res, response))
        .catch(() => {
          if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"reason":"invalid_request"}}')
          else res.destroy()
        })
      return
    }
    handler(request)
      .then((response) => writeWebResponse(res, response))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"reason":"credentials_failed"}}')
        else res.destroy()
      })
  }
}
