// Review round 8 regressions for agentauth/httpsig.
import { describe, expect, it } from 'vitest'
import { createSignatureBase, parseSignature, parseSignatureInput, signRequest, verifyRequestSignature } from '../../../src/httpsig/index.js'

const CLOCK = () => 1_700_000_000_000
const hmacKey = new Uint8Array(32).fill(7)
const key = () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const })
const verify = (m: object) => verifyRequestSignature(m as never, { algorithms: ['hmac-sha256'], key, clock: CLOCK, label: 'ours' })

async function signed(headers: Record<string, string> = {}) {
  const m = { method: 'GET', url: 'https://api.example/orders', headers: { ...headers } }
  const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method', '@target-uri'], clock: CLOCK })
  return { ...m, headers: { ...m.headers, 'signature-input': s.signatureInput, signature: s.signature } }
}

describe('another party\'s signature never breaks the verification of ours (RFC 8941 §4.2.7)', () => {
  it('a foreign Signature member without padding or with non-zero pad bits', async () => {
    for (const theirs of [':YWI:', ':YWJ=:', ':YQ:']) {
      const m = await signed()
      m.headers['signature-input'] += ', theirs=("@method");created=1'
      m.headers.signature += `, theirs=${theirs}`
      await expect(verify(m)).resolves.toMatchObject({ label: 'ours' })
    }
  })

  it('a foreign member with parameters, some of them unpadded Byte Sequences', async () => {
    const m = await signed()
    m.headers['signature-input'] += ', theirs=("@method");created=1;x=:YWI:'
    m.headers.signature += ', theirs=:YWI=:;foo=bar;y=:YQ:'
    await expect(verify(m)).resolves.toMatchObject({ label: 'ours' })
  })

  it('our own member stays strict: non-canonical base64 in it is ERR_HTTPSIG_INVALID', async () => {
    const m = await signed()
    m.headers.signature = m.headers.signature.replace('=:', ':')
    await expect(verify(m)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
    const n = await signed()
    n.headers['signature-input'] += ';x=:YWI:'
    await expect(verify(n)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
    const o = await signed()
    o.headers.signature += ';x=:YQ:'
    await expect(verify(o)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
  })

  it('parseSignature / parseSignatureInput interpret every member, so they stay strict', () => {
    expect(() => parseSignature('a=:YWI:')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_INVALID' }))
    expect(() => parseSignatureInput('a=("@method");x=:YWI:')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_INVALID' }))
  })

  it('signing a message that already carries an unpadded foreign signature adds ours', async () => {
    const m = await signed({ 'signature-input': 'theirs=("@method");created=1', signature: 'theirs=:YWI:' })
    await expect(verify(m)).resolves.toMatchObject({ label: 'ours' })
  })
})

describe('boolean policy options are booleans', () => {
  it('requireCreated: 0 / \'\' / NaN is a coded TypeError, not "created not required"', async () => {
    const m = { method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> }
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], created: false })
    const message = { ...m, headers: { 'signature-input': s.signatureInput, signature: s.signature } }
    await expect(verify(message)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' }) // created is required by default
    for (const bad of [0, '', Number.NaN, null, 'false']) {
      await expect(verifyRequestSignature(message, { algorithms: ['hmac-sha256'], key, clock: CLOCK, requireCreated: bad as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
      await expect(verifyRequestSignature(message, { algorithms: ['hmac-sha256'], key, clock: CLOCK, requireCreated: false, requireExpires: bad as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
    await expect(verifyRequestSignature(message, { algorithms: ['hmac-sha256'], key, clock: CLOCK, requireCreated: false })).resolves.toMatchObject({ label: 'ours' })
  })
})

describe('the resolver\'s replayNamespace', () => {
  it('must be a string: objects were all keyed "[object Object]", so different peers shared one nonce space', async () => {
    const claimed: string[] = []
    const replayCache = { claim: async (k: string) => { if (claimed.includes(k)) return false; claimed.push(k); return true } }
    const m = { method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> }
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], clock: CLOCK, nonce: 'same' })
    const message = { ...m, headers: { 'signature-input': s.signatureInput, signature: s.signature } }
    const options = (ns: unknown) => ({ algorithms: ['hmac-sha256' as const], clock: CLOCK, maxAge: 60, replayCache, key: () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const, replayNamespace: ns as string }) })
    await expect(verifyRequestSignature(message, options({ peer: 'a' }))).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    await expect(verifyRequestSignature(message, options(7))).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    await expect(verifyRequestSignature(message, options('peer-a'))).resolves.toMatchObject({ nonce: 'same' })
    await expect(verifyRequestSignature(message, options('peer-b'))).resolves.toMatchObject({ nonce: 'same' })
    await expect(verifyRequestSignature(message, options('peer-a'))).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
    expect(claimed).toHaveLength(2)
  })
})

describe('a signature that expires while its key is being resolved', () => {
  it('is refused for every waiting copy when a replay cache is used (a claim already past is not remembered)', async () => {
    const { createMemoryReplayCache } = await import('../../../src/stores/index.js')
    let t = 1_700_000_000_000
    const clock = (): number => t
    const m = { method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> }
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], clock, lifetime: 60, nonce: 'n-slow' })
    const message = { ...m, headers: { 'signature-input': s.signatureInput, signature: s.signature } }
    const replayCache = createMemoryReplayCache({ clock })
    const gates: Array<() => void> = []
    const slowKey = () => new Promise<{ key: Uint8Array; algorithm: 'hmac-sha256' }>((resolve) => gates.push(() => resolve({ key: hmacKey, algorithm: 'hmac-sha256' })))
    const copies = [0, 1, 2].map(() => verifyRequestSignature(message, { algorithms: ['hmac-sha256'], key: slowKey, clock, replayCache, requireExpires: true }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    t += 61_000 // the key store answers after the signature expired
    for (const open of gates) open()
    const outcomes = (await Promise.allSettled(copies)).map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'accepted'))
    expect(outcomes).toEqual(['ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED'])
  })
})

describe('decimal signature parameters', () => {
  it('more than three fractional digits is a coded TypeError: structured-headers wrote "0." / "2.", refused by every parser', async () => {
    const m = { method: 'GET', url: 'https://api.example/orders', headers: {} }
    for (const x of [0.0001, 1.9999, -0.0004, 123.4567, 2.5e-7]) {
      await expect(signRequest(m, { hmacKey, components: ['@method'], params: { x } })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
      expect(() => createSignatureBase(m, ['@method'], { x } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    for (const x of [0.5, 1.25, -2.125, 999999999999.9]) {
      const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method'], clock: CLOCK, params: { x } })
      await expect(verify({ ...m, headers: { 'signature-input': s.signatureInput, signature: s.signature } })).resolves.toMatchObject({ params: { x } })
    }
  })
})
