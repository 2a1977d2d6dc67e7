import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createTxnToken } from '../../../src/txn-token/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { signedRequest, trustDomain } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

async function setup(required = true) {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  const tts = await generateSigner('ES256', { kid: 'tts-1' })
  const verify = createRequestVerifier({
    trustBundles: td.trustBundles, origin: ORIGIN, proof: 'either', authorize: matchAny(),
    txnToken: { required, trustDomain: 'example.org', keys: [await tts.publicJwk()] },
  })
  const txn = (trustDomainName = 'example.org') => createTxnToken({ sub: 'alice@example.org', scope: 'trade.stocks', req_wl: 'spiffe://example.org/gateway' }, { signer: tts, trustDomain: trustDomainName, lifetime: 120 })
  return { agent, verify, txn }
}

async function wptWithTxn(agent: { wit: string; signer: Parameters<typeof createWPT>[0]['signer'] }, url: string, txnToken: string, bindTo = txnToken): Promise<Request> {
  const wpt = await createWPT({ wit: agent.wit, signer: agent.signer, uri: url, method: 'GET', txnToken: bindTo })
  return new Request(url, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': wpt, 'txn-token': txnToken } })
}

async function code(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'resolved', (e: { code: string }) => e.code)
}

describe('server Txn-Token step', () => {
  it('returns the verified Txn-Token bound by the WPT (tth) or covered by the HTTP signature', async () => {
    const { agent, verify, txn } = await setup()
    const token = await txn()
    const viaWPT = await verify(await wptWithTxn(agent, `${ORIGIN}/trade`, token))
    expect(viaWPT.txnToken?.claims.sub).toBe('alice@example.org')
    expect(viaWPT.txnToken?.scopes).toEqual(['trade.stocks'])
    const viaSig = await verify(await signedRequest(agent, `${ORIGIN}/trade`, { headers: { 'txn-token': token } }))
    expect(viaSig.txnToken?.claims.txn).toBe(viaWPT.txnToken?.claims.txn)
  })

  it('refuses a Txn-Token the proof does not bind, one for another trust domain, and a missing one when required', async () => {
    const { agent, verify, txn } = await setup()
    const token = await txn()
    const other = await txn()
    expect(await code(verify(await wptWithTxn(agent, `${ORIGIN}/trade`, token, other)))).toBe('ERR_WPT_BINDING_MISMATCH')
    expect(await code(verify(await wptWithTxn(agent, `${ORIGIN}/trade`, await txn('other.example'))))).toBe('ERR_TXN_TOKEN_AUDIENCE')
    const wpt = await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${ORIGIN}/trade`, method: 'GET' })
    expect(await code(verify(new Request(`${ORIGIN}/trade`, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': wpt } })))).toBe('ERR_TXN_TOKEN_MISSING')
  })

  it("checks the Txn-Token with the policy's clockTolerance unless the step sets its own", async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const tts = await generateSigner('ES256', { kid: 'tts-1' })
    const keys = [await tts.publicJwk()]
    // Issued by a service whose clock runs 5 s ahead: iat and nbf-like checks see a token from the future.
    const ahead = await createTxnToken({ sub: 'alice@example.org', scope: 'trade.stocks', req_wl: 'spiffe://example.org/gateway' }, { signer: tts, trustDomain: 'example.org', lifetime: 120, clock: () => Date.now() + 5_000 })
    const base = { trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt' as const, authorize: matchAny() }
    const lenient = createRequestVerifier({ ...base, txnToken: { required: true, trustDomain: 'example.org', keys } })
    expect((await lenient(await wptWithTxn(agent, `${ORIGIN}/trade`, ahead))).txnToken?.claims.sub).toBe('alice@example.org')
    const strict = createRequestVerifier({ ...base, clockTolerance: 0, txnToken: { required: true, trustDomain: 'example.org', keys } })
    expect(await code(strict(await wptWithTxn(agent, `${ORIGIN}/trade`, ahead)))).toBe('ERR_TOKEN_NOT_YET_VALID')
    const stepStrict = createRequestVerifier({ ...base, txnToken: { required: true, trustDomain: 'example.org', keys, clockTolerance: 0 } })
    expect(await code(stepStrict(await wptWithTxn(agent, `${ORIGIN}/trade`, ahead)))).toBe('ERR_TOKEN_NOT_YET_VALID')
  })

  it('applies limits.tokenBytes to the Txn-Token when set, and the Txn-Token default (16 KiB) otherwise', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const tts = await generateSigner('ES256', { kid: 'tts-1' })
    const keys = [await tts.publicJwk()]
    const big = await createTxnToken({ sub: 'alice@example.org', scope: 'trade.stocks', req_wl: 'spiffe://example.org/gateway', tctx: { note: 'x'.repeat(9000) } }, { signer: tts, trustDomain: 'example.org', lifetime: 120 })
    expect(big.length).toBeGreaterThan(9000)
    const base = { trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt' as const, authorize: matchAny() }
    const byDefault = createRequestVerifier({ ...base, txnToken: { required: true, trustDomain: 'example.org', keys } })
    expect((await byDefault(await wptWithTxn(agent, `${ORIGIN}/trade`, big))).txnToken?.claims.tctx).toEqual({ note: 'x'.repeat(9000) })
    const capped = createRequestVerifier({ ...base, limits: { tokenBytes: 4096 }, txnToken: { required: true, trustDomain: 'example.org', keys } })
    expect(await code(capped(await wptWithTxn(agent, `${ORIGIN}/trade`, big)))).toBe('ERR_INPUT_TOO_LARGE')
    const stepWins = createRequestVerifier({ ...base, limits: { tokenBytes: 4096 }, txnToken: { required: true, trustDomain: 'example.org', keys, maxTokenBytes: 16 * 1024 } })
    expect((await stepWins(await wptWithTxn(agent, `${ORIGIN}/trade`, big))).txnToken).toBeDefined()
  })

  it('accepts requests without a Txn-Token when it is optional', async () => {
    const { agent, verify } = await setup(false)
    const ok = await verify(await signedRequest(agent, `${ORIGIN}/trade`))
    expect(ok.txnToken).toBeUndefined()
  })
})
