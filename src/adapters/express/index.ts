/**
 * Express 5 middleware for agentauth: `workloadAuth(verifier)` verifies every request with a
 * verifier from `agentauth/server` and sets `req.workload`; `captureRawBody` plugs into the body
 * parsers' `verify` hook so the exact body bytes can be checked against `Content-Digest`;
 * `sendSignedResponse` answers with a WIMSE-signed fetch `Response`. Translation only: all checks
 * are done by `createRequestVerifier`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { captureRawBody, workloadAuth } from 'agentauth/adapters/express'
 *
 * const app = express()
 * app.use(express.json({ verify: captureRawBody })) // parsers first, raw bytes kept for the digest
 * app.use(workloadAuth(verify, { publicOrigin: 'https://api.example.com' }))
 * app.post('/tools/search', (req, res) => { res.json({ caller: req.workload?.workload.id }) })
 * ```
 *
 * Reachable from `agentauth/adapters/express`.
 *
 * @module adapters/express
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express'
import { codedTypeError } from '../../errors/index.js'
import { assertFunction } from '../../internal/assert.js'
import { errorResponse, type ErrorResponseOptions, type RequestVerifier, type ResponseSigner, type VerifiedRequest } from '../../server/index.js'
import { verifySource } from '../node/handler.js'
import { bodyConsumed, createNodeSourceReader, type NodeSource, type ToWebRequestOptions } from '../node/web-request.js'
import { sendWebResponse } from '../node/web-response.js'
import { runHook } from '../../internal/hook.js'

declare global {
  namespace Express {
    interface Request {
      /** The verified caller, set by `workloadAuth` (absent on routes it does not cover). */
      workload?: VerifiedRequest
      /** The exact body bytes: captured by `captureRawBody`, or read by `workloadAuth` to check the digest. */
      rawBody?: Uint8Array
    }
  }
}

/**
 * Options of {@link workloadAuth}.
 *
 * @example
 * ```ts
 * import type { ExpressWorkloadAuthOptions } from 'agentauth/adapters/express'
 * const options: ExpressWorkloadAuthOptions = { publicOrigin: 'https://api.example.com', passErrors: true }
 * ```
 */
export interface ExpressWorkloadAuthOptions extends ToWebRequestOptions {
  /** Where a body parser left the raw bytes. Default: `req.rawBody` (set by {@link captureRawBody}). */
  rawBody?: (req: ExpressRequest) => Uint8Array | string | undefined
  /**
   * Hand refusals and failures to `next(err)` instead of answering. Default false. A
   * `VerificationError` carries the status to answer (`status`: 400/401/403/413) and a `StoreError`
   * 503; other errors do not (a trust bundle's `ProtocolError` has the upstream's `status`, or
   * none; an authorizer's own error none): answer with `errorResponse(err)` in the error handler,
   * which maps every error (`ERR_BUNDLE_FETCH` → 503). A boolean (else a coded `TypeError`).
   */
  passErrors?: boolean
  /** Observes every refusal or failure (logging, metrics) before it is answered or passed on. */
  onError?: (error: unknown, req: ExpressRequest) => void
  /** Options of `errorResponse` (realm, scheme, Retry-After). */
  errorOptions?: ErrorResponseOptions
  /** Response signer used by {@link sendSignedResponse}. */
  signResponse?: ResponseSigner
}

interface VerifiedState {
  /** The message as read; its fetch `Request` is built only when a response is signed. */
  readonly source: NodeSource
  readonly verified: VerifiedRequest
  readonly sign: ResponseSigner | undefined
}

const states = new WeakMap<IncomingMessage, VerifiedState>()

/**
 * body-parser `verify` hook that keeps the exact bytes the parser read as `req.rawBody`, so
 * `workloadAuth` mounted after the parser can check `Content-Digest`. (With `Content-Encoding`, the
 * parser hands over inflated bytes: set `inflate: false` or send identity-encoded bodies.)
 *
 * @param req - the request being parsed.
 * @param _res - unused.
 * @param buf - the raw body bytes.
 * @returns nothing; it only records the bytes on the request.
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: captureRawBody }), express.text({ verify: captureRawBody }))
 * ```
 */
export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buf: Uint8Array): void {
  (req as IncomingMessage & { rawBody?: Uint8Array }).rawBody = buf
}

/**
 * Express middleware that verifies the caller of every request it covers and sets `req.workload`.
 *
 * Body handling: mount it **after** body parsers that use `verify: captureRawBody`, or before any
 * parser (then a body the verifier had to read for its digest check is left in `req.rawBody`, and
 * later parsers see a finished stream). If a parser consumed the body without capturing it and the
 * verifier needs it (HTTP signatures, a `Content-Digest`, `requireContentDigest`), the request fails
 * closed with a configuration error (500) — it is never verified without its body.
 *
 * @param verifier - from `createRequestVerifier(policy)`.
 * @param options - see {@link ExpressWorkloadAuthOptions}; validated here.
 * @returns the middleware. Refusals are answered with `errorResponse` (400/401/403/413, StoreError
 *   → 503, escaped `WWW-Authenticate`, problem JSON) unless `passErrors`.
 * @throws TypeError `ERR_INVALID_ARG_*` for a bad verifier or option.
 *
 * @example
 * ```ts
 * import { workloadAuth } from 'agentauth/adapters/express'
 * app.use('/tools', workloadAuth(verify, { onError: (err) => log.warn({ err }) }))
 * ```
 */
export function workloadAuth(verifier: RequestVerifier, options: ExpressWorkloadAuthOptions = {}): RequestHandler {
  assertFunction(verifier, 'verifier')
  const read = createNodeSourceReader(options)
  const { passErrors = false, onError, errorOptions, signResponse } = options
  // A switch from a config file: 'false' must not turn it on.
  if (typeof passErrors !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.passErrors must be a boolean')
  const rawBodyOf = options.rawBody ?? ((req: ExpressRequest) => req.rawBody)
  assertFunction(rawBodyOf, 'options.rawBody')
  if (onError !== undefined) assertFunction(onError, 'options.onError')
  if (signResponse !== undefined) assertFunction(signResponse, 'options.signResponse')

  // Under app.use('/tools', …) express strips the mount path from req.url; the proof covers the
  // URL the caller sent (req.originalUrl), so the message is read with it (synchronously restored).
  function readOriginal(req: ExpressRequest, raw: Uint8Array | string | undefined): NodeSource {
    const url = req.url
    const original = (req as { originalUrl?: unknown }).originalUrl
    if (typeof original !== 'string' || original === url) return read(req, raw)
    req.url = original
    try {
      return read(req, raw)
    } finally {
      req.url = url
    }
  }

  return async function workloadAuthMiddleware(req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> {
    let source: NodeSource | undefined
    let verified: VerifiedRequest
    try {
      const untouched = !bodyConsumed(req)
      source = readOriginal(req, rawBodyOf(req))
      verified = await verifySource(source, verifier)
      // A body the verifier read (digest check) is gone from the stream: keep its bytes for later parsers.
      const bytes = source.bytesRead
      if (bytes !== undefined) req.rawBody = await bytes
      // A verifier that is not from createRequestVerifier got the Request (built by verifySource) and may have read it.
      else if (untouched && req.readableDidRead && source.hasBody) req.rawBody = new Uint8Array(await source.toRequest().arrayBuffer())
    } catch (err) {
      source?.discard()
      runHook(onError, err, req) // an observer: its throw or rejection changes nothing
      if (passErrors) return next(err)
      return sendWebResponse(res, errorResponse(err, errorOptions))
    }
    req.workload = verified
    if (signResponse !== undefined) states.set(req, { source, verified, sign: signResponse })
    next()
  }
}

/**
 * Answers a request verified by {@link workloadAuth} with a fetch `Response` signed by its
 * `signResponse` option (WIMSE response signature: `Content-Digest` for ordinary bodies; streaming
 * responses such as `text/event-stream` are signed without it and streamed, not buffered).
 * Responses sent with `res.json`/`res.send` are not signed.
 *
 * @param req - the verified request.
 * @param res - its response.
 * @param response - what to send.
 * @returns a promise settled when the body has been written.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` when the request was not verified by a `workloadAuth`
 *   with `signResponse`; SignerError when signing fails (express answers 500).
 *
 * @example
 * ```ts
 * import { sendSignedResponse, workloadAuth } from 'agentauth/adapters/express'
 * app.use(workloadAuth(verify, { signResponse: createResponseSigner({ wit, signer }) }))
 * app.get('/report', (req, res) => sendSignedResponse(req, res, Response.json({ ok: true })))
 * ```
 */
export async function sendSignedResponse(req: ExpressRequest, res: ExpressResponse, response: Response): Promise<void> {
  const state = states.get(req)
  if (state === undefined || state.sign === undefined) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request was not verified by workloadAuth with a signResponse option')
  }
  await sendWebResponse(res, await state.sign(response, { request: state.source.toRequest(), verified: state.verified }))
}
