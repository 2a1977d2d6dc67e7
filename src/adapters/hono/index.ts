/**
 * Hono middleware for agentauth: `workloadAuth(verifier)` verifies `c.req.raw` with a verifier from
 * `agentauth/server` and sets `c.var.workload`; with `signResponse`, the response is signed after
 * the handler ran (streaming responses such as `streamSSE` without `Content-Digest`, not
 * buffered). Web APIs only: runs on Node (`@hono/node-server`), Bun, Deno, workerd.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { workloadAuth, type WorkloadEnv } from 'agentauth/adapters/hono'
 *
 * const app = new Hono<WorkloadEnv>()
 * app.use('/tools/*', workloadAuth(verify))
 * app.post('/tools/search', async (c) => c.json({ caller: c.var.workload.workload.id, query: await c.req.json() }))
 * ```
 *
 * Reachable from `agentauth/adapters/hono`.
 *
 * @module adapters/hono
 */
import type { Context, MiddlewareHandler } from 'hono'
import { assertFunction } from '../../internal/assert.js'
import { errorResponse, type ErrorResponseOptions, type RequestVerifier, type ResponseSigner, type VerifiedRequest } from '../../server/index.js'

/**
 * The hono environment the middleware provides: `c.var.workload`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import type { WorkloadEnv } from 'agentauth/adapters/hono'
 * const app = new Hono<WorkloadEnv>()
 * app.get('/me', (c) => c.text(c.var.workload.workload.id))
 * ```
 */
export interface WorkloadEnv {
  Variables: { workload: VerifiedRequest }
}

/**
 * Options of {@link workloadAuth}.
 *
 * @example
 * ```ts
 * import type { HonoWorkloadAuthOptions } from 'agentauth/adapters/hono'
 * const options: HonoWorkloadAuthOptions = { onError: (err, c) => c.json({ error: 'unauthorised' }, 401) }
 * ```
 */
export interface HonoWorkloadAuthOptions {
  /** Answers a refusal or failure; default `errorResponse(error, errorOptions)`. */
  onError?: (error: unknown, c: Context) => Response | Promise<Response>
  /** Options of the default `errorResponse` (realm, scheme, Retry-After). */
  errorOptions?: ErrorResponseOptions
  /** Signs the response of every verified request (`createResponseSigner` from `agentauth/server`). */
  signResponse?: ResponseSigner
}

/**
 * Creates the middleware. The body stays readable by the handler (the verifier reads a clone).
 * Refusals are answered with `errorResponse` (400/401/403/413, StoreError → 503, escaped
 * `WWW-Authenticate`, problem JSON) unless `onError` answers otherwise. A signing failure answers
 * 500 rather than an unsigned success.
 *
 * @param verifier - from `createRequestVerifier(policy)`; its `origin` is what callers sign for,
 *   whatever host the runtime reports.
 * @param options - see {@link HonoWorkloadAuthOptions}; validated here.
 * @returns a hono `MiddlewareHandler` providing `c.var.workload`.
 * @throws TypeError `ERR_INVALID_ARG_*` for a bad verifier or option.
 *
 * @example
 * ```ts
 * import { workloadAuth } from 'agentauth/adapters/hono'
 * import { createResponseSigner } from 'agentauth/server'
 * app.use('*', workloadAuth(verify, { signResponse: createResponseSigner({ wit, signer }) }))
 * ```
 */
export function workloadAuth(verifier: RequestVerifier, options: HonoWorkloadAuthOptions = {}): MiddlewareHandler<WorkloadEnv> {
  assertFunction(verifier, 'verifier')
  const { onError, errorOptions, signResponse } = options
  if (onError !== undefined) assertFunction(onError, 'options.onError')
  if (signResponse !== undefined) assertFunction(signResponse, 'options.signResponse')

  return async function agentauthWorkloadAuth(c, next) {
    const request = c.req.raw
    let verified: VerifiedRequest
    try {
      verified = await verifier(request)
    } catch (err) {
      return onError !== undefined ? onError(err, c) : errorResponse(err, errorOptions)
    }
    c.set('workload', verified)
    await next()
    if (signResponse === undefined) return undefined
    let signed: Response
    try {
      signed = await signResponse(c.res, { request, verified })
    } catch (err) {
      // The body is never sent: cancel what is left (the signer read a clone), which ends a
      // streaming handler instead of leaving it blocked.
      const rest = c.res.body
      if (rest !== null && !rest.locked) rest.cancel().catch(() => undefined)
      signed = onError !== undefined ? await onError(err, c) : errorResponse(err, errorOptions)
    }
    c.res = undefined
    c.res = signed
    return undefined
  }
}
