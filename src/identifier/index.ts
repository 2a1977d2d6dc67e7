/**
 * Workload identifiers: byte-exact parsers for WIMSE Workload Identifiers
 * (draft-ietf-wimse-identifier) and SPIFFE IDs (SPIFFE-ID §2), trust domains, and matchers for
 * authorisation decisions that compare complete identifiers.
 *
 * Reachable from `agentauth/identifier`.
 *
 * @example
 * ```ts
 * import { parseWorkloadIdentifier, matchId } from 'agentauth/identifier'
 * const caller = parseWorkloadIdentifier('spiffe://example.org/ns/prod/sa/api')
 * const allowed = matchId('spiffe://example.org/ns/prod/sa/api')
 * allowed(caller) // true
 * ```
 *
 * @module identifier
 */
export type { IdentifierProfile, ParseIdentifierOptions, WorkloadIdentifier } from './types.js'
export { isWorkloadIdentifier, parseSpiffeId, parseWorkloadIdentifier } from './parse.js'
export { parseTrustDomain, type TrustDomain } from './trust-domain.js'
export { formatSpiffeId, replacePath } from './format.js'
export {
  matchAny,
  matchId,
  matchOneOf,
  matchPathPrefix,
  matchPredicate,
  matchTrustDomain,
  sameTrustDomain,
  type IdentifierMatcher,
} from './match.js'

/**
 * The specification revisions this module implements.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/identifier'
 * console.log(SPEC.wimse) // 'draft-ietf-wimse-identifier (editor\'s copy 072ce1e, ≈ -03)'
 * ```
 */
export const SPEC: Readonly<{ wimse: string; spiffe: string }> = Object.freeze({
  wimse: "draft-ietf-wimse-identifier (editor's copy 072ce1e, ≈ -03)",
  spiffe: 'SPIFFE-ID.md (spiffe/spiffe 665a28f), go-spiffe spiffeid e9973f6',
})
