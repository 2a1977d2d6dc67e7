// draft-ietf-wimse-workload-creds example WIT (includes/wit.txt at 40b1c41), verified with the
// published Identity Server key. The draft states no clock: iat 1745508910, exp 1745512510.
import { describe, expect, it } from 'vitest'
import data from './data/wimse-draft-examples.json' with { type: 'json' }
import { staticTrustBundles } from '../../src/bundle/index.js'
import { VerificationError } from '../../src/errors/index.js'
import { generateSigner, type PublicJWK } from '../../src/signer/index.js'
import { decodeWIT, DEFAULT_CLOCK_TOLERANCE, verifyWIT, WIT_HEADER } from '../../src/wit/index.js'

const ex = data.wit_wpt_example
const issuerKey = ex.identity_server_key_public_jwk as PublicJWK
const trustBundles = staticTrustBundles({ 'example.com': [issuerKey] })
const at = (s: number) => () => s * 1000
const VERIFY_AT = ex.clock.suggested_verification_time // 1745509000
const EXP = ex.clock.wit_exp // 1745512510

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).status).toBe(400)
    return (err as VerificationError).code
  }
  throw new Error('expected a VerificationError')
}

describe('WIMSE draft example WIT', () => {
  it('verifies with the published issuer key at 1745509000', async () => {
    const wit = await verifyWIT(ex.wit, { trustBundles, clock: at(VERIFY_AT) })
    expect(wit.token).toBe(ex.wit)
    expect(wit.header).toEqual(ex.wit_header_decoded)
    expect(wit.claims).toEqual(ex.wit_claims_decoded)
    expect(wit.id).toBe('wimse://example.com/specific-workload')
    expect(wit.trustDomain).toBe('example.com')
    expect(wit.key).toEqual(ex.wit_claims_decoded.cnf.jwk)
    expect(wit.proofAlgorithm).toBe('EdDSA')
    expect(wit.issuerKid).toBe('June 5')
    expect(wit.legacy).toBe(false)
    expect(Object.isFrozen(wit)).toBe(true)
    expect(Object.isFrozen(wit.claims.cnf.jwk)).toBe(true)
    expect(Object.isFrozen(wit.header)).toBe(true)
  })

  it('the header line of the draft carries exactly the token', () => {
    expect(ex.wit_http_header_line).toBe(`${WIT_HEADER}: ${ex.wit}`)
  })

  it('is accepted while now < exp + clockTolerance and rejected from then on', async () => {
    expect(DEFAULT_CLOCK_TOLERANCE).toBe(30)
    // Without tolerance: valid up to exp - 1, expired at exp and one second after exp.
    await expect(verifyWIT(ex.wit, { trustBundles, clock: at(EXP - 1), clockTolerance: 0 })).resolves.toBeDefined()
    expect(await code(verifyWIT(ex.wit, { trustBundles, clock: at(EXP), clockTolerance: 0 }))).toBe('ERR_WIT_EXPIRED')
    expect(await code(verifyWIT(ex.wit, { trustBundles, clock: at(EXP + 1), clockTolerance: 0 }))).toBe('ERR_WIT_EXPIRED')
    // Default tolerance (30 s): one second after exp still passes; exp + 30 does not.
    await expect(verifyWIT(ex.wit, { trustBundles, clock: at(EXP + 1) })).resolves.toBeDefined()
    await expect(verifyWIT(ex.wit, { trustBundles, clock: at(EXP + 29) })).resolves.toBeDefined()
    expect(await code(verifyWIT(ex.wit, { trustBundles, clock: at(EXP + 30) }))).toBe('ERR_WIT_EXPIRED')
  })

  it('is not valid before its iat (beyond tolerance)', async () => {
    const iat = ex.clock.wit_iat
    await expect(verifyWIT(ex.wit, { trustBundles, clock: at(iat - 30), clockTolerance: 30 })).resolves.toBeDefined()
    expect(await code(verifyWIT(ex.wit, { trustBundles, clock: at(iat - 31), clockTolerance: 30 }))).toBe('ERR_TOKEN_NOT_YET_VALID')
  })

  it('fails with a key that is not the issuer key or under another trust domain', async () => {
    const other = staticTrustBundles({ 'example.org': [issuerKey] })
    expect(await code(verifyWIT(ex.wit, { trustBundles: other, clock: at(VERIFY_AT) }))).toBe('ERR_KEY_NOT_FOUND')
    const otherKey = await (await generateSigner('ES256', { kid: 'June 5' })).publicJwk()
    const wrong = staticTrustBundles({ 'example.com': [otherKey] })
    expect(await code(verifyWIT(ex.wit, { trustBundles: wrong, clock: at(VERIFY_AT) }))).toBe('ERR_WIT_SIGNATURE')
  })

  it('is a WIT but not a WIT-SVID (EdDSA cnf key, wimse:// subject)', async () => {
    expect(await code(verifyWIT(ex.wit, { trustBundles, clock: at(VERIFY_AT), profile: 'spiffe' }))).toBe('ERR_IDENTIFIER_SCHEME')
    expect(() => decodeWIT(ex.wit, { profile: 'spiffe' })).toThrow(VerificationError)
  })

  it('any flipped signature bit is ERR_WIT_SIGNATURE', async () => {
    const [h, p, s] = ex.wit.split('.') as [string, string, string]
    const sig = Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    for (const i of [0, 31, 32, 63]) {
      const copy = sig.slice()
      copy[i]! ^= 1
      const b64 = btoa(String.fromCharCode(...copy)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      expect(await code(verifyWIT(`${h}.${p}.${b64}`, { trustBundles, clock: at(VERIFY_AT) }))).toBe('ERR_WIT_SIGNATURE')
    }
  })

  it('decodes without verification', () => {
    const d = decodeWIT(ex.wit)
    expect(d.claims).toEqual(ex.wit_claims_decoded)
    expect(d.id).toBe(ex.wit_claims_decoded.sub)
    expect(d.trustDomain).toBe('example.com')
  })
})
