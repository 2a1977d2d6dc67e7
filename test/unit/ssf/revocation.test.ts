import { describe, expect, it } from 'vitest'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { applyToStore, EVENT_TYPE_URIS, parseEvent, revocationsFromEvent, verifySET, type KnownEventType, type SubjectId } from '../../../src/ssf/index.js'
import { NOW, baseClaims, clockAt, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const key = await testKey()
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
const clock = clockAt(NOW + 5)

async function set(type: KnownEventType, payload: Record<string, unknown>, sub_id: SubjectId = AGENT, extra: Record<string, unknown> = {}) {
  return verifySET(await mintSET(key.signer, baseClaims({ sub_id, events: { [EVENT_TYPE_URIS[type]]: payload }, ...extra })), verifyOptions(key))
}

describe('revocationsFromEvent', () => {
  it('session-revoked with a complex subject revokes the session only', async () => {
    const s = await set('session-revoked', {}, { format: 'complex', user: AGENT, session: { format: 'opaque', id: 'sess-1' } })
    expect(revocationsFromEvent(s, { clock })).toEqual([{ sid: 'sess-1', until: NOW + 86_400 + 300, reason: 'ssf:session-revoked', revokedAt: NOW + 5 }])
  })

  it('session-revoked with an opaque subject is a session id; with a user it revokes the user with issuedBefore', async () => {
    expect(revocationsFromEvent(await set('session-revoked', {}, { format: 'opaque', id: 'dMTlD|1600802906337.16|16008.16' }), { clock })).toMatchObject([{ sid: 'dMTlD|1600802906337.16|16008.16' }])
    expect(revocationsFromEvent(await set('session-revoked', {}, { format: 'complex', user: AGENT, tenant: { format: 'opaque', id: 't' } }), { clock })).toMatchObject([{ sub: AGENT.uri, issuedBefore: NOW }])
    expect(revocationsFromEvent(await set('session-revoked', {}), { clock })).toMatchObject([{ sub: AGENT.uri, issuedBefore: NOW }])
  })

  it('credential-change revoke/delete/update revokes the subject; create does nothing', async () => {
    for (const change_type of ['revoke', 'delete', 'update']) {
      const s = await set('credential-change', { credential_type: 'x509', change_type, event_timestamp: NOW - 100 })
      expect(revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600 })).toEqual([{ sub: AGENT.uri, issuedBefore: NOW, until: NOW + 3600 + 300, reason: 'ssf:credential-change', revokedAt: NOW + 5 }])
    }
    expect(revocationsFromEvent(await set('credential-change', { credential_type: 'x509', change_type: 'create' }), { clock })).toEqual([])
  })

  it('maps jwt_id to jti and jwk_thumbprint to jkt, aliases to one entry each', async () => {
    const aliases: SubjectId = { format: 'aliases', identifiers: [AGENT, { format: 'jwt_id', iss: 'https://issuer', jti: 'wit-123' }, { format: 'jwk_thumbprint', jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }] }
    const entries = revocationsFromEvent(await set('credential-compromise', { credential_type: 'x509' }, aliases), { clock })
    expect(entries.map((e) => [e.sub, e.jti, e.jkt, e.issuedBefore])).toEqual([
      [undefined, 'wit-123', undefined, undefined],
      [undefined, undefined, 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', undefined],
      [AGENT.uri, undefined, undefined, NOW],
    ])
  })

  it('RISC account-disabled, account-purged, sessions-revoked, identifier-recycled revoke the subject', async () => {
    for (const type of ['account-disabled', 'account-purged', 'sessions-revoked'] as const) {
      expect(revocationsFromEvent(await set(type, {}, { format: 'iss_sub', iss: 'https://idp', sub: 'u-1' }), { clock })).toMatchObject([{ sub: 'u-1', reason: `ssf:${type}` }])
    }
    expect(revocationsFromEvent(await set('identifier-recycled', {}, { format: 'email', email: 'old@example.com' }), { clock })).toMatchObject([{ sub: 'old@example.com' }])
  })

  it('informational events map to nothing', async () => {
    expect(revocationsFromEvent(await set('token-claims-change', { claims: { role: 'x' } }), { clock })).toEqual([])
    expect(revocationsFromEvent(await set('risk-level-change', { principal: 'USER', current_level: 'HIGH' }), { clock })).toEqual([])
    expect(revocationsFromEvent(await set('account-enabled', {}), { clock })).toEqual([])
    expect(revocationsFromEvent(parseEvent('https://example.com/x', {}, AGENT), { clock })).toEqual([])
  })

  it('uses the later of event_timestamp/toe and iat, and drops entries already past their until', async () => {
    const late = await set('account-purged', { }, AGENT, { toe: NOW + 20 })
    expect(revocationsFromEvent(late, { clock })[0]).toMatchObject({ issuedBefore: NOW + 20, until: NOW + 20 + 86_400 + 300 })
    const old = await set('account-purged', {}, AGENT)
    expect(revocationsFromEvent(old, { clock: clockAt(NOW + 90_000) })).toEqual([])
    expect(() => revocationsFromEvent(old, { maxCredentialLifetime: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

describe('revocation lifetime and verifier clock tolerance', () => {
  it('an entry outlives the credentials it covers by the verifiers\' clockTolerance', async () => {
    // A credential issued at the event with lifetime maxCredentialLifetime expires at
    // issuedBefore + lifetime, but a verifier with clockTolerance T accepts it T seconds longer.
    const s = await set('credential-change', { credential_type: 'app', change_type: 'revoke' })
    expect(revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600 })[0]).toMatchObject({ issuedBefore: NOW, until: NOW + 3600 + 300 })
    expect(revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600, clockTolerance: 0 })[0]).toMatchObject({ until: NOW + 3600 })
    expect(revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600, clockTolerance: 3600 })[0]).toMatchObject({ until: NOW + 7200 })
    const store = createMemoryRevocationStore({ clock: clockAt(NOW + 3600 + 30) }) // inside a 30 s verifier grace period
    for (const e of revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600 })) await store.revoke(e)
    expect(await store.check({ sub: AGENT.uri }, NOW)).toBeDefined()
    for (const bad of [Number.NaN, -1, 86_401]) expect(() => revocationsFromEvent(s, { clockTolerance: bad })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => applyToStore(store, { clockTolerance: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

describe('revocation of events with a bogus time', () => {
  it('caps issuedBefore at now + clockTolerance, so a millisecond or far-future event_timestamp still applies', async () => {
    const store = createMemoryRevocationStore({ clock })
    for (const event_timestamp of [NOW * 1000, 32_503_680_000 /* year 3000 */]) {
      const s = await set('credential-change', { credential_type: 'app', change_type: 'revoke', event_timestamp })
      const entries = revocationsFromEvent(s, { clock, maxCredentialLifetime: 3600 })
      expect(entries).toEqual([{ sub: AGENT.uri, issuedBefore: NOW + 5 + 300, until: NOW + 5 + 300 + 3600 + 300, reason: 'ssf:credential-change', revokedAt: NOW + 5 }])
      await applyToStore(store, { clock, maxCredentialLifetime: 3600 })(s, { delivery: 'push' })
    }
    expect(await store.check({ sub: AGENT.uri }, NOW)).toBeDefined() // issued before the event: revoked
    expect(await store.check({ sub: AGENT.uri }, NOW + 3600)).toBeUndefined() // issued later: not locked out
  })
})

describe('applyToStore', () => {
  it('writes the revocations and chains the next handler; a store failure rejects', async () => {
    const store = createMemoryRevocationStore({ clock })
    const seen: string[] = []
    const handler = applyToStore(store, { clock, next: async (s) => { seen.push(s.jti) } })
    const s = await set('credential-change', { credential_type: 'x509', change_type: 'revoke' })
    await handler(s, { delivery: 'push' })
    expect(await store.check({ sub: AGENT.uri }, NOW - 10)).toMatchObject({ sub: AGENT.uri })
    expect(await store.check({ sub: AGENT.uri }, NOW + 1)).toBeUndefined()
    expect(seen).toEqual([s.jti])
    const broken = applyToStore({ revoke: async () => { throw new Error('down') }, check: async () => undefined }, { clock })
    await expect(broken(s, { delivery: 'push' })).rejects.toThrow('down')
    expect(() => applyToStore({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
