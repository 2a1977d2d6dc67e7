/**
 * undici 7 interceptor for agentauth: `workloadAuthInterceptor(credentials, { origins })` adds a
 * fresh proof of possession (WPT or WIMSE HTTP signature, whatever the credentials produce) and the
 * caller's WIT to every request dispatched to an allow-listed origin, with a `Content-Digest` for
 * bodies. Requests to any other origin pass through untouched — no credential is ever sent to an
 * origin nobody configured. A redirect hop from an allow-listed origin to another one also loses
 * every credential field the caller set — `Txn-Token` and proof fields too, where undici's
 * `interceptors.redirect` and `undici.fetch` remove only `Authorization`, `Cookie` and
 * `Proxy-Authorization` — whoever follows it (`interceptors.redirect` placed after it, behind other
 * interceptors or not, or `undici.fetch`'s own redirect loop): the interceptor remembers the
 * `Location` of the last 256 such redirects together with the credential values the request carried.
 *
 * Placement: `Agent.compose(a, b, c)` wraps `a` innermost, so put the interceptor **first** —
 * `new Agent().compose(workloadAuthInterceptor(...), interceptors.retry(), interceptors.redirect())`
 * — and every retry and every redirect hop passes through it again and gets its own proof (a
 * replayed proof would be refused). Use the composed dispatcher with `undici.request` /
 * `undici.fetch` from the same npm `undici`; never hand an npm-undici dispatcher to the global
 * `fetch` (its bundled undici is a different copy). Compose it onto an `Agent` (or `ProxyAgent`),
 * which sends each request to its `origin`: a `Client` or `Pool` sends every request to its own
 * origin whatever `opts.origin` says, so a proof minted for the allow-listed origin named there
 * would reach the pool's origin instead.
 *
 * @example
 * ```ts
 * import { Agent, interceptors, request } from 'undici'
 * import { workloadAuthInterceptor } from 'agentauth/adapters/undici'
 *
 * const agent = new Agent().compose(
 *   workloadAuthInterceptor(credentials, { origins: ['https://api.example.com'] }),
 *   interceptors.retry(),
 * )
 * const { statusCode, body } = await request('https://api.example.com/tools/search', { dispatcher: agent })
 * ```
 *
 * Reachable from `agentauth/adapters/undici`.
 *
 * @module adapters/undici
 */
import type { Dispatcher } from 'undici'
import { codedTypeError } from '../../errors/index.js'
import { CREDENTIAL_HEADERS, credentialView, mergeGranted, normaliseOrigin, PROOF_HEADERS } from '../../fetch/headers.js'
import type { OutboundCredentials } from '../../fetch/index.js'
import { createContentDigest } from '../../httpsig/index.js'
import { assertFunction, assertObject, optionalNumber } from '../../internal/assert.js'
import { createRedirectWatch } from './redirect-watch.js'
import { drainBody, fieldLines, mergeFieldLines, pathWithQuery, type FieldLines } from './request.js'

/**
 * Options of {@link workloadAuthInterceptor}.
 *
 * @example
 * ```ts
 * import type { WorkloadAuthInterceptorOptions } from 'agentauth/adapters/undici'
 * const options: WorkloadAuthInterceptorOptions = { origins: ['https://api.example.com'], maxBodyBytes: 256 * 1024 }
 * ```
 */
export interface WorkloadAuthInterceptorOptions {
  /** Exact origins (`https://api.example.com`) that receive credentials. Required, non-empty. */
  origins: string | readonly string[]
  /** Largest body drained to compute `Content-Digest`; more fails with `ERR_BODY_TOO_LARGE`. Default 1 MiB. */
  maxBodyBytes?: number
  /** Add `Content-Digest` to requests with a body (unless already set). Default true. */
  contentDigest?: boolean
  /** Web Crypto provider for the digest. */
  crypto?: Crypto
}

/** A `.` or `..` segment, plain or percent-encoded (the URL parser resolves both). */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' }

/** True when a `Host` value is the origin's host (case-insensitive; the default port may be spelled out). */
function namesOrigin(value: string, origin: string): boolean {
  const url = new URL(origin)
  const host = value.trim().toLowerCase()
  return host === url.host || (url.port === '' && host === `${url.host}:${DEFAULT_PORT[url.protocol] ?? ''}`)
}

/** `handler` and the handlers it wraps (undici's wrappers keep theirs in `.handler`), outermost first. */
function handlerChain(handler: unknown): object[] {
  const chain: object[] = []
  let h = handler
  while (typeof h === 'object' && h !== null && chain.length < 8 && !chain.includes(h)) {
    chain.push(h)
    h = (h as { handler?: unknown }).handler
  }
  return chain
}

function fail(handler: Dispatcher.DispatchHandler, cause: unknown): void {
  const err = cause instanceof Error ? cause : new Error('workload authorisation failed', { cause })
  if (typeof handler.onResponseError === 'function') handler.onResponseError(null as never, err)
  else handler.onError?.(err)
}

/**
 * Creates the interceptor. For a request to an allow-listed origin it normalises the headers
 * (object, flat array or iterable), drains a body (string, bytes, iterable, stream, `undici.fetch`'s
 * generator) up to `maxBodyBytes` and re-dispatches it as a `Uint8Array` with its `Content-Digest`,
 * awaits `credentials.authorize(...)`, and dispatches with the credential headers (proof fields the
 * caller set are dropped first, never forwarded). Failures (authorisation refused — `SignerError`, body too large —
 * `ERR_BODY_TOO_LARGE`, a `Host` field naming another host than the origin, a path not starting
 * with `/` or holding dot segments, a backslash (before the query) or a fragment, an invalid field name or value,
 * an unprintable query value — `ERR_INVALID_ARG_VALUE`; a path that is not a string, a query that
 * is not an object, an unsupported body — `ERR_INVALID_ARG_TYPE`) are reported through the handler's `onResponseError`, so
 * `request`/`fetch` reject with them.
 *
 * @param credentials - `OutboundCredentials` from `agentauth/fetch` (`localCredentials(...)`,
 *   `remoteCredentials(...)`); they see a copy of the fields without `Cookie`,
 *   `Proxy-Authorization` or proof fields, and what they return is validated like in `workloadAuth`.
 * @param options - see {@link WorkloadAuthInterceptorOptions}; validated here.
 * @returns an interceptor for `Dispatcher.compose`.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad credentials or options.
 *
 * @example
 * ```ts
 * import { Agent, fetch } from 'undici'
 * import { workloadAuthInterceptor } from 'agentauth/adapters/undici'
 *
 * const agent = new Agent().compose(workloadAuthInterceptor(credentials, { origins: 'https://api.example.com', maxBodyBytes: 65536 }))
 * const res = await fetch('https://api.example.com/tools/search', { method: 'POST', body: '{"q":"x"}', dispatcher: agent })
 * ```
 */
export function workloadAuthInterceptor(credentials: OutboundCredentials, options: WorkloadAuthInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  assertObject(credentials, 'credentials')
  assertFunction(credentials.authorize, 'credentials.authorize')
  assertObject(options, 'options')
  const list = (typeof options.origins === 'string' ? [options.origins] : options.origins) as unknown
  if (!Array.isArray(list) || list.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.origins must be an origin or a non-empty list of origins')
  const origins = new Set(list.map((o, i) => normaliseOrigin(o, `options.origins[${i}]`)))
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, integer: true })
  if (options.contentDigest !== undefined && typeof options.contentDigest !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.contentDigest must be a boolean')
  const digest = options.contentDigest !== false
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  const crypto = options.crypto

  /** The next dispatch and the credential values the caller set (which a redirect follower keeps). */
  interface Authorized {
    readonly opts: Dispatcher.DispatchOptions
    readonly url: string
    readonly credentials: string[]
  }

  async function authorized(opts: Dispatcher.DispatchOptions, origin: string): Promise<Authorized> {
    const lines = fieldLines(opts.headers).filter(([name]) => !PROOF_HEADERS.includes(name.toLowerCase())) // minted here, never copied
    // undici sends a caller's Host as is: a proof for this origin must not travel under another
    // site's name (a shared front end routing on Host would hand it to that site).
    for (const [name, value] of lines) {
      if (name.toLowerCase() === 'host' && !namesOrigin(value, origin)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the Host field must name the request origin')
    }
    const path = pathWithQuery(opts.path, opts.query)
    if (path.charCodeAt(0) !== 47 /* / */) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request path must start with /')
    // undici sends opts.path as is, but the proof is minted for the parsed URL, which resolves dot
    // segments and drops a fragment: the proof would name another path than the one sent.
    // A backslash is a `/` to the URL parser (http and https): `\..\` resolves like a dot segment.
    const query = path.indexOf('?')
    const pathOnly = query === -1 ? path : path.slice(0, query)
    if (path.includes('#') || pathOnly.includes('\\') || DOT_SEGMENT.test(pathOnly)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request path must not hold dot segments, backslashes or a fragment (the proof would cover the resolved path)')
    }
    let headers: Headers
    try {
      headers = new Headers(lines)
    } catch (cause) {
      // undici itself refuses such a field (UND_ERR_INVALID_ARG); the platform's Headers throws an uncoded TypeError.
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request headers must be valid field names and values (no CR, LF or NUL)', cause)
    }
    let body = opts.body
    let contentDigest = headers.get('content-digest') ?? undefined
    if (digest && body !== undefined && body !== null && contentDigest === undefined) {
      const bytes = await drainBody(body, maxBodyBytes)
      body = bytes
      contentDigest = await createContentDigest(bytes, { maxBytes: maxBodyBytes, ...(crypto ? { crypto } : {}) })
      lines.push(['content-digest', contentDigest])
      headers.set('content-digest', contentDigest)
    }
    const signal = (opts as { signal?: unknown }).signal
    const granted = await credentials.authorize(
      { method: opts.method, url: origin + path, headers: credentialView(headers), ...(contentDigest !== undefined ? { contentDigest } : {}) },
      signal instanceof AbortSignal ? { signal } : undefined,
    )
    const added = new Headers()
    mergeGranted(added, granted) // field names are tokens, no CR/LF, no framing fields
    const { query: _query, ...rest } = opts
    const credentialValues = lines.filter(([name]) => CREDENTIAL_HEADERS.includes(name.toLowerCase())).map(([, value]) => value)
    return { opts: { ...rest, path, body, headers: mergeFieldLines(lines, added) }, url: origin + path, credentials: credentialValues }
  }

  // A follower this interceptor cannot see (undici.fetch's own redirect loop, or the redirect
  // interceptor behind a wrapper hiding its inner handler) keeps the caller's Txn-Token on a hop to
  // another origin: the redirect targets of authorised requests are remembered with the credential
  // values they carried, and a request to such a target carrying one of them loses every credential field.
  const watch = createRedirectWatch((o) => origins.has(o))

  // Handlers wrapping requests sent to an allow-listed origin. undici's redirect interceptor sends
  // every hop with its one RedirectHandler (wrapped in a fresh RetryHandler per hop when the retry
  // interceptor sits between us), and on a cross-origin hop removes only Authorization, Cookie and
  // Proxy-Authorization: a hop from here to another origin loses every credential field.
  const authorisedHandlers = new WeakSet<object>()

  return (dispatch) => function agentauthWorkloadAuth(opts, handler) {
    let origin: string
    try {
      origin = new URL(String(opts.origin)).origin
    } catch {
      return dispatch(opts, handler)
    }
    if (!origins.has(origin)) {
      const hop = handlerChain(handler).some((h) => authorisedHandlers.has(h))
      if (!hop && watch.isEmpty()) return dispatch(opts, handler)
      let lines: FieldLines
      try {
        lines = fieldLines(opts.headers)
        if (!hop) {
          const carried = lines.filter(([name]) => CREDENTIAL_HEADERS.includes(name.toLowerCase())).map(([, value]) => value)
          if (carried.length === 0 || typeof opts.path !== 'string' || !watch.isTarget(origin + pathWithQuery(opts.path, opts.query), carried)) return dispatch(opts, handler)
        }
        lines = lines.filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase()))
      } catch (err) {
        fail(handler, err)
        return true
      }
      return dispatch({ ...opts, headers: lines.flat() }, handler)
    }
    // The innermost handler (the caller's own) is left out: only wrappers that live for one request.
    for (const h of handlerChain(handler).slice(0, -1)) authorisedHandlers.add(h)
    authorized(opts, origin).then((next) => {
      try {
        const watched = next.credentials.length > 0 && typeof handler.onResponseStart === 'function'
        dispatch(next.opts, watched ? watch.wrap(handler, next.url, next.credentials) : handler)
      } catch (err) {
        fail(handler, err)
      }
    }, (err: unknown) => fail(handler, err))
    return true
  }
}
