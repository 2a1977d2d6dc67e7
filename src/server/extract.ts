// Header extraction with limits applied before parsing, and the public URL of a request.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import type { URLParts } from '../httpsig/message.js'
import type { RequestTarget } from '../internal/target-audience.js'
import type { NormalizedPolicy } from './policy.js'

/**
 * The fields the verifier reads, each the combined value `Headers.get` would return (lines joined
 * with ", ") or null, collected in the single pass that also enforces the header size limit.
 */
export interface RequestFields {
  wit: string | null
  wpt: string | null
  signatureInput: string | null
  signature: string | null
  contentDigest: string | null
  contentType: string | null
  authorization: string | null
  txnToken: string | null
  forwardedProto: string | null
  forwardedHost: string | null
}

/**
 * Refuses requests whose header section is larger than `max` bytes (names + values) and reads the
 * fields the verifier needs on the way. Iterating `Headers` yields lower-cased names with repeated
 * fields combined (Fetch "sort and combine"), i.e. exactly what `Headers.get` returns for them.
 */
export function readRequestFields(headers: Headers, max: number): RequestFields {
  const f: RequestFields = { wit: null, wpt: null, signatureInput: null, signature: null, contentDigest: null, contentType: null, authorization: null, txnToken: null, forwardedProto: null, forwardedHost: null }
  let total = 0
  for (const [name, value] of headers) {
    total += name.length + value.length + 4
    if (total > max) throw new VerificationError('ERR_INPUT_TOO_LARGE', 'request headers are too large', { status: 400 })
    switch (name) {
      case 'workload-identity-token': f.wit = value; break
      case 'workload-proof-token': f.wpt = value; break
      case 'signature-input': f.signatureInput = value; break
      case 'signature': f.signature = value; break
      case 'content-digest': f.contentDigest = value; break
      case 'content-type': f.contentType = value; break
      case 'authorization': f.authorization = value; break
      case 'txn-token': f.txnToken = value; break
      case 'x-forwarded-proto': f.forwardedProto = value; break
      case 'x-forwarded-host': f.forwardedHost = value; break
    }
  }
  return f
}

/** `Headers.get` answered from the fields already read, falling back to the headers for others. */
export function fieldReader(f: RequestFields, headers: { get(name: string): string | null }): (name: string) => string | null {
  return (name) => {
    switch (name) {
      case 'workload-identity-token': return f.wit
      case 'workload-proof-token': return f.wpt
      case 'signature-input': return f.signatureInput
      case 'signature': return f.signature
      case 'content-digest': return f.contentDigest
      case 'content-type': return f.contentType
      case 'authorization': return f.authorization
      case 'txn-token': return f.txnToken
      default: return headers.get(name)
    }
  }
}

/**
 * The single value of a credential header, or undefined when absent. Fetch joins repeated field
 * lines with ", "; compact JWS never contains a comma, so a comma means the field was repeated.
 */
export function singleValue(value: string | null, name: string, code: VerificationErrorCode, maxBytes: number): string | undefined {
  if (value === null) return undefined
  if (value.length > maxBytes) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${name} is too large`)
  if (value.includes(',')) throw new VerificationError(code, `${name} must appear exactly once`)
  return value
}

/** A percent-encoded unreserved character (RFC 3986 §2.3: ALPHA, DIGIT, `-`, `.`, `_`, `~`). */
export const ENCODED_UNRESERVED: RegExp = /%(?:3[0-9]|[46][1-9A-F]|[57][0-9A]|2[DE]|5F|7E)/i

/**
 * Refuses a path with a percent-encoded unreserved character (`%61` for `a`; RFC 3986 §2.3: the
 * same URI as the character itself, so never needed). Routers that decode paths (fastify, hono)
 * would run the handler for `/admin` while the proof and `authorize` saw `/%61dmin`.
 */
export function refuseEncodedUnreserved(pathname: string): void {
  if (ENCODED_UNRESERVED.test(pathname)) {
    throw new VerificationError('ERR_HEADER_INVALID', 'the request path percent-encodes an unreserved character', { status: 400 })
  }
}

// A Host value: reg-name or IP literal, optional port; no userinfo, path, query or fragment.
const HOST_FIELD = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

/**
 * The URL the caller addressed: one of the configured public origins with the request's path and
 * query. The request's own host (possibly an internal address behind a proxy) is used only when it
 * is one of the configured origins; `X-Forwarded-Proto` / `X-Forwarded-Host` only when the
 * operator trusts the proxy, and again only to choose among configured origins.
 */
export function publicURL(raw: string, p: NormalizedPolicy, fields: RequestFields, parsed?: URL): URL {
  // Common case: one configured origin and the request addressed to it. The serialised URL then
  // starts with that origin and "/" (the path); without a fragment it is already the answer.
  const only = p.origins.length === 1 ? p.origins[0]! : undefined
  if (only !== undefined && raw.startsWith(only) && raw.charCodeAt(only.length) === 0x2f && !raw.includes('#')) return parsed ?? new URL(raw)
  const url = parsed ?? new URL(raw)
  let origin = p.origins[0]!
  if (p.origins.length > 1 || p.origins[0] !== url.origin) {
    let candidate = url.origin
    if (p.trustProxy) {
      const proto = fields.forwardedProto?.split(',')[0]?.trim()
      const host = fields.forwardedHost?.split(',')[0]?.trim()
      // Serialised as the configured origins are (lower case, no default port): a proxy passing the
      // client's `Host: b.example.com:443` on must not make the request count as the first origin's.
      if (proto !== undefined && host !== undefined && /^https?$/.test(proto) && HOST_FIELD.test(host)) {
        try {
          candidate = new URL(`${proto}://${host}`).origin
        } catch { /* not a host: the request's own origin stays the candidate */ }
      }
    }
    if (p.origins.includes(candidate)) origin = candidate
    else {
      // Behind a proxy that terminates TLS the request arrives as http://host: the host alone
      // picks the configured origin that has it (a port is part of the host).
      const host = candidate.slice(candidate.indexOf('//') + 2)
      const byHost = p.origins.find((o) => o.slice(o.indexOf('//') + 2) === host)
      if (byHost !== undefined) origin = byHost
    }
  }
  // Concatenate rather than resolve: a path starting with "//" resolved against the origin would
  // be read as a network-path reference and replace the host.
  return new URL(origin + url.pathname + url.search)
}

/**
 * The parts `new URL(href)` would report, for a serialised http(s) URL without userinfo or
 * fragment whose target (`href` up to the query) is `target`: `target.href` is the origin followed
 * by `target.pathname`, and the rest of `href` is the query. Saves a URL parse per request.
 */
export function urlParts(href: string, target: RequestTarget): URLParts {
  const origin = target.href.slice(0, target.href.length - target.pathname.length)
  const colon = origin.indexOf(':')
  const query = href.slice(target.href.length)
  return {
    protocol: origin.slice(0, colon + 1),
    host: origin.slice(colon + 3),
    pathname: target.pathname,
    // URL's search is empty for an empty query ("…?" serialises with the "?", search is "").
    search: query.length <= 1 ? '' : query,
    username: '',
    password: '',
    href,
  }
}
