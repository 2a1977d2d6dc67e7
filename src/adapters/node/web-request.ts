// IncomingMessage → fetch Request. The body is a lazy stream over the Node stream: nothing is read
// until someone (the verifier's digest check, or the handler) pulls it, so a verifier that does not
// need the body leaves it for the framework's own parsers. The byte limit is enforced while
// streaming; a body some parser already consumed becomes a stream that fails when read (never an
// empty body that would skip a digest check).
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { codedTypeError, VerificationError } from '../../errors/index.js'
import { assertObject, optionalNumber } from '../../internal/assert.js'
import type { DigestBody } from '../../httpsig/content-digest.js'
import type { FieldSection } from '../../httpsig/message.js'
import { ENCODED_UNRESERVED, type RequestFields } from '../../server/extract.js'
import { headerInvalid, type Inbound } from '../../server/inbound.js'
import { joinChunks } from '../../internal/bytes.js'

/**
 * Options of {@link toWebRequest} (and of every Node-based adapter).
 *
 * @example
 * ```ts
 * import type { ToWebRequestOptions } from 'agentauth/adapters/node'
 * const options: ToWebRequestOptions = { publicOrigin: 'https://api.example.com', maxBodyBytes: 256 * 1024 }
 * ```
 */
export interface ToWebRequestOptions {
  /**
   * Origin used for `request.url`, e.g. `https://api.example.com` (the one callers address). When
   * absent: `http(s)://` + `Host` (or `localhost` when `Host` is missing or malformed). The verifier
   * checks proofs against its own configured `origin` either way.
   */
  publicOrigin?: string
  /** Take scheme and host of `request.url` from `X-Forwarded-Proto` / `X-Forwarded-Host`. Default false (ignored). */
  trustProxy?: boolean
  /** Largest body, in bytes, streamed into the `Request`; more fails with `ERR_BODY_TOO_LARGE` (413). Default 1 MiB. */
  maxBodyBytes?: number
}

/** Converts one message; `rawBody` is a body a framework already read (express `captureRawBody`). */
export type RequestConverter = (req: IncomingMessage, rawBody?: Uint8Array | string) => Request

const DEFAULT_MAX_BODY = 1024 * 1024
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
const NO_BODY_METHODS = new Set(['GET', 'HEAD'])
const ZEROS = /^0+$/

function tooLarge(max: number): VerificationError {
  return new VerificationError('ERR_BODY_TOO_LARGE', `the body exceeds ${max} bytes`, { status: 413 })
}

/** The message failed while its body was read (the client aborted or reset the request). */
function incomplete(cause: unknown): VerificationError {
  return new VerificationError('ERR_BODY_INCOMPLETE', 'the request body ended before it was complete', { status: 400, cause })
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value
  return v?.split(',')[0]?.trim()
}

/** True when a framework (body parser) has already read from the message. */
export function bodyConsumed(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded
}

/**
 * How the raw header lines frame a body (read from `rawHeaders`: no headers object is built):
 * `framed` — a Transfer-Encoding or a non-zero Content-Length; `empty` — `Content-Length: 0`;
 * `unframed` — neither.
 */
function bodyFraming(req: IncomingMessage): 'framed' | 'empty' | 'unframed' {
  let empty = false
  const lines = req.rawHeaders
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const name = lines[i]!
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return 'framed'
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      // 1*DIGIT (RFC 9110 §8.6): "00" is a length of zero too.
      const v = lines[i + 1]!.trim()
      if (v !== '0' && !ZEROS.test(v)) return 'framed'
      empty = true
    }
  }
  return empty ? 'empty' : 'unframed'
}

/**
 * Whether the message has a body: framed by its headers, or (HTTP/2) not declared empty — neither
 * by `content-length: 0` nor by END_STREAM on its HEADERS frame (a body-less `POST` from curl or
 * nghttp2 sends no DATA frame and no `content-length`; it must not need a Content-Digest).
 */
function declaresBody(req: IncomingMessage): boolean {
  const framing = bodyFraming(req)
  return framing === 'framed' || (framing === 'unframed' && req.httpVersionMajor >= 2 &&
    (req as { stream?: { endAfterHeaders?: unknown } }).stream?.endAfterHeaders !== true)
}

/**
 * A pull-driven stream over a Node Readable, cut off at `max` bytes. Never destroys the source:
 * when the stream is cancelled or over the limit, the rest of the source is read and discarded, so
 * an HTTP client still uploading can finish and read the (error) response.
 */
export function lazyBody(source: Readable, max: number, declared?: number): ReadableStream<Uint8Array> {
  let it: AsyncIterator<unknown> | undefined
  let total = 0
  async function discard(): Promise<void> {
    const current = it
    it = undefined
    await current?.return?.()
    source.resume()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (it === undefined) {
        if (declared !== undefined && declared > max) {
          controller.error(tooLarge(max))
          return discard()
        }
        it = source.iterator({ destroyOnReturn: false })
      }
      let r: IteratorResult<unknown>
      try {
        r = await it.next()
      } catch (cause) {
        controller.error(incomplete(cause))
        return discard()
      }
      if (r.done === true) return controller.close()
      const chunk = typeof r.value === 'string' ? new TextEncoder().encode(r.value) : (r.value as Uint8Array)
      total += chunk.length
      if (total > max) {
        controller.error(tooLarge(max))
        return discard()
      }
      controller.enqueue(chunk)
    },
    cancel: discard,
  }, { highWaterMark: 0 })
}

/** Cancels what is left of a request body after a refusal (the source is drained, not destroyed). */
export function discardBody(request: Request | undefined): void {
  if (request?.body != null && !request.bodyUsed) request.body.cancel().catch(() => undefined)
}

function consumedBody(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(codedTypeError('ERR_INVALID_ARG_VALUE',
        'the request body was already consumed (by a body parser?) and no raw body was captured: ' +
        'capture it (captureRawBody) or mount the verification before the parser'))
    },
  })
}

function target(url: string | undefined): string {
  if (url !== undefined && url.charCodeAt(0) === 47 /* / */) return url
  if (url !== undefined && url.length > 0) {
    try {
      const parsed = new URL(url) // absolute-form (RFC 9112 §3.2.2)
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.pathname + parsed.search
    } catch { /* fall through */ }
  }
  throw new VerificationError('ERR_HEADER_INVALID', 'the request target is not an absolute path', { status: 400 })
}

/**
 * One Node request, read without building a fetch `Request`: what the verifier needs (method, URL,
 * combined fields, a bounded body read at most once), and the `Request` itself on demand, whose
 * body is the bytes the verifier read or else a lazy stream over the message.
 */
export interface NodeSource extends Inbound {
  /** The fetch `Request` (built once, on first call). */
  toRequest(): Request
  /** Drains what is left of the body after a refusal (never destroys the message). */
  discard(): void
  /** The body bytes the verifier read (for a Content-Digest check), once read. */
  readonly bytesRead: Promise<Uint8Array> | undefined
}

/** Reads one message; `rawBody` is a body a framework already read (express `captureRawBody`). */
export type NodeSourceReader = (req: IncomingMessage, rawBody?: Uint8Array | string) => NodeSource

// Methods fetch normalises to upper case, and those it refuses (Fetch §2.2.1).
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])
const BAD_VALUE = /[\0\r\n]/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function normaliseMethod(raw: string): string {
  const upper = raw.toUpperCase()
  if (!TOKEN.test(raw) || FORBIDDEN_METHODS.has(upper)) {
    throw new VerificationError('ERR_HEADER_INVALID', 'the request cannot be represented as a fetch Request', { status: 400 })
  }
  return NORMALISED_METHODS.has(upper) ? upper : raw
}

/** A field value as fetch stores it: leading and trailing HTTP whitespace removed. */
function normaliseValue(v: string): string {
  const first = v.charCodeAt(0)
  const last = v.charCodeAt(v.length - 1)
  return first === 32 || first === 9 || last === 32 || last === 9 ? v.replace(/^[\t ]+|[\t ]+$/g, '') : v
}

/** Reads the rest of a message into one buffer, failing at `max` bytes (then the rest is drained). */
async function readAll(source: Readable, max: number, tooLargeError: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  const it = source.iterator({ destroyOnReturn: false })
  try {
    for (;;) {
      const r = await it.next()
      if (r.done === true) break
      const chunk = typeof r.value === 'string' ? new TextEncoder().encode(r.value) : (r.value as Uint8Array)
      total += chunk.length
      if (total > max) throw tooLargeError()
      chunks.push(chunk)
    }
  } catch (err) {
    await it.return?.()
    source.resume()
    // Our own limit error, or the message failing mid-body (a client abort: ECONNRESET).
    throw err instanceof VerificationError ? err : incomplete(err)
  }
  return joinChunks(chunks, total)
}

function bytesStream(bytes: Promise<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const b = await bytes
      if (b.length > 0) controller.enqueue(b)
      controller.close()
    },
  }, { highWaterMark: 0 })
}

/**
 * Bytes of `text` in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes), without encoding it: a
 * body handed over as a string is limited in bytes, like one handed over as bytes.
 */
function utf8Length(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/** Validates options once; returns the reader used by every Node-based adapter. */
export function createNodeSourceReader(options: ToWebRequestOptions = {}): NodeSourceReader {
  assertObject(options, 'options')
  let publicOrigin: string | undefined
  if (options.publicOrigin !== undefined) {
    let url: URL | undefined
    try { url = new URL(String(options.publicOrigin)) } catch { /* below */ }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== String(options.publicOrigin).replace(/\/$/, '')) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.publicOrigin must be an origin such as https://api.example.com')
    }
    publicOrigin = url.origin
  }
  if (options.trustProxy !== undefined && typeof options.trustProxy !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.trustProxy must be a boolean')
  const trustProxy = options.trustProxy === true
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', DEFAULT_MAX_BODY, { min: 0, integer: true })

  function originOf(req: IncomingMessage): string {
    if (publicOrigin !== undefined) return publicOrigin
    let proto = (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http'
    let host: string | undefined = req.headers.host ?? first(req.headers[':authority'])
    if (trustProxy) {
      const fp = first(req.headers['x-forwarded-proto'])
      const fh = first(req.headers['x-forwarded-host'])
      if (fp === 'http' || fp === 'https') proto = fp
      if (fh !== undefined && fh !== '') host = fh
    }
    return `${proto}://${host !== undefined && HOST.test(host) ? host : 'localhost'}`
  }

  return function read(req, rawBody) {
    const method = normaliseMethod(req.method ?? 'GET')
    let parsed: URL | undefined
    let url: string
    const origin = originOf(req)
    const t = target(req.url)
    // An absolute-form target was parsed (and its path normalised) by target(): check the raw one.
    if (t !== req.url) refuseRewrittenPath(req.url!)
    const canonical = publicOrigin ?? canonicalOrigins.get(origin)
    if (canonical !== undefined && isSerialisedTarget(t)) {
      // The URL parser would return these characters unchanged: no parse per request.
      url = canonical + t
    } else {
      refuseRewrittenPath(t)
      try {
        parsed = new URL(origin + t)
      } catch (err) {
        throw new VerificationError('ERR_HEADER_INVALID', 'the request target is not a valid URL', { status: 400, cause: err })
      }
      url = parsed.href
      if (publicOrigin === undefined && canonicalOrigins.size < MAX_CANONICAL_ORIGINS) canonicalOrigins.set(origin, parsed.origin)
    }
    let raw: Uint8Array | string | undefined
    let hasBody = false
    let declared: number | undefined
    if (rawBody !== undefined && typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the raw body must be a Uint8Array or a string')
    if (NO_BODY_METHODS.has(method)) {
      // Fetch cannot represent a GET or HEAD with a body, so the verifier never sees one: refuse it
      // rather than let a framework parser hand the handler bytes no proof covers. Over HTTP/2 a
      // body needs no framing header: a HEADERS frame that does not end the stream announces DATA.
      if ((rawBody !== undefined && rawBody.length > 0) || declaresBody(req)) {
        throw new VerificationError('ERR_HEADER_INVALID', `a ${method} request cannot carry a body`, { status: 400 })
      }
    } else {
      if (rawBody !== undefined && (rawBody.length > 0 || declaresBody(req))) {
        // A body a parser already read. An empty one counts only when the message declared a body:
        // a parser mounted first captures "" for a body-less POST, which needs no digest.
        if (rawBody.length > maxBodyBytes || (typeof rawBody === 'string' && rawBody.length * 3 > maxBodyBytes && utf8Length(rawBody) > maxBodyBytes)) throw tooLarge(maxBodyBytes)
        raw = rawBody
        hasBody = true
      } else if (rawBody === undefined && declaresBody(req)) {
        hasBody = true
        const length = req.headers['content-length']
        declared = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined
      }
    }

    return new NodeMessageSource(req, method, url, parsed, hasBody, raw, declared, maxBodyBytes)
  }
}

// Path characters that the URL parser rewrites but routers do not: "." and ".." segments (also as
// %2e, any case) are resolved away and "\\" becomes "/". A router matching the raw path would then
// run a handler for another path than the one verified and authorised (`/admin/../public/x` is
// verified as `/public/x` and routed to `/admin/*`): such targets are refused. So is a fragment,
// which no request target may carry (RFC 9112 §3.2) and the URL parser drops. So is a
// percent-encoded unreserved character (RFC 3986 §2.3: equivalent to the character itself, never
// needed): routers such as fastify's decode "/%61dmin" to "/admin" while the proof and the
// authorizer see "/%61dmin".
const DOT_SEGMENT_ANY = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

function refuseRewrittenPath(raw: string): void {
  let start = 0
  if (raw.charCodeAt(0) !== 47 /* / */) {
    const scheme = raw.indexOf('://')
    start = scheme === -1 ? 0 : raw.indexOf('/', scheme + 3)
    if (start === -1) start = raw.length
  }
  const q = raw.indexOf('?', start)
  const path = raw.slice(start, q === -1 ? raw.length : q)
  if (raw.includes('#') || path.includes('\\') || DOT_SEGMENT_ANY.test(path) || ENCODED_UNRESERVED.test(path)) {
    throw new VerificationError('ERR_HEADER_INVALID', 'the request target has a fragment, a backslash, dot segments or percent-encoded unreserved characters, which servers resolve differently', { status: 400 })
  }
}

// Host-derived origins ("http://" + Host) already seen, with their serialisation by URL (which
// lower-cases the host and drops a default port). Bounded: hostile Host values cannot grow it.
const MAX_CANONICAL_ORIGINS = 64
const canonicalOrigins = new Map<string, string>()

// A request target that the URL parser serialises unchanged: an absolute path of characters outside
// the path percent-encode set (no "%" either: "%2e" segments are dot segments), without "." or ".."
// segments, and a query of characters outside the special-query percent-encode set.
const SERIALISED_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/
const SERIALISED_QUERY = /^[A-Za-z0-9\-._~!$&()*+,;=:@/?]*$/

/** Whether `new URL(origin + t).href === origin + t` for a canonical http(s) origin. */
export function isSerialisedTarget(t: string): boolean {
  const q = t.indexOf('?')
  const path = q === -1 ? t : t.slice(0, q)
  return SERIALISED_PATH.test(path) && !DOT_SEGMENT_ANY.test(path) && (q === -1 || SERIALISED_QUERY.test(t.slice(q + 1)))
}

/** {@link NodeSource} over one IncomingMessage (a class: one allocation per request, not a closure per method). */
class NodeMessageSource implements NodeSource {
  readonly message: { readonly method: string; readonly url: string }
  readonly #req: IncomingMessage
  readonly #raw: Uint8Array | string | undefined
  readonly #declared: number | undefined
  readonly #maxBodyBytes: number
  readonly #consumed: boolean
  #map: Map<string, string> | undefined
  #cookies: string[] | undefined
  #bytes: Promise<Uint8Array> | undefined
  #request: Request | undefined

  readonly method: string
  readonly url: string
  readonly parsedURL: URL | undefined
  readonly hasBody: boolean

  constructor(
    req: IncomingMessage, method: string, url: string, parsedURL: URL | undefined, hasBody: boolean,
    raw: Uint8Array | string | undefined, declared: number | undefined, maxBodyBytes: number,
  ) {
    this.method = method
    this.url = url
    this.parsedURL = parsedURL
    this.hasBody = hasBody
    this.message = { method, url }
    this.#req = req
    this.#raw = raw
    this.#declared = declared
    this.#maxBodyBytes = maxBodyBytes
    this.#consumed = raw === undefined && hasBody && bodyConsumed(req)
  }

  /** Fields combined per lower-cased name (Fetch "combine"), Set-Cookie lines also kept apart. */
  #fieldMap(): Map<string, string> {
    if (this.#map !== undefined) return this.#map
    const m = new Map<string, string>()
    const lines = this.#req.rawHeaders
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const rawName = lines[i]!
      if (rawName.charCodeAt(0) === 58 /* : (HTTP/2 pseudo-header) */) continue
      const name = rawName.toLowerCase()
      const value = normaliseValue(lines[i + 1]!)
      if (!TOKEN.test(rawName) || BAD_VALUE.test(value)) throw headerInvalid()
      if (name === 'set-cookie') (this.#cookies ??= []).push(value)
      const prev = m.get(name)
      // Combined as undici's Headers combines them: Cookie lines with "; ", others with ", ".
      m.set(name, prev === undefined ? value : `${prev}${name === 'cookie' ? '; ' : ', '}${value}`)
    }
    return (this.#map = m)
  }

  fields(max: number): RequestFields {
    const m = this.#fieldMap()
    // Counted like an iteration of fetch Headers: one entry per name, one per Set-Cookie line.
    let total = 0
    for (const [name, value] of m) if (name !== 'set-cookie') total += name.length + value.length + 4
    if (this.#cookies !== undefined) for (const c of this.#cookies) total += 14 + c.length
    if (total > max) throw new VerificationError('ERR_INPUT_TOO_LARGE', 'request headers are too large', { status: 400 })
    return {
      wit: m.get('workload-identity-token') ?? null,
      wpt: m.get('workload-proof-token') ?? null,
      signatureInput: m.get('signature-input') ?? null,
      signature: m.get('signature') ?? null,
      contentDigest: m.get('content-digest') ?? null,
      contentType: m.get('content-type') ?? null,
      authorization: m.get('authorization') ?? null,
      txnToken: m.get('txn-token') ?? null,
      forwardedProto: m.get('x-forwarded-proto') ?? null,
      forwardedHost: m.get('x-forwarded-host') ?? null,
    }
  }

  get(name: string): string | null {
    return this.#fieldMap().get(name.toLowerCase()) ?? null
  }

  section(read: (name: string) => string | null): FieldSection {
    return {
      lines: (name) => {
        if (name === 'set-cookie') {
          this.#fieldMap()
          return this.#cookies
        }
        const v = read(name)
        return v === null ? undefined : [v]
      },
    }
  }

  #readBytes(max: number): Promise<Uint8Array> {
    if (this.#bytes === undefined) {
      const limit = Math.min(max, this.#maxBodyBytes)
      if (this.#declared !== undefined && this.#declared > limit) {
        this.#req.resume()
        this.#bytes = Promise.reject(tooLarge(limit))
      } else {
        this.#bytes = readAll(this.#req, limit, () => tooLarge(limit))
      }
      this.#bytes.catch(() => undefined)
    }
    return this.#bytes
  }

  body(max: number): DigestBody {
    if (!this.hasBody) return null
    if (this.#raw !== undefined) return this.#raw
    if (this.#consumed) return consumedBody()
    // A declared length over the limit fails now, as the fetch path's body read does (413 before
    // the signature checks), not later when the stream is read.
    const limit = Math.min(max, this.#maxBodyBytes)
    if (this.#declared !== undefined && this.#declared > limit && this.#bytes === undefined) {
      this.#readBytes(max).catch(() => undefined) // drains the rest of the message
      throw tooLarge(limit)
    }
    return bytesStream(this.#readBytes(max))
  }

  get bytesRead(): Promise<Uint8Array> | undefined {
    return this.#bytes
  }

  toRequest(): Request {
    if (this.#request !== undefined) return this.#request
    const headers: [string, string][] = []
    const lines = this.#req.rawHeaders
    for (let i = 0; i + 1 < lines.length; i += 2) {
      if (lines[i]!.charCodeAt(0) !== 58) headers.push([lines[i]!, lines[i + 1]!])
    }
    let body: ReadableStream<Uint8Array> | Uint8Array | string | null = null
    if (this.hasBody) {
      body = this.#raw !== undefined ? this.#raw
        : this.#bytes !== undefined ? bytesStream(this.#bytes)
          : this.#consumed ? consumedBody() : lazyBody(this.#req, this.#maxBodyBytes, this.#declared)
    }
    const { method, url } = this
    try {
      this.#request = new Request(url, body === null ? { method, headers } : ({ method, headers, body, duplex: 'half' } as RequestInit))
    } catch (cause) {
      throw new VerificationError('ERR_HEADER_INVALID', 'the request cannot be represented as a fetch Request', { status: 400, cause })
    }
    return this.#request
  }

  discard(): void {
    if (this.#request !== undefined) discardBody(this.#request)
    else if (this.hasBody && this.#raw === undefined && this.#bytes === undefined && !this.#consumed) this.#req.resume()
  }
}

/** Validates options once; returns the converter used by every Node-based adapter. */
export function createRequestConverter(options: ToWebRequestOptions = {}): RequestConverter {
  const read = createNodeSourceReader(options)
  return (req, rawBody) => read(req, rawBody).toRequest()
}

/**
 * Converts a Node `IncomingMessage` into a fetch `Request` for `createRequestVerifier` (or any
 * fetch-style handler), without reading the body: the body is a stream pulled from the message only
 * when someone reads it, cut off at `maxBodyBytes` while streaming (`ERR_BODY_TOO_LARGE`, 413).
 * Uses `duplex: 'half'`; drops HTTP/2 pseudo-headers; keeps repeated headers; falls back to
 * `localhost` when `Host` is missing. A body that a framework already consumed becomes a stream
 * that fails when read (a coded `TypeError`, answered 500), so a required digest check fails closed
 * instead of seeing an empty body. `X-Forwarded-*` are ignored unless `trustProxy`.
 *
 * @param req - the incoming message (node:http, express, fastify's `request.raw`).
 * @param options - see {@link ToWebRequestOptions}.
 * @returns the `Request`; its URL is `publicOrigin` (or the Host) + the request target.
 * @throws VerificationError `ERR_HEADER_INVALID` (400) for a target that is not an absolute path or
 *   a message fetch cannot represent (e.g. `CONNECT`); `ERR_BODY_TOO_LARGE` (413, when the body is
 *   read). TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { toWebRequest } from 'agentauth/adapters/node'
 *
 * createServer(async (req, res) => {
 *   const request = toWebRequest(req, { publicOrigin: 'https://api.example.com', maxBodyBytes: 65536 })
 *   const caller = await verify(request) // createRequestVerifier(...)
 *   res.end(`hello ${caller.workload.id}`)
 * })
 * ```
 */
export function toWebRequest(req: IncomingMessage, options?: ToWebRequestOptions): Request {
  return createRequestConverter(options)(req)
}
