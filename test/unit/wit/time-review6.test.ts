// Review round 6: fractional NumericDates (RFC 7519 §2) are compared with the exact time, not with
// the time floored to whole seconds: an exp of t + 0.5 was accepted until t + 1 with clockTolerance
// 0, an nbf of t + 0.5 refused until t + 1. Whole-second claims keep their old answers.
import { describe, expect, it } from 'vitest'
import { encode } from '../../../src/internal/base64url.js'
import { ascii } from '../../../src/internal/bytes.js'
import { verifyWIT } from '../../../src/wit/index.js'
import { verifyWPT } from '../../../src/wpt/index.js'
import { makeWorkload } from '../../helpers/wpt.js'
import { baseClaims, baseHeader, bundlesFor, forge, issuer, NOW, part, TD, workloadJwk } from '../../helpers/wit.js'

const at = (seconds: number) => (): number => Math.round(seconds * 1000)

describe('fractional time claims in a WIT', () => {
  it('exp and nbf of t + 0.5 compare with the exact time (clockTolerance 0)', async () => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const jwk = await workloadJwk('ES256')
    const expiring = await forge(baseHeader(iss.signer), baseClaims(jwk, { exp: NOW + 0.5 }), iss.signer)
    await expect(verifyWIT(expiring, { trustBundles, clock: at(NOW + 0.7), clockTolerance: 0 })).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
    await expect(verifyWIT(expiring, { trustBundles, clock: at(NOW + 0.3), clockTolerance: 0 })).resolves.toMatchObject({ id: expect.any(String) })
    const starting = await forge(baseHeader(iss.signer), baseClaims(jwk, { nbf: NOW + 0.5 }), iss.signer)
    await expect(verifyWIT(starting, { trustBundles, clock: at(NOW + 0.7), clockTolerance: 0 })).resolves.toMatchObject({ id: expect.any(String) })
    await expect(verifyWIT(starting, { trustBundles, clock: at(NOW + 0.3), clockTolerance: 0 })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' })
  })

  it('whole-second claims keep their answers at fractional times', async () => {
    const iss = await issuer('ES256')
    const trustBundles = bundlesFor([TD, [iss.jwk]])
    const wit = await forge(baseHeader(iss.signer), baseClaims(await workloadJwk('ES256'), { exp: NOW + 1, nbf: NOW, iat: NOW }), iss.signer)
    await expect(verifyWIT(wit, { trustBundles, clock: at(NOW + 0.999), clockTolerance: 0 })).resolves.toMatchObject({ id: expect.any(String) })
    await expect(verifyWIT(wit, { trustBundles, clock: at(NOW + 1), clockTolerance: 0 })).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
    await expect(verifyWIT(wit, { trustBundles, clock: at(NOW - 0.001), clockTolerance: 0 })).rejects.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' })
  })
})

describe('fractional time claims in a WPT', () => {
  it('an exp of t + 0.5 is expired at t + 0.7 with clockTolerance 0', async () => {
    const w = await makeWorkload({ now: NOW })
    const wth = encode(new Uint8Array(await crypto.subtle.digest('SHA-256', ascii(w.wit) as Uint8Array<ArrayBuffer>)))
    const input = `${part({ alg: 'EdDSA', typ: 'wpt+jwt' })}.${part({ aud: 'https://api.example.com/x', exp: NOW + 0.5, jti: 'j-1', wth })}`
    const wpt = `${input}.${encode(await w.signer.sign(ascii(input)))}`
    const options = { wit: w.verified, uri: 'https://api.example.com/x', clockTolerance: 0 }
    await expect(verifyWPT(wpt, { ...options, clock: at(NOW + 0.7) })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    await expect(verifyWPT(wpt, { ...options, clock: at(NOW + 0.3) })).resolves.toMatchObject({ jti: 'j-1' })
  })
})
