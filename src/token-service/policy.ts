import type { Actor } from '../access-token/actor.js'
import type { AuthenticatedClient } from './client-authenticator.js'
import type { VerifiedToken } from './token-verifier.js'

/**
 * Everything a policy hook knows about one exchange. Frozen.
 *
 * @example
 * ```ts
 * import type { ExchangeContext } from 'agentauth/token-service'
 * const authorizeActor = ({ actor, subject }: ExchangeContext) => actor.trustDomain === 'example.com' || subject.claims.tenant === 'acme'
 * ```
 */
export interface ExchangeContext {
  readonly client: AuthenticatedClient
  readonly subject: VerifiedToken
  /** The actor of this exchange (from the actor token, else the authenticated client). */
  readonly actor: Actor
  /** The delegation chain the issued token will carry, current actor first. Empty when no delegation. */
  readonly chain: readonly Actor[]
  readonly requestedTokenType: string
  readonly audiences: readonly string[]
  readonly resources: readonly string[]
  /** Requested scopes (undefined when the request had no `scope`). */
  readonly requestedScopes: readonly string[] | undefined
}

/**
 * The token service's exchange policy. Only `targets` is required: a token is never issued for a
 * destination nobody allowed.
 *
 * @example
 * ```ts
 * import type { TokenExchangePolicy } from 'agentauth/token-service'
 * const policy: TokenExchangePolicy = { targets: ['https://calendar.example.com'], maxDepth: 3, allowedActorTrustDomains: ['example.com'], requireMayAct: true }
 * ```
 */
export interface TokenExchangePolicy {
  /**
   * Allowed `audience` / `resource` values: a list, or a function deciding per value. A request
   * naming anything else is refused with `invalid_target`.
   */
  targets: readonly string[] | ((target: string, context: ExchangeContext) => boolean | Promise<boolean>)
  /** Longest delegation chain an issued token may carry (default 4). */
  maxDepth?: number
  /** Issued token lifetime in seconds (default 300); never beyond the subject token's `exp`. */
  lifetime?: number
  /**
   * Trust domains an actor may come from. An actor whose `sub` is not a workload identifier in one
   * of them is refused (`ERR_ACTOR_NOT_ALLOWED`). Omit to allow any.
   */
  allowedActorTrustDomains?: readonly string[]
  /**
   * Hook for cross-trust-domain (third-party agent) delegation and any other actor rule: return
   * false to refuse this actor for this subject and target.
   */
  authorizeActor?: (context: ExchangeContext) => boolean | Promise<boolean>
  /**
   * Upper bound on scopes for this exchange, intersected with the subject token's scopes. Needed
   * when subject tokens carry no `scope` (ID Tokens): then only these scopes can be granted.
   */
  scopes?: (context: ExchangeContext) => readonly string[] | undefined
  /** Refuse delegation unless the subject token's `may_act` names the actor (default false). */
  requireMayAct?: boolean
  /** Token types that may be requested (default `[access_token]`; add `jwt` / `id-jag` for chaining). No other type is minted: listing one is a construction error. */
  requestedTokenTypes?: readonly string[]
  /** For ID-JAG: the client's `client_id` at the Resource AS named in `audience` (undefined → refused). */
  idJagClientId?: (context: ExchangeContext) => string | undefined
  /**
   * Extra claims for the issued token (registered and delegation claims cannot be overridden): a
   * plain object or undefined; anything else (a string, an array) answers `server_error`.
   */
  claims?: (context: ExchangeContext) => Readonly<Record<string, unknown>> | undefined
  /** Bind issued access tokens to the client's WIT key (`cnf.jkt`) when it used WIT authentication (default true). */
  senderConstrain?: boolean
}
