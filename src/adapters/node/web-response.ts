// fetch Response → ServerResponse, streaming: each chunk is written as it arrives (server-sent
// events keep flowing), backpressure is honoured, and a client that goes away cancels the body.
import type { ServerResponse } from 'node:http'
import { codedTypeError } from '../../errors/index.js'
import { looseInstanceOf } from '../../internal/assert.js'

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * Writes a fetch `Response` to a Node `ServerResponse`: status, headers (repeated `Set-Cookie`
 * kept), then the body streamed chunk by chunk with backpressure. `text/event-stream` responses
 * have their headers flushed at once, so server-sent events reach the client as they are produced.
 * If the client disconnects, the body stream is cancelled; if the body stream fails mid-way, the
 * connection is destroyed (the status line is already gone).
 *
 * @param res - the response to write (node:http, express `res`, fastify `reply.raw`).
 * @param response - the fetch `Response` (e.g. from `errorResponse`, or a signed response).
 * @returns a promise settled when the body has been written (or the client went away).
 * @throws TypeError `ERR_INVALID_ARG_VALUE` when headers were already sent.
 *
 * @example
 * ```ts
 * import { sendWebResponse } from 'agentauth/adapters/node'
 * import { errorResponse } from 'agentauth/server'
 *
 * await sendWebResponse(res, errorResponse(err, { realm: 'https://api.example.com' }))
 * ```
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  if (!looseInstanceOf(response, Response)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'response must be a Response')
  if (res.headersSent) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the response headers were already sent')
  res.statusCode = response.status
  if (response.statusText !== '') res.statusMessage = response.statusText
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value)
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  const body = response.body
  if (body === null) {
    res.end()
    return
  }
  const eventStream = (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream')
  if (eventStream) res.flushHeaders()
  const reader = body.getReader()
  let gone = false
  const onClose = (): void => {
    if (res.writableFinished) return
    gone = true
    reader.cancel().catch(() => undefined)
  }
  res.on('close', onClose)
  try {
    let pending = reader.read()
    if (!eventStream) {
      // A body that is complete after its first chunk (a Response made from a string or bytes) is
      // sent in one write with a Content-Length, not chunked. The second read is only awaited until
      // the next event-loop turn, so a body that is still being produced starts flowing at once.
      const head = await pending
      if (head.done || gone) {
        if (!gone) res.end()
        return
      }
      pending = reader.read()
      const next = await Promise.race([pending, nextTurn()])
      if (next !== NOT_YET && next.done) {
        if (gone) return
        if (!res.hasHeader('content-length') && head.value instanceof Uint8Array) res.setHeader('content-length', head.value.byteLength)
        res.end(head.value)
        return
      }
      if (!res.write(head.value)) await waitForDrain(res)
    }
    for (;;) {
      const { done, value } = await pending
      if (done || gone) break
      if (!res.write(value)) await waitForDrain(res)
      pending = reader.read()
    }
    if (!gone) res.end()
  } catch (err) {
    res.destroy(err instanceof Error ? err : undefined)
  } finally {
    res.off('close', onClose)
  }
}

const NOT_YET = Symbol('not yet')
function nextTurn(): Promise<typeof NOT_YET> {
  return new Promise((resolve) => setImmediate(resolve, NOT_YET))
}
