/**
 * Fastify 5 plugin for agentauth: `app.register(workloadAuth(verifier))` verifies every request with
 * a verifier from `agentauth/server` and sets `request.workload`. Translation only: all checks are
 * done by `createRequestVerifier`.
 *
 * Verification runs in `onRequest`, over the raw request stream, before fastify parses anything: an
 * unauthenticated body is never parsed. When the verifier reads the body (HTTP signatures, a
 * `Content-Digest`), the bytes it read are handed to fastify in `preParsing`, so JSON and every
 * other content-type parser work as usual. With `signResponse`, every response of a verified
 * request is signed in `onSend` (streams with `text/event-stream` without `Content-Digest`, not
 * buffered; responses written to `reply.raw` after `reply.hijack()` are not signed).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { workloadAuth } from 'agentauth/adapters/fastify'
 *
 * const app = Fastify()
 * await app.register(workloadAuth(verify, { publicOrigin: 'https://api.example.com' }))
 * app.post('/tools/search', async (request) => ({ caller: request.workload?.workload.id, query: request.body }))
 * ```
 *
 * Reachable from `agentauth/adapters/fastify`.
 *
 * @module adapters/fastify
 */
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { assertFunction } from '../../internal/assert.js'
import { errorResponse, type ErrorResponseOptions, type RequestVerifier, type ResponseSigner, type VerifiedRequest } from '../../server/index.js'
import { verifySource } from '../node/handler.js'
import { bodyConsumed, createNodeSourceReader, lazyBody, type NodeSource, type ToWebRequestOptions } from '../node/web-request.js'
import { runHook } from '../../internal/hook.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the agentauth `workloadAuth` plugin (`null` before it ran). */
    workload: VerifiedRequest | null
  }
}

/**
 * Options of {@link workloadAuth}.
 *
 * @example
 * ```ts
 * import type { FastifyWorkloadAuthOptions } from 'agentauth/adapters/fastify'
 * const options: FastifyWorkloadAuthOptions = { publicOrigin: 'https://api.example.com', onError: (err, request) => request.log.warn({ err }) }
 * ```
 */
export interface FastifyWorkloadAuthOptions extends ToWebRequestOptions {
  /**
   * Signs every response of a verified request (`createResponseSigner` from `agentauth/server`). A
   * response it cannot sign is replaced by `errorResponse(err)` (500, `onError` called).
   */
  signResponse?: ResponseSigner
  /** Observes every refusal or failure (logging, metrics) before it is answered. */
  onError?: (error: unknown, request: FastifyRequest) => void
  /** Options of `errorResponse` (realm, scheme, Retry-After). */
  errorOptions?: ErrorResponseOptions
}

/**
 * A fastify plugin (encapsulation skipped, like `fastify-plugin`).
 *
 * @example
 * ```ts
 * import type { WorkloadAuthPlugin } from 'agentauth/adapters/fastify'
 * const plugin: WorkloadAuthPlugin = workloadAuth(verify)
 * await app.register(plugin)
 * ```
 */
export type WorkloadAuthPlugin = (fastify: FastifyInstance) => Promise<void>

const NULL_BODY = new Set([101, 103, 204, 205, 304])

async function reply(replyTo: FastifyReply, response: Response): Promise<FastifyReply> {
  const headers: Record<string, string> = {}
  for (const [name, value] of response.headers) headers[name] = value
  return replyTo.code(response.status).headers(headers).send(new Uint8Array(await response.arrayBuffer()))
}

function isStream(payload: unknown): payload is Readable {
  return typeof (payload as Readable | null)?.pipe === 'function'
}

function isResponse(payload: unknown): payload is Response {
  return typeof payload === 'object' && payload !== null && Object.prototype.toString.call(payload) === '[object Response]'
}

// What fastify does with a fetch Response after onSend, done before signing so that the status,
// fields and body signed are the ones sent.
function unwrapResponse(replyTo: FastifyReply, response: Response): ReadableStream<Uint8Array> | null {
  replyTo.code(response.status)
  for (const [name, value] of response.headers) replyTo.header(name, value)
  return response.body
}

function isWebStream(payload: unknown): payload is ReadableStream<Uint8Array> {
  return typeof (payload as ReadableStream | null)?.getReader === 'function'
}

/**
 * Creates the plugin. It is marked `Symbol.for('skip-override')`, so registering it protects every
 * route of the instance it is registered on (register it inside a child context to protect only
 * some routes). The URL verified is the one the caller sent, also when fastify's `rewriteUrl`
 * routes on another. Refusals are answered with `errorResponse` (400/401/403/413, StoreError → 503,
 * escaped `WWW-Authenticate`, problem JSON).
 *
 * @param verifier - from `createRequestVerifier(policy)`.
 * @param options - see {@link FastifyWorkloadAuthOptions}; validated here.
 * @returns the plugin for `app.register`.
 * @throws TypeError `ERR_INVALID_ARG_*` for a bad verifier or option.
 *
 * @example
 * ```ts
 * import { workloadAuth } from 'agentauth/adapters/fastify'
 * import { createResponseSigner } from 'agentauth/server'
 * await app.register(workloadAuth(verify, { signResponse: createResponseSigner({ wit, signer }) }))
 * ```
 */
export function workloadAuth(verifier: RequestVerifier, options: FastifyWorkloadAuthOptions = {}): WorkloadAuthPlugin {
  assertFunction(verifier, 'verifier')
  const read = createNodeSourceReader(options)
  const { signResponse, onError, errorOptions } = options
  if (signResponse !== undefined) assertFunction(signResponse, 'options.signResponse')
  if (onError !== undefined) assertFunction(onError, 'options.onError')
  // The body the verifier read, handed to fastify's parsers in preParsing.
  const replays = new WeakMap<FastifyRequest, Promise<Uint8Array> | ReadableStream<Uint8Array>>()
  // The message as read; its fetch Request is built only when a response is signed.
  const sources = new WeakMap<FastifyRequest, NodeSource>()

  // With fastify's `rewriteUrl`, req.url is the rewritten URL; the proof covers the one the caller
  // sent (req.originalUrl), so the message is read with it (synchronously restored).
  function readOriginal(raw: FastifyRequest['raw']): NodeSource {
    const url = raw.url
    const original = (raw as { originalUrl?: unknown }).originalUrl
    if (typeof original !== 'string' || original === url) return read(raw)
    raw.url = original
    try {
      return read(raw)
    } finally {
      raw.url = url
    }
  }

  async function agentauthWorkloadAuth(fastify: FastifyInstance): Promise<void> {
    fastify.decorateRequest('workload', null)

    fastify.addHook('onRequest', async (request, replyTo) => {
      const raw = request.raw
      let source: NodeSource | undefined
      let verified: VerifiedRequest
      try {
        const untouched = !bodyConsumed(raw)
        source = readOriginal(raw)
        verified = await verifySource(source, verifier)
        const bytes = source.bytesRead
        if (bytes !== undefined) replays.set(request, bytes)
        // A verifier that is not from createRequestVerifier got the Request (built by verifySource) and may have read it.
        else if (untouched && raw.readableDidRead && source.hasBody) replays.set(request, source.toRequest().body!)
      } catch (err) {
        source?.discard()
        runHook(onError, err, request) // an observer: its throw or rejection changes nothing
        return reply(replyTo, errorResponse(err, errorOptions))
      }
      request.workload = verified
      if (signResponse !== undefined) sources.set(request, source)
      return undefined
    })

    fastify.addHook('preParsing', async (request, _reply, payload) => {
      const body = replays.get(request)
      if (body === undefined) return payload
      replays.delete(request)
      if (body instanceof ReadableStream) return Readable.fromWeb(body as never)
      const bytes = await body
      return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], { objectMode: false })
    })

    if (signResponse === undefined) return
    fastify.addHook('onSend', async (request, replyTo, sent) => {
      const source = sources.get(request)
      if (source === undefined || request.workload === null) return sent
      const payload: unknown = isResponse(sent) ? unwrapResponse(replyTo, sent) : sent
      // Fastify drops the Content-Type of a 1xx or 204 reply with a payload after onSend (RFC 9110
      // §8.6): drop it before signing, or the signature would cover a field that is not sent.
      if (payload != null && (replyTo.statusCode < 200 || replyTo.statusCode === 204)) replyTo.removeHeader('content-type')
      const headers = new Headers()
      for (const [name, value] of Object.entries(replyTo.getHeaders())) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v)
        else if (value !== undefined) headers.set(name, String(value))
      }
      const stream = isStream(payload)
      const webStream = !stream && isWebStream(payload)
      const body = payload == null || NULL_BODY.has(replyTo.statusCode) ? null
        : stream ? lazyBody(payload, Number.MAX_SAFE_INTEGER) : (payload as string | Uint8Array | ReadableStream<Uint8Array>)
      let signed: Response
      let unsigned: Response | undefined
      try {
        unsigned = new Response(body as BodyInit | null, { status: replyTo.statusCode, headers })
        signed = await signResponse(unsigned, { request: source.toRequest(), verified: request.workload })
      } catch (err) {
        // Answered like every other failure (generic problem JSON, the reply's own headers dropped),
        // not by fastify's error handler, which would send the error's internal message.
        sources.delete(request)
        runHook(onError, err, request)
        if (stream) payload.destroy()
        else if (webStream) {
          // The signer read a clone: cancelling what is left ends the handler's stream.
          const rest = unsigned?.body ?? payload
          if (!rest.locked) rest.cancel().catch(() => undefined)
        }
        const answer = errorResponse(err, errorOptions)
        for (const name of Object.keys(replyTo.getHeaders())) replyTo.removeHeader(name)
        replyTo.code(answer.status)
        for (const [name, value] of answer.headers) replyTo.header(name, value)
        return answer.text()
      }
      for (const [name, value] of signed.headers) if (name !== 'set-cookie' && headers.get(name) !== value) replyTo.header(name, value)
      // reply.header appends Set-Cookie: replace the list only when the signer changed it.
      const cookies = signed.headers.getSetCookie()
      if (cookies.join('\n') !== headers.getSetCookie().join('\n')) {
        replyTo.removeHeader('set-cookie')
        if (cookies.length > 0) replyTo.header('set-cookie', cookies)
      }
      if (signed.body === null || body === null) return payload
      // The signer read the body to hash it: send what it kept of it.
      if (webStream) return signed.body
      return stream && payload.readableDidRead ? Readable.fromWeb(signed.body as never) : payload
    })
  }

  return Object.assign(agentauthWorkloadAuth, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'agentauth-workload-auth',
  })
}
