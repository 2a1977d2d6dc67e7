import { codedTypeError, VerificationError } from '../errors/index.js'
import { sameActor, type Actor } from './actor.js'

/**
 * Decides whether one actor may act at one hop. A string or list names allowed `sub`s exactly.
 *
 * @example
 * ```ts
 * import type { ActorMatcher } from 'agentauth/access-token'
 * const planners: ActorMatcher = ['spiffe://example.com/agents/planner']
 * const sameDomain: ActorMatcher = (actor) => actor.trustDomain === 'example.com'
 * ```
 */
export type ActorMatcher = string | readonly string[] | ((actor: Actor, hop: number) => boolean)

/**
 * Options of {@link verifyDelegation}.
 *
 * @example
 * ```ts
 * import type { DelegationPolicy } from 'agentauth/access-token'
 * const policy: DelegationPolicy = { maxDepth: 2, allowedTrustDomains: ['example.com', 'partner.example'] }
 * ```
 */
export interface DelegationPolicy {
  /** Longest chain accepted (number of actors). A token without `act` has depth 0. */
  maxDepth?: number
  /**
   * Who may act at each hop, index 0 = the current actor. An array gives one matcher per hop (a
   * chain longer than the array is refused); a function applies to every hop.
   */
  allowedActors?: readonly ActorMatcher[] | ((actor: Actor, hop: number) => boolean)
  /** When set, every actor's `sub` must be a workload identifier in one of these trust domains. */
  allowedTrustDomains?: readonly string[]
  /** Require at least one actor (refuse tokens that carry no delegation). */
  requireActor?: boolean
}

function matches(matcher: ActorMatcher, actor: Actor, hop: number): boolean {
  if (typeof matcher === 'string') return actor.sub === matcher
  if (typeof matcher === 'function') return matcher(actor, hop) === true
  return matcher.includes(actor.sub)
}

/**
 * Validates a policy object once (construction time).
 * @internal
 */
export function checkDelegationPolicy(policy: DelegationPolicy, name: string): void {
  if (typeof policy !== 'object' || policy === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object`)
  const { maxDepth, allowedActors, allowedTrustDomains } = policy
  if (maxDepth !== undefined && (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 32)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.maxDepth must be an integer in [0, 32]`)
  }
  if (allowedTrustDomains !== undefined && (!Array.isArray(allowedTrustDomains) || allowedTrustDomains.some((d) => typeof d !== 'string' || d.length === 0))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.allowedTrustDomains must be an array of trust domains`)
  }
  if (allowedActors !== undefined && typeof allowedActors !== 'function' && !Array.isArray(allowedActors)) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.allowedActors must be a function or an array of per-hop matchers`)
  }
  if (Array.isArray(allowedActors)) {
    for (const m of allowedActors as readonly unknown[]) {
      const ok = typeof m === 'function' || (typeof m === 'string' && m.length > 0) || (Array.isArray(m) && m.every((x) => typeof x === 'string' && x.length > 0))
      if (!ok) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.allowedActors entries must be a sub, a list of subs or a function`)
    }
  }
  // A truthy non-boolean ('true' from a config file) must not silently leave the check off.
  if (policy.requireActor !== undefined && typeof policy.requireActor !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.requireActor must be a boolean`)
}

/**
 * Checks a delegation chain (from `delegationChain`, current actor first) against a policy:
 * depth, cycles (the same actor twice), allowed actors per hop and allowed trust domains.
 *
 * @param chain - actors, current first.
 * @param policy - see {@link DelegationPolicy}.
 * @returns nothing; the chain is acceptable when it returns.
 * @throws VerificationError `ERR_DELEGATION_DEPTH`, `ERR_DELEGATION_CYCLE`, `ERR_ACTOR_NOT_ALLOWED`
 *   (status 403); TypeError `ERR_INVALID_ARG_*` for a malformed policy.
 *
 * @example
 * ```ts
 * import { delegationChain, verifyDelegation } from 'agentauth/access-token'
 * verifyDelegation(delegationChain(token.claims), {
 *   maxDepth: 2,
 *   allowedActors: [['spiffe://example.org/agents/tool'], (a) => a.trustDomain === 'example.org'],
 * })
 * ```
 */
export function verifyDelegation(chain: readonly Actor[], policy: DelegationPolicy): void {
  checkDelegationPolicy(policy, 'policy')
  if (policy.requireActor === true && chain.length === 0) {
    throw new VerificationError('ERR_ACTOR_NOT_ALLOWED', 'the token carries no delegation (act) but one is required', { claim: 'act' })
  }
  if (policy.maxDepth !== undefined && chain.length > policy.maxDepth) {
    throw new VerificationError('ERR_DELEGATION_DEPTH', `delegation chain has ${chain.length} actors, more than ${policy.maxDepth}`, { claim: 'act' })
  }
  for (let i = 0; i < chain.length; i++) {
    for (let j = i + 1; j < chain.length; j++) {
      if (sameActor(chain[i]!, chain[j]!)) throw new VerificationError('ERR_DELEGATION_CYCLE', 'an actor appears twice in the delegation chain', { claim: 'act' })
    }
  }
  const { allowedActors, allowedTrustDomains } = policy
  chain.forEach((actor, hop) => {
    if (allowedTrustDomains !== undefined && (actor.trustDomain === undefined || !allowedTrustDomains.includes(actor.trustDomain))) {
      throw new VerificationError('ERR_ACTOR_NOT_ALLOWED', `actor at hop ${hop} is not from an allowed trust domain`, { claim: 'act' })
    }
    if (allowedActors === undefined) return
    const matcher: ActorMatcher | undefined = typeof allowedActors === 'function' ? allowedActors : (allowedActors as readonly ActorMatcher[])[hop]
    if (matcher === undefined || !matches(matcher, actor, hop)) {
      throw new VerificationError('ERR_ACTOR_NOT_ALLOWED', `actor at hop ${hop} is not allowed`, { claim: 'act' })
    }
  })
}
