import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
import type { Clock } from '../internal/time.js'
import type { RedirectPolicy } from '../fetch/redirects.js'
import type { Signer } from '../signer/types.js'
import type { WITSource } from '../wit/types.js'

/**
 * How an agent uses the broker: `proof` (the broker returns headers for one request the agent sends
 * itself) or `proxy` (the broker sends the request with the credentials attached).
 *
 * @example
 * ```ts
 * import type { BrokerMode } from 'agentauth/broker'
 * const modes: BrokerMode[] = ['proof']
 * ```
 */
export type BrokerMode = 'proof' | 'proxy'

/**
 * A token bucket per destination origin: `requests` per `interval` seconds, bursts up to `burst`
 * (default `requests`).
 *
 * @example
 * ```ts
 * import type { RateLimit } from 'agentauth/broker'
 * const limit: RateLimit = { requests: 60, interval: 60, burst: 10 }
 * ```
 */
export interface RateLimit {
  requests: number
  interval: number
  burst?: number
}

/**
 * What the broker allows for one destination origin. `paths` and `methods` are required: nothing
 * is allowed by default. A member not defined here (a misspelt `ratelimit`) is refused.
 *
 * @example
 * ```ts
 * import type { DestinationPolicy } from 'agentauth/broker'
 * const orders: DestinationPolicy = { paths: ['/v1/orders'], methods: ['GET', 'POST'], rateLimit: { requests: 30, interval: 60 } }
 * ```
 */
export interface DestinationPolicy {
  /**
   * Allowed path prefixes, matched on whole segments: `/v1/orders` allows `/v1/orders` and
   * `/v1/orders/7`, not `/v1/orders-admin`; a prefix ending in `/` allows only what is below it;
   * `/` allows every path. Paths with encoded `/` or `\` (`%2F`, `%5C`) are refused, and so are
   * paths with a dot segment hidden behind path parameters (`/api/..;/admin`, `%2e%2e;x`), which
   * servers that strip `;params` would resolve.
   */
  paths: readonly string[]
  /** Allowed methods (case-sensitive tokens, e.g. `GET`). */
  methods: readonly string[]
  /** Modes allowed for this destination. Default both. Use `['proxy']` where a bearer token is attached. */
  modes?: readonly BrokerMode[]
  /** Proof for this destination; defaults to the broker's `proof`. */
  proof?: 'wpt' | 'httpsig'
  /** Rate limit for this origin (shared by both modes and every redirect hop). Default none. */
  rateLimit?: RateLimit
  /** Largest request body forwarded in proxy mode, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
}

/**
 * The broker's destination policy, keyed by exact origin (`https://api.example.com`).
 *
 * @example
 * ```ts
 * import type { BrokerPolicy } from 'agentauth/broker'
 * const policy: BrokerPolicy = { destinations: { 'https://api.example.com': { paths: ['/v1/'], methods: ['GET'] } } }
 * ```
 */
export interface BrokerPolicy {
  destinations: Readonly<Record<string, DestinationPolicy>>
}

/**
 * One line of the audit log. Every decision is recorded: `allow` with reason `allowed` before any
 * credential is issued (if that write fails nothing is issued), `redirect` for each proxied hop,
 * `completed` with the upstream status after a proxied request; `deny` with the rule that refused
 * (`not_found` for a path that is no broker endpoint, `credentials_failed` for an unexpected
 * failure inside the broker). Query values are replaced by `REDACTED`.
 *
 * @example
 * ```ts
 * import type { AuditRecord } from 'agentauth/broker'
 * const line = (r: AuditRecord) => JSON.stringify(r) + '\n'
 * ```
 */
export interface AuditRecord {
  /** ISO 8601 time of the decision. */
  readonly time: string
  /** Random id shared by every record of one agent request. */
  readonly id: string
  readonly decision: 'allow' | 'deny'
  /** `allowed`, `redirect`, `completed`, or the reason of a refusal (`path_not_allowed`, `rate_limited`, …). */
  readonly reason: string
  /** The broker endpoint asked; `unknown` for a path that is none (`unauthorized`, `not_found`). */
  readonly mode: BrokerMode | 'unknown'
  readonly method?: string
  /** Target URL without userinfo and fragment, query values redacted. */
  readonly url?: string
  readonly origin?: string
  /** Status returned to the agent (upstream status for completed proxy requests). */
  readonly status?: number
  /** Redirect hop (proxy mode), 1 for the first redirect. */
  readonly hop?: number
}

/**
 * Where audit records go (append-only). A rejected promise on an `allow` record refuses the request.
 *
 * @example
 * ```ts
 * import type { AuditSink } from 'agentauth/broker'
 * const records: unknown[] = []
 * const audit: AuditSink = (record) => { records.push(record) }
 * ```
 */
export type AuditSink = (record: AuditRecord) => void | Promise<void>

/**
 * What an approval hook is asked to decide.
 *
 * @example
 * ```ts
 * import type { ApprovalContext } from 'agentauth/broker'
 * const describe = (ctx: ApprovalContext) => `${ctx.method} ${ctx.url} (${ctx.mode})`
 * ```
 */
export interface ApprovalContext {
  readonly id: string
  readonly mode: BrokerMode
  readonly method: string
  /** The full target URL, query included (the approver is trusted). */
  readonly url: string
  readonly origin: string
  readonly path: string
  /** Redirect hop (proxy mode); 0 for the request itself. */
  readonly hop: number
  /** Aborted when `approvalTimeout` passes or the agent goes away (the hook is not called for an agent already gone). */
  readonly signal: AbortSignal
}

/**
 * Holds a request until a human (or another system) decides; resolve `true` to allow.
 *
 * @example
 * ```ts
 * import type { ApprovalHook } from 'agentauth/broker'
 * const approve: ApprovalHook = async (ctx) => ctx.method === 'GET' || (await askOnCall(ctx, { signal: ctx.signal }))
 * ```
 */
export type ApprovalHook = (context: ApprovalContext) => Promise<boolean>

/**
 * Options of `createCredentialBroker`.
 *
 * @example
 * ```ts
 * import type { CredentialBrokerOptions } from 'agentauth/broker'
 * const options: CredentialBrokerOptions = {
 *   signer, wit: witSource, proof: 'httpsig',
 *   policy: { destinations: { 'https://api.example.com': { paths: ['/v1/'], methods: ['GET', 'POST'] } } },
 *   audit: (record) => console.log(JSON.stringify(record)),
 *   capabilityTokens: capabilityToken,
 * }
 * ```
 */
export interface CredentialBrokerOptions {
  /** The agent's signer (its key bound in the WIT). It never leaves the broker. */
  signer: Signer
  /** The agent's WIT: a compact token or a source that renews it. */
  wit: WITSource | string
  /** Default proof kind (a destination may override it). */
  proof: 'wpt' | 'httpsig'
  /** `httpsig`: ask callees to sign their responses. Default false. */
  signResponse?: boolean
  /** Proof lifetime in seconds. Default 60. */
  lifetime?: number
  policy: BrokerPolicy
  audit: AuditSink
  /**
   * Consulted after the policy and rate limit allowed a request (and each proxied redirect hop).
   * Not called when the agent has already gone, or while 64 requests already wait for it: the
   * request is refused with `approval_failed`.
   */
  approve?: ApprovalHook
  /** Seconds an approval may take before the request is refused (`approval_timeout`). Default 120. */
  approvalTimeout?: number
  /**
   * Proxy mode: middleware attaching bearer tokens per destination, usually `tokenExchange(...)`
   * from `agentauth/token-exchange`. It runs inside the broker for every hop, before the proof is
   * minted, so the proof binds the token; the agent never sees it.
   */
  tokenExchange?: FetchMiddleware
  /** Fetch used for proxied requests. Default global `fetch`. */
  fetch?: FetchLike
  /** Proxy-mode redirects: `{ max }` (default `{ max: 5 }`), `'error'` or `'manual'`. */
  redirects?: RedirectPolicy
  /** Accepted capability tokens (each ≥ 32 visible ASCII characters); several allow rotation. */
  capabilityTokens: string | readonly string[]
  /** Receives internal failures (audit sink, signer, upstream) for the operator's log. */
  onError?: (error: unknown) => void
  clock?: Clock
  crypto?: Crypto
}

/**
 * The broker: a runtime-agnostic `(Request) => Promise<Response>` handler to mount on a Unix
 * socket or loopback listener (see `agentauth/broker/node`).
 *
 * @example
 * ```ts
 * import type { CredentialBroker } from 'agentauth/broker'
 * const serve = (broker: CredentialBroker) => Bun.serve({ unix: '/run/agent/broker.sock', fetch: broker })
 * ```
 */
export type CredentialBroker = (request: Request) => Promise<Response>
