// Review 7 (lead): what an `authorize` callback's result means. Only `true` lets a request through;
// a truthy non-boolean is a refusal (403); a throw or rejection refuses the request and reaches the
// caller unchanged (the RequestVerifier TSDoc listed only VerificationError and StoreError).
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import type { WorkloadIdentifier } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type Authorizer } from '../../../src/server/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

async function outcome(authorize: (id: WorkloadIdentifier) => unknown): Promise<unknown> {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: authorize as Authorizer })
  return verify(await wptRequest(agent, `${ORIGIN}/x`)).then((v) => v.workload.id, (e: unknown) => e)
}

describe('createRequestVerifier: authorize results', () => {
  it.each([
    ['1', () => 1],
    ["'yes'", () => 'yes'],
    ['an object', () => ({})],
    ['a promise of 1', async () => 1],
    ['undefined', () => undefined],
  ])('refuses %s with ERR_POLICY_DENIED (403)', async (_name, authorize) => {
    expect(await outcome(authorize)).toMatchObject({ code: 'ERR_POLICY_DENIED', status: 403 })
  })

  it('lets true and a promise of true through', async () => {
    expect(await outcome(() => true)).toBe('spiffe://example.org/agents/bot')
    expect(await outcome(async () => true)).toBe('spiffe://example.org/agents/bot')
  })

  it('passes on what a throwing or rejecting authorizer threw (500, or 503 for a StoreError)', async () => {
    const plain = new Error('permissions service bug')
    expect(await outcome(() => { throw plain })).toBe(plain)
    const outage = new StoreError('ERR_STORE_UNAVAILABLE', 'permissions store down')
    const err = await outcome(async () => { throw outage })
    expect(err).toBe(outage)
    expect(errorResponse(err).status).toBe(503)
    expect(errorResponse(plain).status).toBe(500)
  })
})
