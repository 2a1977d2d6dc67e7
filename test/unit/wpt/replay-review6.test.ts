// Review round 6: a WPT whose verification outlasts its exp (agentauth/server's Content-Digest check
// reads a body the client can trickle in) is refused before its jti is claimed. Claimed with an
// expiry already past, the jti was not remembered, so every copy of a captured proof started
// before its exp and finished after it was accepted.
import { describe, expect, it } from 'vitest'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { createCompiledWPTVerifier } from '../../../src/wpt/verify.js'
import { makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URI = 'https://api.example.com/orders'

describe('a proof that expires while the request is verified', () => {
  it('is refused, however many copies wait on a slow body', async () => {
    let t = NOW * 1000
    const clock = (): number => t
    const w = await makeWorkload({ now: NOW })
    const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: URI, lifetime: 60, clock })
    const replayCache = createMemoryReplayCache({ clock })
    const verify = createCompiledWPTVerifier({ replayCache, clock, clockTolerance: 0 })
    let open!: () => void
    const body = new Promise<void>((resolve) => { open = resolve })
    const request = { wit: w.verified, target: { href: URI, pathname: '/orders' }, method: 'POST', beforeReplay: () => body }
    const copies = [verify(wpt, request), verify(wpt, request), verify(wpt, request)]
    t = (NOW + 61) * 1000
    open()
    const results = await Promise.allSettled(copies)
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'accepted'))).toEqual(['ERR_TOKEN_EXPIRED', 'ERR_TOKEN_EXPIRED', 'ERR_TOKEN_EXPIRED'])
  })

  it('a proof still valid after the wait is accepted once and its replay refused', async () => {
    let t = NOW * 1000
    const clock = (): number => t
    const w = await makeWorkload({ now: NOW })
    const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: URI, lifetime: 60, clock })
    const verify = createCompiledWPTVerifier({ replayCache: createMemoryReplayCache({ clock }), clock, clockTolerance: 0 })
    const request = { wit: w.verified, target: { href: URI, pathname: '/orders' }, method: 'POST', beforeReplay: async () => { t = (NOW + 59) * 1000 } }
    await expect(verify(wpt, request)).resolves.toMatchObject({ id: w.verified.id })
    await expect(verify(wpt, request)).rejects.toMatchObject({ code: 'ERR_PROOF_REPLAYED' })
  })
})
