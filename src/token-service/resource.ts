// RFC 8707 §2 resource indicators, as a token endpoint receives them (internal to the module).
import { refuse } from '../internal/oauth-server.js'

// RFC 3986 §3 / §4.3: scheme ":" then only URI characters (unreserved, gen-delims but '#', sub-delims)
// and well-formed percent-encodings. The WHATWG parser alone also takes spaces, tabs, newlines and
// backslashes (it strips or rewrites them), which would end up verbatim in the issued token's `aud`.
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/

/**
 * The request's `resource` values, each an absolute URI without a fragment (RFC 8707 §2; RFC 8693
 * §2.1; RFC 3986 syntax: no spaces, controls, backslashes or bad percent-encodings). A malformed
 * one is `invalid_target` before any target policy sees it, so a policy function matching on a
 * prefix or on `new URL(t).origin` can never mint a token whose `aud` is a relative reference,
 * carries a fragment or is not a URI at all.
 * @internal
 */
export function readResources(form: URLSearchParams): string[] {
  const resources = form.getAll('resource')
  for (const r of resources) {
    let url: URL | undefined
    try {
      url = new URL(r)
    } catch {
      url = undefined
    }
    if (url === undefined || !ABSOLUTE_URI.test(r)) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a resource must be an absolute URI without a fragment (RFC 8707)')
  }
  return resources
}
