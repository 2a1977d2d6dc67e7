import { codedTypeError, ProtocolError } from '../errors/index.js'
import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { TXN_TOKEN_HEADER } from './constants.js'

/**
 * Options of {@link txnTokenPropagation}. Give exactly one of `origins` and `isSameTrustDomain`.
 *
 * @example
 * ```ts
 * const options: TxnTokenPropagationOptions = { getTxnToken: () => inbound.getStore(), origins: ['https://ledger.bank.example'] }
 * ```
 */
export interface TxnTokenPropagationOptions {
  /**
   * The Txn-Token of the request being served (from the inbound `Txn-Token` header), or
   * `undefined` when there is none. Called per outbound request, e.g. reading an
   * `AsyncLocalStorage` in Node.
   */
  getTxnToken: () => string | undefined
  /** Origins (`https://ledger.bank.example`) inside this trust domain. Everything else is foreign. */
  origins?: readonly string[]
  /** Alternative to `origins`: decides whether a URL is inside this trust domain. */
  isSameTrustDomain?: (url: URL) => boolean
  /** Redirects followed at most (default 5, at most 20); each hop is checked again. One more rejects with `ERR_FETCH_REDIRECT`. */
  maxRedirects?: number
}

// Compact JWS characters only: also keeps CR/LF and commas out of the header we emit.
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const REDIRECT = new Set([301, 302, 303, 307, 308])

function originSet(list: readonly string[]): Set<string> {
  if (!Array.isArray(list)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.origins must be an array of origins')
  const out = new Set<string>()
  for (const o of list) {
    let url: URL
    try {
      url = new URL(o)
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.origins entry "${String(o)}" is not an origin`, cause)
    }
    if (url.origin === 'null' || url.origin !== String(o).replace(/\/$/, '')) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.origins entry "${String(o)}" must be a bare origin (scheme://host[:port])`)
    }
    out.add(url.origin)
  }
  return out
}

/**
 * Fetch middleware that forwards the inbound Txn-Token, unmodified, on outbound calls to workloads
 * of the same trust domain (draft §12.2: "outbound calls … MUST include the Txn-Token as it was
 * received"), and never to any other destination: a Txn-Token must not leave its trust domain
 * (§14). A `Txn-Token` header the caller set itself is removed from requests to foreign origins.
 *
 * Redirects: `fetch` would carry the header across origins, so while a token is attached the
 * middleware follows redirects itself (`redirect: 'manual'`), re-checking every hop; a hop to a
 * foreign origin goes out without the token (nor `Authorization`, `Proxy-Authorization` or
 * `Cookie`, as fetch drops them). 303 (and 301/302 after POST) switch to `GET` without a body; a
 * 307/308 of a request with a body, or one to a URL with credentials, is returned to the caller
 * unfollowed. A request made with `redirect: 'error'` rejects on a redirect, as fetch would.
 *
 * To carry context across trust domains, use identity chaining (`agentauth/assertion-grant`), not
 * the Txn-Token.
 *
 * @param options - see {@link TxnTokenPropagationOptions}.
 * @returns a {@link FetchMiddleware}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. The wrapped
 *   fetch rejects with TypeError `ERR_INVALID_ARG_VALUE` when `getTxnToken` returns something
 *   that is not a compact JWS, and with ProtocolError `ERR_FETCH_REDIRECT` when a request made with
 *   `redirect: 'error'` is redirected while it carries a Txn-Token, or when it is redirected more
 *   than `maxRedirects` times.
 *
 * @example
 * ```ts
 * import { txnTokenPropagation } from 'agentauth/txn-token'
 *
 * const inbound = new AsyncLocalStorage<string | undefined>() // Node's async_hooks; any per-request context works
 * const internalFetch = txnTokenPropagation({
 *   getTxnToken: () => inbound.getStore(),
 *   origins: ['https://ledger.bank.example', 'https://risk.bank.example'],
 * })(fetch)
 * // in a request handler: inbound.run(request.headers.get('txn-token') ?? undefined, () => internalFetch(url))
 * ```
 */
export function txnTokenPropagation(options: TxnTokenPropagationOptions): FetchMiddleware {
  checkObject(options, 'options')
  checkFunction(options.getTxnToken, 'options.getTxnToken')
  if ((options.origins === undefined) === (options.isSameTrustDomain === undefined)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'give exactly one of options.origins and options.isSameTrustDomain')
  }
  let inside: (url: URL) => boolean
  if (options.origins !== undefined) {
    const set = originSet(options.origins)
    inside = (url) => set.has(url.origin)
  } else {
    checkFunction(options.isSameTrustDomain, 'options.isSameTrustDomain')
    const predicate = options.isSameTrustDomain!
    inside = (url) => predicate(url) === true
  }
  const maxRedirects = options.maxRedirects ?? 5
  if (typeof maxRedirects !== 'number' || !Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > 20) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxRedirects must be an integer in [0, 20]')
  }
  const { getTxnToken } = options

  return function txnTokenMiddleware(next: FetchLike): FetchLike {
    return async function fetchWithTxnToken(input, init) {
      let request = new Request(input, init)
      const token = getTxnToken()
      if (token !== undefined && (typeof token !== 'string' || !COMPACT.test(token))) {
        throw codedTypeError('ERR_INVALID_ARG_VALUE', 'getTxnToken() must return a compact JWS or undefined')
      }
      const mode = request.redirect
      for (let hop = 0; ; hop++) {
        const url = new URL(request.url)
        const headers = new Headers(request.headers)
        const attach = inside(url)
        if (!attach) headers.delete(TXN_TOKEN_HEADER)
        else if (token !== undefined) headers.set(TXN_TOKEN_HEADER, token)
        const carries = headers.has(TXN_TOKEN_HEADER)
        // Without a token on board, fetch may follow redirects itself: nothing can leak.
        const outbound = new Request(request, { headers, redirect: carries ? 'manual' : mode })
        const response = await next(outbound)
        if (!carries || mode === 'manual' || !REDIRECT.has(response.status)) return response
        const location = response.headers.get('location')
        if (location === null) return response
        // fetch itself would reject with redirect: 'error' (the hop was sent 'manual' to keep the token home).
        if (mode === 'error') {
          await response.body?.cancel().catch(() => undefined)
          throw new ProtocolError('ERR_FETCH_REDIRECT', 'the server answered with a redirect and the request said redirect: error', { status: response.status })
        }
        // fetch rejects a chain longer than its limit rather than returning the 3xx.
        if (hop >= maxRedirects) {
          await response.body?.cancel().catch(() => undefined)
          throw new ProtocolError('ERR_FETCH_REDIRECT', `more than ${maxRedirects} redirects`, { status: response.status })
        }
        let target: URL
        try {
          target = new URL(location, url)
        } catch {
          return response
        }
        // A Location with credentials cannot be fetched (Request refuses it): hand the 3xx back.
        if ((target.protocol !== 'https:' && target.protocol !== 'http:') || target.username !== '' || target.password !== '') return response
        const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === 'POST')
        if (!toGet && request.body !== null) return response
        await response.body?.cancel().catch(() => undefined)
        const nextHeaders = new Headers(request.headers)
        if (toGet) for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'content-digest']) nextHeaders.delete(h)
        if (target.origin !== url.origin) {
          // As fetch does on a cross-origin hop.
          nextHeaders.delete('authorization')
          nextHeaders.delete('proxy-authorization')
          nextHeaders.delete('cookie')
        }
        const method = toGet && request.method !== 'HEAD' ? 'GET' : request.method
        request = new Request(target, { method, headers: nextHeaders, redirect: mode, signal: request.signal })
      }
    }
  }
}
