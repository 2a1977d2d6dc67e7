// The capability the outbound side depends on: headers for one request, never a key or a token.
import type { FetchLike as AnyFetch, FetchMiddleware as AnyFetchMiddleware } from '../internal/fetch-types.js'

/**
 * Anything shaped like the global `fetch` (global fetch, `undici.fetch`, a test stub).
 *
 * @example
 * ```ts
 * import type { FetchLike } from 'agentauth/fetch'
 * const logged: FetchLike = async (input, init) => {
 *   console.log(new Request(input, init).url)
 *   return fetch(input, init)
 * }
 * ```
 */
export type FetchLike = AnyFetch

/**
 * Wraps a fetch into another fetch (undici's `dispatch => dispatch`, one level up); combine them
 * with `composeFetch`.
 *
 * @example
 * ```ts
 * import type { FetchMiddleware } from 'agentauth/fetch'
 * const userAgent: FetchMiddleware = (next) => (input, init) => {
 *   const request = new Request(input, init)
 *   request.headers.set('user-agent', 'my-agent/1.0')
 *   return next(request)
 * }
 * ```
 */
export type FetchMiddleware = AnyFetchMiddleware

/**
 * One outgoing request as credentials see it: no body, only its digest.
 *
 * @example
 * ```ts
 * import type { OutboundRequest } from 'agentauth/fetch'
 * const request: OutboundRequest = {
 *   method: 'POST',
 *   url: 'https://api.example.com/v1/orders',
 *   contentDigest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
 *   headers: new Headers({ 'content-type': 'application/json' }),
 * }
 * ```
 */
export interface OutboundRequest {
  /** Request method, upper case as sent. */
  readonly method: string
  /** Absolute target URL (with query) exactly as it will be sent. */
  readonly url: string
  /** The `Content-Digest` value (RFC 9530) of the body, when the request has one. */
  readonly contentDigest?: string | undefined
  /**
   * A copy of the request's fields (changing it has no effect). Proof headers, `Cookie` and
   * `Proxy-Authorization` are left out; `Authorization` and `Txn-Token` are included when present
   * so a proof can bind them.
   */
  readonly headers: Headers
}

/**
 * Options of {@link OutboundCredentials.authorize}.
 *
 * @example
 * ```ts
 * import type { AuthorizeOptions } from 'agentauth/fetch'
 * const options: AuthorizeOptions = { signal: AbortSignal.timeout(5_000) }
 * ```
 */
export interface AuthorizeOptions {
  /** Aborts a slow credential source (a broker waiting for a human approval, a KMS). */
  readonly signal?: AbortSignal | undefined
}

/**
 * What an agent holds instead of a key or a bearer token: a capability that returns the
 * credential headers for exactly one request (method, URL and body digest are bound into the
 * proof). Implemented by `localCredentials` (key in this process, for trusted services) and
 * `remoteCredentials` (key in a credential broker, for agents).
 *
 * @example
 * ```ts
 * import type { OutboundCredentials } from 'agentauth/fetch'
 * async function headersFor(credentials: OutboundCredentials, url: string): Promise<Headers> {
 *   return credentials.authorize({ method: 'GET', url, headers: new Headers() })
 * }
 * ```
 */
export interface OutboundCredentials {
  /**
   * Returns the fields to add to this one request (`Workload-Identity-Token` with
   * `Workload-Proof-Token`, or with `Signature-Input` / `Signature`). Every call mints a fresh proof.
   */
  authorize(request: OutboundRequest, options?: AuthorizeOptions): Promise<Headers>
}
