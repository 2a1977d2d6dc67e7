// Review round 9: RFC 9421 §3.2 step 1.2 — only the chosen label must be in both fields.
import { describe, expect, it } from 'vitest'
import { signRequest, verifyRequestSignature } from '../../../src/httpsig/index.js'

const CLOCK = () => 1_700_000_000_000
const hmacKey = new Uint8Array(32).fill(7)
const key = () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const })
const msg = () => ({ method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> })

describe('a label present in only one of the fields (RFC 9421 §3.2 step 1)', () => {
  it('does not refuse our complete signature', async () => {
    const m = msg()
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], clock: CLOCK })
    for (const [si, sig] of [
      [s.signatureInput + ', stray=("@method");created=1', s.signature],
      [s.signatureInput, s.signature + ', stray=:AAAA:'],
    ]) {
      const h = { ...m, headers: { 'signature-input': si!, signature: sig! } }
      await expect(verifyRequestSignature(h, { algorithms: ['hmac-sha256'], key, clock: CLOCK, label: 'ours' })).resolves.toMatchObject({ label: 'ours' })
    }
  })
  it('a selected label without its Signature member is ERR_HTTPSIG_INVALID', async () => {
    const m = msg()
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], clock: CLOCK })
    const h = { ...m, headers: { 'signature-input': s.signatureInput, signature: 'other=:AAAA:' } }
    await expect(verifyRequestSignature(h, { algorithms: ['hmac-sha256'], key, clock: CLOCK, label: 'ours' })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
    await expect(verifyRequestSignature(h, { algorithms: ['hmac-sha256'], key, clock: CLOCK })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
  })
})
