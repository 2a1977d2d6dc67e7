// One bounded, timed GET of a bundle document. Every byte is hostile: the status must be 200,
// redirects are not followed, Content-Length and the streamed size are capped before JSON parsing,
// and parsing is strict (fatal UTF-8, plain top-level object).
import { untilAborted } from '../internal/abort.js'
import { ProtocolError, isAgentAuthError } from '../errors/index.js'
import { parseJSONObject, type JSONObject } from '../internal/json.js'
import { joinChunks } from '../internal/bytes.js'

/**
 * The `fetch` shape the bundle module needs (global `fetch`, undici's `fetch`, a test double).
 *
 * @example
 * ```ts
 * import { fetch as undiciFetch, Agent } from 'undici'
 * const dispatcher = new Agent({ connect: { ca } })
 * const fetchBundle: BundleFetch = (url, init) => undiciFetch(url, { ...init, dispatcher } as never) as never
 * ```
 */
export type BundleFetch = (input: string, init: RequestInit) => Promise<Response>

export interface FetchDocumentOptions {
  fetch: BundleFetch
  timeoutMs: number
  maxBytes: number
}

async function readBounded(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = response.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new ProtocolError('ERR_BUNDLE_FETCH', `${what} is larger than ${maxBytes} bytes`, { status: response.status })
  }
  if (response.body === null) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new ProtocolError('ERR_BUNDLE_FETCH', `${what} is larger than ${maxBytes} bytes`, { status: response.status })
    }
    chunks.push(value)
  }
  return joinChunks(chunks, total)
}

/** GETs `url` and returns its JSON object, or throws `ProtocolError` (`ERR_BUNDLE_FETCH` / `ERR_REMOTE_TIMEOUT`). */
export async function fetchJSONDocument(url: string, options: FetchDocumentOptions): Promise<JSONObject> {
  const what = `trust bundle ${url}`
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException(`${what} timed out`, 'TimeoutError'))
  }, options.timeoutMs)
  // A fetch function that ignores its signal must not hold the load (and every verification
  // waiting for this bundle) past the timeout: each step also ends when the controller aborts.
  try {
    const response = await untilAborted(options.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: controller.signal,
    }), controller.signal)
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined)
      throw new ProtocolError('ERR_BUNDLE_FETCH', `${what} answered HTTP ${response.status}`, { status: response.status })
    }
    const bytes = await untilAborted(readBounded(response, options.maxBytes, what), controller.signal)
    try {
      return parseJSONObject(bytes, { maxBytes: options.maxBytes, what })
    } catch (cause) {
      throw new ProtocolError('ERR_BUNDLE_FETCH', `${what} is not a JSON object`, { status: 200, cause })
    }
  } catch (err) {
    if (timedOut) throw new ProtocolError('ERR_REMOTE_TIMEOUT', `${what} did not answer within ${options.timeoutMs} ms`, { cause: err })
    if (isAgentAuthError(err)) throw err
    throw new ProtocolError('ERR_BUNDLE_FETCH', `${what} could not be fetched`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}
