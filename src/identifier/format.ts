// Building identifiers from parts (go-spiffe FromSegments / ReplacePath semantics).
import { codedTypeError } from '../errors/index.js'
import { parseIdentifier } from './parse.js'
import { classOf, identifierError, pathByteCode, SEG_SPIFFE } from './scan.js'
import { trustDomainArgument, type TrustDomain } from './trust-domain.js'
import type { WorkloadIdentifier } from './types.js'

/** SPIFFE-ID §2.2 rules for one segment on its own. */
function checkSegment(segment: unknown, index: number): string {
  if (typeof segment !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `segments[${index}] must be a string`)
  const n = segment.length
  if (n === 0) throw identifierError('ERR_IDENTIFIER_EMPTY_SEGMENT')
  for (let i = 0; i < n; i++) {
    const c = segment.charCodeAt(i)
    if ((classOf(c) & SEG_SPIFFE) === 0) throw identifierError(pathByteCode(c), i)
  }
  if (segment === '.' || segment === '..') throw identifierError('ERR_IDENTIFIER_DOT_SEGMENT')
  return segment
}

/**
 * Builds a SPIFFE ID from a trust domain and path segments, validating each segment on its own
 * (SPIFFE-ID §2.2: non-empty, not `.` or `..`, only `[A-Za-z0-9._-]`, so no `/` inside a
 * segment). Nothing is escaped or normalised: a segment that needs escaping is an error.
 *
 * @param trustDomain - A trust-domain name (`example.org`), a SPIFFE ID whose trust domain is used,
 *   or a {@link TrustDomain}.
 * @param segments - Path segments, e.g. `'ns', 'prod', 'sa', 'api'`; none for the trust domain's
 *   own ID.
 * @returns The SPIFFE ID string, e.g. `spiffe://example.org/ns/prod/sa/api`.
 * @throws VerificationError (status 400) `ERR_IDENTIFIER_EMPTY_SEGMENT`, `ERR_IDENTIFIER_DOT_SEGMENT`,
 *   `ERR_IDENTIFIER_PATH_CHAR`, `ERR_IDENTIFIER_PERCENT_ENCODING` (`%`), `ERR_IDENTIFIER_QUERY` (`?`),
 *   `ERR_IDENTIFIER_FRAGMENT` (`#`), `ERR_IDENTIFIER_TOO_LONG` (result over 2048 bytes).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when `trustDomain` is not a
 *   valid trust domain or a segment is not a string.
 *
 * @example
 * ```ts
 * import { formatSpiffeId } from 'agentauth/identifier'
 * formatSpiffeId('example.org', 'ns', 'prod', 'sa', 'api') // 'spiffe://example.org/ns/prod/sa/api'
 * formatSpiffeId('example.org') // 'spiffe://example.org'
 * formatSpiffeId('example.org', 'a/b') // throws ERR_IDENTIFIER_PATH_CHAR
 * ```
 */
export function formatSpiffeId(trustDomain: string | TrustDomain, ...segments: string[]): string {
  const td = trustDomainArgument(trustDomain, 'trustDomain')
  let id = `spiffe://${td.name}`
  for (let i = 0; i < segments.length; i++) id += `/${checkSegment(segments[i], i)}`
  return parseIdentifier(id, 'spiffe').id
}

/**
 * Returns the identifier with its path replaced (go-spiffe `ReplacePath`), validated with the rules
 * of the identifier's scheme (SPIFFE rules for `spiffe:`, WIMSE rules otherwise). The path is used
 * as given: `''` or starting with `/`.
 *
 * @param id - A parsed identifier, or a string parsed with the `'any'` profile.
 * @param path - The new path, e.g. `/ns/prod/sa/api`, or `''`.
 * @returns A new frozen {@link WorkloadIdentifier}.
 * @throws VerificationError (status 400) `ERR_IDENTIFIER_PATH_RELATIVE` (no leading `/`), and the
 *   path codes of {@link parseWorkloadIdentifier} (`ERR_IDENTIFIER_TRAILING_SLASH`, …); every code
 *   of {@link parseWorkloadIdentifier} when `id` is an invalid string.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `path` is not a string.
 *
 * @example
 * ```ts
 * import { replacePath } from 'agentauth/identifier'
 * replacePath('spiffe://example.org/old', '/ns/prod').id // 'spiffe://example.org/ns/prod'
 * replacePath('spiffe://example.org/old', 'ns') // throws ERR_IDENTIFIER_PATH_RELATIVE
 * ```
 */
export function replacePath(id: WorkloadIdentifier | string, path: string): WorkloadIdentifier {
  const base = typeof id === 'string' ? parseIdentifier(id, 'any') : parseIdentifier(id?.id, 'any')
  if (typeof path !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'path must be a string')
  if (path !== '' && path.charCodeAt(0) !== 0x2f) throw identifierError('ERR_IDENTIFIER_PATH_RELATIVE', 0)
  return parseIdentifier(base.origin + path, 'any')
}
