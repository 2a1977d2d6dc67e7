import { codedTypeError } from '../errors/index.js'
import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'

/**
 * Wraps a base `fetch` in middleware. The **first middleware is the outermost**: it sees the call
 * first and the response last. Put retry middleware before `workloadAuth` (outside it) so every
 * attempt gets a fresh proof.
 *
 * @param base - the fetch that finally sends requests (global `fetch`, `undici.fetch`, a test stub).
 * @param middleware - `(next) => fetch` functions, outermost first.
 * @returns the composed fetch.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `base` or a middleware is not a function, or a
 *   middleware does not return one.
 *
 * @example
 * ```ts
 * import { composeFetch, localCredentials, workloadAuth } from 'agentauth/fetch'
 *
 * const credentials = localCredentials({ signer, wit, proof: 'httpsig' })
 * const authFetch = composeFetch(fetch, retry, workloadAuth({ credentials, origins: ['https://api.example.com'] }))
 * const response = await authFetch('https://api.example.com/v1/orders')
 * ```
 */
export function composeFetch(base: FetchLike, ...middleware: FetchMiddleware[]): FetchLike {
  if (typeof base !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'base must be a fetch function')
  let fetch = base
  for (let i = middleware.length - 1; i >= 0; i--) {
    const wrap = middleware[i]
    if (typeof wrap !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `middleware[${i}] must be a function`)
    const wrapped = wrap(fetch)
    if (typeof wrapped !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `middleware[${i}] did not return a fetch function`)
    fetch = wrapped
  }
  return fetch
}
