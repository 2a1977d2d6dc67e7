// Review round 9: the docs/httpsig.md walkthrough run against the real API, and its documented
// limits checked at the boundary.
import { describe, expect, it } from 'vitest'
import {
  createMessageContentDigest, createSignatureBase, parseSignature, parseSignatureInput, signRequest,
  verifyContentDigest, verifyMessageContentDigest, verifyRequestSignature,
} from '../../../src/httpsig/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'

describe('docs/httpsig.md walkthrough', () => {
  it('signing and verifying blocks run as written', async () => {
    const signer = await generateSigner('EdDSA', { extractable: true })
    const keys = new Map([['client-2026', await signer.publicJwk()]])
    const request = new Request('https://api.example/orders', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
    request.headers.set('Content-Digest', await createMessageContentDigest(request))
    const { signatureInput, signature } = await signRequest(request, {
      signer, keyid: 'client-2026',
      components: ['@method', '@target-uri', 'content-type', 'content-digest'],
      lifetime: 60, nonce: true, tag: 'orders-api', params: { 'my-ext': 'value' },
    })
    expect(signatureInput).toMatch(/^sig1=\("@method" "@target-uri" "content-type" "content-digest"\);created=\d+;expires=\d+;keyid="client-2026";nonce="[A-Za-z0-9_-]{22}";tag="orders-api";my-ext="value"$/)
    request.headers.set('Signature-Input', signatureInput)
    request.headers.set('Signature', signature)

    const replayCache = createMemoryReplayCache()
    await verifyMessageContentDigest(request, { maxBytes: 64 * 1024 })
    const options = {
      algorithms: ['ed25519', 'ecdsa-p256-sha256'] as const,
      key: async (params: { keyid?: string | undefined }) => ({ key: keys.get(params.keyid!)!, algorithm: 'ed25519' as const }),
      tag: 'orders-api',
      requiredComponents: ['@method', '@target-uri', 'content-digest'],
      requireExpires: true, maxAge: 120, clockTolerance: 5, replayCache,
    }
    const verified = await verifyRequestSignature(request, { ...options, algorithms: [...options.algorithms] })
    expect(verified.keyid).toBe('client-2026')
    expect(verified.params['my-ext']).toBe('value')
    await expect(verifyRequestSignature(request, { ...options, algorithms: [...options.algorithms] })).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
  })
})

describe('documented limits at the boundary', () => {
  const member = (i: number) => `s${i}=("@method");created=1`
  it('maxSignatures (8) and maxComponents (64)', () => {
    expect(parseSignatureInput(Array.from({ length: 8 }, (_, i) => member(i)).join(', '))).toHaveLength(8)
    expect(() => parseSignatureInput(Array.from({ length: 9 }, (_, i) => member(i)).join(', '))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_(INPUT_TOO_LARGE|HTTPSIG_INVALID)$/) }))
    const comps = (n: number) => 'a=(' + Array.from({ length: n }, (_, i) => `"x${i}"`).join(' ') + ')'
    expect(parseSignatureInput(comps(64))[0]!.components).toHaveLength(64)
    expect(() => parseSignatureInput(comps(65))).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
  })
  it('maxHeaderBytes (8192)', () => {
    const at = (n: number) => 'a=:' + 'A'.repeat(n - 4) + ':'
    const v = at(8192)
    expect(v.length).toBe(8192)
    expect(() => parseSignature(v)).not.toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    expect(() => parseSignature(at(8196))).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
  })
  it('Content-Digest maxBytes (1 MiB) counts bytes, maxFieldBytes (4096)', async () => {
    const field = 'sha-256=:' + 'A'.repeat(43) + '=:'
    const mib = 1024 * 1024
    await expect(verifyContentDigest(field, new Uint8Array(mib))).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' })
    await expect(verifyContentDigest(field, new Uint8Array(mib + 1))).rejects.toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    await expect(verifyContentDigest(field, 'é'.repeat(mib / 2 + 1))).rejects.toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    const pad = (n: number) => field + ', x="' + 'a'.repeat(n - field.length - 6) + '"'
    expect(pad(4096).length).toBe(4096)
    await expect(verifyContentDigest(pad(4096), '')).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' })
    await expect(verifyContentDigest(pad(4097), '')).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' })
  })
  it('createSignatureBase example from the TSDoc', () => {
    const base = createSignatureBase(
      { method: 'POST', url: 'https://example.com/foo?param=Value&Pet=dog', headers: { date: 'Tue, 20 Apr 2021 02:07:55 GMT' } },
      ['date', '@method', '@path', '@authority'],
      { created: 1618884473, keyid: 'test-key-ed25519' },
    )
    expect(base).toBe('"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@method": POST\n"@path": /foo\n"@authority": example.com\n"@signature-params": ("date" "@method" "@path" "@authority");created=1618884473;keyid="test-key-ed25519"')
  })
})
