// Typed CAEP 1.0, RISC 1.0 and SSF 1.0 events. Wire member names are kept as they are on the wire
// (`credential_type`, `new-value`) so the types read like the specs. Required members are checked;
// optional members are type-checked when present; extra members stay in `payload`. Unknown event
// types are surfaced as `{ type: 'unknown' }`, never dropped.
import { VerificationError } from '../errors/index.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'
import { parseSubjectId, type SubjectId } from './subject-id.js'
import { eventTypeOf, type KnownEventType } from './uris.js'
import { deepFreeze } from '../internal/json.js'

/**
 * Members every parsed event has.
 *
 * @example
 * ```ts
 * function describe(e: EventBase<string>): string { return `${e.type} (${e.uri})` }
 * ```
 */
export interface EventBase<T extends string> {
  /** Short event name (`session-revoked`), or `unknown`. */
  readonly type: T
  /** The event-type URI as received. */
  readonly uri: string
  /** The event payload as received (frozen). */
  readonly payload: Readonly<JSONObject>
  /**
   * The subject the event is about: the legacy `events.<uri>.subject` member when present (CAEP/RISC
   * before SSF 1.0), otherwise the SET's `sub_id`. Undefined only for decoded RFC 8417 SETs.
   */
  readonly subject: SubjectId | undefined
}

/**
 * Who initiated a CAEP event (CAEP 1.0 §2).
 *
 * @example
 * ```ts
 * if (set.event.type === 'session-revoked' && set.event.initiating_entity === 'admin') alert()
 * ```
 */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system' | (string & {})
/**
 * Language tag → text (CAEP 1.0 §2 `reason_admin` / `reason_user`).
 *
 * @example
 * ```ts
 * const text: LocalizedText = { en: 'Policy violation', de: 'Richtlinienverstoß' }
 * ```
 */
export type LocalizedText = Readonly<Record<string, string>>

/**
 * Optional members common to CAEP events (CAEP 1.0 §2).
 *
 * @example
 * ```ts
 * const when = (e: CAEPCommon) => e.event_timestamp ?? Date.now() / 1000
 * ```
 */
export interface CAEPCommon {
  readonly event_timestamp?: number
  readonly initiating_entity?: InitiatingEntity
  readonly reason_admin?: LocalizedText
  readonly reason_user?: LocalizedText
}

/**
 * Credential types of CAEP 1.0 §3.3 (others by agreement).
 *
 * @example
 * ```ts
 * if (event.type === 'credential-change' && event.credential_type === 'x509') rotateCertificates()
 * ```
 */
export type CredentialType =
  | 'password' | 'pin' | 'x509' | 'fido2-platform' | 'fido2-roaming' | 'fido-u2f' | 'verifiable-credential'
  | 'phone-voice' | 'phone-sms' | 'app' | (string & {})

/**
 * CAEP §3.1: a session was revoked.
 *
 * @example
 * ```ts
 * if (set.event.type === 'session-revoked') endSession(set.event.subject)
 * ```
 */
export interface SessionRevokedEvent extends EventBase<'session-revoked'>, CAEPCommon {}
/**
 * CAEP §3.2: claims of a token changed.
 *
 * @example
 * ```ts
 * if (set.event.type === 'token-claims-change') updateClaims(set.event.claims)
 * ```
 */
export interface TokenClaimsChangeEvent extends EventBase<'token-claims-change'>, CAEPCommon { readonly claims: Readonly<JSONObject> }
/**
 * CAEP §3.3: a credential was created, revoked, updated or deleted.
 *
 * @example
 * ```ts
 * if (set.event.type === 'credential-change' && set.event.change_type === 'revoke') revoke(set.event.subject)
 * ```
 */
export interface CredentialChangeEvent extends EventBase<'credential-change'>, CAEPCommon {
  readonly credential_type: CredentialType
  readonly change_type: 'create' | 'revoke' | 'update' | 'delete'
  readonly friendly_name?: string
  readonly x509_issuer?: string
  readonly x509_serial?: string
  readonly fido2_aaguid?: string
}
/**
 * CAEP §3.4: the assurance level changed.
 *
 * @example
 * ```ts
 * if (set.event.type === 'assurance-level-change') stepUp(set.event.namespace, set.event.current_level)
 * ```
 */
export interface AssuranceLevelChangeEvent extends EventBase<'assurance-level-change'>, CAEPCommon {
  readonly namespace: string
  readonly current_level: string
  readonly previous_level?: string
  readonly change_direction?: 'increase' | 'decrease'
}
/**
 * CAEP §3.5: device compliance changed.
 *
 * @example
 * ```ts
 * if (set.event.type === 'device-compliance-change' && set.event.current_status === 'not-compliant') quarantine()
 * ```
 */
export interface DeviceComplianceChangeEvent extends EventBase<'device-compliance-change'>, CAEPCommon {
  readonly previous_status: 'compliant' | 'not-compliant'
  readonly current_status: 'compliant' | 'not-compliant'
}
/**
 * CAEP §3.6: a session was established.
 *
 * @example
 * ```ts
 * if (set.event.type === 'session-established') console.log(set.event.amr)
 * ```
 */
export interface SessionEstablishedEvent extends EventBase<'session-established'>, CAEPCommon {
  readonly fp_ua?: string
  readonly acr?: string
  readonly amr?: readonly string[]
  readonly ext_id?: string
}
/**
 * CAEP §3.7: a session was presented.
 *
 * @example
 * ```ts
 * if (set.event.type === 'session-presented') console.log(set.event.ext_id)
 * ```
 */
export interface SessionPresentedEvent extends EventBase<'session-presented'>, CAEPCommon {
  readonly fp_ua?: string
  readonly ext_id?: string
}
/**
 * CAEP §3.8: the risk level of a principal changed.
 *
 * @example
 * ```ts
 * if (set.event.type === 'risk-level-change' && set.event.current_level === 'HIGH') requireStepUp()
 * ```
 */
export interface RiskLevelChangeEvent extends EventBase<'risk-level-change'>, CAEPCommon {
  readonly principal: string
  readonly current_level: 'LOW' | 'MEDIUM' | 'HIGH'
  readonly previous_level?: 'LOW' | 'MEDIUM' | 'HIGH'
  readonly risk_reason?: string
}

/**
 * RISC events without members of their own.
 *
 * @example
 * ```ts
 * if (set.event.type === 'account-purged') deleteLocalData(set.event.subject)
 * ```
 */
export interface RISCPlainEvent extends EventBase<
  | 'account-credential-change-required' | 'account-purged' | 'account-enabled' | 'identifier-recycled'
  | 'opt-in' | 'opt-out-initiated' | 'opt-out-cancelled' | 'opt-out-effective'
  | 'recovery-activated' | 'recovery-information-changed' | 'sessions-revoked'
> {}
/**
 * RISC §2.3: the account was disabled.
 *
 * @example
 * ```ts
 * if (set.event.type === 'account-disabled') console.log(set.event.reason) // 'hijacking' | 'bulk-account' | …
 * ```
 */
export interface AccountDisabledEvent extends EventBase<'account-disabled'> { readonly reason?: 'hijacking' | 'bulk-account' | (string & {}) }
/**
 * RISC §2.5: the identifier (email or phone) changed; the subject holds the old value.
 *
 * @example
 * ```ts
 * if (set.event.type === 'identifier-changed') rename(set.event.subject, set.event['new-value'])
 * ```
 */
export interface IdentifierChangedEvent extends EventBase<'identifier-changed'> { readonly 'new-value'?: string }
/**
 * RISC §2.7: a credential was compromised.
 *
 * @example
 * ```ts
 * if (set.event.type === 'credential-compromise') forceReset(set.event.credential_type)
 * ```
 */
export interface CredentialCompromiseEvent extends EventBase<'credential-compromise'> {
  readonly credential_type: CredentialType
  readonly event_timestamp?: number
  readonly reason_admin?: LocalizedText
  readonly reason_user?: LocalizedText
}
/**
 * SSF §8.1.4.1: verification event, echoing the receiver's `state`. A handler refuses one whose
 * `state` is not the one it asked for with `ERR_SET_INVALID` and `claim: 'state'` (answered
 * `invalid_state`); any other error is a failed handler (500, retried by the transmitter).
 *
 * @example
 * ```ts
 * import { VerificationError } from 'agentauth/errors'
 * if (set.event.type === 'verification' && set.event.state !== expectedState) {
 *   throw new VerificationError('ERR_SET_INVALID', 'unexpected state', { claim: 'state' })
 * }
 * ```
 */
export interface VerificationEvent extends EventBase<'verification'> { readonly state?: string }
/**
 * SSF §8.1.5: the transmitter changed the stream status.
 *
 * @example
 * ```ts
 * if (set.event.type === 'stream-updated') console.log('stream is now', set.event.status)
 * ```
 */
export interface StreamUpdatedEvent extends EventBase<'stream-updated'> {
  readonly status: 'enabled' | 'paused' | 'disabled'
  readonly reason?: string
}
/**
 * An event type agentauth does not know; kept whole so nothing is dropped.
 *
 * @example
 * ```ts
 * if (set.event.type === 'unknown') archive(set.event.uri, set.event.payload)
 * ```
 */
export interface UnknownEvent extends EventBase<'unknown'> {}

/**
 * Every parsed event, discriminated by `type`.
 *
 * @example
 * ```ts
 * function handle(e: SecurityEvent): void {
 *   switch (e.type) {
 *     case 'session-revoked': return endSession(e.subject)
 *     case 'unknown': return archive(e.uri, e.payload)
 *   }
 * }
 * ```
 */
export type SecurityEvent =
  | SessionRevokedEvent | TokenClaimsChangeEvent | CredentialChangeEvent | AssuranceLevelChangeEvent
  | DeviceComplianceChangeEvent | SessionEstablishedEvent | SessionPresentedEvent | RiskLevelChangeEvent
  | RISCPlainEvent | AccountDisabledEvent | IdentifierChangedEvent | CredentialCompromiseEvent
  | VerificationEvent | StreamUpdatedEvent | UnknownEvent

type Fields = Record<string, unknown>

export { deepFreeze }

function bad(type: string, message: string, claim?: string): never {
  throw new VerificationError('ERR_SET_INVALID', `${type} event ${message}`, { claim: claim ?? 'events' })
}

function optString(p: JSONObject, name: string, type: string, out: Fields): void {
  if (!Object.hasOwn(p, name)) return
  if (typeof p[name] !== 'string') bad(type, `"${name}" must be a string`, name)
  out[name] = p[name]
}
function reqString(p: JSONObject, name: string, type: string, out: Fields): void {
  if (typeof p[name] !== 'string' || (p[name] as string).length === 0) bad(type, `requires a non-empty string "${name}"`, name)
  out[name] = p[name]
}
function reqEnum(p: JSONObject, name: string, values: readonly string[], type: string, out: Fields, optional = false): void {
  if (optional && !Object.hasOwn(p, name)) return
  if (typeof p[name] !== 'string' || !values.includes(p[name] as string)) bad(type, `"${name}" must be one of ${values.join(', ')}`, name)
  out[name] = p[name]
}
function optTimestamp(p: JSONObject, type: string, out: Fields): void {
  if (!Object.hasOwn(p, 'event_timestamp')) return
  const v = p.event_timestamp
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(type, '"event_timestamp" must be a NumericDate', 'event_timestamp')
  out.event_timestamp = v
}
function optLocalized(p: JSONObject, name: string, type: string, out: Fields): void {
  if (!Object.hasOwn(p, name)) return
  const v = p[name]
  if (!isPlainObject(v) || !Object.values(v).every((t) => typeof t === 'string')) bad(type, `"${name}" must map language tags to strings`, name)
  out[name] = Object.freeze({ ...v })
}
function caepCommon(p: JSONObject, type: string, out: Fields): void {
  optTimestamp(p, type, out)
  optString(p, 'initiating_entity', type, out)
  optLocalized(p, 'reason_admin', type, out)
  optLocalized(p, 'reason_user', type, out)
}

const LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const
const COMPLIANCE = ['compliant', 'not-compliant'] as const

function fields(type: KnownEventType, p: JSONObject, out: Fields): void {
  switch (type) {
    case 'session-revoked':
      return caepCommon(p, type, out)
    case 'token-claims-change':
      caepCommon(p, type, out)
      if (!isPlainObject(p.claims)) bad(type, 'requires a "claims" object', 'claims')
      out.claims = Object.freeze({ ...p.claims })
      return
    case 'credential-change':
      caepCommon(p, type, out)
      reqString(p, 'credential_type', type, out)
      reqEnum(p, 'change_type', ['create', 'revoke', 'update', 'delete'], type, out)
      for (const n of ['friendly_name', 'x509_issuer', 'x509_serial', 'fido2_aaguid']) optString(p, n, type, out)
      return
    case 'assurance-level-change':
      caepCommon(p, type, out)
      reqString(p, 'namespace', type, out)
      reqString(p, 'current_level', type, out)
      optString(p, 'previous_level', type, out)
      reqEnum(p, 'change_direction', ['increase', 'decrease'], type, out, true)
      return
    case 'device-compliance-change':
      caepCommon(p, type, out)
      reqEnum(p, 'previous_status', COMPLIANCE, type, out)
      reqEnum(p, 'current_status', COMPLIANCE, type, out)
      return
    case 'session-established':
      caepCommon(p, type, out)
      for (const n of ['fp_ua', 'acr', 'ext_id']) optString(p, n, type, out)
      if (Object.hasOwn(p, 'amr')) {
        if (!Array.isArray(p.amr) || !p.amr.every((x) => typeof x === 'string')) bad(type, '"amr" must be an array of strings', 'amr')
        out.amr = Object.freeze([...(p.amr as string[])])
      }
      return
    case 'session-presented':
      caepCommon(p, type, out)
      for (const n of ['fp_ua', 'ext_id']) optString(p, n, type, out)
      return
    case 'risk-level-change':
      caepCommon(p, type, out)
      reqString(p, 'principal', type, out)
      reqEnum(p, 'current_level', LEVELS, type, out)
      reqEnum(p, 'previous_level', LEVELS, type, out, true)
      optString(p, 'risk_reason', type, out)
      return
    case 'account-disabled':
      return optString(p, 'reason', type, out)
    case 'identifier-changed':
      return optString(p, 'new-value', type, out)
    case 'credential-compromise':
      reqString(p, 'credential_type', type, out)
      optTimestamp(p, type, out)
      optLocalized(p, 'reason_admin', type, out)
      optLocalized(p, 'reason_user', type, out)
      return
    case 'verification':
      return optString(p, 'state', type, out)
    case 'stream-updated':
      reqEnum(p, 'status', ['enabled', 'paused', 'disabled'], type, out)
      return optString(p, 'reason', type, out)
    default:
      return
  }
}

/**
 * Parses one `events` member into a typed event. `subject` is the SET's `sub_id` (already parsed);
 * a legacy `subject` member inside the payload takes precedence for this event.
 *
 * @param uri - the event-type URI (the member name in `events`).
 * @param payload - the member value; must be a JSON object.
 * @param subject - the SET's parsed `sub_id`, if any.
 * @returns the frozen typed event (`type: 'unknown'` for unknown URIs).
 * @throws VerificationError `ERR_SET_INVALID` when a known event lacks a required member or a
 *   member has the wrong type; `ERR_SUBJECT_ID_INVALID` when a legacy `subject` is malformed.
 *
 * @example
 * ```ts
 * import { parseEvent } from 'agentauth/ssf'
 * const e = parseEvent('https://schemas.openid.net/secevent/caep/event-type/session-revoked', {}, {
 *   format: 'opaque', id: 'session-1',
 * })
 * e.type // 'session-revoked'
 * ```
 */
export function parseEvent(uri: string, payload: unknown, subject?: SubjectId): SecurityEvent {
  if (!isPlainObject(payload)) throw new VerificationError('ERR_SET_INVALID', 'event payload must be a JSON object', { claim: 'events' })
  const legacy = Object.hasOwn(payload, 'subject') ? parseSubjectId(payload.subject) : undefined
  const type = eventTypeOf(uri)
  const out: Fields = { type: type ?? 'unknown', uri, payload: deepFreeze(payload), subject: legacy ?? subject }
  if (type !== undefined) {
    fields(type, payload, out)
    if ((type === 'identifier-changed' || type === 'identifier-recycled') && out.subject !== undefined) {
      const f = (out.subject as SubjectId).format
      if (f !== 'email' && f !== 'phone_number') bad(type, 'subject must be an email or phone_number identifier (RISC 1.0)', 'sub_id')
    }
  }
  return Object.freeze(out) as unknown as SecurityEvent
}
