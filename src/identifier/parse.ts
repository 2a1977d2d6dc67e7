// Parsers for workload identifiers: one left-to-right byte scan, no URL object, no normalisation.
import { codedTypeError, VerificationError } from '../errors/index.js'
import { scanSpiffePath, scanWimsePath } from './path.js'
import {
  classOf,
  exceedsBytes,
  identifierError,
  MAX_IDENTIFIER_BYTES,
  SCHEME_CHAR,
  scanTrustDomain,
} from './scan.js'
import type { IdentifierProfile, ParseIdentifierOptions, WorkloadIdentifier } from './types.js'

const COLON = 0x3a
const SLASH = 0x2f

/** Returns the offset of the `:` of `scheme://`; throws ERR_IDENTIFIER_SCHEME otherwise. */
function scanScheme(value: string): number {
  const n = value.length
  const first = value.charCodeAt(0)
  // RFC 3986 §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), restricted to lower case.
  if (first < 0x61 || first > 0x7a) throw identifierError('ERR_IDENTIFIER_SCHEME', 0)
  let i = 1
  for (; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c === COLON) break
    if ((classOf(c) & SCHEME_CHAR) === 0) throw identifierError('ERR_IDENTIFIER_SCHEME', i)
  }
  // The authority is mandatory (draft-ietf-wimse-identifier §4.1), so `scheme://` is one unit.
  if (i === n || value.charCodeAt(i + 1) !== SLASH || value.charCodeAt(i + 2) !== SLASH) {
    throw identifierError('ERR_IDENTIFIER_SCHEME', i)
  }
  return i
}

/** @internal Validates a profile option. */
export function readProfile(options: ParseIdentifierOptions | undefined, name = 'options'): IdentifierProfile {
  if (options === undefined) return 'any'
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object`)
  const profile = options.profile
  if (profile === undefined) return 'any'
  if (profile !== 'any' && profile !== 'wimse' && profile !== 'spiffe') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.profile must be 'any', 'wimse' or 'spiffe'`)
  }
  return profile
}

/** @internal The scanner behind every public parser. */
export function parseIdentifier(value: unknown, profile: IdentifierProfile): WorkloadIdentifier {
  if (typeof value !== 'string') throw identifierError('ERR_IDENTIFIER_INVALID')
  if (value.length === 0) throw identifierError('ERR_IDENTIFIER_EMPTY')
  if (exceedsBytes(value, MAX_IDENTIFIER_BYTES)) throw identifierError('ERR_IDENTIFIER_TOO_LONG')
  let colon: number
  let spiffe: boolean
  if (value.startsWith('spiffe://')) {
    colon = 6
    spiffe = true
  } else {
    colon = scanScheme(value)
    spiffe = false
  }
  if (profile === 'spiffe' ? !spiffe : profile === 'wimse' && (colon !== 5 || !value.startsWith('wimse'))) {
    throw identifierError('ERR_IDENTIFIER_SCHEME', 0)
  }
  const start = colon + 3
  const end = scanTrustDomain(value, start, true)
  if (spiffe) scanSpiffePath(value, end)
  else scanWimsePath(value, end)
  return Object.freeze({
    id: value,
    scheme: value.slice(0, colon),
    trustDomain: value.slice(start, end),
    path: value.slice(end),
    origin: value.slice(0, end),
  })
}

/**
 * Parses and validates a workload identifier without normalising it. With the default profile
 * `'any'`, `spiffe:` identifiers must follow SPIFFE-ID §2 exactly (go-spiffe's rules) and every
 * other scheme the WIMSE generic rules (draft-ietf-wimse-identifier §4.1: absolute URI with a
 * non-empty trust domain, no query, fragment, userinfo or port, at most 2048 bytes; plus
 * agentauth's canonical-form rules, so that byte-exact comparison is sound: lower-case scheme, a
 * trust domain of `[a-z0-9._-]` (≤ 255 bytes) for every scheme, path of RFC 3986 `pchar`s, no
 * `.`/`..` segments, percent-encoding only as upper-case `%HH` of a byte that is not unreserved).
 * Each broken rule has its own code; the code names the first offending byte from the left.
 *
 * @param value - The identifier, e.g. a WIT `sub` claim. A non-string is rejected, not coerced.
 * @param options - `profile`: `'any'` (default), `'wimse'` (only `wimse:`) or `'spiffe'`.
 * @returns A frozen {@link WorkloadIdentifier}; `id` is `value` unchanged.
 * @throws VerificationError (status 400) with `ERR_IDENTIFIER_INVALID` (not a string),
 *   `ERR_IDENTIFIER_EMPTY`, `ERR_IDENTIFIER_TOO_LONG`, `ERR_IDENTIFIER_SCHEME`,
 *   `ERR_IDENTIFIER_TRUST_DOMAIN_MISSING`, `ERR_IDENTIFIER_TRUST_DOMAIN_CHAR`,
 *   `ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG`, `ERR_IDENTIFIER_USERINFO`, `ERR_IDENTIFIER_PORT`,
 *   `ERR_IDENTIFIER_QUERY`, `ERR_IDENTIFIER_FRAGMENT`, `ERR_IDENTIFIER_PERCENT_ENCODING`,
 *   `ERR_IDENTIFIER_PATH_CHAR`, `ERR_IDENTIFIER_EMPTY_SEGMENT`, `ERR_IDENTIFIER_DOT_SEGMENT`,
 *   `ERR_IDENTIFIER_TRAILING_SLASH`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { parseWorkloadIdentifier } from 'agentauth/identifier'
 * const id = parseWorkloadIdentifier('wimse://example.com/service/payment')
 * id.trustDomain // 'example.com'
 * parseWorkloadIdentifier('wimse://example.com/a?x=1') // throws ERR_IDENTIFIER_QUERY
 * parseWorkloadIdentifier('wimse://example.com/a', { profile: 'spiffe' }) // throws ERR_IDENTIFIER_SCHEME
 * ```
 */
export function parseWorkloadIdentifier(value: string, options?: ParseIdentifierOptions): WorkloadIdentifier {
  return parseIdentifier(value, readProfile(options))
}

/**
 * Parses a SPIFFE ID (SPIFFE-ID §2) byte-exactly: `spiffe://` + trust domain of `[a-z0-9._-]`
 * (≤ 255 bytes) + optional path of `/`-separated `[A-Za-z0-9._-]` segments, none empty, `.` or
 * `..`, no trailing `/`, at most 2048 bytes in all. Same as
 * `parseWorkloadIdentifier(value, { profile: 'spiffe' })`.
 *
 * @param value - The candidate SPIFFE ID.
 * @returns A frozen {@link WorkloadIdentifier} with `scheme` `'spiffe'`.
 * @throws VerificationError (status 400) with the codes listed on {@link parseWorkloadIdentifier};
 *   any scheme but lower-case `spiffe` is `ERR_IDENTIFIER_SCHEME`.
 *
 * @example
 * ```ts
 * import { parseSpiffeId } from 'agentauth/identifier'
 * parseSpiffeId('spiffe://example.org/ns/prod/sa/api').path // '/ns/prod/sa/api'
 * parseSpiffeId('spiffe://example.org/a/') // throws ERR_IDENTIFIER_TRAILING_SLASH
 * ```
 */
export function parseSpiffeId(value: string): WorkloadIdentifier {
  return parseIdentifier(value, 'spiffe')
}

/**
 * True when `value` is a string that {@link parseWorkloadIdentifier} accepts under the profile.
 * Never throws for untrusted input (only for bad options).
 *
 * @param value - Anything.
 * @param options - `profile`, as for {@link parseWorkloadIdentifier}.
 * @returns Whether `value` is a valid workload identifier string.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { isWorkloadIdentifier } from 'agentauth/identifier'
 * isWorkloadIdentifier('spiffe://example.org/api') // true
 * isWorkloadIdentifier('https://example.org/api?x') // false
 * isWorkloadIdentifier(42) // false
 * ```
 */
export function isWorkloadIdentifier(value: unknown, options?: ParseIdentifierOptions): boolean {
  const profile = readProfile(options)
  try {
    parseIdentifier(value, profile)
    return true
  } catch (err) {
    if (err instanceof VerificationError) return false
    throw err
  }
}
