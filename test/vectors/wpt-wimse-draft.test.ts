// draft-ietf-wimse-wpt example (includes/wit.txt, wpt.txt, wpt-request.txt at 40b1c41): the WPT
// verifies against the WIT at the pinned instant, and re-signing reproduces it byte for byte.
import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../src/bundle/index.js'
import type { PublicJWK } from '../../src/signer/index.js'
import { verifyWIT } from '../../src/wit/index.js'
import { createWPT, parseWPTHeaders, verifyWPT } from '../../src/wpt/index.js'
import { at, signerFromJWK, testReplayCache, vectors } from '../helpers/wpt.js'

const ex = vectors.wit_wpt_example
const NOW = ex.clock.suggested_verification_time

function exampleRequest(): Request {
  const headers = new Headers(ex.wpt_request.headers.filter(([name]) => name.toLowerCase() !== 'host'))
  return new Request(ex.wpt_request.url, { method: ex.wpt_request.method, headers, body: ex.wpt_request.body })
}

/** The example WIT, verified by verifyWIT with the published Identity Server key (kid "June 5"). */
function exampleWIT() {
  const trustBundles = staticTrustBundles({ 'example.com': [ex.identity_server_key_public_jwk as unknown as PublicJWK] })
  return verifyWIT(ex.wit, { trustBundles, clock: at(NOW) })
}

describe('WIMSE draft WPT example', () => {
  it('the request headers carry exactly the published WIT and WPT', () => {
    const sent = parseWPTHeaders(exampleRequest())
    expect(sent.wit).toBe(ex.wit)
    expect(sent.wpt).toBe(ex.wpt)
    expect(sent.accessToken).toBe(ex.access_token)
    expect(sent.txnToken).toBeUndefined()
  })

  it('verifies at the pinned instant with the WIT cnf.jwk, binding WIT and access token', async () => {
    const sent = parseWPTHeaders(exampleRequest())
    const wit = await exampleWIT()
    const replayCache = testReplayCache(at(NOW))
    const proof = await verifyWPT(sent.wpt, {
      wit,
      uri: ex.wpt_request.url,
      audience: 'https://workload.example.com',
      accessToken: sent.accessToken,
      clock: at(NOW),
      clockTolerance: 0,
      replayCache,
      // At the suggested instant the example WPT still has 1016 s to live (its generator ran earlier
      // than the WIT's iat suggests), more than the default maxLifetime of 300 s.
      maxLifetime: 3600,
    })
    expect(wit.issuerKid).toBe('June 5') // the WIT itself was verified against the issuer key
    expect(proof.id).toBe('wimse://example.com/specific-workload')
    expect(proof.audience).toBe('https://workload.example.com/path')
    expect(proof.claims.wth).toBe(ex.derived_expected.wth)
    expect(proof.claims.ath).toBe(ex.derived_expected.ath)
    expect(proof.expiresAt).toBe(ex.clock.wpt_exp)
    expect(proof.legacy).toBe(false)
    expect(Object.isFrozen(proof)).toBe(true)
    expect([...replayCache.keys.keys()]).toEqual([`wpt:37:wimse://example.com/specific-workload:${ex.wpt_claims_decoded.jti as string}`])
  })

  it('with the default policy, verifies 2 minutes before exp and refuses it as too long-lived at the suggested instant', async () => {
    const sent = parseWPTHeaders(exampleRequest())
    const late = ex.clock.wpt_exp - 120
    const wit = await verifyWIT(ex.wit, { trustBundles: staticTrustBundles({ 'example.com': [ex.identity_server_key_public_jwk as unknown as PublicJWK] }), clock: at(late) })
    await verifyWPT(sent.wpt, { wit, uri: ex.wpt_request.url, audience: 'https://workload.example.com', accessToken: sent.accessToken, clock: at(late) })
    await expect(verifyWPT(sent.wpt, { wit, uri: ex.wpt_request.url, accessToken: sent.accessToken, clock: at(NOW) })).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
  })

  it('is rejected as a replay the second time and as expired after exp', async () => {
    const sent = parseWPTHeaders(exampleRequest())
    const wit = await exampleWIT()
    const replayCache = testReplayCache(at(NOW))
    const options = { wit, uri: ex.wpt_request.url, accessToken: sent.accessToken, clock: at(NOW), replayCache, maxLifetime: 3600, clockTolerance: 0 }
    await verifyWPT(sent.wpt, options)
    await expect(verifyWPT(sent.wpt, options)).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
    await expect(verifyWPT(sent.wpt, { ...options, replayCache: undefined, clock: at(ex.clock.wpt_exp) })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
  })

  it('createWPT with the published workload key reproduces the published token byte for byte', async () => {
    const signer = await signerFromJWK(ex.workload_key_private_jwk, 'EdDSA')
    const lifetime = 300 // the generator (examples/main.go) uses a 5-minute WPT lifetime
    const wpt = await createWPT({
      wit: ex.wit,
      signer,
      uri: ex.wpt_request.url,
      accessToken: ex.access_token,
      jti: ex.wpt_claims_decoded.jti as string,
      lifetime,
      clock: at(ex.clock.wpt_exp - lifetime),
    })
    expect(wpt).toBe(ex.wpt)
  })
})
