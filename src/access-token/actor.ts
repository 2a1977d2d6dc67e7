import { VerificationError } from '../errors/index.js'
import { isWorkloadIdentifier, parseWorkloadIdentifier } from '../identifier/index.js'
import { isPlainObject } from '../internal/json.js'

/**
 * Deepest `act` nesting read before a chain is refused as malformed (well above any sane policy).
 *
 * @example
 * ```ts
 * import { MAX_ACT_NESTING } from 'agentauth/access-token'
 * console.log(MAX_ACT_NESTING) // 32
 * ```
 */
export const MAX_ACT_NESTING = 32

/**
 * One actor of a delegation chain (an RFC 8693 §4.1 `act` object). Only identity claims matter;
 * `exp`, `nbf`, `aud`, … inside `act` have no meaning (RFC 8693 §4.1) and are ignored for
 * decisions, though kept in `claims`.
 *
 * @example
 * ```ts
 * import { delegationChain, type Actor } from 'agentauth/access-token'
 * const [current]: readonly Actor[] = delegationChain(token.claims)
 * if (current?.trustDomain !== 'example.com') throw new Error('foreign agent')
 * ```
 */
export interface Actor {
  /** The actor's subject identifier (a workload identifier for agents). */
  readonly sub: string
  /** The issuer that identified the actor, when the `act` object names one. */
  readonly iss: string | undefined
  /** The actor's OAuth client id, when present. */
  readonly clientId: string | undefined
  /** Trust domain of `sub` when `sub` is a workload identifier (`spiffe://`, `wimse://`, …). */
  readonly trustDomain: string | undefined
  /** The identity claims of this `act` object, without the nested `act`. Frozen. */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * The trust domain of a subject identifier when it is a workload identifier, else `undefined`.
 *
 * @param sub - a `sub` value.
 * @returns the trust domain, e.g. `example.org` for `spiffe://example.org/agent`.
 *
 * @throws nothing: a `sub` that is not a workload identifier gives `undefined`.
 * @example
 * ```ts
 * import { actorTrustDomain } from 'agentauth/access-token'
 * actorTrustDomain('spiffe://partner.example/agents/travel') // 'partner.example'
 * actorTrustDomain('alice@example.com') // undefined
 * ```
 */
export function actorTrustDomain(sub: string): string | undefined {
  if (!sub.includes('://') || !isWorkloadIdentifier(sub)) return undefined
  return parseWorkloadIdentifier(sub).trustDomain
}

function malformed(message: string): VerificationError {
  return new VerificationError('ERR_DELEGATION_INVALID', message, { claim: 'act' })
}

/**
 * Builds an Actor from one `act` object (internal; also used by the token service).
 * @internal
 */
export function toActor(act: Record<string, unknown>): Actor {
  const sub = act.sub
  if (typeof sub !== 'string' || sub.length === 0) throw malformed('an act claim has no string "sub"')
  const iss = act.iss
  if (iss !== undefined && (typeof iss !== 'string' || iss.length === 0)) throw malformed('an act claim has a non-string "iss"')
  const clientId = act.client_id
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId.length === 0)) throw malformed('an act claim has a non-string "client_id"')
  // fromEntries defines own properties: assigning claims['__proto__'] would instead have made an
  // act member named "__proto__" the object's prototype (its members readable as if claims).
  const claims: Record<string, unknown> = Object.fromEntries(Object.entries(act).filter(([k]) => k !== 'act'))
  return Object.freeze({ sub, iss, clientId, trustDomain: actorTrustDomain(sub), claims: Object.freeze(claims) })
}

/**
 * Reads the delegation chain of a token's claims (RFC 8693 §4.1 nested `act`). Order: **the current
 * actor first** (the outermost `act`, who presented the token), then the actor it got the token
 * from, and so on to the first actor. A token with no `act` has an empty chain.
 *
 * Only the first entry acts now (RFC 8693: nested actors are informational for access decisions),
 * but policies may check every hop (see `verifyDelegation`).
 *
 * @param claims - verified claims of an access token (or any JWT with `act`).
 * @returns a frozen array of frozen {@link Actor}s.
 * @throws VerificationError `ERR_DELEGATION_INVALID` when an `act` is not an object, lacks a string
 *   `sub`, or nests deeper than {@link MAX_ACT_NESTING}.
 *
 * @example
 * ```ts
 * import { delegationChain } from 'agentauth/access-token'
 * const chain = delegationChain({ sub: 'alice', act: { sub: 'tool-agent', act: { sub: 'planner-agent' } } })
 * chain.map((a) => a.sub) // ['tool-agent', 'planner-agent']
 * ```
 */
export function delegationChain(claims: Readonly<Record<string, unknown>>): readonly Actor[] {
  if (!isPlainObject(claims) && (typeof claims !== 'object' || claims === null)) throw malformed('claims must be an object')
  const out: Actor[] = []
  let current: unknown = Object.hasOwn(claims, 'act') ? claims.act : undefined
  while (current !== undefined) {
    if (!isPlainObject(current)) throw malformed('act must be a JSON object')
    if (out.length >= MAX_ACT_NESTING) throw malformed(`act nests deeper than ${MAX_ACT_NESTING}`)
    out.push(toActor(current))
    current = Object.hasOwn(current, 'act') ? current.act : undefined
  }
  return Object.freeze(out)
}

/**
 * Same identity: equal `sub`, and equal `iss` when both name one.
 * @internal
 */
export function sameActor(a: { sub: string; iss?: string | undefined }, b: { sub: string; iss?: string | undefined }): boolean {
  return a.sub === b.sub && (a.iss === undefined || b.iss === undefined || a.iss === b.iss)
}

/**
 * Rebuilds nested `act` JSON from a chain (current actor first).
 * @internal
 */
export function chainToAct(chain: readonly Actor[]): Record<string, unknown> | undefined {
  let act: Record<string, unknown> | undefined
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i]!
    act = { ...a.claims, ...(act === undefined ? {} : { act }) }
  }
  return act
}
