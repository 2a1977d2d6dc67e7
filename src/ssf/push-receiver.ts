// RFC 8935 push receiver: a (Request) => Promise<Response> handler. 202 is sent only after the
// durable handler resolved; duplicates (same iss + jti) are acknowledged without being processed
// again; a SET another delivery is processing, a handler failure or a store failure answers 5xx
// so the transmitter retries. The lease + done-marker protocol is in exactly-once.ts.
import { ProtocolError, StoreError, VerificationError } from '../errors/index.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { timingSafeEqualString } from '../internal/bytes.js'
import { readBoundedText, mediaType } from './body.js'
import { checkDedupeCache, type EventDedupeCache } from './dedupe.js'
import { deliveryErrorResponse, isKeyNotYetKnown, toDeliveryError } from './delivery-error.js'
import { createSETDedupe, DEFAULT_LEASE_SECONDS } from './exactly-once.js'
import { checkVerifyOptions, replayKey, verifyChecked, type SecurityEventToken, type VerifySETOptions } from './set.js'
import { runHook } from '../internal/hook.js'

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
 * `access_denied`; `ERR_SET_INVALID` with `claim: 'state'` → `invalid_state`, for a verification SET
 * whose `state` is not the one requested, SSF 1.0 §8.1.4.1; others → `invalid_request`) to reject
 * the SET permanently.
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
  /**
   * jti dedupe store with claim + release, shared by all instances: `createRedisReplayCache`
   * (`agentauth/stores/redis`) or `createRedisDedupeCache`; one process: `createMemoryReplayCache`.
   */
  replayCache: EventDedupeCache
  /** The durable handler. */
  onEvent: EventHandler
  /**
   * Seconds a delivery holds the SET's lease while the handler runs (integer 1–3600, default 30).
   * Copies arriving meanwhile get 503; a lease left by a crash or a store failure lapses after this.
   * Keep it above the handler's worst-case duration: a handler outliving its lease may run twice.
   */
  leaseSeconds?: number
  /** Maximum body size in bytes (default 65536). */
  maxBodyBytes?: number
  /**
   * Told about every refused or failed delivery (for logs/metrics), a wrong or missing
   * Authorization header (`ERR_SSF_UNAUTHENTICATED`) and a wrong Content-Type included; never
   * changes the response. Not called for other methods (405).
   */
  onError?: (error: unknown, request: Request) => void
}

/**
 * Creates an RFC 8935 push endpoint: `POST` with `Content-Type: application/secevent+jwt`, the
 * stream's Authorization header checked in constant time, body size limit, {@link verifySET},
 * jti dedupe, then your durable handler, and `202 Accepted` only after it resolved.
 *
 * Responses: 202 (processed, or a duplicate of a processed SET); 400 `{"err","description"}` with
 * the RFC 8935 codes for a rejected SET; 401 `authentication_failed` (with a `WWW-Authenticate`
 * challenge naming the configured scheme) for a wrong or missing Authorization header; 405 for another method; 415 for another content type; 503 (with
 * `Retry-After`) when the dedupe store failed, the key source failed or another delivery of the
 * same SET holds its lease; 500 when the handler threw (the transmitter retries both).
 *
 * No SET is lost: a copy is acknowledged without processing only once a done marker exists, and
 * that marker is written only after the handler resolved. While the store is healthy each SET is
 * processed once per dedupe window; when the store fails after the handler resolved (marker not
 * written) a redelivered copy is processed again — keep handlers idempotent (`applyToStore` is).
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
  const replayCache = checkDedupeCache(options.replayCache, 'options.replayCache')
  assertFunction(options.onEvent, 'options.onEvent')
  if (options.onError !== undefined) assertFunction(options.onError, 'options.onError')
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 65_536, { min: 256, integer: true })
  const leaseSeconds = optionalNumber(options.leaseSeconds, 'options.leaseSeconds', DEFAULT_LEASE_SECONDS, { min: 1, max: 3600, integer: true })
  const { authorization, onEvent, onError } = options
  // RFC 9110 §11.6.1: a 401 carries a WWW-Authenticate challenge: the scheme of the configured
  // value (the token before its first space, e.g. Bearer), else Bearer — never the secret itself.
  const challenge = authorization === undefined ? undefined : (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?= )/.exec(authorization)?.[0] ?? 'Bearer')
  const inFlight = new Map<string, Promise<Response>>()
  const dedupe = createSETDedupe(replayCache, verify, leaseSeconds)

  // A logging hook must not change the response, whether it throws or rejects.
  const report = (error: unknown, request: Request): void => runHook(onError, error, request)

  async function process(set: SecurityEventToken, request: Request): Promise<Response> {
    const outcome = await dedupe.run(set, () => onEvent(set, { delivery: 'push', request }), (e) => report(e, request))
    // busy: another delivery of this SET is running its handler; come back once it is done.
    if (outcome === 'busy') return new Response(null, { status: 503, headers: { 'retry-after': '5' } })
    return new Response(null, { status: 202 })
  }

  const busy = (): Response => new Response(null, { status: 503, headers: { 'retry-after': '5' } })

  /**
   * A copy of a SET this instance is processing answers as the first delivery does, but waits no
   * longer than the lease: with a handler that hangs, every retry of the transmitter used to hang
   * here too, for good (another instance answers 503 until the lease lapses).
   */
  async function waitForCopy(running: Promise<Response>): Promise<Response> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const lapsed = new Promise<Response>((resolve) => { timer = setTimeout(() => resolve(busy()), leaseSeconds * 1000) })
    try {
      return await Promise.race([running.then((r) => r.clone(), busy), lapsed])
    } finally {
      clearTimeout(timer)
    }
  }

  return async function pushReceiver(request: Request): Promise<Response> {
    try {
      if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } })
      if (authorization !== undefined) {
        const got = request.headers.get('authorization')
        if (got === null || !timingSafeEqualString(got, authorization)) {
          // Reported too: failed authentications are what a monitor most wants to hear about.
          report(new VerificationError('ERR_SSF_UNAUTHENTICATED', got === null ? 'push delivery without an Authorization header' : 'push delivery with a wrong Authorization header'), request)
          return deliveryErrorResponse({ err: 'authentication_failed', description: 'The transmitter could not be authenticated.' }, 401, challenge)
        }
      }
      if (mediaType(request.headers.get('content-type')) !== 'application/secevent+jwt') {
        report(new VerificationError('ERR_SET_INVALID', 'push delivery Content-Type is not application/secevent+jwt'), request)
        return deliveryErrorResponse({ err: 'invalid_request', description: 'Content-Type must be application/secevent+jwt.' }, 415)
      }
      const token = (await readBoundedText(request, maxBodyBytes)).trim()
      const set = await verifyChecked(token, verify)
      // One in-flight processing per SET in this instance: a concurrent copy waits for its outcome.
      const key = replayKey(set)
      const running = inFlight.get(key)
      if (running !== undefined) return waitForCopy(running)
      const p = process(set, request)
      inFlight.set(key, p)
      try {
        return await p
      } finally {
        inFlight.delete(key)
      }
    } catch (error) {
      report(error, request)
      // A key not known yet (rotation before the JWKS refresh): retried, not refused for good.
      if (isKeyNotYetKnown(error)) return new Response(null, { status: 503, headers: { 'retry-after': '30' } })
      if (error instanceof VerificationError) return deliveryErrorResponse(toDeliveryError(error))
      // Store outage, key-source outage or a failed handler: not acknowledged, the transmitter retries.
      const status = error instanceof StoreError || error instanceof ProtocolError ? 503 : 500
      return new Response(null, { status, headers: { 'retry-after': '5' } })
    }
  }
}
