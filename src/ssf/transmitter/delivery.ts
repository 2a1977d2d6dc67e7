// RFC 8935 push delivery with retries: 202 (any 2xx) = delivered and removed from the outbox;
// 400 = the receiver rejected the SET (RFC 8935 §2.4), given up at once; anything else (5xx,
// 401/403/429, network error, timeout) = retried with exponential backoff until maxAttempts.
import { untilAborted } from '../../internal/abort.js'
import { readBoundedBytes } from '../body.js'
import { isPlainObject, parseJSONObject } from '../../internal/json.js'
import type { FetchLike } from '../poll-receiver.js'
import { SET_MEDIA_TYPE } from '../uris.js'
import type { OutboxEntry, OutboxStore, StoredStream } from './outbox.js'

/**
 * Retry policy of push delivery.
 *
 * @example
 * ```ts
 * createTransmitter({ ...options, retry: { maxAttempts: 20, initialDelay: 500, maxDelay: 600_000 } })
 * ```
 */
export interface RetryPolicy {
  /** Attempts before an entry is moved to the failed list. Default 10. */
  maxAttempts?: number
  /** Delay after the first failure in ms. Default 1000. */
  initialDelay?: number
  /** Largest delay in ms. Default 300000 (5 min). */
  maxDelay?: number
  /** Multiplier per failure. Default 2. */
  factor?: number
  /** Random spread as a fraction of the delay (0–1). Default 0.2. */
  jitter?: number
}

export interface CheckedRetry {
  readonly maxAttempts: number
  readonly initialDelay: number
  readonly maxDelay: number
  readonly factor: number
  readonly jitter: number
}

/**
 * What one delivery pass did.
 *
 * @example
 * ```ts
 * const { delivered, retrying, failed }: DeliveryReport = await transmitter.deliver()
 * ```
 */
export interface DeliveryReport {
  /** jtis acknowledged by receivers. */
  readonly delivered: readonly string[]
  /** jtis that failed this time and are scheduled again. */
  readonly retrying: readonly string[]
  /** jtis given up on (rejected, or out of attempts). */
  readonly failed: readonly string[]
  /** jtis held because their stream is paused or disabled (or now polled). */
  readonly held: readonly string[]
}

export interface DeliveryContext {
  readonly outbox: OutboxStore
  readonly fetch: FetchLike
  readonly now: () => number
  readonly retry: CheckedRetry
  readonly timeoutMs: number
  readonly pausedRecheck: number
}

export function backoffDelay(retry: CheckedRetry, attempts: number): number {
  const grown = retry.initialDelay * retry.factor ** Math.max(0, attempts - 1)
  // initialDelay 0 times a power that overflowed to Infinity is NaN: a NaN retry time was never due
  // again, and the stream's later SETs waited behind it for good.
  const base = Number.isNaN(grown) ? 0 : Math.min(retry.maxDelay, grown)
  return Math.round(base * (1 + retry.jitter * (Math.random() * 2 - 1)))
}

async function describe(response: Response): Promise<string> {
  try {
    const j = parseJSONObject(await readBoundedBytes(response, 8192), { maxBytes: 8192, what: 'push error' })
    if (isPlainObject(j) && typeof j.err === 'string') return `${response.status} ${j.err}${typeof j.description === 'string' ? `: ${j.description.slice(0, 200)}` : ''}`
  } catch { /* body is informative only */ }
  return `HTTP ${response.status}`
}

/**
 * One push attempt for one entry; updates the outbox and says what happened. On `retrying`,
 * `scheduled.nextAttemptAt` is the time the entry was rescheduled to.
 */
export async function pushOnce(ctx: DeliveryContext, entry: OutboxEntry, stream: StoredStream | undefined, scheduled?: { nextAttemptAt?: number }): Promise<'delivered' | 'retrying' | 'failed' | 'held'> {
  const now = ctx.now()
  if (stream === undefined) {
    await ctx.outbox.remove(entry.streamId, [entry.jti])
    return 'failed'
  }
  // Paused or disabled: hold what is queued (a disabled stream gets nothing new, but the SETs it
  // already had — e.g. the backlog of a stream disabled for not taking delivery — stay for it, as
  // they do for poll streams, and go out once it is enabled again). Enabling reschedules them at
  // once (resumed); the recheck is only a fallback, and rare, so that a held backlog (up to
  // maxQueuedPerStream) does not keep filling the due window ahead of the other streams' SETs.
  if (stream.status !== 'enabled' && !entry.control) {
    await ctx.outbox.update({ ...entry, nextAttemptAt: now + ctx.pausedRecheck })
    return 'held'
  }
  const url = stream.config.delivery.endpoint_url
  if (stream.config.delivery.method === 'urn:ietf:rfc:8936') {
    // The stream switched to poll after this SET was queued: it waits for the receiver's poll.
    await ctx.outbox.update({ ...entry, delivery: 'poll' })
    return 'held'
  }
  if (stream.config.delivery.method !== 'urn:ietf:rfc:8935' || url === undefined) {
    await ctx.outbox.fail(entry.streamId, entry.jti, 'stream is no longer configured for push delivery', now)
    return 'failed'
  }
  const headers: Record<string, string> = { 'content-type': SET_MEDIA_TYPE, accept: 'application/json' }
  const auth = stream.config.delivery.authorization_header
  if (auth !== undefined) headers.authorization = auth
  let error: string
  let permanent = false
  // The timeout bounds the whole exchange even when a custom fetch (or its body) ignores the
  // signal: one hanging receiver must not hold the delivery pass, and so every other receiver.
  const signal = AbortSignal.timeout(ctx.timeoutMs)
  try {
    const response = await untilAborted(ctx.fetch(url, { method: 'POST', headers, body: entry.token, redirect: 'manual', signal }), signal)
    if (response.status >= 200 && response.status < 300) {
      void response.body?.cancel().catch(() => undefined)
      await ctx.outbox.remove(entry.streamId, [entry.jti])
      return 'delivered'
    }
    error = await untilAborted(describe(response), signal).catch(() => `HTTP ${response.status}`)
    permanent = response.status === 400
  } catch (cause) {
    error = `network error: ${cause instanceof Error ? cause.name : 'unknown'}`
  }
  const attempts = entry.attempts + 1
  if (permanent || attempts >= ctx.retry.maxAttempts) {
    await ctx.outbox.fail(entry.streamId, entry.jti, error, ctx.now())
    return 'failed'
  }
  const nextAttemptAt = ctx.now() + backoffDelay(ctx.retry, attempts)
  if (scheduled !== undefined) scheduled.nextAttemptAt = nextAttemptAt
  await ctx.outbox.update({ ...entry, attempts, lastError: error, nextAttemptAt })
  return 'retrying'
}
