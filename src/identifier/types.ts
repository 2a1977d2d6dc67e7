/**
 * A parsed, validated workload identifier (a WIMSE Workload Identifier or a SPIFFE ID). Frozen.
 * Compare identifiers with `a.id === b.id`: parsing never normalises, so equal strings are the
 * only equal identifiers.
 *
 * @example
 * ```ts
 * import { parseWorkloadIdentifier } from 'agentauth/identifier'
 * const id = parseWorkloadIdentifier('spiffe://example.org/ns/prod/sa/api')
 * id.scheme      // 'spiffe'
 * id.trustDomain // 'example.org'
 * id.path        // '/ns/prod/sa/api'
 * id.origin      // 'spiffe://example.org'
 * ```
 */
export interface WorkloadIdentifier {
  /** The identifier exactly as given (byte-exact, never normalised). */
  readonly id: string
  /** The lower-case URI scheme, e.g. `spiffe` or `wimse`. */
  readonly scheme: string
  /** The authority (trust domain), e.g. `example.org`. */
  readonly trustDomain: string
  /** `''` or a path starting with `/`. */
  readonly path: string
  /** The Workload Identifier Origin (draft-ietf-wimse-identifier §4.6): `scheme://trustDomain`. */
  readonly origin: string
}

/**
 * Which rule set a parser applies:
 * - `'any'`: `spiffe:` identifiers get the SPIFFE-ID rules, every other scheme the WIMSE generic
 *   rules;
 * - `'wimse'`: only the `wimse:` scheme, WIMSE generic rules;
 * - `'spiffe'`: only SPIFFE IDs.
 *
 * @example
 * ```ts
 * import { parseWorkloadIdentifier, type IdentifierProfile } from 'agentauth/identifier'
 * const profile: IdentifierProfile = 'spiffe'
 * parseWorkloadIdentifier('spiffe://example.org/api', { profile })
 * ```
 */
export type IdentifierProfile = 'any' | 'wimse' | 'spiffe'

/**
 * Options of {@link parseWorkloadIdentifier} and {@link isWorkloadIdentifier}.
 *
 * @example
 * ```ts
 * import { parseWorkloadIdentifier, type ParseIdentifierOptions } from 'agentauth/identifier'
 * const options: ParseIdentifierOptions = { profile: 'wimse' }
 * parseWorkloadIdentifier('wimse://example.com/api', options)
 * ```
 */
export interface ParseIdentifierOptions {
  /** Rule set; default `'any'`. */
  profile?: IdentifierProfile
}
