import { StoreError } from '../errors/index.js'
import { assertObject } from '../internal/assert.js'
import { systemClock } from '../internal/time.js'
import {
  checkClock,
  checkIssuedAt,
  checkMaxEntries,
  compactKey,
  isLive,
  lookupKeys,
  mergeEntries,
  normaliseEntry,
  readClock,
  revokes,
  type NormalisedEntry,
} from './contract.js'
import { ExpiryMap } from './expiry-map.js'
import type { RevocationEntry, RevocationKeys, RevocationStore } from './types.js'

/**
 * Options of {@link createMemoryRevocationStore}.
 *
 * @example
 * ```ts
 * import { createMemoryRevocationStore, type MemoryRevocationStoreOptions } from 'agentauth/stores'
 *
 * const options: MemoryRevocationStoreOptions = { maxEntries: 50_000 }
 * const revocations = createMemoryRevocationStore(options)
 * ```
 */
export interface MemoryRevocationStoreOptions {
  /** Most live revoked keys held at once (default 100 000). When reached, `revoke` fails closed. */
  readonly maxEntries?: number
  /** Milliseconds since the epoch, like `Date.now` (the default). Inject it in tests. */
  readonly clock?: () => number
}

/**
 * A {@link RevocationStore} held in this process's memory, with audit helpers. Single instance
 * only: other processes do not see its revocations.
 *
 * @example
 * ```ts
 * import { createMemoryRevocationStore, type MemoryRevocationStore } from 'agentauth/stores'
 *
 * const revocations: MemoryRevocationStore = createMemoryRevocationStore()
 * await revocations.revoke({ sub: 'spiffe://example.org/agents/old', until: Math.floor(Date.now() / 1000) + 3600 })
 * console.log(revocations.size, revocations.list().map((entry) => entry.sub))
 * ```
 */
export interface MemoryRevocationStore extends RevocationStore {
  /** Revoked keys currently held (live ones, plus expired ones not yet swept). */
  readonly size: number
  /** The live revocations, one entry per revoked key, for audit or export. */
  list(): readonly RevocationEntry[]
}

async function storageKey(kind: string, value: string): Promise<string> {
  return `${kind}:${await compactKey(value)}`
}

/**
 * Creates a bounded in-memory {@link RevocationStore}.
 *
 * **Single instance only**: revocations recorded here are not seen by other processes, and are lost
 * on restart. Feed every instance from the same SSF stream, or share state with
 * `createRedisRevocationStore` from `agentauth/stores/redis`.
 *
 * Each key an entry names (`jti`, `jkt`, `sid`, `sub`) is revoked on its own: `{ sub, sid }`
 * revokes the whole subject, so name only the narrowest key you mean. Revoking a key twice keeps
 * the union: the later `until` and the wider `issuedBefore` (absent = every credential). An entry
 * whose `until` has passed (by `clock`; `until` equal to now included) records nothing and leaves a
 * live revocation of the same key untouched; stored ones are ignored once past and swept on write.
 * Values are at most 4096 characters and `reason` at most 1024, well-formed Unicode (no lone
 * surrogates) — the same limits as the Redis store. When `maxEntries` live keys are held,
 * `revoke` rejects with `StoreError('ERR_STORE_FULL')` (nothing is recorded, nothing evicted) so
 * the event's sender can retry.
 *
 * @param options - `maxEntries` (integer ≥ 1, default 100 000), `clock`.
 * @returns a store; `check(keys, issuedAt?)` resolves the stored entry (holding only the matched
 *   key) for the first of `jti`, `jkt`, `sid`, `sub` that is revoked, or `undefined`. An entry
 *   with `issuedBefore` matches when `issuedAt` is in its second or before it **or unknown** (fail closed).
 * @throws `TypeError` with `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options or
 *   arguments (as a rejection for method calls: e.g. an empty value, a value over 4096 or a reason
 *   over 1024 characters, a lone surrogate in a value, reason or looked-up key); `revoke` rejects
 *   with `StoreError` `ERR_STORE_FULL` when full of live entries.
 *
 * @example
 * ```ts
 * import { createMemoryRevocationStore } from 'agentauth/stores'
 *
 * const revocations = createMemoryRevocationStore()
 * await revocations.revoke({ sid: 'session-42', until: exp + 60, reason: 'session-revoked' }) // exp + clock tolerance
 * const hit = await revocations.check({ sub: 'spiffe://example.org/agent', sid: 'session-42' }, iat)
 * if (hit) throw new Error(`revoked: ${hit.reason}`)
 * ```
 */
export function createMemoryRevocationStore(options: MemoryRevocationStoreOptions = {}): MemoryRevocationStore {
  assertObject(options, 'options')
  const maxEntries = checkMaxEntries(options.maxEntries, 100_000)
  const clock = checkClock(options.clock) ?? systemClock
  const map = new ExpiryMap<NormalisedEntry>()

  function added(parts: readonly NormalisedEntry[], keys: readonly string[], now: number): number {
    let n = 0
    for (let i = 0; i < parts.length; i++) if (map.get(keys[i]!, now) === undefined) n++
    return n
  }

  const store: MemoryRevocationStore = {
    get size(): number {
      return map.size
    },
    list(): readonly RevocationEntry[] {
      const now = readClock(clock)
      return Object.freeze(Array.from(map.entries(now), ([, v]) => v.entry))
    },
    async revoke(entry: RevocationEntry): Promise<void> {
      const all = normaliseEntry(entry)
      const allKeys = await Promise.all(all.map((p) => storageKey(p.kind, p.value)))
      // Everything below is synchronous, so a revoke is all-or-nothing and atomic.
      const now = readClock(clock)
      map.sweep(now)
      // A part whose until has passed records nothing; merged, it could lift a live cutoff.
      const parts: NormalisedEntry[] = []
      const keys: string[] = []
      for (let i = 0; i < all.length; i++) {
        if (isLive(all[i]!.entry, now)) {
          parts.push(all[i]!)
          keys.push(allKeys[i]!)
        }
      }
      if (parts.length === 0) return
      if (map.size + added(parts, keys, now) > maxEntries) {
        map.sweep(now, Number.POSITIVE_INFINITY)
        if (map.size + added(parts, keys, now) > maxEntries) {
          throw new StoreError('ERR_STORE_FULL', `revocation store is full (${maxEntries} live entries)`)
        }
      }
      for (let i = 0; i < parts.length; i++) {
        const key = keys[i]!
        const old = map.get(key, now)
        const next = old === undefined ? parts[i]! : mergeEntries(old, parts[i]!)
        map.set(key, next, next.entry.until * 1000)
      }
    },
    async check(keys: RevocationKeys, issuedAt?: number): Promise<RevocationEntry | undefined> {
      const pairs = lookupKeys(keys)
      const iat = checkIssuedAt(issuedAt)
      for (const [kind, value] of pairs) {
        const compact = compactKey(value)
        const key = `${kind}:${typeof compact === 'string' ? compact : await compact}`
        const now = readClock(clock)
        const hit = map.get(key, now)
        if (hit !== undefined && hit.value === value && revokes(hit.entry, now, iat)) return hit.entry
      }
      return undefined
    },
  }
  return Object.freeze(store)
}
