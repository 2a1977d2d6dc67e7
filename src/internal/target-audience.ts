// Audience matching for proofs bound to an HTTP target URI: the WPT `aud` claim
// (draft-ietf-wimse-wpt §2) and the HTTP-signature `wimse-aud` parameter
// (draft-ietf-wimse-http-signature §3.1). Both default to the target URI without query and
// fragment. The acceptable authorities must come from configuration, never from the request's
// Host / X-Forwarded-* (wpt §3.1), so a configured entry that is a bare http(s) origin means
// "this origin + the request's path" and replaces whatever authority the request URL carries.
import { codedTypeError } from '../errors/index.js'

/** Compiled audience policy: exact values and trusted origins. */
export interface AudiencePolicy {
  readonly exact: readonly string[]
  readonly origins: readonly string[]
}

const MAX_AUDIENCE = 2048

function parseURL(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/** A request's target URI without query and fragment, and its path. */
export interface RequestTarget {
  readonly href: string
  readonly pathname: string
}

/** The target URI as a string without query and fragment; throws a coded TypeError if not absolute. */
export function targetWithoutQuery(uri: unknown, name: string): RequestTarget {
  let url: URL | undefined
  if (uri instanceof URL) {
    // An http(s) URL without userinfo serialises as scheme "//" host path [query] [fragment]
    // (WHATWG URL serializer), so the prefix is the target: no copy, no re-parse.
    if ((uri.protocol === 'https:' || uri.protocol === 'http:') && uri.username === '' && uri.password === '') {
      const pathname = uri.pathname
      return { href: uri.protocol + '//' + uri.host + pathname, pathname }
    }
    url = new URL(uri.href)
  }
  else if (typeof uri === 'string') url = parseURL(uri)
  else throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or URL`)
  if (url === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an absolute URI`)
  url.search = ''
  url.hash = ''
  return { href: url.href, pathname: url.pathname }
}

// Verifiers take `audience` per call; compiling parses URLs, so compiled policies are cached: by
// value for strings, by array identity for arrays — re-checked entry by entry, so a configuration
// array mutated later is recompiled rather than served stale.
const byString = new Map<string, AudiencePolicy>()
const byArray = new WeakMap<object, { readonly entries: readonly unknown[]; readonly policy: AudiencePolicy }>()

/** Validates and compiles the configured acceptable audiences (undefined when not configured). */
export function compileAudience(audience: unknown, name: string): AudiencePolicy | undefined {
  if (audience === undefined) return undefined
  if (typeof audience === 'string') {
    const hit = byString.get(audience)
    if (hit !== undefined) return hit
    const policy = compile([audience], name)
    if (byString.size >= 256) byString.delete(byString.keys().next().value as string)
    byString.set(audience, policy)
    return policy
  }
  if (Array.isArray(audience)) {
    const hit = byArray.get(audience)
    if (hit !== undefined && hit.entries.length === audience.length && hit.entries.every((e, i) => e === audience[i])) return hit.policy
    const policy = compile(audience, name)
    byArray.set(audience, { entries: [...audience] as unknown[], policy })
    return policy
  }
  return compile(audience, name)
}

function compile(audience: unknown, name: string): AudiencePolicy {
  const list = audience
  if (!Array.isArray(list)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or an array of strings`)
  if (list.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
  const exact: string[] = []
  const origins: string[] = []
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} entries must be strings`)
    if (entry.length === 0 || entry.length > MAX_AUDIENCE) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} entries must be 1..${MAX_AUDIENCE} characters`)
    const url = parseURL(entry)
    if (url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' && url.search === '' && url.hash === '' && !/^[a-z][a-z0-9+.-]*:\/\/[^/]*\/./i.test(entry)) {
      if (url.username !== '' || url.password !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} entries must not contain userinfo`)
      origins.push(url.origin)
    } else {
      exact.push(url !== undefined && url.search === '' && url.hash === '' ? url.href : entry)
    }
  }
  return Object.freeze({ exact: Object.freeze(exact), origins: Object.freeze(origins) })
}

/** Normalised form of a received audience value (URL-serialised when it parses without query/fragment). */
function normalise(value: string): string | undefined {
  const url = parseURL(value)
  if (url === undefined || url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return undefined
  return url.href
}

/**
 * True when the received audience value names this service for this request. Without a policy,
 * the value must be the target URI without query/fragment; with one, it must be a configured exact
 * value, or a configured origin followed by the request's path.
 */
export function audienceMatches(value: string, target: RequestTarget, policy: AudiencePolicy | undefined): boolean {
  if (value.length === 0 || value.length > MAX_AUDIENCE) return false
  if (policy === undefined) return value === target.href || normalise(value) === target.href
  for (const e of policy.exact) if (value === e) return true
  for (const o of policy.origins) if (value === o + target.pathname) return true
  const n = normalise(value)
  if (n === undefined || n === value) return false
  for (const e of policy.exact) if (n === e) return true
  for (const o of policy.origins) if (n === o + target.pathname) return true
  return false
}
