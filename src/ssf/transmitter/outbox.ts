// The transmitter's durable state behind one small interface: signed SETs waiting for delivery
// (push: scheduled with retries; poll: held until acknowledged) and the stream configurations
// they belong to, so a new transmitter instance on the same store carries on where the old one
// stopped. Memory implementation here; Redis in redis-outbox.ts.
import { StoreError, codedTypeError } from '../../errors/index.js'
import { assertObject, optionalNumber } from '../../internal/assert.js'
import type { StreamConfiguration } from '../stream-client.js'
import type { SubjectId } from '../subject-id.js'

/**
 * One signed SET waiting for delivery to one stream.
 *
 * @example
 * ```ts
 * for (const e of (await outbox.pending(streamId, 10)).entries) console.log(e.jti, e.attempts, e.lastError)
 * ```
 */
export interface OutboxEntry {
  readonly jti: string
  readonly streamId: string
  /** The compact SET. */
  readonly token: string
  /** `push` entries are scheduled by `nextAttemptAt`; `poll` entries wait for an acknowledgement. */
  readonly delivery: 'push' | 'poll'
  /** Stream-control events (verification, stream-updated) are delivered even while paused. */
  readonly control: boolean
  /** Milliseconds since the epoch; orders entries of a stream. */
  readonly createdAt: number
  /** Delivery attempts so far. */
  readonly attempts: number
  /** Milliseconds since the epoch when the next push attempt is due. */
  readonly nextAttemptAt: number
  /** Last delivery error, for diagnostics. */
  readonly lastError?: string
}

/**
 * An entry given up on: rejected by the receiver (400 / `setErrs`) or out of retries.
 *
 * @example
 * ```ts
 * for (const f of await transmitter.failed()) console.warn(f.jti, f.error)
 * ```
 */
export interface FailedEntry extends OutboxEntry {
  readonly failedAt: number
  readonly error: string
}

/**
 * A stream as the transmitter stores it.
 *
 * @example
 * ```ts
 * const s: StoredStream | undefined = await outbox.getStream(streamId)
 * console.log(s?.status, s?.config.delivery)
 * ```
 */
export interface StoredStream {
  /** The configuration returned to the receiver (SSF 1.0 §8.1.1). */
  readonly config: StreamConfiguration
  /** The receiver (as named by the transmitter's `authorizeReceiver`) that owns it. */
  readonly owner: string
  readonly status: 'enabled' | 'paused' | 'disabled'
  readonly reason?: string
  /** Subjects added by the receiver (SSF 1.0 §8.1.3.2). */
  readonly subjects: readonly SubjectId[]
  /** Subjects removed while `default_subjects` is `ALL`. */
  readonly excluded: readonly SubjectId[]
  /** Milliseconds since the epoch of the last verification request (rate limit). */
  readonly lastVerificationAt?: number
}

/**
 * Where a transmitter keeps undelivered SETs and its streams. Implementations must be safe for
 * several transmitter instances: delivery is at-least-once (two instances may push the same
 * entry; receivers deduplicate by `jti`).
  *
  * @example
  * ```ts
  * const outbox: OutboxStore = redisCommand ? createRedisOutbox({ command: redisCommand }) : createMemoryOutbox()
  * ```
  */
export interface OutboxStore {
  /** Adds a signed SET. */
  enqueue(entry: OutboxEntry): Promise<void>
  /** Push entries whose `nextAttemptAt` ≤ `now`, oldest first, at most `limit`. */
  due(now: number, limit: number): Promise<readonly OutboxEntry[]>
  /** Entries of a stream in creation order (push and poll), at most `limit`, and whether more exist. */
  pending(streamId: string, limit: number): Promise<{ readonly entries: readonly OutboxEntry[]; readonly more: boolean }>
  /** Replaces a still-present entry (attempts, schedule, delivery method); no-op when it was removed meanwhile. */
  update(entry: OutboxEntry): Promise<void>
  /** Removes delivered / acknowledged entries of `streamId` (jtis of other streams are ignored). */
  remove(streamId: string, jtis: readonly string[]): Promise<void>
  /** Moves an entry of `streamId` to the failed list with `error`. */
  fail(streamId: string, jti: string, error: string, now: number): Promise<void>
  /** The most recent failed entries (newest last), at most `limit` (a non-negative integer, default 100). */
  failed(limit?: number): Promise<readonly FailedEntry[]>
  putStream(stream: StoredStream): Promise<void>
  getStream(streamId: string): Promise<StoredStream | undefined>
  listStreams(): Promise<readonly StoredStream[]>
  /** Deletes a stream and every entry still queued for it. */
  deleteStream(streamId: string): Promise<void>
  /**
   * How many entries are queued for `streamId` (optional: without it the transmitter asks
   * `pending` for one more than its per-stream limit).
   */
  queued?(streamId: string): Promise<number>
  /**
   * The stream-control entries (verification, stream-updated) of `streamId` in creation order, at
   * most `limit` (optional: without it a poll of a paused or disabled stream finds them among the
   * first `limit` entries only). They are delivered while the stream is paused or disabled.
   */
  pendingControl?(streamId: string, limit: number): Promise<readonly OutboxEntry[]>
}

/**
 * Options of {@link createMemoryOutbox}.
 *
 * @example
 * ```ts
 * createMemoryOutbox({ maxEntries: 10_000, maxFailed: 100 })
 * ```
 */
export interface MemoryOutboxOptions {
  /** Most queued entries (default 100 000); beyond, `enqueue` fails closed with `StoreError`. */
  readonly maxEntries?: number
  /** Failed entries kept (default 1000). */
  readonly maxFailed?: number
}

/**
 * Creates an in-memory {@link OutboxStore}. Everything is lost when the process stops — queued
 * SETs included. Use `createRedisOutbox` when undelivered events must survive a restart.
 *
 * @param options - {@link MemoryOutboxOptions}.
 * @returns the store.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options; `enqueue` rejects with StoreError `ERR_STORE_FULL`.
 *
 * @example
 * ```ts
 * import { createMemoryOutbox, createTransmitter } from 'agentauth/ssf/transmitter'
 * const transmitter = createTransmitter({ issuer, signer, outbox: createMemoryOutbox(), authorizeReceiver })
 * ```
 */
export function createMemoryOutbox(options: MemoryOutboxOptions = {}): OutboxStore {
  assertObject(options, 'options')
  const maxEntries = optionalNumber(options.maxEntries, 'options.maxEntries', 100_000, { min: 1, integer: true })
  const maxFailed = optionalNumber(options.maxFailed, 'options.maxFailed', 1000, { min: 0, integer: true })
  const entries = new Map<string, OutboxEntry>()
  // Per-stream index in creation order, so a poll or a paused-stream check costs the size of that
  // stream's queue, not a filter and sort of the whole outbox. Entries arrive in createdAt order;
  // a stream that got one out of order is sorted once, on its next read.
  const byStream = new Map<string, Map<string, OutboxEntry>>()
  const lastCreated = new Map<string, number>()
  /** Push entries only: `due` scans these, not the poll entries waiting for an acknowledgement. */
  const pushes = new Map<string, OutboxEntry>()
  const unsorted = new Set<string>()
  const streams = new Map<string, StoredStream>()
  const byCreated = (a: OutboxEntry, b: OutboxEntry): number => a.createdAt - b.createdAt
  const put = (e: OutboxEntry): void => {
    entries.set(e.jti, e)
    if (e.delivery === 'push') pushes.set(e.jti, e)
    let list = byStream.get(e.streamId)
    if (list === undefined) byStream.set(e.streamId, (list = new Map()))
    const last = lastCreated.get(e.streamId)
    if (last !== undefined && e.createdAt < last) unsorted.add(e.streamId)
    else lastCreated.set(e.streamId, e.createdAt)
    list.set(e.jti, e)
  }
  const drop = (e: OutboxEntry): void => {
    entries.delete(e.jti)
    pushes.delete(e.jti)
    const list = byStream.get(e.streamId)
    if (list === undefined) return
    list.delete(e.jti)
    if (list.size > 0) return
    byStream.delete(e.streamId)
    lastCreated.delete(e.streamId)
    unsorted.delete(e.streamId)
  }
  const failedList: FailedEntry[] = []
  const clone = <T>(v: T): T => structuredClone(v)
  /** The stream's entries in creation order (stable for equal createdAt, as insertion order). */
  const ofStream = (streamId: string): Iterable<OutboxEntry> => {
    const list = byStream.get(streamId)
    if (list === undefined) return []
    if (unsorted.has(streamId)) {
      const sorted = [...list.values()].sort(byCreated)
      list.clear()
      for (const e of sorted) list.set(e.jti, e)
      lastCreated.set(streamId, sorted[sorted.length - 1]!.createdAt)
      unsorted.delete(streamId)
    }
    return list.values()
  }
  const first = (items: Iterable<OutboxEntry>, limit: number, keep: (e: OutboxEntry) => boolean = () => true): OutboxEntry[] => {
    const out: OutboxEntry[] = []
    if (limit <= 0) return out
    for (const e of items) {
      if (!keep(e)) continue
      out.push(clone(e))
      if (out.length >= limit) break
    }
    return out
  }

  return Object.freeze({
    async enqueue(entry: OutboxEntry): Promise<void> {
      if (entries.size >= maxEntries) {
        throw new StoreError('ERR_STORE_FULL', 'outbox is full')
      }
      if (typeof entry?.jti !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'entry.jti must be a string')
      const previous = entries.get(entry.jti)
      if (previous !== undefined) drop(previous)
      put(clone(entry))
    },
    async due(now: number, limit: number): Promise<readonly OutboxEntry[]> {
      return [...pushes.values()].filter((e) => e.nextAttemptAt <= now).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt).slice(0, limit).map(clone)
    },
    async pending(streamId: string, limit: number): Promise<{ readonly entries: readonly OutboxEntry[]; readonly more: boolean }> {
      const entries = first(ofStream(streamId), limit)
      return { entries, more: (byStream.get(streamId)?.size ?? 0) > entries.length }
    },
    async update(entry: OutboxEntry): Promise<void> {
      const previous = entries.get(entry.jti)
      if (previous === undefined) return
      const next = clone(entry)
      if (next.streamId !== previous.streamId || next.createdAt !== previous.createdAt || next.delivery !== previous.delivery) {
        drop(previous)
        put(next)
        return
      }
      entries.set(next.jti, next)
      if (next.delivery === 'push') pushes.set(next.jti, next)
      byStream.get(next.streamId)?.set(next.jti, next)
    },
    async remove(streamId: string, jtis: readonly string[]): Promise<void> {
      for (const jti of jtis) {
        const e = entries.get(jti)
        if (e?.streamId === streamId) drop(e)
      }
    },
    async fail(streamId: string, jti: string, error: string, now: number): Promise<void> {
      const e = entries.get(jti)
      if (e === undefined || e.streamId !== streamId) return
      drop(e)
      if (maxFailed === 0) return
      failedList.push({ ...e, failedAt: now, error })
      if (failedList.length > maxFailed) failedList.splice(0, failedList.length - maxFailed)
    },
    async failed(limit = 100): Promise<readonly FailedEntry[]> {
      // slice(-0) is the whole list, and NaN / negative / fractional limits other odd slices.
      optionalNumber(limit, 'limit', 100, { min: 0, integer: true })
      return limit === 0 ? [] : failedList.slice(-limit).map(clone)
    },
    async putStream(stream: StoredStream): Promise<void> {
      streams.set(stream.config.stream_id, clone(stream))
    },
    async getStream(streamId: string): Promise<StoredStream | undefined> {
      const s = streams.get(streamId)
      return s === undefined ? undefined : clone(s)
    },
    async listStreams(): Promise<readonly StoredStream[]> {
      return [...streams.values()].map(clone)
    },
    async deleteStream(streamId: string): Promise<void> {
      streams.delete(streamId)
      for (const e of [...ofStream(streamId)]) drop(e)
    },
    async queued(streamId: string): Promise<number> {
      return byStream.get(streamId)?.size ?? 0
    },
    async pendingControl(streamId: string, limit: number): Promise<readonly OutboxEntry[]> {
      return first(ofStream(streamId), limit, (e) => e.control)
    },
  })
}
