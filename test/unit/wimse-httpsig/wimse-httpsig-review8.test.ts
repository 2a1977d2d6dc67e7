// Review round 8 regressions for agentauth/wimse-httpsig.
import { describe, expect, it } from 'vitest'
import { signWIMSERequest, signWIMSEResponse, verifyWIMSERequest, verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'
import { at, makeWorkload, testReplayCache } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const ORIGIN = 'https://svcb.example.com'

describe('WIMSE verification ignores the encoding of another party\'s signature', () => {
  it('an intermediary signature in unpadded base64 does not break the wimse one', async () => {
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const request = new Request(`${ORIGIN}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' })
    const out = await signWIMSERequest(request, { wit: w.wit, signer: w.signer, clock: at(NOW) })
    for (const [k, v] of Object.entries(out.headers)) request.headers.set(k, v)
    request.headers.set('signature-input', out.signatureInput + ', proxy=("@method");created=1;keyid="p"')
    request.headers.set('signature', out.signature + ', proxy=:YWJjZA:')
    const verified = await verifyWIMSERequest(request, { wit: w.verified, audience: ORIGIN, clock: at(NOW), replayCache: testReplayCache(at(NOW)) })
    expect(verified.label).toBe('wimse')
  })

  it('a body stream that errors while the digest is checked is ERR_BODY_INCOMPLETE', async () => {
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('{"n"')) }, pull(c) { c.error(new Error('reset')) } })
    const message = { method: 'POST', url: `${ORIGIN}/orders`, headers: { 'content-type': 'application/json' } as Record<string, string>, body: '{"n":1}' as unknown }
    const out = await signWIMSERequest(message as never, { wit: w.wit, signer: w.signer, clock: at(NOW) })
    Object.assign(message.headers, out.headers)
    message.body = body
    await expect(verifyWIMSERequest(message as never, { wit: w.verified, audience: ORIGIN, clock: at(NOW) })).rejects.toMatchObject({ code: 'ERR_BODY_INCOMPLETE' })
  })
})

describe('a WIMSE signature that expires while the crypto provider verifies it', () => {
  it('is refused for every waiting copy (request), the nonce being claimed until a time already past', async () => {
    const { createMemoryReplayCache } = await import('../../../src/stores/index.js')
    let t = NOW * 1000
    const clock = (): number => t
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const out = await signWIMSERequest({ method: 'GET', url: `${ORIGIN}/orders`, headers: {} }, { wit: w.wit, signer: w.signer, clock, lifetime: 60 })
    const gates: Array<() => void> = []
    // A provider whose verify answers late (a remote or HSM-backed Web Crypto).
    const slow = gatedVerifyProvider(gates)
    const replayCache = createMemoryReplayCache({ clock })
    const copies = [0, 1, 2].map(() => verifyWIMSERequest({ method: 'GET', url: `${ORIGIN}/orders`, headers: { ...out.headers } }, { wit: w.verified, audience: ORIGIN, clock, replayCache, clockTolerance: 0, crypto: slow }))
    expect(await outcomesAfterExpiry(copies, gates, () => { t = (NOW + 61) * 1000 })).toEqual(['ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED'])
  })
})

describe('a WIMSE response signature that expires while the crypto provider verifies it', () => {
  it('is refused for every waiting copy when a replay cache is used', async () => {
    const { createMemoryReplayCache } = await import('../../../src/stores/index.js')
    let t = NOW * 1000
    const clock = (): number => t
    const caller = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const server = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcB' })
    const request = { method: 'GET', url: `${ORIGIN}/orders`, headers: {} as Record<string, string> }
    Object.assign(request.headers, (await signWIMSERequest(request, { wit: caller.wit, signer: caller.signer, clock, nonce: 'req-1' })).headers)
    const answer = await signWIMSEResponse({ status: 204, headers: {} }, { request, wit: server.wit, signer: server.signer, clock, lifetime: 60 })
    const gates: Array<() => void> = []
    const slow = gatedVerifyProvider(gates)
    const replayCache = createMemoryReplayCache({ clock })
    const copies = [0, 1, 2].map(() => verifyWIMSEResponse({ status: 204, headers: { ...answer.headers } }, { request, wit: server.verified, clock, replayCache, clockTolerance: 0, crypto: slow }))
    expect(await outcomesAfterExpiry(copies, gates, () => { t = (NOW + 61) * 1000 })).toEqual(['ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED'])
  })
})

// A crypto provider whose verify answers only when its gate is opened (a remote or HSM-backed Web
// Crypto), and the run that opens the gates once the clock has moved past the signatures' expiry.
function gatedVerifyProvider(gates: Array<() => void>): Crypto {
  return {
    getRandomValues: <T extends ArrayBufferView<ArrayBuffer>>(a: T) => crypto.getRandomValues(a),
    subtle: {
      digest: (...args: Parameters<SubtleCrypto['digest']>) => crypto.subtle.digest(...args),
      importKey: (...args: Parameters<SubtleCrypto['importKey']>) => crypto.subtle.importKey(...args),
      verify: (...args: Parameters<SubtleCrypto['verify']>) => new Promise<boolean>((resolve, reject) => gates.push(() => { crypto.subtle.verify(...args).then(resolve, reject) })),
    },
  } as unknown as Crypto
}

async function outcomesAfterExpiry(copies: Array<Promise<unknown>>, gates: Array<() => void>, expire: () => void): Promise<Array<string | undefined>> {
  for (let i = 0; i < 50 && gates.length < copies.length; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(gates).toHaveLength(copies.length)
  expire()
  for (const open of gates) open()
  return (await Promise.allSettled(copies)).map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'accepted'))
}
