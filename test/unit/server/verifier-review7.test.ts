// Review 7 (lead): what an `authorize` callback's result means. Only `true` lets a request through;
// a truthy non-boolean is a refusal (403); a throw or rejection refuses the request and reaches the
// caller unchanged (the RequestVerifier TSDoc listed only VerificationError and StoreError).
// Also: with an optional access-token step, a request whose Authorization field uses another scheme
// (`Basic …`: no bearer credentials, RFC 6750 §3.1) was refused with 401, as if a token was required.
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors/index.js'
import { matchTrustDomain, type WorkloadIdentifier } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type Authorizer } from '../../../src/server/index.js'
import { generateSigner } from '../../../src/signer/index.js'
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

describe('createRequestVerifier: access-token step and other Authorization schemes', () => {
  async function setup(mode: 'optional' | 'required') {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const as = await generateSigner('ES256', { kid: 'as-1' })
    const verify = createRequestVerifier({
      trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchTrustDomain('example.org'),
      accessToken: { mode, issuer: 'https://as.example.com', audience: ORIGIN, keys: [await as.publicJwk()] },
    })
    return { agent, verify }
  }

  it('optional: a Basic (or empty) Authorization is a request without an access token', async () => {
    const { agent, verify } = await setup('optional')
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Negotiate abc', '']) {
      const result = await verify(await wptRequest(agent, `${ORIGIN}/x`, { headers: { authorization } }))
      expect(result.accessToken).toBeUndefined()
    }
  })

  it('optional: a Bearer token is still verified (and a malformed one refused)', async () => {
    const { agent, verify } = await setup('optional')
    const bad = await verify(await wptRequest(agent, `${ORIGIN}/x`, {}, { accessToken: 'not.a.token' })).then(() => undefined, (e: unknown) => e)
    expect(errorResponse(bad).headers.get('www-authenticate')).toMatch(/^Bearer error=/)
  })

  it('required: a Basic Authorization still gets the bare Bearer challenge (401)', async () => {
    const { agent, verify } = await setup('required')
    const err = await verify(await wptRequest(agent, `${ORIGIN}/x`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 401 })
    expect(errorResponse(err).headers.get('www-authenticate')).toBe('Bearer')
  })
})
