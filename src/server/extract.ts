// Header extraction with limits applied before parsing, and the public URL of a request.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import type { NormalizedPolicy } from './policy.js'

/** Refuses requests whose header section is larger than `max` bytes (names + values). */
export function checkHeaderBytes(headers: Headers, max: number): void {
  let total = 0
  for (const [name, value] of headers) {
    total += name.length + value.length + 4
    if (total > max) throw new VerificationError('ERR_INPUT_TOO_LARGE', 'request headers are too large', { status: 400 })
  }
}

/**
 * The single value of a credential header, or undefined when absent. Fetch joins repeated field
 * lines with ", "; compact JWS never contains a comma, so a comma means the field was repeated.
 */
export function singleHeader(headers: Headers, name: string, code: VerificationErrorCode, maxBytes: number): string | undefined {
  const value = headers.get(name)
  if (value === null) return undefined
  if (value.length > maxBytes) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${name} is too large`)
  if (value.includes(',')) throw new VerificationError(code, `${name} must appear exactly once`)
  return value
}

/**
 * The URL the caller addressed: one of the configured public origins with the request's path and
 * query. The request's own host (possibly an internal address behind a proxy) is used only when it
 * is one of the configured origins; `X-Forwarded-Proto` / `X-Forwarded-Host` only when the
 * operator trusts the proxy, and again only to choose among configured origins.
 */
export function publicURL(request: Request, p: NormalizedPolicy): URL {
  const url = new URL(request.url)
  let origin = p.origins[0]!
  if (p.origins.length > 1 || p.origins[0] !== url.origin) {
    let candidate = url.origin
    if (p.trustProxy) {
      const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim()
      const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim()
      if (proto !== undefined && host !== undefined && /^https?$/.test(proto)) candidate = `${proto}://${host.toLowerCase()}`
    }
    if (p.origins.includes(candidate)) origin = candidate
  }
  return new URL(url.pathname + url.search, origin)
}
