// The WIMSE draft's signed request and response (test/vectors/data/wimse-draft-examples.json) at the
// RFC 9421 layer: both verify with the JOSE key of their WIT (EdDSA, RFC 9421 §3.3.7), extension
// parameters come back typed, and the Ed25519 request signature is reproduced byte for byte with
// `params` (the API the WIMSE profile builds on).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { signRequest, signResponse, verifyMessageContentDigest, verifyRequestSignature, verifyResponseSignature } from '../../src/httpsig/index.js'
import type { PublicJWK } from '../../src/signer/types.js'
import { clockAt, jwkSigner } from '../helpers/httpsig.js'

const W = JSON.parse(readFileSync(fileURLToPath(new URL('./data/wimse-draft-examples.json', import.meta.url)), 'utf8')).http_signature_example as {
  caller_svc_a_private_jwk: Record<string, string>
  callee_svc_b_private_jwk: Record<string, string>
  request: { method: string; url: string; headers: [string, string][] }
  response: { status: number; headers: [string, string][]; body: string }
  derived_signature_base_request: string
  derived_signature_base_response: string
}
const pub = (jwk: Record<string, string>): PublicJWK => ({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, alg: jwk.alg! })
const TAG = 'wimse-workload-to-workload'
const common = { algorithms: ['EdDSA' as const], tag: TAG, forbiddenParams: ['keyid', 'alg'], requireExpires: true, clock: clockAt(1785155900), includeSignatureBase: true }
const strip = (headers: [string, string][]) => headers.filter(([n]) => !n.startsWith('signature'))

describe('WIMSE draft HTTP signature example', () => {
  it('request verifies with svc-a (EdDSA) and exposes typed extension parameters', async () => {
    const v = await verifyRequestSignature(W.request, { ...common, key: () => ({ key: pub(W.caller_svc_a_private_jwk), algorithm: 'EdDSA' }), requiredComponents: ['@method', '@request-target', 'workload-identity-token'] })
    expect(v).toMatchObject({ label: 'wimse', algorithm: 'EdDSA', nonce: 'abcd1111', tag: TAG, created: 1785155797, expires: 1785156097 })
    expect(v.params['wimse-aud']).toBe('https://svcb.example.com/gimme-ice-cream')
    expect(v.params['wimse-sign-response']).toBe(true)
    expect(v.signatureBase).toBe(W.derived_signature_base_request)
  })

  it('response verifies with svc-b against the request (req components) and its Content-Digest matches', async () => {
    const v = await verifyResponseSignature(W.response, {
      ...common, request: W.request, key: () => ({ key: pub(W.callee_svc_b_private_jwk), algorithm: 'EdDSA' }),
      requiredComponents: ['@status', '"@method";req', '"@request-target";req', 'content-digest'],
    })
    expect(v.params['wimse-req-nonce']).toBe('abcd1111')
    expect(v.signatureBase).toBe(W.derived_signature_base_response)
    await expect(verifyMessageContentDigest(W.response)).resolves.toMatchObject({ algorithms: ['sha-256'], bytes: 21 })
  })

  it('the request signature is reproduced byte for byte with extension params', async () => {
    const fields = await signRequest({ ...W.request, headers: strip(W.request.headers) }, {
      signer: await jwkSigner({ ...W.caller_svc_a_private_jwk }, 'EdDSA'),
      label: 'wimse', components: ['@method', '@request-target', 'workload-identity-token'],
      created: 1785155797, expires: 1785156097, nonce: 'abcd1111', tag: TAG,
      params: { 'wimse-aud': 'https://svcb.example.com/gimme-ice-cream', 'wimse-sign-response': true },
    })
    expect(fields.signatureInput).toBe(W.request.headers.find(([n]) => n === 'signature-input')![1])
    expect(fields.signature).toBe(W.request.headers.find(([n]) => n === 'signature')![1])
  })

  it('the response signature is reproduced byte for byte', async () => {
    const fields = await signResponse({ status: 404, headers: strip(W.response.headers) }, {
      signer: await jwkSigner({ ...W.callee_svc_b_private_jwk }, 'EdDSA'), request: W.request,
      label: 'wimse', components: ['@status', 'workload-identity-token', 'content-type', 'content-digest', '"@method";req', '"@request-target";req'],
      created: 1785155797, expires: 1785156099, nonce: 'abcd2222', tag: TAG, params: { 'wimse-req-nonce': 'abcd1111' },
    })
    expect(fields.signature).toBe(W.response.headers.find(([n]) => n === 'signature')![1])
  })
})
