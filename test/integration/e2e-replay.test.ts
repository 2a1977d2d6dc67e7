// Cross-instance replay, end to end: two verifier instances (separate Redis connections, stores and
// verified-WIT caches, each behind its own loopback HTTP server, one public origin as behind a load
// balancer) share createRedisReplayCache. A proof accepted by one instance is refused by the other
// (ERR_PROOF_REPLAYED), for WPT `jti`s and for WIMSE HTTP-signature nonces; a race between the two
// has exactly one winner. A private memory cache, by contrast, lets the replay through — the
// documented single-instance limit.
import { describe, expect, it } from 'vitest'
import { createWPT } from '../../src/wpt/index.js'
import {
  freshPrefixes, manualClock, mintWorkload, PUBLIC_ORIGIN, startVerifier, type ManualClock, type E2EWorkload,
} from '../helpers/e2e-fixtures.js'
import { useRedis } from '../helpers/redis-server.js'
import { signedRequest, trustDomain, wptRequest } from '../helpers/server-fixtures.js'

const redis = useRedis()
const td = await trustDomain('example.org')
const URL_ = `${PUBLIC_ORIGIN}/orders/42?expand=items`

type Build = (w: E2EWorkload, clock: ManualClock) => Promise<Request>
const PROOFS: ReadonlyArray<readonly [string, Build]> = [
  ['WPT (jti)', (w, clock) => wptRequest(w, URL_, {}, { clock })],
  ['WIMSE HTTP signature (nonce)', (w, clock) => signedRequest(w, URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"qty":1}' }, { clock })],
]

describe('cross-instance replay with a shared Redis replay cache', () => {
  for (const [label, build] of PROOFS) {
    it(`${label}: accepted by instance A, refused by instance B (and by A again)`, async () => {
      const clock = manualClock()
      const prefixes = freshPrefixes()
      const agent = await mintWorkload(td, '/agents/buyer', clock)
      const a = await startVerifier(redis(), td, { name: 'A', clock, ...prefixes })
      const b = await startVerifier(redis(), td, { name: 'B', clock, ...prefixes })

      const request = await build(agent, clock)
      expect(await a.send(request.clone())).toMatchObject({ status: 200, workload: agent.id })
      expect(await b.send(request.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
      expect(await a.send(request.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
      // Still refused near the end of the proof's lifetime (the claim lives for exp + tolerance).
      clock.advance(50)
      expect(await b.send(request.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
      // A fresh proof from the same agent is fine on either instance.
      expect(await b.send(await build(agent, clock))).toMatchObject({ status: 200, workload: agent.id })
    })

    it(`${label}: the same proof sent to both instances at once is accepted exactly once`, async () => {
      const clock = manualClock()
      const prefixes = freshPrefixes()
      const agent = await mintWorkload(td, '/agents/buyer', clock)
      const a = await startVerifier(redis(), td, { name: 'A', clock, ...prefixes })
      const b = await startVerifier(redis(), td, { name: 'B', clock, ...prefixes })
      for (let round = 0; round < 5; round++) {
        const request = await build(agent, clock)
        const results = await Promise.all([a, b, a, b].map((v) => v.send(request.clone())))
        expect(results.filter((r) => r.status === 200)).toHaveLength(1)
        expect(results.filter((r) => r.code === 'ERR_PROOF_REPLAYED')).toHaveLength(3)
      }
    })
  }

  it('the replay namespace is per agent: two agents may use the same WPT jti, and it is refused only on reuse', async () => {
    const clock = manualClock()
    const prefixes = freshPrefixes()
    const one = await mintWorkload(td, '/agents/one', clock)
    const two = await mintWorkload(td, '/agents/two', clock)
    const a = await startVerifier(redis(), td, { name: 'A', clock, ...prefixes })
    const b = await startVerifier(redis(), td, { name: 'B', clock, ...prefixes })
    const withJti = async (w: E2EWorkload, jti: string): Promise<Request> => {
      const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: URL_, method: 'GET', jti, clock })
      return new Request(URL_, { headers: { 'workload-identity-token': w.wit, 'workload-proof-token': wpt } })
    }
    const r1 = await withJti(one, 'shared-jti-1')
    const r2 = await withJti(two, 'shared-jti-1')
    expect(await a.send(r1.clone())).toMatchObject({ status: 200, workload: one.id })
    expect(await b.send(r2.clone())).toMatchObject({ status: 200, workload: two.id })
    expect(await b.send(r1.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
    expect(await a.send(r2.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
  })

  it('contrast: instances with private memory caches each accept the same proof once (why production needs Redis)', async () => {
    const clock = manualClock()
    const prefixes = freshPrefixes()
    const agent = await mintWorkload(td, '/agents/buyer', clock)
    const a = await startVerifier(redis(), td, { name: 'A', clock, ...prefixes, replayCache: 'memory' })
    const b = await startVerifier(redis(), td, { name: 'B', clock, ...prefixes, replayCache: 'memory' })
    const request = await wptRequest(agent, URL_, {}, { clock })
    expect(await a.send(request.clone())).toMatchObject({ status: 200 })
    expect(await b.send(request.clone())).toMatchObject({ status: 200 })
    expect(await a.send(request.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
  })
})
