import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { EVENT_TYPE_URIS, parseEvent, type KnownEventType } from '../../../src/ssf/index.js'

const subject = { format: 'opaque', id: 's' } as const
const p = (type: KnownEventType, payload: Record<string, unknown>) => parseEvent(EVENT_TYPE_URIS[type], payload, subject)
const invalid = (type: KnownEventType, payload: unknown): void => {
  const e = (() => { try { parseEvent(EVENT_TYPE_URIS[type], payload, subject); return undefined } catch (x) { return x } })()
  expect(e, `${type} ${JSON.stringify(payload)}`).toBeInstanceOf(VerificationError)
}

describe('parseEvent', () => {
  it('types every known event with minimal valid payloads', () => {
    const minimal: Record<KnownEventType, Record<string, unknown>> = {
      'session-revoked': {}, 'token-claims-change': { claims: {} }, 'credential-change': { credential_type: 'x509', change_type: 'revoke' },
      'assurance-level-change': { namespace: 'NIST-AAL', current_level: 'nist-aal1' }, 'device-compliance-change': { previous_status: 'compliant', current_status: 'not-compliant' },
      'session-established': {}, 'session-presented': {}, 'risk-level-change': { principal: 'USER', current_level: 'HIGH' },
      'account-credential-change-required': {}, 'account-purged': {}, 'account-disabled': {}, 'account-enabled': {},
      'identifier-changed': {}, 'identifier-recycled': {}, 'credential-compromise': { credential_type: 'password' },
      'opt-in': {}, 'opt-out-initiated': {}, 'opt-out-cancelled': {}, 'opt-out-effective': {}, 'recovery-activated': {},
      'recovery-information-changed': {}, 'sessions-revoked': {}, verification: {}, 'stream-updated': { status: 'enabled' },
    }
    for (const [type, payload] of Object.entries(minimal) as Array<[KnownEventType, Record<string, unknown>]>) {
      const s = type === 'identifier-changed' || type === 'identifier-recycled' ? { format: 'email', email: 'a@b.c' } as const : subject
      const e = parseEvent(EVENT_TYPE_URIS[type], payload, s)
      expect(e.type).toBe(type)
      expect(e.subject).toEqual(s)
      expect(Object.isFrozen(e)).toBe(true)
    }
  })

  it('refuses known events that lack required members or have wrong types', () => {
    invalid('token-claims-change', {})
    invalid('token-claims-change', { claims: [] })
    invalid('credential-change', { credential_type: 'x509' })
    invalid('credential-change', { credential_type: 'x509', change_type: 'rotate' })
    invalid('credential-change', { credential_type: 5, change_type: 'revoke' })
    invalid('assurance-level-change', { namespace: 'x' })
    invalid('assurance-level-change', { namespace: 'x', current_level: 'y', change_direction: 'sideways' })
    invalid('device-compliance-change', { previous_status: 'compliant', current_status: 'maybe' })
    invalid('risk-level-change', { principal: 'USER', current_level: 'low' })
    invalid('credential-compromise', {})
    invalid('stream-updated', { status: 'sleeping' })
    invalid('session-revoked', { event_timestamp: 'yesterday' })
    invalid('session-revoked', { reason_admin: { en: 5 } })
    invalid('session-established', { amr: 'pwd' })
    invalid('verification', { state: 1 })
    invalid('account-disabled', { reason: 7 })
    invalid('session-revoked', [])
    invalid('session-revoked', null)
    expect(() => parseEvent(EVENT_TYPE_URIS['identifier-recycled'], {}, subject)).toThrow(VerificationError)
  })

  it('keeps unknown events whole and surfaces them', () => {
    const e = parseEvent('https://example.com/events/custom', { anything: [1, 2], nested: { a: true } }, subject)
    expect(e).toEqual({ type: 'unknown', uri: 'https://example.com/events/custom', payload: { anything: [1, 2], nested: { a: true } }, subject })
    expect(Object.isFrozen(e.payload.nested)).toBe(true)
  })

  it('uses a legacy events.<uri>.subject in preference to sub_id', () => {
    const e = p('session-revoked', { subject: { format: 'email', email: 'legacy@example.com' } })
    expect(e.subject).toEqual({ format: 'email', email: 'legacy@example.com' })
    invalid('session-revoked', { subject: { format: 'email' } })
  })
})
