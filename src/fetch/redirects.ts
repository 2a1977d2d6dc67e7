// Redirects owned by the middleware (fetch would forward custom credential headers across
// origins): each hop is sent with `redirect: 'manual'` and handed back to the caller's `send`,
// which attaches fresh credentials or none. Method and body rules follow the Fetch standard
// (§4.4 HTTP-redirect fetch).
import { ProtocolError, codedTypeError } from '../errors/index.js'
import { BODY_HEADERS, deleteAll } from './headers.js'

/**
 * How 3xx answers are handled: `{ max }` follows up to `max` redirects (0–20) with fresh credentials
 * per hop, `'error'` rejects with `ERR_FETCH_REDIRECT`, `'manual'` returns the 3xx response.
 *
 * @example
 * ```ts
 * import type { RedirectPolicy } from 'agentauth/fetch'
 * const redirects: RedirectPolicy = { max: 3 }
 * ```
 */
export type RedirectPolicy = { readonly max: number } | 'error' | 'manual'

/** One request of a redirect chain. `headers` never holds proof fields; `send` adds them. */
export interface Hop {
  readonly url: URL
  readonly method: string
  readonly headers: Headers
  readonly body: Uint8Array | null
  /** 0 for the original request. */
  readonly index: number
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const DEFAULT_MAX = 5

export interface NormalisedRedirects {
  readonly mode: 'follow' | 'error' | 'manual'
  readonly max: number
}

export function normaliseRedirects(value: unknown, name: string): NormalisedRedirects {
  if (value === undefined) return { mode: 'follow', max: DEFAULT_MAX }
  if (value === 'error' || value === 'manual') return { mode: value, max: 0 }
  if (typeof value === 'object' && value !== null) {
    const max = (value as { max?: unknown }).max
    if (typeof max === 'number' && Number.isInteger(max) && max >= 0 && max <= 20) return { mode: 'follow', max }
  }
  throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be { max: 0..20 }, 'error' or 'manual'`)
}

/** The stricter of the policy and the request's own `redirect` mode. */
export function effectiveRedirects(policy: NormalisedRedirects, requestMode: RequestRedirect): NormalisedRedirects {
  if (requestMode === 'error' || requestMode === 'manual') return { mode: requestMode, max: 0 }
  return policy
}

function fail(message: string, response: Response): never {
  throw new ProtocolError('ERR_FETCH_REDIRECT', message, { status: response.status })
}

/**
 * Sends `first` through `send` and follows redirects per `policy`. The response of the last hop is
 * returned as is (bodies of intermediate 3xx answers are cancelled). A `Location` fragment is
 * dropped: the next hop's URL never has one.
 *
 * @throws ProtocolError `ERR_FETCH_REDIRECT` when a redirect is refused, exceeds `max` or has an
 *   unusable `Location`.
 */
export async function sendWithRedirects(first: Hop, policy: NormalisedRedirects, send: (hop: Hop) => Promise<Response>): Promise<Response> {
  let hop = first
  for (;;) {
    const response = await send(hop)
    if (!REDIRECT_STATUS.has(response.status) || policy.mode === 'manual') return response
    const location = response.headers.get('location')
    if (location === null) return response
    await response.body?.cancel().catch(() => undefined)
    if (policy.mode === 'error') fail('the server answered with a redirect and redirects are refused', response)
    if (hop.index >= policy.max) fail(`more than ${policy.max} redirects`, response)
    let url: URL
    try {
      url = new URL(location, hop.url)
    } catch {
      fail('the redirect Location is not a URL', response)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('the redirect Location is not an http(s) URL', response)
    if (url.username !== '' || url.password !== '') fail('the redirect Location carries credentials', response)
    // A fragment is never sent on the wire; dropping it keeps it out of proofs and broker requests.
    url.hash = ''
    hop = nextHop(hop, url, response.status)
  }
}

function nextHop(hop: Hop, url: URL, status: number): Hop {
  const headers = new Headers(hop.headers)
  let { method, body } = hop
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET'
    body = null
    deleteAll(headers, BODY_HEADERS)
  }
  // Fetch drops Authorization on a cross-origin hop; a token is minted for one audience, so
  // Proxy-Authorization and Cookie go the same way.
  if (url.origin !== hop.url.origin) deleteAll(headers, ['authorization', 'proxy-authorization', 'cookie'])
  return { url, method, headers, body, index: hop.index + 1 }
}
