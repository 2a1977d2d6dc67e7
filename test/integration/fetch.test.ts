// workloadAuth with localCredentials (a trusted service holding its own key) against real
// node:http servers on loopback verifying with createRequestVerifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composeFetch, localCredentials, workloadAuth, type WorkloadAuthOptions } from '../../src/fetch/index.js'
import { codeOf, credentialFields, startApi, startServer, type ApiServer, type TestServer } from '../helpers/broker-fixtures.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../helpers/server-fixtures.js'

let td: TrustDomainFixture
let caller: Workload
let apiA: ApiServer
let apiB: ApiServer
let signing: ApiServer
let foreign: TestServer

beforeAll(async () => {
  td = await trustDomain('example.org')
  caller = await td.workload('/services/orders')
  apiA = await startApi(td, { proof: 'either' })
  apiB = await startApi(td, { proof: 'either' })
  signing = await startApi(td, { proof: 'httpsig', responder: await td.workload('/apis/billing') })
  foreign = await startServer(() => new Response('foreign'))
})

afterAll(async () => {
  await Promise.all([apiA?.close(), apiB?.close(), signing?.close(), foreign?.close()])
})

const client = (proof: 'wpt' | 'httpsig', extra: Partial<WorkloadAuthOptions> = {}) =>
  composeFetch(fetch, workloadAuth({ credentials: localCredentials({ signer: caller.signer, wit: caller.wit, proof, signResponse: proof === 'httpsig' }), origins: [apiA.origin, apiB.origin, signing.origin], ...extra }))

describe('workloadAuth over real HTTP', () => {
  for (const proof of ['wpt', 'httpsig'] as const) {
    it(`${proof}: GET and POST verify; a 307 to a foreign origin leaks nothing; a 307 to another allowed origin verifies there`, async () => {
      const f = client(proof)
      expect(await (await f(`${apiA.origin}/v1/echo?x=1`)).json()).toMatchObject({ caller: caller.id, proof })
      expect(await (await f(`${apiA.origin}/v1/echo`, { method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).json()).toMatchObject({ method: 'PUT', body: '{"a":1}' })
      const seen = foreign.received.length
      const leak = await f(`${apiA.origin}/v1/redirect?status=307&to=${encodeURIComponent(`${foreign.origin}/x`)}`, { method: 'POST', body: 'data', headers: { 'content-type': 'text/plain', 'txn-token': 'txn-abc' } })
      expect(await leak.text()).toBe('foreign')
      const got = foreign.received.slice(seen)
      expect(got).toHaveLength(1)
      expect(credentialFields(got[0]!)).toEqual([])
      expect(got[0]!.body).toBe('data')
      const verified = apiB.verified.length
      const hop = await f(`${apiA.origin}/v1/redirect?status=308&to=${encodeURIComponent(`${apiB.origin}/v1/echo`)}`, { method: 'POST', body: 'hop' })
      expect(await hop.json()).toMatchObject({ caller: caller.id, method: 'POST', body: 'hop', proof })
      expect(apiB.verified.length).toBe(verified + 1)
      expect([...apiA.errors, ...apiB.errors]).toEqual([])
    })
  }

  it('streams an upload and passes server-sent events through as they arrive', async () => {
    const f = client('httpsig')
    const upload = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('chunk-1 '))
        c.enqueue(new TextEncoder().encode('chunk-2'))
        c.close()
      },
    })
    expect(await (await f(`${apiA.origin}/v1/echo`, { method: 'POST', body: upload, duplex: 'half' } as RequestInit)).json()).toMatchObject({ body: 'chunk-1 chunk-2' })
    const events = await f(`${apiA.origin}/v1/sse`)
    const reader = events.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n')
    apiA.release()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: two\n\n')
    expect((await reader.read()).done).toBe(true)
  })

  it('verifies the signed responses of a WIMSE service, streams included', async () => {
    const f = client('httpsig', { verifyResponse: { trustBundles: td.trustBundles, required: true, authorize: (wit) => wit.id === 'spiffe://example.org/apis/billing' } })
    expect(await (await f(`${signing.origin}/v1/echo`, { method: 'POST', body: 'pay' })).json()).toMatchObject({ body: 'pay' })
    const events = await f(`${signing.origin}/v1/sse`)
    const reader = events.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n')
    signing.release()
    await reader.cancel()
    expect(await codeOf(f(`${apiA.origin}/v1/echo`))).toBe('ERR_HTTPSIG_MISSING')
  })
})
