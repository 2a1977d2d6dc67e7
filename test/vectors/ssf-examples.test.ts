// The SSF 1.0 / CAEP 1.0 / RISC 1.0 examples (openid/sharedsignals@e47d2a0) and the RFC 8417
// examples, signed with a test key and run through verifySET, parseSubjectId and matchSubjectId.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { decodeSET, EVENT_TYPE_URIS, matchSubjectId, parseEvent, parseSubjectId, verifySET, type SubjectId } from '../../src/ssf/index.js'
import { mintSET, testKey } from '../helpers/ssf.js'

interface Example { file: string; line: number; raw: string; parses_as_json: boolean; parsed: Record<string, unknown> | null; is_set_payload: boolean; figure_title: string | null }
const data = JSON.parse(readFileSync(new URL('./data/ssf-caep-risc-examples.json', import.meta.url), 'utf8')) as { examples: Example[]; event_type_uris: Record<string, unknown> }
const rfc8417 = JSON.parse(readFileSync(new URL('./data/rfc8417-set-examples.json', import.meta.url), 'utf8')) as { examples: Array<{ name: string; claims?: Record<string, unknown> }> }
const key = await testKey()
const sets = data.examples.filter((e) => e.is_set_payload)

function expectedType(uri: string): string {
  return Object.values(EVENT_TYPE_URIS).includes(uri) ? uri.slice(uri.lastIndexOf('/') + 1) : 'unknown'
}

async function verifyExample(claims: Record<string, unknown>) {
  const aud = Array.isArray(claims.aud) ? (claims.aud[0] as string) : (claims.aud as string)
  const token = await mintSET(key.signer, claims)
  return verifySET(token, { issuer: claims.iss as string, audience: aud, keys: key.jwks, clock: () => ((claims.iat as number) + 1) * 1000 })
}

describe('SSF/CAEP/RISC examples', () => {
  it('has the 43 examples, 26 SET payloads, and exactly the 3 known-invalid blocks', () => {
    expect(data.examples).toHaveLength(43)
    expect(sets).toHaveLength(26)
    const invalid = data.examples.filter((e) => !e.parses_as_json).map((e) => `${e.file}:${e.line}`)
    expect(invalid).toEqual(['openid-sharedsignals-framework-1_0.md:247', 'openid-sharedsignals-framework-1_0.md:295', 'openid-risc-1_0.xml:151'])
  })

  it('lists every known event-type URI', () => {
    const listed = [...(data.event_type_uris.ssf as string[]), ...(data.event_type_uris.caep as string[]), ...(data.event_type_uris.risc as string[])]
    expect(new Set(listed)).toEqual(new Set(Object.values(EVENT_TYPE_URIS)))
  })

  for (const ex of sets) {
    const claims = ex.parsed!
    const uri = Object.keys(claims.events as object)[0]!
    const title = `${ex.file}:${ex.line} ${ex.figure_title ?? ''} → ${expectedType(uri)}`
    if (claims.iat === 15_203_800_012) {
      it(`${title}: iat 15203800012 (11 digits, year 2451) is refused as future by verifySET, decodable`, async () => {
        const token = await mintSET(key.signer, claims)
        await expect(verifySET(token, { issuer: claims.iss as string, audience: claims.aud as string, keys: key.jwks, clock: () => 1_520_364_019_000 })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' })
        const set = decodeSET(token)
        expect(set.event.type).toBe('token-claims-change')
        expect(set.subject).toEqual({ format: 'catalog_item', catalog_id: 'c0384/winter/2354122' })
      })
      continue
    }
    it(title, async () => {
      const set = await verifyExample(claims)
      expect(set.event.type).toBe(expectedType(uri))
      expect(set.event.uri).toBe(uri)
      expect(set.subject?.format).toBe((claims.sub_id as { format: string }).format)
      expect(set.event.payload).toEqual((claims.events as Record<string, unknown>)[uri])
    })
  }

  it('types the event members of the examples', async () => {
    const byLine = (line: number) => verifyExample(data.examples.find((e) => e.line === line && e.is_set_payload)!.parsed!)
    const cc = (await byLine(553)).event
    expect(cc).toMatchObject({ type: 'credential-change', credential_type: 'fido2-roaming', change_type: 'create', fido2_aaguid: 'accced6a-63f5-490a-9eea-e59bc1896cfc', initiating_entity: 'user', event_timestamp: 1615304991 })
    expect((await byLine(652)).event).toMatchObject({ type: 'assurance-level-change', namespace: 'NIST-AAL', current_level: 'nist-aal2', previous_level: 'nist-aal1', change_direction: 'increase' })
    expect((await byLine(739)).event).toMatchObject({ type: 'device-compliance-change', previous_status: 'compliant', current_status: 'not-compliant', reason_user: { en: 'Device is no longer in a trusted location.' } })
    expect((await byLine(827)).event).toMatchObject({ type: 'session-established', amr: ['otp'], acr: 'AAL2', fp_ua: 'abb0b6e7da81a42233f8f2b1a8ddb1b9a4c81611' })
    expect((await byLine(881)).event).toMatchObject({ type: 'session-presented', ext_id: '12345' })
    expect((await byLine(958)).event).toMatchObject({ type: 'risk-level-change', principal: 'USER', current_level: 'LOW', previous_level: 'HIGH', risk_reason: 'PASSWORD_FOUND_IN_DATA_BREACH' })
    expect((await byLine(401)).event).toMatchObject({ type: 'token-claims-change', claims: { role: 'ro-admin' } })
    expect((await byLine(204)).event).toMatchObject({ type: 'identifier-changed', 'new-value': 'john.roe@example.com' })
    expect((await byLine(276)).event).toMatchObject({ type: 'credential-compromise', credential_type: 'password' })
    expect((await byLine(2318)).event).toMatchObject({ type: 'verification', state: 'VGhpcyBpcyBhbiBleGFtcGxlIHN0YXRlIHZhbHVlLgo=' })
    expect((await byLine(2380)).event).toMatchObject({ type: 'stream-updated', status: 'paused', reason: 'Internal error' })
    const sr = await byLine(335)
    expect(sr.event).toMatchObject({ type: 'session-revoked', initiating_entity: 'policy', reason_user: { it: 'Questo dispositivo non è più conforme.' } })
    expect(sr.subject).toMatchObject({ format: 'complex', user: { format: 'iss_sub' }, device: { format: 'iss_sub' }, tenant: { format: 'opaque', id: '123456789' } })
    const phone = await byLine(591)
    expect(phone.subject).toEqual({ format: 'phone_number', phone_number: '+1 206 555 0123' })
    expect(phone.event).toMatchObject({ type: 'account-disabled', reason: 'hijacking' })
  })

  it('parses the fragment examples once wrapped, and the RISC account-disabled example once its trailing comma is removed', async () => {
    for (const line of [247, 295]) {
      const ex = data.examples.find((e) => e.line === line)!
      expect(() => JSON.parse(ex.raw)).toThrow()
      const id = parseSubjectId((JSON.parse(`{${ex.raw}}`) as { sub_id: unknown }).sub_id)
      expect(['email', 'complex']).toContain(id.format)
    }
    const risc = data.examples.find((e) => e.line === 151)!
    expect(() => JSON.parse(risc.raw)).toThrow()
    const set = await verifyExample(JSON.parse(risc.raw.replace(/,(\s*})/, '$1')) as Record<string, unknown>)
    expect(set.event).toMatchObject({ type: 'account-disabled', reason: 'hijacking' })
    expect(set.subject).toEqual({ format: 'iss_sub', iss: 'https://idp.example.com/', sub: '7375626A656374' })
  })

  it('parses the standalone subject identifier examples', () => {
    const ids = data.examples.filter((e) => e.parsed !== null && !e.is_set_payload && typeof e.parsed.format === 'string').map((e) => parseSubjectId(e.parsed))
    expect(ids.map((i) => i.format)).toEqual(['jwt_id', 'saml_assertion_id', 'ip-addresses', 'complex', 'complex', 'complex', 'complex', 'complex', 'complex'])
    expect(ids[2]).toEqual({ format: 'ip-addresses', 'ip-addresses': ['10.29.37.75', '2001:0db8:0000:0000:0000:8a2e:0370:7334'] })
  })

  it('matches the subject-matching examples under agentauth rules', () => {
    const at = (line: number): SubjectId => parseSubjectId(data.examples.find((e) => e.line === line)!.parsed)
    expect(matchSubjectId(at(1974), at(1986))).toBe(true) // tenant pattern covers tenant+user
    expect(matchSubjectId(at(2025), at(2009))).toBe(true) // user pattern covers user+device
    expect(matchSubjectId(at(2025), at(2043))).toBe(true)
    expect(matchSubjectId(at(2043), at(2059))).toBe(false) // different group
    expect(matchSubjectId(at(1986), at(2025))).toBe(false) // event lacks the tenant
  })

  it('parses the CAEP reason examples as event members', () => {
    const admin = data.examples.find((e) => e.line === 209)!.parsed!
    const user = data.examples.find((e) => e.line === 228)!.parsed!
    const e = parseEvent(EVENT_TYPE_URIS['session-revoked'], { ...admin, ...user }, { format: 'opaque', id: 's' })
    expect(e).toMatchObject({ reason_admin: { de: 'Landspeed-Richtlinienverstoß: C076E82F' }, reason_user: { 'es-410': 'Intento de acceso desde varias regiones.' } })
  })
})

describe('RFC 8417 examples', () => {
  const [scim, logout] = rfc8417.examples as Array<{ claims: Record<string, unknown> }>

  it('verifies the SCIM create SET under the rfc8417 profile and keeps its unknown event', async () => {
    const token = await mintSET(key.signer, scim!.claims)
    const set = await verifySET(token, { issuer: 'https://scim.example.com', audience: 'https://scim.example.com/Feeds/98d52461fa5bbc879593b7754', keys: key.jwks, profile: 'rfc8417', clock: () => 1_458_496_405_000 })
    expect(set.event).toMatchObject({ type: 'unknown', uri: 'urn:ietf:params:scim:event:create', payload: { attributes: ['id', 'name', 'userName', 'password', 'emails'] } })
    expect(set.subject).toBeUndefined()
    await expect(verifySET(token, { issuer: 'https://scim.example.com', audience: 'https://scim.example.com/Feeds/98d52461fa5bbc879593b7754', keys: key.jwks, clock: () => 1_458_496_405_000 })).rejects.toMatchObject({ code: 'ERR_SET_INVALID', claim: 'sub_id' })
  })

  it('refuses the back-channel logout token under the SSF profile (sub present) but decodes it as RFC 8417', async () => {
    const token = await mintSET(key.signer, logout!.claims)
    expect(() => decodeSET(token)).toThrow(VerificationError)
    const set = decodeSET(token, { profile: 'rfc8417' })
    expect(set.event).toMatchObject({ type: 'unknown', uri: 'http://schemas.openid.net/event/backchannel-logout' })
  })
})
