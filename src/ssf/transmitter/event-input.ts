// What `emit` accepts as an event: a known event type with its members or any event-type URI with
// its payload, normalised to { uri, payload }, and the CAEP 1.0 rules the receiver-side parser is
// lenient about but what we sign must keep.
import { codedTypeError } from '../../errors/index.js'
import { assertObject, assertString } from '../../internal/assert.js'
import { EVENT_TYPE_URIS, type KnownEventType } from '../uris.js'

/**
 * An event to emit: a known type with its members, or any event-type URI with its payload.
 *
 * @example
 * ```ts
 * const event: EmitEvent = { type: 'account-disabled', reason: 'hijacking' }
 * ```
 */
export type EmitEvent =
  | { readonly type: KnownEventType; readonly [member: string]: unknown }
  | { readonly uri: string; readonly payload?: Readonly<Record<string, unknown>> }

const CAEP_BASE = 'https://schemas.openid.net/secevent/caep/event-type/'
const INITIATING_ENTITIES: readonly unknown[] = ['admin', 'user', 'policy', 'system']

/**
 * CAEP 1.0 MUSTs the (lenient) receiver-side parser lets through: what we sign must keep them.
 * `initiating_entity` is one of four strings; `reason_admin`/`reason_user` hold at least one text
 * (§2); token-claims-change names at least one claim (§3.2). Runs after parseEvent.
 */
export function checkCAEPCommon(uri: string, payload: Record<string, unknown>): void {
  if (!uri.startsWith(CAEP_BASE)) return
  if (Object.hasOwn(payload, 'initiating_entity') && !INITIATING_ENTITIES.includes(payload.initiating_entity)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'event initiating_entity must be admin, user, policy or system (CAEP 1.0 §2)')
  for (const name of ['reason_admin', 'reason_user']) {
    const v = payload[name]
    if (Object.hasOwn(payload, name) && (typeof v !== 'object' || v === null || Object.keys(v).length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `event ${name} must hold at least one language tag (CAEP 1.0 §2)`)
  }
  // §3.2: "one or more claims with their new value(s)".
  if (uri === `${CAEP_BASE}token-claims-change` && Object.keys(payload.claims as object).length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'token-claims-change claims must name at least one claim (CAEP 1.0 §3.2)')
}

export function eventInput(event: EmitEvent): { uri: string; payload: Record<string, unknown> } {
  assertObject(event, 'event')
  if ('type' in event && typeof event.type === 'string') {
    const uri = (EVENT_TYPE_URIS as Record<string, string>)[event.type]
    if (uri === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `unknown event type ${event.type}; use { uri, payload }`)
    const { type: _type, ...payload } = event
    return { uri, payload }
  }
  const { uri, payload } = event as { uri: unknown; payload?: unknown }
  assertString(uri, 'event.uri')
  if (payload !== undefined) assertObject(payload, 'event.payload')
  return { uri, payload: { ...(payload as Record<string, unknown> | undefined) } }
}
