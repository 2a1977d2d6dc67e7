import { SignerError, VerificationError, codedTypeError } from '../errors/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import type { Signer } from '../signer/types.js'
import { signWIMSEResponse } from '../wimse-httpsig/index.js'
import type { WITSource } from '../wit/types.js'
import type { VerifiedRequest } from './create-verifier.js'

/**
 * Options of {@link createResponseSigner}.
 *
 * @example
 * ```ts
 * import { createResponseSigner, type ResponseSignerOptions } from 'agentauth/server'
 *
 * const options: ResponseSignerOptions = {
 *   wit: serviceWitSource, // refreshing source of this service's WIT
 *   signer: serviceSigner, // the key bound in that WIT (cnf.jwk)
 *   lifetime: 30,
 *   isStreaming: (res) => res.headers.get('content-type') === 'application/x-ndjson',
 * }
 * const signResponse = createResponseSigner(options)
 * ```
 */
export interface ResponseSignerOptions {
  /** This service's WIT: a compact token or a source that refreshes it. */
  wit: string | WITSource
  /** Signer for the key bound in this service's WIT. */
  signer: Signer
  /** Seconds from `created` to `expires`. Default 60. */
  lifetime?: number
  /** Largest body hashed for `Content-Digest`. Default 1 MiB. */
  maxBodyBytes?: number
  /**
   * Responses whose body must not be buffered (server-sent events, long streams): they are signed
   * without `Content-Digest` (status, content type, request binding and WIT are still covered).
   * Default: `text/event-stream` responses.
   */
  isStreaming?: (response: Response) => boolean
  clock?: Clock
  crypto?: Crypto
}

/**
 * Signs a response for the request it answers; returns a new `Response` with
 * `Workload-Identity-Token`, `Content-Digest` (unless streaming or answering `HEAD`), `Signature-Input` and
 * `Signature`. A `101` response (a WebSocket upgrade on Deno or workerd) is returned unchanged,
 * unsigned: it is no final HTTP response. `wimse-req-nonce` echoes the nonce of the caller's HTTP signature: with `verified`,
 * only when that signature was the verified proof (a WPT-verified request's `Signature-Input` was
 * never checked and its nonce is not echoed); without `verified`, the nonce is read from the
 * request's `Signature-Input` as it is. Rejects with `SignerError` `ERR_SIGNER_FAILED` when the response cannot be signed:
 * the key fails, the WIT source refuses its WIT (expired, invalid), the request's signature fields
 * are malformed, or the body exceeds `maxBodyBytes` (the cause says which). A response that cannot be signed is a server-side
 * failure (500), never the caller's.
 *
 * @example
 * ```ts
 * import type { ResponseSigner } from 'agentauth/server'
 *
 * async function handle(request: Request, signResponse: ResponseSigner): Promise<Response> {
 *   const verified = await verify(request)
 *   return signResponse(Response.json({ ok: true }), { request, verified })
 * }
 * ```
 */
export type ResponseSigner = (response: Response, context: { request: Request; verified?: VerifiedRequest }) => Promise<Response>

/** A coded TypeError (a programmer error, e.g. a context without a Request) stays what it is. */
const isArgumentError = (e: unknown): boolean => e instanceof TypeError && ((e as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE' || (e as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE')

const isEventStream = (r: Response): boolean => (r.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream')

/**
 * Creates a response signer for the WIMSE HTTP-signature profile (draft-ietf-wimse-http-signature
 * §3.4), so callers can verify who answered them. Signing failures reject with a `SignerError`
 * (`ERR_SIGNER_FAILED` also for a body over `maxBodyBytes`): a service must not send an unsigned
 * success when the caller required a signed response (use `errorResponse`, which answers 500, or
 * return 501 yourself).
 *
 * @param options - this service's WIT (or a refreshing source), its signer and limits; validated
 *   here.
 * @returns a {@link ResponseSigner} that resolves to a copy of the response with the signature
 *   fields added.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at
 *   construction). The returned function rejects with `SignerError` `ERR_SIGNER_FAILED` (its
 *   `cause` is the underlying error).
 *
 * @example
 * ```ts
 * import { createRequestVerifier, createResponseSigner } from 'agentauth/server'
 * const signResponse = createResponseSigner({ wit: myWitSource, signer: mySigner })
 * const verified = await verify(request)
 * return signResponse(Response.json({ ok: true }), { request, verified })
 * ```
 */
export function createResponseSigner(options: ResponseSignerOptions): ResponseSigner {
  assertObject(options, 'options')
  assertObject(options.signer, 'options.signer')
  const witOption = options.wit
  if (typeof witOption !== 'string') {
    assertObject(witOption, 'options.wit')
    assertFunction(witOption.getWIT, 'options.wit.getWIT')
  }
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 3600, integer: true })
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, integer: true })
  const isStreaming = options.isStreaming ?? isEventStream
  if (typeof isStreaming !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.isStreaming must be a function')
  // Read once: a later change to the options object cannot swap the validated signer or clock.
  const { signer, clock, crypto } = options
  if (clock !== undefined && typeof clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')

  return async function signResponse(response, { request, verified }) {
    // A 101 (Switching Protocols) answer to a WebSocket upgrade (Deno.upgradeWebSocket, a workerd
    // WebSocketPair) is no final HTTP response, and the runtime ties the upgrade to that very
    // object: it is passed on as it is (a copy cannot even be built: fetch allows 200–599 only).
    if (response.status === 101) return response
    // A HEAD response carries no content (RFC 9110 §9.3.2), whatever body the framework built for
    // the GET handler: Content-Digest (RFC 9530 §2) would describe bytes never sent.
    const requestNonce = verified?.proof.type === 'httpsig' ? verified.proof.signature.nonce : undefined
    // A request verified by another proof (a WPT) may still carry Signature-Input: nobody checked
    // it, so its nonce is not echoed (the signer would read it from the request's fields).
    const boundTo = verified !== undefined && requestNonce === undefined && typeof request === 'object' && request !== null
      ? { method: request.method, url: request.url }
      : request
    let fields: Awaited<ReturnType<typeof signWIMSEResponse>>
    try {
      const noContent = response.body !== null && (request.method === 'HEAD' || isStreaming(response))
      // This service's own WIT (an expired or invalid one from its source included) is never the caller's fault.
      const wit = typeof witOption === 'string' ? witOption : (await witOption.getWIT()).token
      fields = await signWIMSEResponse(response, {
      request: boundTo,
      wit,
      signer,
      lifetime,
      maxBodyBytes,
      ...(noContent ? { body: null } : {}),
      ...(requestNonce !== undefined ? { requestNonce } : {}),
      ...(clock ? { clock } : {}),
      ...(crypto ? { crypto } : {}),
      })
    } catch (err) {
      // The response is ours, not the caller's: a body over maxBodyBytes (or any refusal of the
      // response) is a server failure (500), never a 4xx blaming the request.
      // So is a WIT source or an isStreaming callback that throws (a plain Error, an upstream's
      // ProtocolError): every failure is ERR_SIGNER_FAILED, with the original as its cause.
      if (err instanceof SignerError || isArgumentError(err)) throw err
      throw new SignerError('ERR_SIGNER_FAILED', `the response could not be signed${err instanceof VerificationError ? `: ${err.message}` : ''}`, { cause: err })
    }
    const headers = new Headers(response.headers)
    for (const [name, value] of Object.entries(fields.headers)) headers.set(name, value)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}
