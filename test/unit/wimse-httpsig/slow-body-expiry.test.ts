// A WIMSE-signed request whose body arrives slowly: the Content-Digest check waits for it, and the
// signature (or the WIT) may expire meanwhile. Claimed with an expiry already past, the nonce would
// not be remembered (replay-cache contract), so every copy started before `expires` and finished
// after it would be accepted. Such copies must be refused.
import { describe, expect, it } from 'vitest'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { signWIMSERequest, verifyWIMSERequest } from '../../../src/wimse-httpsig/index.js'
import { makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URL_ = 'https://svcb.example.com/orders'
const BODY = '{"n":1}'

describe('a WIMSE request signature that expires while the body is read', () => {
  it('is refused for every copy, however many waited', async () => {
    let t = NOW * 1000
    const clock = (): number => t
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const template = new Request(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY })
    const out = await signWIMSERequest(template, { wit: w.wit, signer: w.signer, clock, lifetime: 60 })
    const replayCache = createMemoryReplayCache({ clock })
    const gates: (() => void)[] = []
    const copy = () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          gates.push(() => { controller.enqueue(new TextEncoder().encode(BODY)); controller.close() })
        },
      })
      const request = new Request(URL_, { method: 'POST', headers: { 'content-type': 'application/json', ...out.headers }, body, duplex: 'half' } as RequestInit)
      return verifyWIMSERequest(request, { wit: w.verified, audience: 'https://svcb.example.com', clock, replayCache, clockTolerance: 0 })
    }
    const copies = [copy(), copy(), copy()]
    await new Promise((resolve) => setTimeout(resolve, 10)) // every copy is now waiting for its body
    t = (NOW + 61) * 1000
    for (const open of gates) open()
    const results = await Promise.allSettled(copies)
    const outcomes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'accepted'))
    expect(outcomes).toEqual(['ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED', 'ERR_HTTPSIG_EXPIRED'])
  })

  it('a signature still valid after the wait is accepted once and its replay refused', async () => {
    let t = NOW * 1000
    const clock = (): number => t
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const out = await signWIMSERequest(new Request(URL_, { method: 'POST', body: BODY }), { wit: w.wit, signer: w.signer, clock, lifetime: 60 })
    const replayCache = createMemoryReplayCache({ clock })
    const send = () => verifyWIMSERequest(new Request(URL_, { method: 'POST', headers: out.headers, body: BODY }), { wit: w.verified, audience: 'https://svcb.example.com', clock, replayCache, clockTolerance: 0 })
    t = (NOW + 59) * 1000
    await expect(send()).resolves.toMatchObject({ nonce: expect.any(String) })
    await expect(send()).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
  })
})
