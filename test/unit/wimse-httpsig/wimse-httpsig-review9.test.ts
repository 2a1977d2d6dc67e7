// Review round 9: documented WIMSE defaults at the boundary, and a label in only one field.
import { describe, expect, it } from 'vitest'
import { signWIMSERequest, verifyWIMSERequest } from '../../../src/wimse-httpsig/index.js'
import { at, makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const ORIGIN = 'https://svcb.example.com'

async function signedAt(lifetime: number) {
  const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
  const out = await signWIMSERequest({ method: 'GET', url: `${ORIGIN}/orders`, headers: {} }, { wit: w.wit, signer: w.signer, clock: at(NOW), lifetime })
  return { w, message: { method: 'GET', url: `${ORIGIN}/orders`, headers: { ...out.headers } as Record<string, string> } }
}

describe('documented defaults of verifyWIMSERequest', () => {
  it('maxLifetime defaults to 600 s', async () => {
    const ok = await signedAt(600)
    await expect(verifyWIMSERequest(ok.message, { wit: ok.w.verified, audience: ORIGIN, clock: at(NOW) })).resolves.toMatchObject({ label: 'wimse' })
    const long = await signedAt(601)
    await expect(verifyWIMSERequest(long.message, { wit: long.w.verified, audience: ORIGIN, clock: at(NOW) })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_EXPIRED' })
  })
  it('clockTolerance defaults to 30 s', async () => {
    const s = await signedAt(60)
    await expect(verifyWIMSERequest(s.message, { wit: s.w.verified, audience: ORIGIN, clock: at(NOW - 30) })).resolves.toMatchObject({ label: 'wimse' })
    await expect(verifyWIMSERequest(s.message, { wit: s.w.verified, audience: ORIGIN, clock: at(NOW - 31) })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_EXPIRED' })
    await expect(verifyWIMSERequest(s.message, { wit: s.w.verified, audience: ORIGIN, clock: at(NOW + 60 + 29) })).resolves.toMatchObject({ label: 'wimse' })
    await expect(verifyWIMSERequest(s.message, { wit: s.w.verified, audience: ORIGIN, clock: at(NOW + 60 + 30) })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_EXPIRED' })
  })
})

describe('a label another party left in only one field (RFC 9421 §3.2 step 1.2)', () => {
  it('does not refuse the wimse signature', async () => {
    for (const field of ['signature-input', 'signature'] as const) {
      const s = await signedAt(60)
      s.message.headers[field === 'signature' ? 'Signature' : 'Signature-Input'] += field === 'signature' ? ', proxy=:YWJjZA==:' : ', proxy=("@method");created=1'
      await expect(verifyWIMSERequest(s.message, { wit: s.w.verified, audience: ORIGIN, clock: at(NOW) })).resolves.toMatchObject({ label: 'wimse' })
    }
  })
})

describe('a crypto provider without getRandomValues (default nonce)', () => {
  it('is ERR_INVALID_ARG_TYPE, not a bare TypeError', async () => {
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const crypto = { subtle: globalThis.crypto.subtle } as unknown as Crypto
    await expect(signWIMSERequest({ method: 'GET', url: `${ORIGIN}/orders`, headers: {} }, { wit: w.wit, signer: w.signer, clock: at(NOW), crypto }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})

describe('options.signal with a signer that ignores it', () => {
  it('signing a request stops with ERR_SIGNER_FAILED', async () => {
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const signer = { ...w.signer, alg: w.signer.alg, sign: () => new Promise<Uint8Array>(() => undefined) }
    const ac = new AbortController()
    const p = signWIMSERequest({ method: 'GET', url: `${ORIGIN}/orders`, headers: {} }, { wit: w.wit, signer, clock: at(NOW), signal: ac.signal })
    setTimeout(() => ac.abort(new Error('stop')), 5)
    await expect(p).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
})
