import { StoreError } from '../../errors/index.js'
import { decodeUtf8Strict } from '../../internal/bytes.js'
import { systemClock } from '../../internal/time.js'
import {
  checkClock,
  checkIssuedAt,
  compactKey,
  isLive,
  lookupKeys,
  MAX_STORED_ENTRY_BYTES,
  normaliseEntry,
  readClock,
  readStoredEntry,
  revokes,
  type RevocationKind,
} from '../contract.js'
import type { RevocationEntry, RevocationKeys, RevocationStore } from '../types.js'
import type { RedisCommand } from './command.js'
import { isIntegerReply, redisBase, unexpectedReply } from './call.js'

/**
 * Options of {@link createRedisRevocationStore}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisRevocationStore, ioredisCommand, type RedisRevocationStoreOptions } from 'agentauth/stores/redis'
 *
 * const options: RedisRevocationStoreOptions = {
 *   command: ioredisCommand(new Redis.Cluster([{ host: '10.0.0.5', port: 6379 }])),
 *   prefix: '{agentauth-revoked}:', // one hash slot, so check() is a single MGET
 *   timeoutMs: 500,
 * }
 * const revocations = createRedisRevocationStore(options)
 * ```
 */
export interface RedisRevocationStoreOptions {
  /** Sends one command to Redis: `ioredisCommand(redis)`, `nodeRedisCommand(client)` or your own. */
  readonly command: RedisCommand
  /**
   * Prepended to every key (default `'agentauth:revoked:'`). On Redis Cluster include a hash tag
   * (`'{agentauth-revoked}:'`) so the one `MGET` of `check` stays in one slot.
   */
  readonly prefix?: string
  /** Longest wait for a reply before failing closed, in ms (integer 1–60 000, default 1000). */
  readonly timeoutMs?: number
  /**
   * Milliseconds since the epoch (default `Date.now`): `check` ignores entries past `until` by it,
   * and `revoke` sends nothing for an entry whose `until` has already passed by it.
   */
  readonly clock?: () => number
}

/**
 * Largest stored entry accepted back from Redis; anything larger is treated as corrupted. Sized
 * from the bounds `revoke` enforces (contract.ts), so everything it writes can be read back.
 */
const MAX_STORED_BYTES = MAX_STORED_ENTRY_BYTES

// Keeps the union of an existing and a new revocation of one key (contract.ts mergeEntries):
// the later `until`, the wider `issuedBefore` (absent = all). A corrupted old value is replaced.
// An entry already past `until` by the server's clock records nothing (the client has dropped
// those by its own clock; this covers a client clock behind Redis'): merged, it would lift a live
// `issuedBefore` cutoff, and stored alone, EXAT in the past would drop it anyway. pcall: an ACL
// user without TIME (scripts run under the caller's ACL) still revokes, on the client's check only.
const MERGE_SCRIPT = `local e = cjson.decode(ARGV[1])
local t = redis.pcall('TIME')
if type(t) == 'table' and t[1] ~= nil and e['until'] <= tonumber(t[1]) + tonumber(t[2]) / 1000000 then return 1 end
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and type(old['until']) == 'number' then
    if old['until'] > e['until'] then e['until'] = old['until'] end
    if e['issuedBefore'] ~= nil then
      local ib = old['issuedBefore']
      if type(ib) ~= 'number' then e['issuedBefore'] = nil
      elseif ib > e['issuedBefore'] then e['issuedBefore'] = ib end
    end
  end
end
redis.call('SET', KEYS[1], cjson.encode(e), 'EXAT', string.format('%d', math.ceil(e['until'])))
return 1`

function parseStored(raw: unknown, kind: RevocationKind, value: string): RevocationEntry {
  let text: string | undefined
  try {
    if (typeof raw === 'string') text = raw
    else if (raw instanceof Uint8Array && raw.byteLength <= MAX_STORED_BYTES) text = decodeUtf8Strict(raw)
  } catch {
    text = undefined
  }
  let parsed: unknown
  if (text !== undefined && text.length <= MAX_STORED_BYTES) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
  }
  const entry = readStoredEntry(parsed, kind, value)
  if (entry === undefined) throw new StoreError('ERR_STORE_UNAVAILABLE', `corrupted revocation entry in Redis (${kind})`)
  return entry
}

/**
 * Creates a {@link RevocationStore} shared by every verifier instance through Redis.
 *
 * Each key an entry names is stored as `<prefix><kind>:<value>` (values over 256 characters as
 * `sha256:<base64url>`), holding the entry as JSON with `EXAT <until>`, so Redis forgets it when
 * the credential would have expired anyway. `revoke` runs a small Lua script (`EVAL`, one key per
 * call, Cluster-safe) that keeps the union with an existing revocation of the same key: the later
 * `until` and the wider `issuedBefore`; an entry naming several keys is not atomic across them, so
 * when `revoke` rejects, retry it (the merge is idempotent). An entry whose `until` has passed
 * records nothing and never changes a live one: `revoke` does not send it (by `clock`), and the
 * script drops it when Redis' own clock says it has passed. `check` is one `MGET` over the
 * candidate keys; each value found is parsed strictly (JSON object, matching key, typed fields, at
 * most the size of the largest entry `revoke` accepts) and a corrupted one rejects with
 * `StoreError` instead of passing. Values are limited to 4096 characters and `reason` to 1024,
 * well-formed Unicode, exactly as in `createMemoryRevocationStore`, whose semantics this store
 * otherwise matches too.
 *
 * Fails closed: errors, unexpected replies and timeouts reject with
 * `StoreError('ERR_STORE_UNAVAILABLE')`. Revocations are state you cannot replay from the sender
 * after a crash unless it retries, so persist Redis with AOF (docs/stores.md).
 *
 * @param options - `command` (required), `prefix`, `timeoutMs`, `clock`.
 * @returns the revocation store.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options (e.g. a
 *   prefix with a lone surrogate), and as a rejection for bad arguments (a value over 4096 or a
 *   reason over 1024 characters, a lone surrogate in a value, reason or looked-up key) or a clock
 *   reading that is not finite; `StoreError` `ERR_STORE_UNAVAILABLE` (rejection) when Redis
 *   fails, is slow, or holds a corrupted entry.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisRevocationStore, ioredisCommand } from 'agentauth/stores/redis'
 *
 * const revocations = createRedisRevocationStore({ command: ioredisCommand(new Redis()) })
 * // until: the credential's exp plus the verifiers' clock tolerance (they still accept it that long)
 * await revocations.revoke({ jkt: thumbprint, until: witExp + 60, reason: 'credential-compromise' })
 * const hit = await revocations.check({ sub, jti, jkt: thumbprint }, iat)
 * ```
 */
export function createRedisRevocationStore(options: RedisRevocationStoreOptions): RevocationStore {
  const { prefix, call } = redisBase(options, 'agentauth:revoked:')
  const clock = checkClock(options.clock) ?? systemClock

  async function redisKey(kind: RevocationKind, value: string): Promise<string> {
    return `${prefix}${kind}:${await compactKey(value)}`
  }

  // The hot path: no promise per key unless a value is long enough to be hashed.
  function redisKeys(pairs: ReadonlyArray<readonly [RevocationKind, string]>): string[] | Promise<string[]> {
    const out: string[] = []
    for (const [kind, value] of pairs) {
      const compact = compactKey(value)
      if (typeof compact !== 'string') return Promise.all(pairs.map(([k, v]) => redisKey(k, v)))
      out.push(`${prefix}${kind}:${compact}`)
    }
    return out
  }

  const store: RevocationStore = {
    async revoke(entry: RevocationEntry): Promise<void> {
      const all = normaliseEntry(entry)
      const now = readClock(clock)
      // An entry whose until has passed records nothing (the script re-checks with Redis' clock).
      const parts = all.filter((p) => isLive(p.entry, now))
      await Promise.all(
        parts.map(async (p) => {
          const reply = await call(['EVAL', MERGE_SCRIPT, '1', await redisKey(p.kind, p.value), JSON.stringify(p.entry)])
          if (!isIntegerReply(reply, 1)) throw unexpectedReply('EVAL (revoke)')
        }),
      )
    },
    async check(keys: RevocationKeys, issuedAt?: number): Promise<RevocationEntry | undefined> {
      const pairs = lookupKeys(keys)
      const iat = checkIssuedAt(issuedAt)
      if (pairs.length === 0) return undefined
      const keyList = redisKeys(pairs)
      const reply = await call(['MGET', ...(Array.isArray(keyList) ? keyList : await keyList)])
      if (!Array.isArray(reply) || reply.length !== pairs.length) throw unexpectedReply('MGET')
      const now = readClock(clock)
      for (let i = 0; i < pairs.length; i++) {
        const raw: unknown = reply[i]
        if (raw === null) continue
        const [kind, value] = pairs[i]!
        const entry = parseStored(raw, kind, value)
        if (revokes(entry, now, iat)) return entry
      }
      return undefined
    },
  }
  return Object.freeze(store)
}
