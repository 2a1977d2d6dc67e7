// RFC 8707 §2 resource indicators, as a token endpoint receives them (internal to the module).
import { refuse } from '../internal/oauth-server.js'

/**
 * The request's `resource` values, each an absolute URI without a fragment (RFC 8707 §2; RFC 8693
 * §2.1). A malformed one is `invalid_target` before any target policy sees it, so a policy
 * function matching on a prefix can never mint a token whose `aud` is a relative reference or
 * carries a fragment.
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
    if (url === undefined || r.includes('#')) throw refuse('invalid_target', 'ERR_TARGET_NOT_ALLOWED', 'a resource must be an absolute URI without a fragment (RFC 8707)')
  }
  return resources
}
