// The two function types every outbound piece shares (fetch middleware, OAuth clients). Defined
// here so modules can use them without importing each other; `agentauth/fetch` re-exports them.

/**
 * Anything shaped like the global `fetch` (global fetch, `undici.fetch`, a test stub). The same
 * type is exported by `agentauth/fetch`, `agentauth/token-exchange` and `agentauth/txn-token`.
 *
 * @example
 * ```ts
 * import type { FetchLike } from 'agentauth/token-exchange'
 *
 * const stub: FetchLike = async () => Response.json({ access_token: 'eyJ…', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer' })
 * ```
 */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>

/**
 * Wraps a fetch into another fetch (undici's `dispatch => dispatch`, one level up); combine them
 * with `composeFetch` from `agentauth/fetch`.
 *
 * @example
 * ```ts
 * import type { FetchMiddleware } from 'agentauth/token-exchange'
 *
 * const traced: FetchMiddleware = (next) => (input, init) => {
 *   const request = new Request(input, init)
 *   request.headers.set('traceparent', currentTraceparent())
 *   return next(request)
 * }
 * ```
 */
export type FetchMiddleware = (next: FetchLike) => FetchLike
