// Fail closed and recover, end to end: request verifiers on Redis stores lose Redis mid-run —
// stopped (connection refused) or suspended with SIGSTOP (no answer: timeout) — and must refuse
// every request with StoreError → 503 + Retry-After, never let one through (not even an agent whose
// WIT is cached), answer within the configured timeout, and accept fresh requests again with the
// SAME verifier objects once Redis is back. With appendonly + appendfsync always, the replay claims
// and revocations recorded before a restart still hold after it.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors/index.js'
import { errorResponse } from '../../src/server/index.js'
import {
  freshPrefixes, manualClock, mintWorkload, PUBLIC_ORIGIN, startVerifier, type E2EWorkload, type ManualClock, type VerifierInstance,
} from '../helpers/e2e-fixtures.js'
import { startRedis } from '../helpers/redis-server.js'
import { signedRequest, trustDomain, wptRequest } from '../helpers/server-fixtures.js'

const td = await trustDomain('example.org')
const URL_ = `${PUBLIC_ORIGIN}/tools/run`
const TIMEOUT = 150

let n = 0
const fresh = (w: E2EWorkload, clock: ManualClock): Promise<Request> => (n++ % 2 === 0 ? wptRequest(w, URL_, {}, { clock }) : signedRequest(w, URL_, {}, { clock }))

/** Verifies directly and expects a StoreError; returns the Response errorResponse() makes of it. */
async function expectStoreError(v: VerifierInstance, request: Request): Promise<Response> {
  const err = await v.verify(request).then(() => undefined, (e: unknown) => e)
  expect(err, `${v.name} must fail closed`).toBeInstanceOf(StoreError)
  expect((err as StoreError).code).toBe('ERR_STORE_UNAVAILABLE')
  const response = errorResponse(err)
  expect(response.status).toBe(503)
  expect(response.headers.get('retry-after')).toBe('1')
  expect(await response.json()).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE' })
  return response
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - start }
}

describe('Redis outage under live request verifiers', () => {
  it('Redis stopped: 503 with Retry-After from every instance and step; after a restart the same verifiers accept again, state intact', async () => {
    const redis = await startRedis({ appendonly: true, appendfsync: 'always' })
    const clock = manualClock()
    const prefixes = freshPrefixes()
    const agent = await mintWorkload(td, '/agents/worker', clock)
    const revokedAgent = await mintWorkload(td, '/agents/leaked', clock)
    const a = await startVerifier(redis, td, { name: 'A', clock, ...prefixes, timeoutMs: TIMEOUT })
    const b = await startVerifier(redis, td, { name: 'B', clock, ...prefixes, timeoutMs: TIMEOUT })
    // C keeps its replay cache in memory: only its revocation step depends on Redis.
    const c = await startVerifier(redis, td, { name: 'C', clock, ...prefixes, timeoutMs: TIMEOUT, replayCache: 'memory' })
    for (const v of [a, b, c]) expect(await v.send(await fresh(agent, clock))).toMatchObject({ status: 200 })
    const acceptedBefore = await wptRequest(agent, URL_, {}, { clock })
    expect(await a.send(acceptedBefore.clone())).toMatchObject({ status: 200 })
    await a.revocations.revoke({ sub: revokedAgent.id, until: clock.seconds() + 3600, reason: 'key leaked' })
    expect(await b.send(await fresh(revokedAgent, clock))).toMatchObject({ status: 401, code: 'ERR_CREDENTIAL_REVOKED' })

    await redis.stop()
    const { ms } = await timed(async () => {
      for (const v of [a, b, c]) await expectStoreError(v, await fresh(agent, clock)) // WIT cached: still refused
      // Over HTTP, what the agent sees:
      for (const v of [a, b, c]) expect(await v.send(await fresh(agent, clock))).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE', retryAfter: '1' })
      // A revoked agent is not let through either (503, not 200).
      expect(await c.send(await fresh(revokedAgent, clock))).toMatchObject({ status: 503 })
      // Giving a claim back also fails closed.
      await expect(a.replayCache.release!('set:iss:jti')).rejects.toMatchObject({ name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' })
    })
    expect(ms).toBeLessThan(10 * (TIMEOUT + 1000)) // ten store round trips, each bounded by timeoutMs

    await redis.restart()
    await expect.poll(async () => (await a.send(await fresh(agent, clock))).status, { timeout: 5000, interval: 50 }).toBe(200)
    for (const v of [a, b, c]) expect(await v.send(await fresh(agent, clock))).toMatchObject({ status: 200, workload: agent.id })
    // The append-only file kept what was acknowledged before the outage.
    expect(await b.send(acceptedBefore.clone())).toMatchObject({ status: 401, code: 'ERR_PROOF_REPLAYED' })
    for (const v of [a, b, c]) expect(await v.send(await fresh(revokedAgent, clock))).toMatchObject({ status: 401, code: 'ERR_CREDENTIAL_REVOKED' })
  })

  it('Redis stalled (SIGSTOP): each verification fails closed after timeoutMs; after SIGCONT the same verifiers accept again', async () => {
    const redis = await startRedis()
    const clock = manualClock()
    const prefixes = freshPrefixes()
    const agent = await mintWorkload(td, '/agents/worker', clock)
    const a = await startVerifier(redis, td, { name: 'A', clock, ...prefixes, timeoutMs: TIMEOUT })
    const b = await startVerifier(redis, td, { name: 'B', clock, ...prefixes, timeoutMs: TIMEOUT })
    for (const v of [a, b]) expect(await v.send(await fresh(agent, clock))).toMatchObject({ status: 200 })

    redis.suspend()
    try {
      const requests = await Promise.all([fresh(agent, clock), fresh(agent, clock)])
      const direct = await timed(() => Promise.all([expectStoreError(a, requests[0]!), expectStoreError(b, requests[1]!)]))
      expect(direct.ms).toBeGreaterThanOrEqual(TIMEOUT - 5)
      expect(direct.ms).toBeLessThan(TIMEOUT + 1000)
      const overHttp = await timed(async () => b.send(await fresh(agent, clock)))
      expect(overHttp.value).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE', retryAfter: '1' })
      expect(overHttp.ms).toBeLessThan(TIMEOUT + 1000)
      await expect(b.replayCache.release!('set:iss:jti')).rejects.toMatchObject({ name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' })
    } finally {
      redis.resume()
    }
    for (const v of [a, b]) {
      await expect.poll(async () => (await v.send(await fresh(agent, clock))).status, { timeout: 5000, interval: 50 }).toBe(200)
    }
    // The proofs refused during the stall may have been claimed late (they are burnt, never accepted
    // later); fresh proofs work on both instances.
    for (const v of [a, b]) expect(await v.send(await fresh(agent, clock))).toMatchObject({ status: 200, workload: agent.id })
  })
})
