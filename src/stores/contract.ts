// Shared semantics of every ReplayCache / RevocationStore implementation (memory and Redis), so the
// two cannot drift: argument checks, key compaction, entry normalisation, merge and match rules.
import { codedTypeError } from '../errors/index.js'
import { encode as base64url } from '../internal/base64url.js'
import { bs, utf8 } from '../internal/bytes.js'
import { hasLoneSurrogate, isPlainObject } from '../internal/json.js'
import type { RevocationEntry, RevocationKeys } from './types.js'

/** Largest epoch-seconds value accepted (9999-12-31T23:59:59Z); Redis rejects far larger EXATs. */
export const MAX_EPOCH_SECONDS = 253_402_300_799

/** Keys (and revocation values) longer than this are replaced by their SHA-256 before storage. */
export const MAX_VERBATIM_KEY = 256
const HASHED_PREFIX = 'sha256:'

/** Longest revoked value (`jti`, `jkt`, `sid`, `sub`) `revoke` accepts, in UTF-16 code units. */
export const MAX_REVOCATION_VALUE = 4096
/** Longest `reason` `revoke` accepts, in UTF-16 code units. */
export const MAX_REASON_LENGTH = 1024

/**
 * Upper bound, in bytes, of the JSON a valid revocation is stored as, so a reader can bound its
 * input without ever refusing an entry `revoke` accepted. Worst case per UTF-16 code unit of the
 * value and the reason: 6 bytes (`\u0001`; Lua cjson also writes `\u007f` and `\/`; a non-ASCII
 * unit is at most 3 UTF-8 bytes, a surrogate pair 4 for two units; lone surrogates are refused).
 * Plus the fixed part: field names and punctuation (60 bytes) and three numbers (cjson prints at
 * most ~22 characters each; valid ones have at most 12 digits), rounded up to 256.
 * A string reply is measured in UTF-16 code units, never more than its UTF-8 bytes.
 */
export const MAX_STORED_ENTRY_BYTES: number = 6 * (MAX_REVOCATION_VALUE + MAX_REASON_LENGTH) + 256

/**
 * Refuses strings that are not well-formed UTF-16 (a lone surrogate): they cannot be encoded as
 * UTF-8, so a Redis client sends U+FFFD instead (two distinct keys collide) and Lua cjson refuses
 * the JSON escape. A coded TypeError; the message never carries the value.
 */
export function checkWellFormed(value: string, name: string): string {
  if (hasLoneSurrogate(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be well-formed Unicode (it holds a lone surrogate)`)
  return value
}

/** Revocation key kinds, in the order `check` reports matches (most specific first). */
export const REVOCATION_KINDS = ['jti', 'jkt', 'sid', 'sub'] as const
export type RevocationKind = (typeof REVOCATION_KINDS)[number]

/** Ceil'ed epoch seconds for a store expiry; a coded TypeError for anything unusable. */
export function checkEpochSeconds(value: unknown, name: string): number {
  if (typeof value !== 'number') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a number (epoch seconds)`)
  if (!Number.isFinite(value) || value <= 0 || value > MAX_EPOCH_SECONDS) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be finite epoch seconds in (0, ${MAX_EPOCH_SECONDS}]`)
  }
  return Math.ceil(value)
}

/** A replay key or revocation value: a non-empty, well-formed string (any length; long ones are hashed). */
export function checkKey(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
  return checkWellFormed(value, name)
}

/**
 * Short keys are stored verbatim; long ones (and any that look hashed) become `sha256:<b64url>`.
 * The two forms cannot collide, so the mapping stays injective (up to SHA-256 collisions).
 * Returns a string synchronously when no hashing is needed, to keep the common path free of hops.
 */
export function compactKey(key: string): string | Promise<string> {
  if (key.length <= MAX_VERBATIM_KEY && !key.startsWith(HASHED_PREFIX)) return key
  return globalThis.crypto.subtle.digest('SHA-256', bs(utf8(key))).then((d) => HASHED_PREFIX + base64url(new Uint8Array(d)))
}

/** One stored revocation: exactly one key kind plus its timing fields. */
export interface NormalisedEntry {
  readonly kind: RevocationKind
  readonly value: string
  readonly entry: RevocationEntry
}

function optionalEpoch(entry: Record<string, unknown>, name: string, round: (n: number) => number): number | undefined {
  const v = entry[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number') throw codedTypeError('ERR_INVALID_ARG_TYPE', `entry.${name} must be a number`)
  if (!Number.isFinite(v) || v < 0 || v > MAX_EPOCH_SECONDS) throw codedTypeError('ERR_INVALID_ARG_VALUE', `entry.${name} must be finite epoch seconds`)
  return round(v)
}

/** Builds a frozen single-key entry; properties appear in a fixed order (stable JSON). */
function buildEntry(kind: RevocationKind, value: string, until: number, reason?: string, revokedAt?: number, issuedBefore?: number): RevocationEntry {
  const out: Record<string, unknown> = { [kind]: value, until }
  if (reason !== undefined) out.reason = reason
  if (revokedAt !== undefined) out.revokedAt = revokedAt
  if (issuedBefore !== undefined) out.issuedBefore = issuedBefore
  return Object.freeze(out) as unknown as RevocationEntry
}

/**
 * Validates a `revoke` argument and splits it into one entry per key kind it names (each key is
 * revoked on its own). `until` and `issuedBefore` are rounded up, `revokedAt` down. Values are at
 * most {@link MAX_REVOCATION_VALUE} and the reason at most {@link MAX_REASON_LENGTH} code units,
 * all well-formed, so every accepted entry fits {@link MAX_STORED_ENTRY_BYTES} once stored.
 */
export function normaliseEntry(entry: unknown): NormalisedEntry[] {
  if (typeof entry !== 'object' || entry === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'entry must be an object')
  const e = entry as Record<string, unknown>
  const until = checkEpochSeconds(e.until, 'entry.until')
  const reason = e.reason
  if (reason !== undefined && typeof reason !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'entry.reason must be a string')
  if (typeof reason === 'string') {
    if (reason.length > MAX_REASON_LENGTH) throw codedTypeError('ERR_INVALID_ARG_VALUE', `entry.reason must be at most ${MAX_REASON_LENGTH} characters`)
    checkWellFormed(reason, 'entry.reason')
  }
  const revokedAt = optionalEpoch(e, 'revokedAt', Math.floor)
  const issuedBefore = optionalEpoch(e, 'issuedBefore', Math.ceil)
  const out: NormalisedEntry[] = []
  for (const kind of REVOCATION_KINDS) {
    const value = e[kind]
    if (value === undefined) continue
    const name = `entry.${kind}`
    if (typeof value === 'string' && value.length > MAX_REVOCATION_VALUE) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be at most ${MAX_REVOCATION_VALUE} characters`)
    }
    out.push({ kind, value: checkKey(value, name), entry: buildEntry(kind, value as string, until, reason, revokedAt, issuedBefore) })
  }
  if (out.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'entry must set at least one of jti, jkt, sid, sub')
  return out
}

/**
 * Validates `check` keys; returns the [kind, value] pairs that are set, in REVOCATION_KINDS order.
 * No length limit: a value longer than `revoke` accepts is looked up like any other (and not found).
 */
export function lookupKeys(keys: RevocationKeys): Array<readonly [RevocationKind, string]> {
  if (typeof keys !== 'object' || keys === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'keys must be an object')
  const out: Array<readonly [RevocationKind, string]> = []
  for (const kind of REVOCATION_KINDS) {
    const value = keys[kind]
    if (value !== undefined) out.push([kind, checkKey(value, `keys.${kind}`)])
  }
  return out
}

export function checkIssuedAt(issuedAt: unknown): number | undefined {
  if (issuedAt === undefined) return undefined
  if (typeof issuedAt !== 'number') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'issuedAt must be a number')
  if (!Number.isFinite(issuedAt)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'issuedAt must be finite')
  return issuedAt
}

/** Whether an entry is still in force at `nowMs`: live while `nowMs < until * 1000`. */
export function isLive(entry: RevocationEntry, nowMs: number): boolean {
  return nowMs < entry.until * 1000
}

/**
 * Union of an existing and a new revocation of the same key: the longer `until`, and the wider
 * `issuedBefore` (absent = every credential). Over-revoking is the fail-closed direction.
 * Reason and revokedAt come from the newer entry. The Redis Lua script mirrors this rule.
 * Both entries must be live ({@link isLive}): an entry whose `until` has passed records nothing, so
 * callers drop it *before* merging — merged, it would remove or widen a live `issuedBefore` cutoff.
 */
export function mergeEntries(old: NormalisedEntry, next: NormalisedEntry): NormalisedEntry {
  const o = old.entry
  const n = next.entry
  const until = Math.max(o.until, n.until)
  const issuedBefore = o.issuedBefore === undefined || n.issuedBefore === undefined ? undefined : Math.max(o.issuedBefore, n.issuedBefore)
  return { kind: next.kind, value: next.value, entry: buildEntry(next.kind, next.value, until, n.reason, n.revokedAt, issuedBefore) }
}

/**
 * Whether an entry revokes a credential now. Live while `nowMs < until * 1000`. With
 * `issuedBefore`, a credential is revoked when it was issued at or before that instant, or when its
 * issue time is unknown (fail closed). "At or before": NumericDates have one-second granularity, so a
 * credential issued in the same second as the revocation cannot be told apart from one issued just
 * before it — it is revoked; a replacement must be issued in a later second. A fractional `iat`
 * counts as its whole second (100.5 is in the same second as an `issuedBefore` of 100).
 */
export function revokes(entry: RevocationEntry, nowMs: number, issuedAt: number | undefined): boolean {
  if (!isLive(entry, nowMs)) return false
  if (entry.issuedBefore === undefined || issuedAt === undefined) return true
  return Math.floor(issuedAt) <= entry.issuedBefore
}

/**
 * Strictly re-validates an entry read back from storage: a plain object whose `kind` field equals
 * the looked-up value and whose timing fields are well-typed. Returns undefined when it is not.
 * Unknown fields are ignored (forward compatibility); they are not returned.
 */
export function readStoredEntry(value: unknown, kind: RevocationKind, expected: string): RevocationEntry | undefined {
  if (!isPlainObject(value)) return undefined
  if (value[kind] !== expected) return undefined
  const { until, reason, revokedAt, issuedBefore } = value
  const isEpoch = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_EPOCH_SECONDS
  if (!isEpoch(until)) return undefined
  if (reason !== undefined && typeof reason !== 'string') return undefined
  if (revokedAt !== undefined && !isEpoch(revokedAt)) return undefined
  if (issuedBefore !== undefined && !isEpoch(issuedBefore)) return undefined
  return buildEntry(kind, expected, until, reason, revokedAt, issuedBefore)
}

export function checkMaxEntries(value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.maxEntries must be a number')
  if (!Number.isInteger(value) || value < 1 || value > 1e9) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxEntries must be an integer in [1, 1e9]')
  return value
}

/** The clock's reading in ms; a non-finite reading must never make live entries look expired. */
export function readClock(clock: () => number): number {
  const now = clock()
  if (typeof now !== 'number' || !Number.isFinite(now)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'clock() must return finite milliseconds')
  return now
}

export function checkClock(value: unknown): (() => number) | undefined {
  if (value !== undefined && typeof value !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  return value as (() => number) | undefined
}
