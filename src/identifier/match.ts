// Authorisation matchers (go-spiffe spiffeid.Matcher style). Arguments are validated when the
// matcher is built; matching compares complete strings (draft-ietf-wimse-identifier §4.3, §7).
import { codedTypeError, VerificationError } from '../errors/index.js'
import { parseIdentifier } from './parse.js'
import { trustDomainArgument, type TrustDomain } from './trust-domain.js'
import type { WorkloadIdentifier } from './types.js'

/**
 * Decides whether a (verified) workload identifier is allowed. Matchers never throw; a value that
 * is not an object (`null`, a string) does not match. They read only the members they compare
 * (`id`, `trustDomain`, `origin`, `path`), so an object lacking them does not match either,
 * except under `matchAny()`, which accepts any object: pass the {@link WorkloadIdentifier} the
 * verifier returned.
 *
 * @example
 * ```ts
 * import { matchTrustDomain, type IdentifierMatcher } from 'agentauth/identifier'
 * const authorize: IdentifierMatcher = matchTrustDomain('example.org')
 * ```
 */
export type IdentifierMatcher = (id: WorkloadIdentifier) => boolean

function isObject(id: unknown): id is WorkloadIdentifier {
  return typeof id === 'object' && id !== null
}

// What a predicate of the caller's may rely on: every string member of a WorkloadIdentifier.
function isIdentifier(id: unknown): id is WorkloadIdentifier {
  if (!isObject(id)) return false
  return typeof id.id === 'string' && typeof id.scheme === 'string' && typeof id.trustDomain === 'string' && typeof id.path === 'string' && typeof id.origin === 'string'
}

function identifierArgument(value: unknown, name: string): WorkloadIdentifier {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  try {
    return parseIdentifier(value, 'any')
  } catch (err) {
    if (err instanceof VerificationError) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} is not a valid workload identifier (${err.code})`, err)
    throw err
  }
}

function nonEmpty(list: readonly unknown[], name: string): void {
  if (list.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} needs at least one argument`)
}

/**
 * A matcher that accepts every identifier. Use it only where any authenticated workload may call.
 *
 * @returns A matcher that always returns `true` for an identifier object.
 *
 * @example
 * ```ts
 * import { matchAny } from 'agentauth/identifier'
 * const authorize = matchAny()
 * ```
 */
export function matchAny(): IdentifierMatcher {
  return (id) => isObject(id)
}

/**
 * A matcher that accepts exactly the listed identifiers, compared as whole strings, byte for byte
 * (draft-ietf-wimse-identifier §4.3). Each identifier is validated now (`'any'` profile).
 *
 * @param ids - One or more workload identifiers.
 * @returns The matcher.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for no argument, a non-string,
 *   or an invalid identifier.
 *
 * @example
 * ```ts
 * import { matchId, parseSpiffeId } from 'agentauth/identifier'
 * const authorize = matchId('spiffe://example.org/billing', 'wimse://example.com/ledger')
 * authorize(parseSpiffeId('spiffe://example.org/billing')) // true
 * authorize(parseSpiffeId('spiffe://example.org/billing/x')) // false
 * ```
 */
export function matchId(...ids: string[]): IdentifierMatcher {
  nonEmpty(ids, 'matchId')
  const allowed = new Set<string>()
  ids.forEach((id, i) => allowed.add(identifierArgument(id, `ids[${i}]`).id))
  return (id) => isObject(id) && allowed.has(id.id)
}

/**
 * A matcher that accepts identifiers in the listed trust domains. An origin
 * (`spiffe://example.org`, `wimse://example.com`) matches that scheme only; a bare name
 * (`example.org`) or a {@link TrustDomain} matches the trust domain under every scheme (so pass
 * origins when one trust-domain name means different authorities under different schemes,
 * draft-ietf-wimse-identifier §4.2).
 *
 * @param domains - Trust-domain names, origins or {@link TrustDomain} values.
 * @returns The matcher.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for no argument, an invalid
 *   trust domain, or an origin with a path.
 *
 * @example
 * ```ts
 * import { matchTrustDomain, parseWorkloadIdentifier } from 'agentauth/identifier'
 * const authorize = matchTrustDomain('example.org', 'wimse://partner.example')
 * authorize(parseWorkloadIdentifier('spiffe://example.org/api')) // true
 * authorize(parseWorkloadIdentifier('spiffe://partner.example/api')) // false: only wimse:
 * ```
 */
export function matchTrustDomain(...domains: (string | TrustDomain)[]): IdentifierMatcher {
  nonEmpty(domains, 'matchTrustDomain')
  const names = new Set<string>()
  const origins = new Set<string>()
  domains.forEach((domain, i) => {
    const name = `domains[${i}]`
    if (typeof domain === 'string' && domain.includes('://')) {
      const origin = identifierArgument(domain, name)
      if (origin.path !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an origin without a path (use matchPathPrefix)`)
      origins.add(origin.origin)
    } else {
      names.add(trustDomainArgument(domain, name).name)
    }
  })
  return (id) => isObject(id) && (origins.has(id.origin) || names.has(id.trustDomain))
}

/**
 * A matcher that accepts what any of the given matchers accepts (evaluated in order); a matcher
 * that throws accepts nothing.
 *
 * @param matchers - One or more matchers.
 * @returns The matcher.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for no argument or a non-function.
 *
 * @example
 * ```ts
 * import { matchId, matchOneOf, matchTrustDomain } from 'agentauth/identifier'
 * const authorize = matchOneOf(matchTrustDomain('example.org'), matchId('wimse://partner.example/sync'))
 * ```
 */
export function matchOneOf(...matchers: IdentifierMatcher[]): IdentifierMatcher {
  nonEmpty(matchers, 'matchOneOf')
  matchers.forEach((m, i) => {
    if (typeof m !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `matchers[${i}] must be a function`)
  })
  const list = [...matchers]
  return (id) => {
    for (const m of list) {
      try {
        if (m(id) === true) return true
      } catch {
        // A matcher of the caller's that throws allows nothing (matchers never throw).
      }
    }
    return false
  }
}

/**
 * A matcher from a predicate of your own. Only a literal `true` allows: a truthy non-boolean
 * return value does not match, and neither does a predicate that throws (fail closed). The
 * predicate is called only with objects that have the string members of a {@link WorkloadIdentifier}.
 *
 * @param predicate - Called with the identifier.
 * @returns The matcher.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `predicate` is not a function.
 *
 * @example
 * ```ts
 * import { matchPredicate } from 'agentauth/identifier'
 * const authorize = matchPredicate((id) => id.trustDomain === 'example.org' && id.path.startsWith('/ns/prod/'))
 * ```
 */
export function matchPredicate(predicate: (id: WorkloadIdentifier) => boolean): IdentifierMatcher {
  if (typeof predicate !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'predicate must be a function')
  return (id) => {
    // The predicate sees only identifier-shaped objects; one that throws allows nothing.
    if (!isIdentifier(id)) return false
    try {
      return predicate(id) === true
    } catch {
      return false
    }
  }
}

/**
 * Opt-in prefix matcher (draft-ietf-wimse-identifier §7 allows prefix matching only when policy
 * says so): accepts identifiers with exactly `origin` whose path is `prefix` or continues it with
 * whole segments. `matchPathPrefix('spiffe://example.org', '/ns/db')` accepts `/ns/db` and
 * `/ns/db/x`, never `/ns/dbx`.
 *
 * @param origin - `scheme://trustDomain`, without a path.
 * @param prefix - A path starting with `/`, not ending with `/`, valid under the origin's scheme
 *   rules.
 * @returns The matcher.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a non-string, an origin
 *   with a path, or an invalid prefix (empty, relative, trailing `/`, bad characters).
 *
 * @example
 * ```ts
 * import { matchPathPrefix, parseSpiffeId } from 'agentauth/identifier'
 * const authorize = matchPathPrefix('spiffe://example.org', '/ns/db')
 * authorize(parseSpiffeId('spiffe://example.org/ns/db/replica-1')) // true
 * authorize(parseSpiffeId('spiffe://example.org/ns/dbx')) // false
 * ```
 */
export function matchPathPrefix(origin: string, prefix: string): IdentifierMatcher {
  const base = identifierArgument(origin, 'origin')
  if (base.path !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'origin must not have a path')
  if (typeof prefix !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'prefix must be a string')
  if (prefix.length === 0 || prefix.charCodeAt(0) !== 0x2f || prefix.charCodeAt(prefix.length - 1) === 0x2f) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'prefix must start with / and not end with / (use matchTrustDomain for a whole trust domain)')
  }
  identifierArgument(base.origin + prefix, 'prefix')
  const wanted = base.origin
  const withSlash = `${prefix}/`
  return (id) => isObject(id) && id.origin === wanted && typeof id.path === 'string' && (id.path === prefix || id.path.startsWith(withSlash))
}

/**
 * True when two identifiers share a Workload Identifier Origin: the same scheme and the same
 * trust domain (draft-ietf-wimse-identifier §4.2 says one trust-domain name may mean different
 * things under different schemes, so `spiffe://example.org/a` and `wimse://example.org/b` are not
 * the same trust domain).
 *
 * @param a - A parsed identifier, or a string parsed with the `'any'` profile.
 * @param b - Likewise.
 * @returns Whether `a.origin === b.origin`.
 * @throws VerificationError (status 400) with the codes of {@link parseWorkloadIdentifier} when a
 *   string is not a valid identifier.
 *
 * @example
 * ```ts
 * import { sameTrustDomain } from 'agentauth/identifier'
 * sameTrustDomain('spiffe://example.org/a', 'spiffe://example.org/b') // true
 * sameTrustDomain('spiffe://example.org/a', 'wimse://example.org/a') // false
 * ```
 */
export function sameTrustDomain(a: WorkloadIdentifier | string, b: WorkloadIdentifier | string): boolean {
  const left = typeof a === 'string' ? parseIdentifier(a, 'any') : a
  const right = typeof b === 'string' ? parseIdentifier(b, 'any') : b
  if (!isObject(left) || !isObject(right) || typeof left.origin !== 'string' || typeof right.origin !== 'string') {
    throw new VerificationError('ERR_IDENTIFIER_INVALID', 'workload identifier must be a string or a parsed identifier')
  }
  return left.origin === right.origin
}
