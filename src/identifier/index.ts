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
