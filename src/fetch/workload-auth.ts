import { VerificationError, codedTypeError } from '../errors/index.js'
import { createContentDigest, type RequestLike } from '../httpsig/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import { bs } from '../internal/bytes.js'
import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
import { readRequestBody } from './body.js'
import { CREDENTIAL_HEADERS, PROOF_HEADERS, credentialView, deleteAll, mergeGranted, normaliseOrigins } from './headers.js'
import { effectiveRedirects, normaliseRedirects, sendWithRedirects, type Hop, type RedirectPolicy } from './redirects.js'
import { createResponseVerifier, type ResponseVerification, type ResponseVerifier } from './response-verification.js'
import type { OutboundCredentials } from './types.js'

/** What `new Request()` takes; any other key of a caller's init is meant for the fetch itself. */
const REQUEST_INIT_KEYS: ReadonlySet<string> = new Set(['body', 'cache', 'credentials', 'duplex', 'headers', 'integrity', 'keepalive', 'method', 'mode', 'priority', 'redirect', 'referrer', 'referrerPolicy', 'signal', 'window'])

/**
 * The caller's init fields a `Request` cannot carry (undici's `dispatcher`, a runtime's own
 * options), to hand to the next fetch next to the rebuilt `Request`; undefined when there are none.
 */
function transportInit(init: RequestInit | undefined): RequestInit | undefined {
  if (typeof init !== 'object' || init === null) return undefined
  let extra: Record<string, unknown> | undefined
  for (const key of Object.keys(init)) {
    if (REQUEST_INIT_KEYS.has(key)) continue
    extra ??= {}
    extra[key] = (init as Record<string, unknown>)[key]
  }
  return extra as RequestInit | undefined
}

/**
 * Options of {@link workloadAuth}.
 *
 * @example
 * ```ts
 * import type { WorkloadAuthOptions } from 'agentauth/fetch'
 * const options: WorkloadAuthOptions = {
 *   credentials,
 *   origins: ['https://api.example.com'],
 *   maxBodyBytes: 256 * 1024,
 *   redirects: { max: 3 },
 * }
 * ```
 */
export interface WorkloadAuthOptions {
  /** Where proofs come from: `remoteCredentials` (agents) or `localCredentials` (trusted services). */
  credentials: OutboundCredentials
  /**
   * Exact origins (`https://api.example.com`, no wildcards) that may receive credentials. Nothing
   * is ever signed for any other origin.
   */
  origins: readonly string[]
  /**
   * What to do with a request to an origin that is not listed: `throw` (default) rejects with
   * `ERR_ORIGIN_NOT_ALLOWED`; `skip` sends it unchanged, without credentials.
   */
  onDisallowed?: 'skip' | 'throw'
  /**
   * Largest request body, in bytes (default 1 MiB). Bodies — streams included — are read once,
   * bounded, so the digest covers exactly what is sent and a 307/308 can send it again.
   */
  maxBodyBytes?: number
  /**
   * Redirect handling: `{ max }` (default `{ max: 5 }`) follows up to `max` hops, each with a fresh
   * proof or, for an origin that is not listed, with every credential field removed; `'error'`
   * rejects on a redirect; `'manual'` returns the 3xx answer. A request's own `redirect: 'error'` or
   * `'manual'` wins.
   */
  redirects?: RedirectPolicy
  /** Verify the callee's signed response (`proof: 'httpsig'`); a failure rejects the fetch. */
  verifyResponse?: ResponseVerification
}

/**
 * Fetch middleware that authenticates every request to an allow-listed origin with a workload
 * proof from `credentials`:
 *
 * 1. the request is normalised to a `Request` and its URL fragment dropped (it is never sent, so it
 *    is never signed or sent to a broker either); an origin that is not listed is refused (or, with
 *    `onDisallowed: 'skip'`, sent unchanged) — nothing is ever signed for it; a `Host` field the
 *    caller set is dropped (the fetch sets it from the URL, so a proof never travels under another
 *    site's name);
 * 2. a body is read once within `maxBodyBytes` and its `Content-Digest` (RFC 9530, sha-256) set,
 *    unless the caller set one;
 * 3. `credentials.authorize({ method, url, contentDigest, headers })` returns the proof fields, which
 *    are validated (field-name tokens, no CR / LF / NUL) and set;
 * 4. the request goes out with `redirect: 'manual'`. A 3xx is followed here: each hop to a listed
 *    origin gets a **fresh** proof; a hop to any other origin loses every credential field
 *    (`Workload-Identity-Token`, `Workload-Proof-Token`, `Signature`, `Signature-Input`,
 *    `Authorization`, `Proxy-Authorization`, `Txn-Token`, `Cookie`, and our `Content-Digest`).
 *    303 (and 301/302 after POST) become a body-less GET; 307/308 keep method and body. A fragment
 *    in `Location` is dropped. `Authorization` set outside this middleware is dropped on any
 *    cross-origin hop, as fetch does.
 *
 * The next fetch receives a `Request` carrying the standard fields and, as its second argument,
 * the caller's init fields a `Request` cannot hold (such as `dispatcher` for Node's fetch), on
 * every hop. That `Request` is the global class, which npm `undici.fetch` does not accept as
 * input: with npm undici use `workloadAuthInterceptor` from `agentauth/adapters/undici`.
 *
 * Each call mints a new proof (new `jti` / nonce), so retry middleware belongs **outside** (before)
 * `workloadAuth` in `composeFetch`. Response bodies, server-sent events included, pass through
 * untouched (unless `verifyResponse` needs to hash a non-streaming body).
 *
 * @param options - see {@link WorkloadAuthOptions}.
 * @returns a {@link FetchMiddleware}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. The wrapped
 *   fetch rejects with VerificationError `ERR_ORIGIN_NOT_ALLOWED`, `ERR_BODY_TOO_LARGE`, ProtocolError
 *   `ERR_FETCH_REDIRECT`, the credentials' errors (SignerError `ERR_SIGNER_REFUSED`,
 *   `ERR_SIGNER_RATE_LIMITED`, `ERR_BROKER_UNAUTHORIZED`, `ERR_SIGNER_FAILED`, `ERR_WIT_EXPIRED` …),
 *   the response verification's `VerificationError`s (`ERR_HTTPSIG_*`, `ERR_WIT_*`,
 *   `ERR_DIGEST_*`, `ERR_POLICY_DENIED`), or the network error of the base fetch.
 *
 * @example
 * ```ts
 * import { composeFetch, remoteCredentials, workloadAuth } from 'agentauth/fetch'
 *
 * const credentials = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken })
 * const api = composeFetch(fetch, workloadAuth({ credentials, origins: ['https://api.example.com'], redirects: { max: 3 } }))
 * const res = await api('https://api.example.com/v1/orders', { method: 'POST', body: JSON.stringify({ sku: 42 }), headers: { 'content-type': 'application/json' } })
 * ```
 */
export function workloadAuth(options: WorkloadAuthOptions): FetchMiddleware {
  assertObject(options, 'options')
  assertObject(options.credentials, 'options.credentials')
  assertFunction(options.credentials.authorize, 'options.credentials.authorize')
  const { credentials } = options
  const origins = normaliseOrigins(options.origins, 'options.origins')
  const onDisallowed = options.onDisallowed ?? 'throw'
  if (onDisallowed !== 'skip' && onDisallowed !== 'throw') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.onDisallowed must be 'skip' or 'throw'")
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, max: 2 ** 31 - 1, integer: true })
  const redirects = normaliseRedirects(options.redirects, 'options.redirects')
  const verifier: ResponseVerifier | undefined = options.verifyResponse === undefined ? undefined : createResponseVerifier(options.verifyResponse)
  const requireSignedFinal = options.verifyResponse?.required === true

  return function workloadAuthMiddleware(next: FetchLike): FetchLike {
    if (typeof next !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'next must be a fetch function')
    return async function fetchWithWorkloadAuth(input, init) {
      const request = new Request(input, init)
      const passThrough = transportInit(init)
      const url = new URL(request.url)
      url.hash = '' // never sent on the wire: keep it out of proofs and broker requests
      if (!origins.has(url.origin)) {
        if (onDisallowed === 'skip') return next(request, passThrough)
        await request.body?.cancel().catch(() => undefined)
        throw new VerificationError('ERR_ORIGIN_NOT_ALLOWED', `no credentials are configured for ${url.origin}`, { status: 403 })
      }
      const body = await readRequestBody(request, maxBodyBytes)
      const headers = new Headers(request.headers)
      deleteAll(headers, PROOF_HEADERS)
      // Host is the fetch's to set from the URL (a forbidden request header in the Fetch standard); a
      // next fetch that honoured the caller's would carry the proof to another site behind a shared
      // front end that routes on Host.
      headers.delete('host')
      const { signal } = request
      let digest: Promise<string> | undefined
      let signed: RequestLike | undefined

      const send = async (hop: Hop): Promise<Response> => {
        const fields = new Headers(hop.headers)
        const hopInit: RequestInit = { method: hop.method, headers: fields, redirect: 'manual', signal }
        if (hop.body !== null) hopInit.body = bs(hop.body)
        if (!origins.has(hop.url.origin)) {
          deleteAll(fields, CREDENTIAL_HEADERS)
          signed = undefined
          return next(new Request(hop.url, hopInit), passThrough)
        }
        let contentDigest = fields.get('content-digest') ?? undefined
        if (hop.body !== null && contentDigest === undefined) {
          digest ??= createContentDigest(hop.body, { maxBytes: maxBodyBytes })
          contentDigest = await digest
          fields.set('content-digest', contentDigest)
        }
        const granted = await credentials.authorize({ method: hop.method, url: hop.url.href, contentDigest, headers: credentialView(fields) }, { signal })
        mergeGranted(fields, granted)
        signed = { method: hop.method, url: hop.url.href, headers: fields }
        return next(new Request(hop.url, hopInit), passThrough)
      }

      const response = await sendWithRedirects({ url, method: request.method, headers, body, index: 0 }, effectiveRedirects(redirects, request.redirect), send)
      if (verifier === undefined) return response
      try {
        if (signed !== undefined) await verifier(response, signed)
        else if (requireSignedFinal) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the final response came from an origin that is not allow-listed, so it cannot be verified')
      } catch (err) {
        await response.body?.cancel().catch(() => undefined)
        throw err
      }
      return response
    }
  }
}
