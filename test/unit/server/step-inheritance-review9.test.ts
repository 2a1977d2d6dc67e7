// Review 9: the access-token and Txn-Token steps inherit the policy's clockTolerance and an explicit
// limits.tokenBytes "unless they set their own". A step option present but `undefined` (a config
// value that is not set: `{ clockTolerance: cfg.skew }`) erased the policy's value: the tolerance
// fell to 0 (tokens within the tolerated skew refused) and limits.tokenBytes no longer bounded
// access tokens (16 KiB accepted under a 1 KiB limit). Undefined step options now leave the
// policy's values in place.
import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, type AccessTokenStep, type TxnTokenStep } from '../../../src/server/index.js'
import { generateSigner, jwkThumbprint } from '../../../src/signer/index.js'
import { createAccessToken } from '../../../src/token-service/index.js'
import { createTxnToken } from '../../../src/txn-token/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'
const AS = 'https://as.example.com'
const result = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code: string }) => e.code)

describe('createRequestVerifier: step options set to undefined inherit the policy', () => {
  it('accessToken.clockTolerance: undefined keeps the policy tolerance (a token 10 s past exp passes at 30 s)', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const as = await generateSigner('ES256', { kid: 'as-1' })
    const jkt = await jwkThumbprint(await agent.signer.publicJwk())
    const at = await createAccessToken({ iss: AS, sub: 'alice', aud: ORIGIN, client_id: 'c', cnf: { jkt } }, { signer: as, lifetime: 60, clock: () => Date.now() - 70_000 })
    const base: AccessTokenStep = { mode: 'required', issuer: AS, audience: ORIGIN, keys: [await as.publicJwk()] }
    for (const step of [base, { ...base, clockTolerance: undefined }]) {
      const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), accessToken: step })
      expect(await result(verify(await wptRequest(agent, `${ORIGIN}/x`, {}, { accessToken: at })))).toBe('ok')
    }
    const strict = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), accessToken: { ...base, clockTolerance: 0 } })
    expect(await result(strict(await wptRequest(agent, `${ORIGIN}/x`, {}, { accessToken: at })))).toBe('ERR_TOKEN_EXPIRED')
  })

  it('accessToken.maxTokenBytes: undefined keeps limits.tokenBytes as the access-token limit', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const as = await generateSigner('ES256', { kid: 'as-1' })
    const jkt = await jwkThumbprint(await agent.signer.publicJwk())
    const at = await createAccessToken({ iss: AS, sub: 'alice', aud: ORIGIN, client_id: 'c', cnf: { jkt }, pad: 'p'.repeat(2000) }, { signer: as, lifetime: 60 })
    const tokenBytes = Math.max(agent.wit.length, 1024)
    expect(at.length).toBeGreaterThan(tokenBytes + 32)
    const base: AccessTokenStep = { mode: 'required', issuer: AS, audience: ORIGIN, keys: [await as.publicJwk()] }
    for (const step of [base, { ...base, maxTokenBytes: undefined }]) {
      const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), accessToken: step, limits: { tokenBytes } })
      expect(await result(verify(await wptRequest(agent, `${ORIGIN}/x`, {}, { accessToken: at })))).toBe('ERR_INPUT_TOO_LARGE')
    }
  })

  it('txnToken.clockTolerance: undefined keeps the policy tolerance', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const tts = await generateSigner('ES256', { kid: 'tts-1' })
    const token = await createTxnToken({ sub: 'alice@example.org', scope: 'trade', req_wl: 'spiffe://example.org/gw' }, { signer: tts, trustDomain: 'example.org', lifetime: 60, clock: () => Date.now() - 70_000 })
    const base: TxnTokenStep = { required: true, trustDomain: 'example.org', keys: [await tts.publicJwk()] }
    const outcomes: string[] = []
    for (const step of [base, { ...base, clockTolerance: undefined }, { ...base, clockTolerance: 0 }]) {
      const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), txnToken: step })
      const wpt = await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${ORIGIN}/x`, method: 'GET', txnToken: token })
      outcomes.push(await result(verify(new Request(`${ORIGIN}/x`, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': wpt, 'txn-token': token } }))))
    }
    expect(outcomes[0]).toBe('ok')
    expect(outcomes[1]).toBe('ok')
    expect(outcomes[2]).not.toBe('ok')
  })
})
