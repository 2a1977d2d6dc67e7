// Review round 4: what the WPT access-token binding does and does not guarantee
// (docs/proof-of-possession.md).
import { describe, expect, it } from 'vitest'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { createWPT, verifyWPT } from '../../../src/wpt/index.js'
import { at, makeWorkload, testReplayCache } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URI = 'https://api.example.com/orders'

describe('wpt: ath binds a proof to one access token, not a token to one workload', () => {
  it("refuses A's proof with another token, and accepts B's own proof over A's (unbound) token", async () => {
    const a = await makeWorkload({ sub: 'wimse://example.com/a', now: NOW })
    const b = await makeWorkload({ sub: 'wimse://example.com/b', now: NOW })
    const tokenOfA = 'access-token-issued-to-a'
    const proofOfA = await createWPT({ wit: a.wit, signer: a.signer, uri: URI, accessToken: tokenOfA, clock: at(NOW) })
    const common = { uri: URI, clock: at(NOW), replayCache: testReplayCache(at(NOW)) }
    await expect(verifyWPT(proofOfA, { ...common, wit: a.verified, accessToken: 'another-token' })).rejects.toMatchObject({ code: 'ERR_WPT_BINDING_MISMATCH' })
    // B holds a copy of A's token: its own WIT and proof bind it, and the proof layer accepts that.
    // Only a sender-constrained token (cnf.jkt, checked by agentauth/access-token) stops it.
    const proofOfB = await createWPT({ wit: b.wit, signer: b.signer, uri: URI, accessToken: tokenOfA, clock: at(NOW) })
    const verified = await verifyWPT(proofOfB, { ...common, wit: b.verified, accessToken: tokenOfA })
    expect(verified.id).toBe('wimse://example.com/b')
  })
})

describe('wpt: verifyWPT checks clock and crypto like the compiled verifier', () => {
  it('refuses a clock that is not a function and a crypto without subtle with a coded TypeError', async () => {
    const a = await makeWorkload({ sub: 'wimse://example.com/a', now: NOW })
    const wpt = await createWPT({ wit: a.wit, signer: a.signer, uri: URI, clock: at(NOW) })
    for (const bad of [{ clock: NOW }, { clock: 'now' }, { crypto: {} }, { crypto: 'webcrypto' }]) {
      await expect(verifyWPT(wpt, { wit: a.verified, uri: URI, clock: at(NOW), ...bad } as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
    expect((await verifyWPT(wpt, { wit: a.verified, uri: URI, clock: at(NOW) })).id).toBe('wimse://example.com/a')
  })
})

describe('createWPT / createWIT: clock and crypto options are checked up front', () => {
  it('refuses a non-function clock and a crypto without getRandomValues/subtle with a coded TypeError', async () => {
    const a = await makeWorkload({ sub: 'wimse://example.com/a', now: NOW })
    for (const bad of [{ clock: NOW }, { crypto: {} }, { crypto: { subtle: globalThis.crypto.subtle } }, { crypto: { getRandomValues: () => new Uint8Array(16) } }]) {
      await expect(createWPT({ wit: a.wit, signer: a.signer, uri: URI, ...bad } as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
    const workload = await generateSigner('ES256')
    const issuer = await generateSigner('ES256', { kid: 'i' })
    for (const crypto of [{}, { subtle: globalThis.crypto.subtle }]) {
      await expect(createWIT({ sub: 'wimse://example.com/a', publicJwk: await workload.publicJwk() }, { signer: issuer, crypto } as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
    expect(await createWPT({ wit: a.wit, signer: a.signer, uri: URI, crypto: globalThis.crypto })).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
  })
})
