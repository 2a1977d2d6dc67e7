// Event-type URIs of CAEP 1.0 §3, RISC 1.0 §2 and SSF 1.0 §8.1.4/§8.1.5, keyed by the short name
// used as the `type` discriminant of parsed events.
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/'
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/'
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/'

/**
 * Short names of the CAEP 1.0 event types.
 *
 * @example
 * ```ts
 * const t: CAEPEventType = 'credential-change'
 * ```
 */
export type CAEPEventType =
  | 'session-revoked' | 'token-claims-change' | 'credential-change' | 'assurance-level-change'
  | 'device-compliance-change' | 'session-established' | 'session-presented' | 'risk-level-change'

/**
 * Short names of the RISC 1.0 event types.
 *
 * @example
 * ```ts
 * const t: RISCEventType = 'account-disabled'
 * ```
 */
export type RISCEventType =
  | 'account-credential-change-required' | 'account-purged' | 'account-disabled' | 'account-enabled'
  | 'identifier-changed' | 'identifier-recycled' | 'credential-compromise' | 'opt-in' | 'opt-out-initiated'
  | 'opt-out-cancelled' | 'opt-out-effective' | 'recovery-activated' | 'recovery-information-changed'
  | 'sessions-revoked'

/**
 * Short names of the SSF 1.0 stream events.
 *
 * @example
 * ```ts
 * const t: SSFEventType = 'verification'
 * ```
 */
export type SSFEventType = 'verification' | 'stream-updated'

/**
 * Every event type agentauth parses into a typed object.
 *
 * @example
 * ```ts
 * const uri = EVENT_TYPE_URIS['session-revoked' satisfies KnownEventType]
 * ```
 */
export type KnownEventType = CAEPEventType | RISCEventType | SSFEventType

const caep: readonly CAEPEventType[] = [
  'session-revoked', 'token-claims-change', 'credential-change', 'assurance-level-change',
  'device-compliance-change', 'session-established', 'session-presented', 'risk-level-change',
]
const risc: readonly RISCEventType[] = [
  'account-credential-change-required', 'account-purged', 'account-disabled', 'account-enabled',
  'identifier-changed', 'identifier-recycled', 'credential-compromise', 'opt-in', 'opt-out-initiated',
  'opt-out-cancelled', 'opt-out-effective', 'recovery-activated', 'recovery-information-changed', 'sessions-revoked',
]
const ssf: readonly SSFEventType[] = ['verification', 'stream-updated']

function table(): Record<KnownEventType, string> {
  const out = {} as Record<KnownEventType, string>
  for (const t of caep) out[t] = CAEP + t
  for (const t of risc) out[t] = RISC + t
  for (const t of ssf) out[t] = SSF + t
  return out
}

/**
 * Event-type URI of every known event, keyed by its short name.
 *
 * @example
 * ```ts
 * import { EVENT_TYPE_URIS } from 'agentauth/ssf'
 * EVENT_TYPE_URIS['session-revoked'] // 'https://schemas.openid.net/secevent/caep/event-type/session-revoked'
 * ```
 */
export const EVENT_TYPE_URIS: Readonly<Record<KnownEventType, string>> = Object.freeze(table())

const byUri = new Map<string, KnownEventType>(Object.entries(EVENT_TYPE_URIS).map(([k, v]) => [v, k as KnownEventType]))

/** Short name of a known event-type URI, or undefined. Exact, case-sensitive comparison. */
export function eventTypeOf(uri: string): KnownEventType | undefined {
  return byUri.get(uri)
}

/**
 * Delivery method URNs (SSF 1.0 §6.1).
 *
 * @example
 * ```ts
 * await client.createStream({ delivery: { method: DELIVERY_METHODS.poll } })
 * ```
 */
export const DELIVERY_METHODS: Readonly<{ push: 'urn:ietf:rfc:8935'; poll: 'urn:ietf:rfc:8936' }> = Object.freeze({
  push: 'urn:ietf:rfc:8935',
  poll: 'urn:ietf:rfc:8936',
} as const)

/**
 * Media type of a SET (RFC 8417 §8.2), used as `typ` and as push `Content-Type`.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', headers: { 'content-type': SET_MEDIA_TYPE }, body: token })
 * ```
 */
export const SET_MEDIA_TYPE = 'application/secevent+jwt'
