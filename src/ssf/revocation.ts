// Security events → RevocationEntry[] (the mapping table is in docs/ssf-receiver.md). Policy:
// an entry revokes credentials issued at or before the moment the transmitter knew of the event
// (`issuedBefore` = max(event time, SET iat)) for subject-wide revocations; session (`sid`) and
// credential (`jti`, `jkt`) revocations are unconditional. Every entry lives until
// issuedBefore + maxCredentialLifetime + clockTolerance: by then every credential it could match
// has expired, past the verifiers' grace period too.
import { codedTypeError } from '../errors/index.js'
import { assertFunction, optionalNumber } from '../internal/assert.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { MAX_REVOCATION_VALUE } from '../stores/contract.js'
import type { RevocationEntry, RevocationKeys, RevocationStore } from '../stores/types.js'
import type { SecurityEvent } from './events.js'
import type { EventContext, EventHandler } from './push-receiver.js'
import type { SecurityEventToken } from './set.js'
import { COMPLEX_SUBJECT_MEMBERS, type AliasesSubjectId, type ComplexSubjectId, type SimpleSubjectId, type SubjectId } from './subject-id.js'

/**
 * Options of {@link revocationsFromEvent} and {@link applyToStore}.
 *
 * @example
 * ```ts
 * revocationsFromEvent(set, { maxCredentialLifetime: 3600 })
 * ```
 */
export interface RevocationMappingOptions {
  /**
   * The longest lifetime (seconds) of any credential your verifiers accept (WIT, access token,
   * session). Entries expire this long after the event. Default 86400 (24 h); at most 100 years.
   */
  maxCredentialLifetime?: number
  /**
   * Seconds your verifiers still accept a credential past its `exp` (their `clockTolerance`);
   * entries outlive `issuedBefore + maxCredentialLifetime` by this much, so a revoked credential
   * is not accepted again in that grace period. Default 300 (the most the agentauth WIT, WPT and
   * request verifiers allow); 0–86400.
   */
  clockTolerance?: number
  /** Milliseconds clock (for `revokedAt`, and the event time of a bare event without timestamps). */
  clock?: Clock
}

/**
 * agentauth's proprietary subject format for a key thumbprint (SSF 1.0 §3.4): `{"format":"jwk_thumbprint","jkt":"…"}`.
 *
 * @example
 * ```ts
 * await transmitter.emit({ type: 'credential-change', credential_type: 'app', change_type: 'revoke' }, { format: JWK_THUMBPRINT_FORMAT, jkt: thumbprint })
 * ```
 */
export const JWK_THUMBPRINT_FORMAT = 'jwk_thumbprint'

/** Largest `clockTolerance` of the agentauth WIT / WPT / request verifiers (seconds). */
const DEFAULT_TOLERANCE = 300

// Which RevocationKeys value a simple identifier stands for, as a principal or as a session.
function principalValue(id: SimpleSubjectId): Partial<Record<'sub' | 'jti' | 'jkt', string>> {
  const x = id as Record<string, unknown>
  switch (id.format) {
    case 'uri': case 'account': return { sub: x.uri as string }
    case 'iss_sub': return { sub: x.sub as string }
    case 'email': return { sub: x.email as string }
    case 'phone_number': return { sub: x.phone_number as string }
    case 'did': return { sub: x.url as string }
    case 'opaque': return { sub: x.id as string }
    case 'jwt_id': return { jti: x.jti as string }
    case 'saml_assertion_id': return { jti: x.assertion_id as string }
    // A proprietary format, so its member is not length-checked by parseSubjectId: one longer than
    // a store keeps (no thumbprint is) is no key at all; revoking it would fail on every delivery.
    case JWK_THUMBPRINT_FORMAT: return typeof x.jkt === 'string' && x.jkt.length > 0 && x.jkt.length <= MAX_REVOCATION_VALUE ? { jkt: x.jkt } : {}
    default: return {}
  }
}

function sessionValue(id: SimpleSubjectId): string | undefined {
  const x = id as Record<string, unknown>
  switch (id.format) {
    case 'opaque': return x.id as string
    case 'jwt_id': return x.jti as string
    case 'uri': return x.uri as string
    default: return undefined
  }
}

function simples(id: SubjectId | undefined): SimpleSubjectId[] {
  if (id === undefined) return []
  if (id.format === 'aliases') return [...(id as AliasesSubjectId).identifiers]
  return id.format === 'complex' ? [] : [id as SimpleSubjectId]
}

/** `sid`, `jti`/`jkt` (unconditional) and `sub` (issuedBefore) keys named by a subject. */
function keysOf(subject: SubjectId | undefined, sessionScoped: boolean): { exact: RevocationKeys[]; principal: string[] } {
  const exact: RevocationKeys[] = []
  const principal: string[] = []
  const addPrincipal = (ids: SimpleSubjectId[]): void => {
    for (const id of ids) {
      const v = principalValue(id)
      if (v.sub !== undefined) principal.push(v.sub)
      if (v.jti !== undefined) exact.push({ jti: v.jti })
      if (v.jkt !== undefined) exact.push({ jkt: v.jkt })
    }
  }
  if (subject?.format === 'complex') {
    const c = subject as ComplexSubjectId
    const sessions = simples(c.session).map(sessionValue).filter((s): s is string => s !== undefined)
    for (const sid of sessions) exact.push({ sid })
    // A session-revoked naming a session revokes that session only, not the user's other sessions.
    if (!(sessionScoped && sessions.length > 0)) addPrincipal(simples(c.user))
    // A credential (jwt_id) or bound key (jwk_thumbprint) named in any other member, the session
    // included, is revoked by its jti / jkt as documented.
    for (const m of COMPLEX_SUBJECT_MEMBERS) if (m !== 'user') addPrincipal(simples(c[m]).filter((i) => i.format === 'jwt_id' || i.format === JWK_THUMBPRINT_FORMAT))
  } else if (sessionScoped) {
    for (const id of simples(subject)) {
      if (id.format === 'opaque') exact.push({ sid: (id as { id: string }).id })
      else addPrincipal([id])
    }
  } else {
    addPrincipal(simples(subject))
  }
  return { exact, principal }
}

type Scope = 'session' | 'principal'
const MAPPING: Readonly<Partial<Record<SecurityEvent['type'], Scope | ((e: SecurityEvent) => Scope | undefined)>>> = {
  'session-revoked': 'session',
  'credential-change': (e) => ((e as { change_type?: string }).change_type === 'create' ? undefined : 'principal'),
  'account-disabled': 'principal',
  'account-purged': 'principal',
  'credential-compromise': 'principal',
  'sessions-revoked': 'principal',
  'identifier-recycled': 'principal',
}

/**
 * At most 100 years: `until` must stay a date the stores accept (year 9999 at most); a longer
 * lifetime made every entry one the store refuses, so each SET failed on every delivery.
 */
const MAX_LIFETIME = 3_153_600_000

/** Checks the mapping options (also at applyToStore construction: a bad clock failed every SET). */
function checkMapping(options: RevocationMappingOptions): { tolerance: number; lifetime: number } {
  const tolerance = optionalNumber(options.clockTolerance, 'options.clockTolerance', DEFAULT_TOLERANCE, { min: 0, max: 86_400 })
  const lifetime = optionalNumber(options.maxCredentialLifetime, 'options.maxCredentialLifetime', 86_400, { min: 1, max: MAX_LIFETIME }) + tolerance
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  return { tolerance, lifetime }
}

function isSET(input: SecurityEventToken | SecurityEvent): input is SecurityEventToken {
  return Array.isArray((input as SecurityEventToken).events)
}

/**
 * Maps a security event (or every event of a SET) to the revocations it implies.
 *
 * | event | entries |
 * |---|---|
 * | CAEP `session-revoked` | `sid` of the session (complex `session` member, or a simple `opaque` subject); without a session: the user's `sub` with `issuedBefore` |
 * | CAEP `credential-change` (`revoke`, `delete`, `update`) | `sub` with `issuedBefore`; `jti` for a `jwt_id` subject; `jkt` for a `jwk_thumbprint` subject |
 * | RISC `account-disabled`, `account-purged`, `credential-compromise`, `sessions-revoked`, `identifier-recycled` | `sub` with `issuedBefore` (+ `jti`/`jkt` as above) |
 * | everything else (claims/assurance/compliance/risk changes, session-established, opt-in/out, recovery, verification, unknown) | none |
 *
 * Subject → `sub`: `uri`, `account` (the `acct:` URI), `iss_sub` (`sub`), `email`, `phone_number`,
 * `did` (`url`), `opaque` (`id`); `aliases` yield one entry per alias; complex subjects use
 * `user` (and `session`). An RFC 8417-profile SET without `sub_id` whose event names no subject
 * uses its top-level `sub` (as `iss_sub`). `issuedBefore` = max(`event_timestamp`/`toe`, SET `iat`), at most now +
 * `clockTolerance`; `until` = `issuedBefore` + `maxCredentialLifetime` + `clockTolerance` (default 300).
 *
 * @param input - a verified SET (all its events) or one event.
 * @param options - {@link RevocationMappingOptions}.
 * @returns frozen entries, possibly empty.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for a bad `maxCredentialLifetime` (1 s to 100 years) or `clockTolerance`; `ERR_INVALID_ARG_TYPE` for a `clock` that is not a function.
 *
 * @example
 * ```ts
 * import { revocationsFromEvent } from 'agentauth/ssf'
 * for (const entry of revocationsFromEvent(set)) await revocationStore.revoke(entry)
 * ```
 */
export function revocationsFromEvent(input: SecurityEventToken | SecurityEvent, options: RevocationMappingOptions = {}): readonly RevocationEntry[] {
  const { tolerance, lifetime } = checkMapping(options)
  const now = nowSeconds(options.clock)
  const events = isSET(input) ? input.events : [input]
  const iat = isSET(input) ? input.iat : undefined
  const toe = isSET(input) ? input.toe : undefined
  // RFC 8417 §2.2: a plain SET may name its subject with the top-level `sub` only (no sub_id, no
  // event subject) — a string in the issuer's namespace, i.e. an iss_sub identifier. Ignored, an
  // account-disabled or credential-change revoked nothing and was acknowledged.
  let fallback: SubjectId | undefined
  // One longer than a revocation store keeps is no key (revoking it would fail on every delivery).
  const plain = isSET(input) && input.subject === undefined ? input.claims.sub : undefined
  if (typeof plain === 'string' && plain.length > 0 && plain.length <= MAX_REVOCATION_VALUE) fallback = { format: 'iss_sub', iss: (input as SecurityEventToken).iss, sub: plain }
  const out: RevocationEntry[] = []
  const seen = new Set<string>()
  for (const event of events) {
    const rule = MAPPING[event.type]
    const scope = typeof rule === 'function' ? rule(event) : rule
    if (scope === undefined) continue
    const ts = (event as { event_timestamp?: number }).event_timestamp ?? toe
    const candidates = [ts, iat].filter((t): t is number => t !== undefined)
    // Never later than now + tolerance: no credential a verifier accepts was issued after that, and
    // a bogus event time (milliseconds, a far-future date) must neither revoke the subject's future
    // credentials nor make an entry the store refuses (the SET could then never be applied).
    const issuedBefore = Math.min(Math.ceil(candidates.length > 0 ? Math.max(...candidates) : now), now + tolerance)
    const until = issuedBefore + lifetime
    const reason = `ssf:${event.type}`
    const { exact, principal } = keysOf(event.subject ?? fallback, scope === 'session')
    const push = (entry: RevocationEntry): void => {
      // issuedBefore is part of it: a later event's wider cutoff for the same key is not a duplicate.
      const id = JSON.stringify([entry.sub, entry.jti, entry.jkt, entry.sid, entry.issuedBefore])
      if (seen.has(id) || entry.until <= now) return
      seen.add(id)
      out.push(Object.freeze(entry))
    }
    for (const keys of exact) push({ ...keys, until, reason, revokedAt: now })
    for (const sub of principal) push({ sub, until, issuedBefore, reason, revokedAt: now })
  }
  return Object.freeze(out)
}

/**
 * Returns an event handler for {@link createPushReceiver} / {@link createPollReceiver} that writes
 * the revocations of each SET to `store` (in order) and then calls `next`, if given. A store
 * failure rejects, so the SET is not acknowledged and is delivered again.
 *
 * @param store - the shared revocation store your request verifiers check.
 * @param options - mapping options, plus `next` to chain your own handler.
 * @returns an {@link EventHandler}.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import { applyToStore, createPushReceiver } from 'agentauth/ssf'
 * import { createRedisRevocationStore } from 'agentauth/stores/redis'
 * const onEvent = applyToStore(createRedisRevocationStore({ command }), { maxCredentialLifetime: 3600 })
 * ```
 */
export function applyToStore(store: RevocationStore, options: RevocationMappingOptions & { next?: EventHandler } = {}): EventHandler {
  if (typeof store !== 'object' || store === null || typeof store.revoke !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'store must be a RevocationStore')
  if (options.next !== undefined) assertFunction(options.next, 'options.next')
  checkMapping(options)
  const { next, ...mapping } = options
  return async function applyRevocations(set: SecurityEventToken, context: EventContext): Promise<void> {
    for (const entry of revocationsFromEvent(set, mapping)) await store.revoke(entry)
    if (next !== undefined) await next(set, context)
  }
}
