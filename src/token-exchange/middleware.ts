import { codedTypeError, ProtocolError } from '../errors/index.js'
import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
import { checkObject } from '../internal/oauth-assert.js'
import type { TokenCache, TokenTarget } from './cache.js'

/**
 * Options of {@link tokenExchange}.
 *
 * @example
 * ```ts
 * import { tokenExchange, type TokenExchangeMiddlewareOptions } from 'agentauth/token-exchange'
 * const options: TokenExchangeMiddlewareOptions = { cache, destinations: { 'https://tool.example.com': { audience: 'https://tool.example.com' } } }
 * const brokerFetch = tokenExchange(options)(fetch)
 * ```
 */
export interface TokenExchangeMiddlewareOptions {
  /** Where tokens come from (see `createTokenExchangeCache`). */
  cache: TokenCache
  /**
   * Which token each destination gets: a map from origin (`https://tool.example.com`) to a target,
   * or a function of the request URL. Requests to any other origin are sent unchanged — a token is
   * never attached for a destination nobody configured.
   */
  destinations: Readonly<Record<string, TokenTarget>> | ((url: URL) => TokenTarget | undefined)
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/

/**
 * True when a `WWW-Authenticate` value holds a `Bearer` challenge whose `error` auth-param is
 * `invalid_token` (RFC 6750 §3), parsed with the RFC 9110 §11.6.1 grammar: schemes and parameter
 * names case-insensitively, token or quoted-string values (quoted-pairs unescaped), several
 * challenges, commas inside quoted strings. Text inside other parameters (`error_description`) and
 * other schemes' parameters do not count; what it cannot parse is skipped up to the next comma.
 */
function isBearerInvalidToken(header: string): boolean {
  const n = header.length
  let i = 0
  let scheme = ''
  const token = (): string => {
    const start = i
    while (i < n && TCHAR.test(header[i]!)) i++
    return header.slice(start, i)
  }
  const ows = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++
  }
  while (i < n) {
    ows()
    if (header[i] === ',') {
      i++
      continue
    }
    const name = token()
    ows()
    if (name.length > 0 && header[i] === '=') {
      i++
      ows()
      let value = ''
      if (header[i] === '"') {
        i++
        let closed = false
        while (i < n) {
          const c = header[i++]!
          if (c === '"') {
            closed = true
            break
          }
          value += c === '\\' && i < n ? header[i++]! : c
        }
        if (!closed) return false
      } else {
        value = token()
      }
      if (scheme === 'bearer' && name.toLowerCase() === 'error' && value === 'invalid_token') return true
    } else if (name.length > 0) {
      scheme = name.toLowerCase()
      continue
    }
    // Skip the rest of this element (token68 padding, junk) up to the next comma.
    while (i < n && header[i] !== ',') i++
  }
  return false
}

function normaliseOrigins(map: Readonly<Record<string, TokenTarget>>): Map<string, TokenTarget> {
  const out = new Map<string, TokenTarget>()
  for (const [origin, target] of Object.entries(map)) {
    let url: URL
    try {
      url = new URL(origin)
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.destinations key "${origin}" is not an origin`, cause)
    }
    if (url.origin === 'null' || url.origin !== origin.replace(/\/$/, '')) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.destinations key "${origin}" must be a bare origin (scheme://host[:port])`)
    }
    checkObject(target, `options.destinations["${origin}"]`)
    out.set(url.origin, target)
  }
  return out
}

/**
 * Fetch middleware that attaches an exchanged access token (`Authorization: Bearer …`) chosen by the
 * destination origin. Meant to run inside the credential broker (or a trusted service), so the
 * agent process never sees the token: the agent talks to the broker, the broker's fetch carries
 * this middleware.
 *
 * A 401 answer with a `Bearer` challenge whose `error` is `invalid_token` (RFC 6750 §3) evicts the cached token so the next
 * call exchanges a fresh one (the request itself is not retried). Cross-origin redirects: `fetch`
 * strips `Authorization`, so the token does not follow a redirect to another origin.
 *
 * @param options - `cache`, `destinations`.
 * @returns a {@link FetchMiddleware} (`(next) => fetch`).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. The wrapped fetch
 *   rejects with the cache's errors, or ProtocolError `ERR_TOKEN_EXCHANGE_FAILED` when the issued
 *   token is not a Bearer access token.
 *
 * @example
 * ```ts
 * import { createTokenExchangeCache, tokenExchange, TOKEN_TYPE } from 'agentauth/token-exchange'
 * const cache = createTokenExchangeCache({ server, client, subject: () => ({ token: userToken, tokenType: TOKEN_TYPE.ACCESS_TOKEN }) })
 * const brokerFetch = tokenExchange({
 *   cache,
 *   destinations: { 'https://calendar.example.com': { audience: 'https://calendar.example.com', scope: 'calendar:read' } },
 * })(fetch)
 * await brokerFetch('https://calendar.example.com/events')
 * ```
 */
export function tokenExchange(options: TokenExchangeMiddlewareOptions): FetchMiddleware {
  checkObject(options, 'options')
  checkObject(options.cache, 'options.cache')
  if (typeof options.cache.get !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.cache must be a TokenCache')
  const { cache } = options
  const destinations = options.destinations
  let lookup: (url: URL) => TokenTarget | undefined
  if (typeof destinations === 'function') {
    lookup = destinations
  } else {
    checkObject(destinations, 'options.destinations')
    const map = normaliseOrigins(destinations)
    lookup = (url) => map.get(url.origin)
  }
  return function tokenExchangeMiddleware(next: FetchLike): FetchLike {
    return async function fetchWithExchangedToken(input, init) {
      const request = new Request(input, init)
      const target = lookup(new URL(request.url))
      if (target === undefined) return next(request)
      const token = await cache.get(target, { signal: request.signal })
      if (token.tokenType.toLowerCase() !== 'bearer') {
        throw new ProtocolError('ERR_TOKEN_EXCHANGE_FAILED', `the exchanged token has token_type ${token.tokenType}, not Bearer`)
      }
      const headers = new Headers(request.headers)
      headers.set('authorization', `Bearer ${token.token}`)
      const response = await next(new Request(request, { headers }))
      if (response.status === 401 && isBearerInvalidToken(response.headers.get('www-authenticate') ?? '')) cache.invalidate(target)
      return response
    }
  }
}
