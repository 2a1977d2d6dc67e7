// State shared by both modes, and the policy / approval / audit steps every request goes through.
import type { OutboundCredentials } from '../fetch/types.js'
import type { NormalisedRedirects } from '../fetch/redirects.js'
import type { BrokerReason } from '../fetch/protocol.js'
import type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
import type { Clock } from '../internal/time.js'
import { requestApproval, type ApprovalOutcome } from './approval.js'
import { auditRecord, writeAudit, type AuditFields } from './audit.js'
import type { Destination, NormalisedPolicy } from './policy.js'
import { REASON_STATUS, refusal } from './responses.js'
import type { ApprovalHook, AuditSink, BrokerMode } from './types.js'

export interface BrokerContext {
  readonly policy: NormalisedPolicy
  readonly credentials: { readonly wpt: OutboundCredentials; readonly httpsig: OutboundCredentials }
  readonly proof: 'wpt' | 'httpsig'
  readonly audit: AuditSink
  readonly approve: ApprovalHook | undefined
  readonly approvalTimeoutMs: number
  /** Requests waiting for the approval hook now (at most {@link MAX_PENDING_APPROVALS}). */
  readonly approvals: { pending: number }
  readonly tokenExchange: FetchMiddleware | undefined
  readonly upstream: FetchLike
  readonly redirects: NormalisedRedirects
  readonly onError: (err: unknown) => void
  readonly clock: Clock
}

/** One agent request: its id and the audit writer bound to it. */
export interface Session {
  readonly id: string
  readonly mode: BrokerMode
  readonly signal: AbortSignal
  record(fields: Omit<AuditFields, 'mode'>): Promise<boolean>
  deny(reason: BrokerReason, fields: Omit<AuditFields, 'mode' | 'decision' | 'reason' | 'status'>, retryAfter?: number): Promise<Response>
}

export function createSession(ctx: BrokerContext, id: string, mode: BrokerMode, signal: AbortSignal): Session {
  const record = (fields: Omit<AuditFields, 'mode'>): Promise<boolean> => writeAudit(ctx.audit, auditRecord(id, ctx.clock(), { ...fields, mode }), ctx.onError)
  return {
    id,
    mode,
    signal,
    record,
    async deny(reason, fields, retryAfter) {
      await record({ ...fields, decision: 'deny', reason, status: REASON_STATUS[reason] })
      return refusal(reason, retryAfter)
    },
  }
}

export type Gate = { readonly destination: Destination } | { readonly refused: Response }

/** Policy (origin, mode, path, method) and rate limit. */
export async function checkPolicy(ctx: BrokerContext, session: Session, method: string, url: URL, hop?: number): Promise<Gate> {
  const decision = ctx.policy.decide(url, method, session.mode)
  if (decision.allowed) return { destination: decision.destination }
  const reason = hop !== undefined && hop > 0 && decision.reason !== 'rate_limited' ? 'redirect_not_allowed' : decision.reason
  return { refused: await session.deny(reason, { method, url, hop }, decision.retryAfter) }
}

/**
 * Requests a broker holds for approval at once. Each holds a timer, a hook call (a page to a human)
 * and in proxy mode its body for up to `approvalTimeout`: an agent sending requests faster than
 * anyone decides must not grow that without bound. More are refused `approval_failed` unasked.
 */
export const MAX_PENDING_APPROVALS = 64

/** The approval hook, when configured; undefined when approved. */
export async function checkApproval(ctx: BrokerContext, session: Session, method: string, url: URL, hop = 0): Promise<Response | undefined> {
  if (ctx.approve === undefined) return undefined
  if (ctx.approvals.pending >= MAX_PENDING_APPROVALS) return session.deny('approval_failed', { method, url, ...(hop > 0 ? { hop } : {}) })
  ctx.approvals.pending++
  let outcome: ApprovalOutcome
  try {
    outcome = await requestApproval(
      ctx.approve,
      { id: session.id, mode: session.mode, method, url: url.href, origin: url.origin, path: url.pathname, hop },
      ctx.approvalTimeoutMs,
      session.signal,
      ctx.onError,
    )
  } finally {
    ctx.approvals.pending--
  }
  if (outcome === 'approved') return undefined
  return session.deny(outcome, { method, url, ...(hop > 0 ? { hop } : {}) })
}

/** The allow record, written before anything is issued; a failed write refuses the request. */
export async function recordAllow(session: Session, method: string, url: URL, hop?: number): Promise<Response | undefined> {
  const ok = await session.record({ decision: 'allow', reason: hop === undefined || hop === 0 ? 'allowed' : 'redirect', method, url, ...(hop ? { hop } : {}) })
  return ok ? undefined : refusal('audit_failed')
}
