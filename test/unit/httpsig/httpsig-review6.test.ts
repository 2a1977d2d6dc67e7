// Review round 6 regressions for agentauth/httpsig.
import { describe, expect, it } from 'vitest'
import { createContentDigest, createSignatureBase, signRequest, signResponse, verifyContentDigest, verifyRequestSignature, verifyResponseSignature } from '../../../src/httpsig/index.js'
import { signWIMSERequest, signWIMSEResponse, verifyWIMSERequest, verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'

const CLOCK = () => 1_700_000_000_000
const message = () => ({ method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> })

async function signed(key: Uint8Array) {
  const m = message()
  const s = await signRequest(m, { hmacKey: key, components: ['@method', '@target-uri'], clock: CLOCK })
  m.headers['signature-input'] = s.signatureInput
  m.headers.signature = s.signature
  return m
}

describe('raw HMAC keys are used with their current bytes', () => {
  it('a key array overwritten in place (rotated or wiped) no longer verifies the old key\'s signatures', async () => {
    const oldKey = new Uint8Array(32).fill(1)
    const newKey = new Uint8Array(32).fill(2)
    const buffer = Uint8Array.from(oldKey)
    const verify = (m: ReturnType<typeof message>) => verifyRequestSignature(m, { algorithms: ['hmac-sha256'], key: () => ({ key: buffer, algorithm: 'hmac-sha256' }), clock: CLOCK })
    await expect(verify(await signed(oldKey))).resolves.toMatchObject({ label: 'sig1' })
    buffer.set(newKey) // rotated in place
    await expect(verify(await signed(oldKey))).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
    await expect(verify(await signed(newKey))).resolves.toMatchObject({ label: 'sig1' })
  })

  it('signing with a key array overwritten in place signs with the new bytes', async () => {
    const buffer = new Uint8Array(32).fill(3)
    const verifyWith = (key: Uint8Array, m: ReturnType<typeof message>) => verifyRequestSignature(m, { algorithms: ['hmac-sha256'], key: () => ({ key, algorithm: 'hmac-sha256' }), clock: CLOCK })
    await signed(buffer)
    buffer.fill(4)
    await expect(verifyWith(new Uint8Array(32).fill(4), await signed(buffer))).resolves.toMatchObject({ label: 'sig1' })
  })
})

describe('bad clock, crypto and structuredFields options are coded TypeErrors', () => {
  const hmacKey = new Uint8Array(32).fill(9)
  const key = () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const })
  const req = { method: 'GET', url: 'https://api.example/', headers: { 'x-d': 'a=1', 'signature-input': 'sig1=("x-d";sf);created=1', 'signature': 'sig1=:AA==:' } }
  const typeError = (code: string) => expect.objectContaining({ name: 'TypeError', code })

  it('verifyRequestSignature / verifyResponseSignature', async () => {
    const base = { algorithms: ['hmac-sha256'] as const, key }
    await expect(verifyRequestSignature(req, { ...base, algorithms: ['hmac-sha256'], clock: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyRequestSignature(req, { ...base, algorithms: ['hmac-sha256'], crypto: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyRequestSignature(req, { ...base, algorithms: ['hmac-sha256'], structuredFields: null as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyRequestSignature(req, { ...base, algorithms: ['hmac-sha256'], structuredFields: { 'x-d': 'bogus' } as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_VALUE'))
    await expect(verifyResponseSignature({ status: 200, headers: req.headers }, { ...base, algorithms: ['hmac-sha256'], clock: {} as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
  })

  it('signRequest / signResponse / createSignatureBase', async () => {
    await expect(signRequest(req, { hmacKey, clock: 'now' as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(signRequest(req, { hmacKey, crypto: {} as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(signResponse({ status: 200 }, { hmacKey, components: ['"x-d";sf'], structuredFields: null as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    expect(() => createSignatureBase(req, ['"x-d";sf'], {}, { structuredFields: null as never })).toThrow(typeError('ERR_INVALID_ARG_TYPE'))
  })

  it('Content-Digest functions', async () => {
    await expect(createContentDigest('x', { crypto: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyContentDigest('sha-256=:' + 'A'.repeat(43) + '=:', 'x', { crypto: null as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
  })

  it('the WIMSE profile', async () => {
    const wit = { token: 'a.b.c', id: 'wimse://example.com/a', key: {}, proofAlgorithm: 'EdDSA' } as never
    await expect(verifyWIMSERequest(req, { wit, clock: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyWIMSERequest(req, { wit, crypto: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(verifyWIMSEResponse({ status: 200 }, { wit, request: req, clock: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    const signer = { alg: 'EdDSA', sign: async () => new Uint8Array(64) } as never
    await expect(signWIMSERequest(req, { wit: 'a.b.c', signer, clock: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
    await expect(signWIMSEResponse({ status: 200 }, { wit: 'a.b.c', signer, request: req, crypto: 5 as never })).rejects.toEqual(typeError('ERR_INVALID_ARG_TYPE'))
  })
})

describe('createSignatureBase parameters', () => {
  it('a NaN or infinite parameter is a coded TypeError, not "x=NaN" in the base', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => createSignatureBase({ method: 'GET', url: 'https://api.example/' }, ['@method'], { created: 1, x: bad })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
      expect(() => createSignatureBase({ method: 'GET', url: 'https://api.example/' }, ['@method'], { created: bad })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(createSignatureBase({ method: 'GET', url: 'https://api.example/' }, ['@method'], { created: 1, x: 1.5 })).toBe('"@method": GET\n"@signature-params": ("@method");created=1;x=1.5')
  })
})

describe('a crypto provider that fails on a raw HMAC key', () => {
  const failing = {
    subtle: new Proxy(crypto.subtle, { get: (o, k) => (k === 'importKey' || k === 'sign' ? () => Promise.reject(new Error('provider down')) : Reflect.get(o, k)) }),
    getRandomValues: (a: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(a),
  } as unknown as Crypto
  const hmacKey = new Uint8Array(32).fill(5)

  it('verification answers ERR_KEY_INVALID (as for a JWK), not the provider\'s bare Error', async () => {
    const m = await signed(hmacKey)
    await expect(verifyRequestSignature(m, { algorithms: ['hmac-sha256'], key: () => ({ key: hmacKey, algorithm: 'hmac-sha256' }), clock: CLOCK, crypto: failing }))
      .rejects.toMatchObject({ name: 'VerificationError', code: 'ERR_KEY_INVALID' })
  })

  it('signing answers ERR_SIGNER_FAILED; a short key is still a TypeError', async () => {
    await expect(signRequest(message(), { hmacKey, crypto: failing })).rejects.toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED' })
    await expect(signRequest(message(), { hmacKey: new Uint8Array(8), crypto: failing })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})
