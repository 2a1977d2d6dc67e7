// Trust domains as values: a validated name that can produce the identifier of the trust domain
// itself under a scheme (SPIFFE-ID §2.1, draft-ietf-wimse-identifier §4.2, §4.6).
import { codedTypeError, VerificationError } from '../errors/index.js'
import { parseIdentifier } from './parse.js'
import { identifierError, scanTrustDomain } from './scan.js'
import type { WorkloadIdentifier } from './types.js'

/**
 * A validated trust-domain name (`[a-z0-9._-]`, 1–255 bytes). Frozen. Two trust domains are equal
 * when their `name`s are equal strings.
 *
 * @example
 * ```ts
 * import { parseTrustDomain } from 'agentauth/identifier'
 * const td = parseTrustDomain('example.org')
 * td.name                // 'example.org'
 * td.idString()          // 'spiffe://example.org'
 * td.idString('wimse')   // 'wimse://example.org'
 * td.id('wimse').origin  // 'wimse://example.org'
 * ```
 */
export interface TrustDomain {
  /** The trust-domain name, e.g. `example.org`. */
  readonly name: string
  /**
   * The identifier of the trust domain itself (`scheme://name`, no path), the Workload Identifier
   * Origin of draft-ietf-wimse-identifier §4.6.
   * @param scheme - Lower-case URI scheme; default `'spiffe'`.
   * @throws TypeError `ERR_INVALID_ARG_VALUE` when `scheme` is not a lower-case URI scheme.
   */
  idString(scheme?: string): string
  /** Like {@link TrustDomain.idString}, parsed into a {@link WorkloadIdentifier}. */
  id(scheme?: string): WorkloadIdentifier
  /** The name. */
  toString(): string
}

// RFC 3986 §3.1 scheme, lower case only. Checked before concatenating: a "scheme" such as
// `wimse://other.example/` would otherwise yield an identifier in another trust domain.
const SCHEME = /^[a-z][a-z0-9+.-]*$/

function originOf(name: string, scheme: unknown): WorkloadIdentifier {
  if (typeof scheme !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'scheme must be a string')
  if (!SCHEME.test(scheme)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'scheme must be a lower-case URI scheme')
  try {
    return parseIdentifier(`${scheme}://${name}`, 'any')
  } catch (err) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'scheme must be a lower-case URI scheme', err)
  }
}

function makeTrustDomain(name: string): TrustDomain {
  return Object.freeze({
    name,
    idString: (scheme: string = 'spiffe'): string => originOf(name, scheme).id,
    id: (scheme: string = 'spiffe'): WorkloadIdentifier => originOf(name, scheme),
    toString: (): string => name,
  })
}

/**
 * Parses a trust domain from a bare name (`example.org`) or from a workload identifier
 * (`spiffe://example.org/api`, `wimse://example.com`), like go-spiffe's `TrustDomainFromString`:
 * a value containing `:/` is parsed as an identifier (with the `'any'` profile, so a bad path is
 * still an error) and its trust domain returned. A bare name must be 1–255 bytes of `[a-z0-9._-]`;
 * no normalisation (upper case is rejected, not lowered).
 *
 * @param value - A trust-domain name or a workload identifier.
 * @returns A frozen {@link TrustDomain}.
 * @throws VerificationError (status 400) `ERR_IDENTIFIER_INVALID` (not a string),
 *   `ERR_IDENTIFIER_TRUST_DOMAIN_MISSING` (empty), `ERR_IDENTIFIER_TRUST_DOMAIN_CHAR`,
 *   `ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG`, and for `@ : % ? #` the codes
 *   `ERR_IDENTIFIER_USERINFO`, `_PORT`, `_PERCENT_ENCODING`, `_QUERY`, `_FRAGMENT`; for an
 *   identifier, every code of {@link parseWorkloadIdentifier}.
 *
 * @example
 * ```ts
 * import { parseTrustDomain } from 'agentauth/identifier'
 * parseTrustDomain('example.org').name // 'example.org'
 * parseTrustDomain('spiffe://example.org/ns/prod').name // 'example.org'
 * parseTrustDomain('Example.org') // throws ERR_IDENTIFIER_TRUST_DOMAIN_CHAR
 * ```
 */
export function parseTrustDomain(value: string): TrustDomain {
  if (typeof value !== 'string') throw identifierError('ERR_IDENTIFIER_INVALID')
  if (value.includes(':/')) return makeTrustDomain(parseIdentifier(value, 'any').trustDomain)
  scanTrustDomain(value, 0, false)
  return makeTrustDomain(value)
}

/**
 * Parses `value` as a trust domain when it is one, or returns a coded TypeError for configuration
 * arguments. @internal
 */
export function trustDomainArgument(value: unknown, name: string): TrustDomain {
  // A TrustDomain-shaped object is re-validated by name: it may not come from parseTrustDomain.
  if (isTrustDomain(value)) value = value.name
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or a TrustDomain`)
  try {
    return parseTrustDomain(value)
  } catch (err) {
    if (err instanceof VerificationError) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} is not a valid trust domain (${err.code})`, err)
    throw err
  }
}

function isTrustDomain(value: unknown): value is TrustDomain {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<TrustDomain>
  return typeof v.name === 'string' && typeof v.idString === 'function'
}
