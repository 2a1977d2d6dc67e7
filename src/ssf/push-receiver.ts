// RFC 8935 push receiver: a (Request) => Promise<Response> handler. 202 is sent only after the
// durable handler resolved; duplicates (same iss + jti) are acknowledged without being processed
// again; a handler failure releases the jti and answers 5xx so the transmitter retries.
import { ProtocolError, StoreError, VerificationError, codedTypeError } from '../errors/index.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { timingSafeEqualString } from '../internal/bytes.js'
import { nowSeconds } from '../internal/time.js'
import { readBoundedText, mediaType } from './body.js'
import { isDedupeCache, type EventDedupeCache } from './dedupe.js'
import { deliveryErrorResponse, toDeliveryError } from './delivery-error.js'
import { checkVerifyOptions, replayKey, verifyChecked, type SecurityEventToken, type VerifySETOptions } from './set.js'

/**
 * Context handed to the event handler.
 *
 * @example
 * ```ts
 * const onEvent: EventHandler = (set, ctx: EventContext) => console.log(ctx.delivery, set.jti)
 * ```
 */
export interface EventContext {
  /** `push` or `poll`. */
  readonly delivery: 'push' | 'poll'
  /** The incoming push request (push only). */
  readonly request?: Request
}

/**
 * The durable event handler. Resolve only once the event is safely recorded (a revocation written,
 * a queue message committed): the SET is acknowledged after it resolves. Throw to refuse the
 * acknowledgement — the transmitter redelivers. Throw a `VerificationError` (`ERR_POLICY_DENIED` →
 * `access_denied`, others → `invalid_request`) to reject the SET permanently.
  *
  * @example
  * ```ts
  * const onEvent: EventHandler = async (set) => { await queue.publish(set.claims) } // resolve only when durable
  * ```
  */
export type EventHandler = (set: SecurityEventToken, context: EventContext) => Promise<void> | void

/**
 * Options of {@link createPushReceiver}.
 *
 * @example
 * ```ts
 * const options: PushReceiverOptions = { verify: { issuer, audience, keys }, replayCache: createMemoryDedupeCache(), onEvent }
 * ```
 */
export interface PushReceiverOptions {
  /** How to verify SETs (`replayCache` there is ignored: dedupe uses {@link PushReceiverOptions.replayCache}). */
  verify: Omit<VerifySETOptions, 'replayCache'>
  /** Exact expected `Authorization` header value (the stream's `delivery.authorization_header`), compared in constant time. */
  authorization?: string
  /** jti dedupe store with claim + release, shared by all instances (`createRedisDedupeCache`). */
  replayCache: EventDedupeCache
  /** The durable handler. */
  onEvent: EventHandler
  /** Maximum body size in bytes (default 65536). */
  maxBodyBytes?: number
  /** Told about every refused or failed delivery (for logs/metrics); never changes the response. */
  onError?: (error: unknown, request: Request) => void
}

/**
 * Creates an RFC 8935 push endpoint: `POST` with `Content-Type: application/secevent+jwt`, the
 * stream's Authorization header checked in constant time, body size limit, {@link verifySET},
 * jti dedupe, then your durable handler, and `202 Accepted` only after it resolved.
 *
 * Responses: 202 (processed, or a duplicate of a processed SET); 400 `{"err","description"}` with
 * the RFC 8935 codes for a rejected SET; 401 `authentication_failed` for a wrong or missing
 * Authorization header; 405 for another method; 415 for another content type; 503 when the
 * handler or the dedupe store failed (the transmitter retries).
 *
 * @param options - {@link PushReceiverOptions}.
 * @returns a `(request: Request) => Promise<Response>` handler for any Web-standard server.
 * @throws TypeError `ERR_INVALID_ARG_*` at construction for bad options.
 *
 * @example
 * ```ts
 * import { createPushReceiver, createRedisDedupeCache, applyToStore } from 'agentauth/ssf'
 * const receive = createPushReceiver({
 *   verify: { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', keys: jwks },
 *   authorization: 'Bearer s3cr3t-push-token',
 *   replayCache: createRedisDedupeCache({ command }),
 *   onEvent: applyToStore(revocationStore),
 * })
 * // Hono: app.post('/ssf/events', (c) => receive(c.req.raw))
 * ```
 */
export function createPushReceiver(options: PushReceiverOptions): (request: Request) => Promise<Response> {
  assertObject(options, 'options')
  const verify = checkVerifyOptions({ ...options.verify, replayCache: undefined }, 'options.verify')
  if (options.authorization !== undefined) assertString(options.authorization, 'options.authorization')
  if (!isDedupeCache(options.replayCache)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replayCache must have claim() and release() (createMemoryDedupeCache / createRedisDedupeCache)')
  assertFunction(options.onEvent, 'options.onEvent')
  if (options.onError !== undefined) assertFunction(options.onError, 'options.onError')
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 65_536, { min: 256, integer: true })
  const { authorization, replayCache, onEvent, onError } = options
  const inFlight = new Map<string, Promise<Response>>()

  const report = (error: unknown, request: Request): void => {
    try {
      onError?.(error, request)
    } catch {
      // a logging hook must not change the response
    }
  }

  async function process(set: SecurityEventToken, request: Request): Promise<Response> {
    const key = replayKey(set)
    const expiresAt = Math.ceil((verify.maxTokenAge !== undefined ? set.iat + verify.maxTokenAge : nowSeconds(verify.clock) + verify.replayWindow) + verify.clockTolerance)
    if (!(await replayCache.claim(key, expiresAt))) return new Response(null, { status: 202 })
    try {
      await onEvent(set, { delivery: 'push', request })
    } catch (error) {
      await replayCache.release(key).catch((e: unknown) => report(e, request))
      throw error
    }
    return new Response(null, { status: 202 })
  }

  return async function pushReceiver(request: Request): Promise<Response> {
    try {
      if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
      if (authorization !== undefined) {
        const got = request.headers.get('authorization')
        if (got === null || !timingSafeEqualString(got, authorization)) {
          return deliveryErrorResponse({ err: 'authentication_failed', description: 'The transmitter could not be authenticated.' }, 401)
        }
      }
      if (mediaType(request.headers.get('content-type')) !== 'application/secevent+jwt') {
        return deliveryErrorResponse({ err: 'invalid_request', description: 'Content-Type must be application/secevent+jwt.' }, 415)
      }
      const token = (await readBoundedText(request, maxBodyBytes)).trim()
      const set = await verifyChecked(token, verify)
      // One in-flight processing per SET in this instance: a concurrent copy waits for its outcome.
      const key = replayKey(set)
      const running = inFlight.get(key)
      if (running !== undefined) return (await running.catch(() => new Response(null, { status: 503 }))).clone()
      const p = process(set, request)
      inFlight.set(key, p)
      try {
        return await p
      } finally {
        inFlight.delete(key)
      }
    } catch (error) {
      report(error, request)
      if (error instanceof VerificationError) return deliveryErrorResponse(toDeliveryError(error))
      // Store outage, key-source outage or a failed handler: not acknowledged, the transmitter retries.
      const status = error instanceof StoreError || error instanceof ProtocolError ? 503 : 500
      return new Response(null, { status, headers: { 'retry-after': '5' } })
    }
  }
}
