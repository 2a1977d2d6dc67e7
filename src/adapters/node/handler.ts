// Verification of a Node request, and a ready request listener around a fetch-style handler.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { codedTypeError } from '../../errors/index.js'
import { assertFunction, looseInstanceOf } from '../../internal/assert.js'
import { errorResponse, type ErrorResponseOptions, type RequestVerifier, type ResponseSigner, type VerifiedRequest } from '../../server/index.js'
import { inboundVerifierOf } from '../../server/inbound.js'
import { createNodeSourceReader, type NodeSource, type NodeSourceReader, type ToWebRequestOptions } from './web-request.js'
import { sendWebResponse } from './web-response.js'

/**
 * Result of {@link verifyIncomingMessage}: the caller, and the `Request` whose body is still
 * readable. `request` is a getter: the fetch `Request` is built on first access (once), so a
 * listener that answers with `res.end` never pays for it.
 *
 * @example
 * ```ts
 * import type { VerifiedIncomingMessage } from 'agentauth/adapters/node'
 * const { verified, request }: VerifiedIncomingMessage = await verifyIncomingMessage(req, verify)
 * ```
 */
export interface VerifiedIncomingMessage {
  readonly verified: VerifiedRequest
  readonly request: Request
}

/**
 * Options of {@link createNodeHandler}.
 *
 * @example
 * ```ts
 * import type { NodeHandlerOptions } from 'agentauth/adapters/node'
 * const options: NodeHandlerOptions = {
 *   publicOrigin: 'https://api.example.com',
 *   signResponse: createResponseSigner({ wit, signer }),
 *   onError: (err) => { console.warn(err) },
 * }
 * ```
 */
export interface NodeHandlerOptions extends ToWebRequestOptions {
  /** Signs every response of a verified request (`createResponseSigner` from `agentauth/server`). */
  signResponse?: ResponseSigner
  /**
   * Called with every error (refusal, store outage, handler failure) before answering; return a
   * `Response` to answer with it instead of `errorResponse(error)` (any other value is ignored).
   */
  onError?: (error: unknown, req: IncomingMessage) => Response | undefined | void | Promise<Response | undefined | void>
  /** Options of the default `errorResponse` (realm, scheme, Retry-After). */
  errorOptions?: ErrorResponseOptions
}

/**
 * A fetch-style handler that runs after verification.
 *
 * @example
 * ```ts
 * import type { VerifiedHandler } from 'agentauth/adapters/node'
 * const handler: VerifiedHandler = async (request, caller) => Response.json({ caller: caller.workload.id })
 * ```
 */
export type VerifiedHandler = (request: Request, verified: VerifiedRequest) => Response | Promise<Response>

/**
 * A `node:http` request listener. Never rejects.
 *
 * @example
 * ```ts
 * import type { NodeRequestListener } from 'agentauth/adapters/node'
 * const listener: NodeRequestListener = createNodeHandler(verify, handler)
 * createServer(listener).listen(8080)
 * ```
 */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/**
 * Verifies a Node request. A verifier from `createRequestVerifier` reads the `IncomingMessage`
 * directly — method, URL (`publicOrigin` or Host + target, as `toWebRequest` builds it), header
 * lines combined exactly as fetch `Headers` combines them, and the body only when a Content-Digest
 * check needs it — so no fetch `Request` is built for verification; any other function gets
 * `toWebRequest(req, options)`. The result's `request` is built lazily on first access; its body
 * is the bytes the verifier read, or else a lazy stream over the message, so the handler can
 * still read it. A frozen `options` object is validated once and remembered.
 *
 * @param req - the incoming message.
 * @param verifier - from `createRequestVerifier(policy)`.
 * @param options - see {@link ToWebRequestOptions}.
 * @returns the frozen `{ verified, request }`.
 * @throws VerificationError (400/401/403/413 with a stable `code`) or StoreError (503) from the
 *   verifier; answer with `errorResponse(err)`.
 *
 * @example
 * ```ts
 * import { verifyIncomingMessage, sendWebResponse } from 'agentauth/adapters/node'
 * import { errorResponse } from 'agentauth/server'
 *
 * createServer(async (req, res) => {
 *   try {
 *     const { verified, request } = await verifyIncomingMessage(req, verify, { publicOrigin: 'https://api.example.com' })
 *     await sendWebResponse(res, Response.json({ caller: verified.workload.id, body: await request.json() }))
 *   } catch (err) {
 *     await sendWebResponse(res, errorResponse(err))
 *   }
 * })
 * ```
 */
export async function verifyIncomingMessage(req: IncomingMessage, verifier: RequestVerifier, options?: ToWebRequestOptions): Promise<VerifiedIncomingMessage> {
  assertFunction(verifier, 'verifier')
  const source = readerFor(options)(req)
  const verified = await verifySource(source, verifier)
  return Object.freeze(new VerifiedMessage(verified, source))
}

// A class rather than an object literal with a getter, which V8 builds by a slow runtime call on
// every request. The Request is built only if the caller asks for it (a listener answering with
// res.end never pays for it).
class VerifiedMessage implements VerifiedIncomingMessage {
  readonly verified: VerifiedRequest
  readonly #source: NodeSource
  constructor(verified: VerifiedRequest, source: NodeSource) {
    this.verified = verified
    this.#source = source
  }

  get request(): Request {
    return this.#source.toRequest()
  }
}

/** Verifiers from createRequestVerifier read the message directly; any other function gets a Request. */
export function verifySource(source: NodeSource, verifier: RequestVerifier): Promise<VerifiedRequest> {
  const direct = inboundVerifierOf(verifier)
  if (direct !== undefined) return direct(source)
  return verifier(source.toRequest())
}

// Options objects are usually module constants: validate each once.
const readers = new WeakMap<object, NodeSourceReader>()
let defaultReader: NodeSourceReader | undefined
function readerFor(options: ToWebRequestOptions | undefined): NodeSourceReader {
  if (options === undefined) return (defaultReader ??= createNodeSourceReader())
  if (typeof options !== 'object' || options === null) return createNodeSourceReader(options)
  let r = readers.get(options)
  if (r === undefined) {
    r = createNodeSourceReader(options)
    // Only frozen options are remembered: a mutable object could change between calls.
    if (Object.isFrozen(options)) readers.set(options, r)
  }
  return r
}

/**
 * A `node:http` request listener that verifies every request, runs a fetch-style handler with the
 * caller's identity, optionally signs the response (WIMSE response signature; streaming responses
 * such as server-sent events are signed without `Content-Digest` and not buffered), and streams it
 * back. Refusals and failures are answered with `errorResponse` (StoreError → 503).
 *
 * @param verifier - from `createRequestVerifier(policy)`.
 * @param handler - `(request, verified) => Response`; `request.body` is still readable.
 * @param options - see {@link NodeHandlerOptions}; validated here.
 * @returns the listener for `http.createServer`.
 * @throws TypeError `ERR_INVALID_ARG_*` for a bad verifier, handler or option.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createNodeHandler } from 'agentauth/adapters/node'
 * import { createRequestVerifier, createResponseSigner } from 'agentauth/server'
 *
 * const verify = createRequestVerifier({ trustBundles, origin: 'https://api.example.com', proof: 'either', authorize })
 * const signResponse = createResponseSigner({ wit: serviceWit, signer: serviceSigner })
 * createServer(createNodeHandler(verify, async (request, caller) => {
 *   return Response.json({ hello: caller.workload.id })
 * }, { publicOrigin: 'https://api.example.com', signResponse })).listen(8080)
 * ```
 */
export function createNodeHandler(verifier: RequestVerifier, handler: VerifiedHandler, options: NodeHandlerOptions = {}): NodeRequestListener {
  assertFunction(verifier, 'verifier')
  assertFunction(handler, 'handler')
  const read = createNodeSourceReader(options)
  const { signResponse, onError, errorOptions } = options
  if (signResponse !== undefined) assertFunction(signResponse, 'options.signResponse')
  if (onError !== undefined) assertFunction(onError, 'options.onError')

  return async function agentauthNodeHandler(req, res) {
    let response: Response
    let source: NodeSource | undefined
    try {
      source = read(req)
      const verified = await verifySource(source, verifier)
      const request = source.toRequest()
      response = await handler(request, verified)
      if (!looseInstanceOf(response, Response)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the handler must return a Response')
      if (signResponse !== undefined) response = await signResponse(response, { request, verified })
    } catch (err) {
      source?.discard()
      try {
        // Only a Response replaces the default answer: a hook returning anything else (a logger
        // call's result, say) must not leave the request unanswered.
        const custom: unknown = onError === undefined ? undefined : await onError(err, req)
        response = looseInstanceOf(custom, Response) ? custom : errorResponse(err, errorOptions)
      } catch (hookError) {
        response = errorResponse(hookError, errorOptions)
      }
    }
    await sendWebResponse(res, response).catch(() => res.destroy())
  }
}
