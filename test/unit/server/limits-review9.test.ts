// Review 9: documented limits at their boundary. `limits.headerBytes` was documented as the sum of
// header names and values; the verifier (and the Node adapter) also count 4 bytes per field
// (": " and CRLF), so a request exactly at the documented sum was refused. The TSDoc and the API
// guide now say what is counted; these tests pin the boundary (limit accepted, limit + 1 refused)
// for headerBytes, tokenBytes (WIT) and bodyBytes.
import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, type RequestLimits } from '../../../src/server/index.js'
import { signWIMSERequest } from '../../../src/wimse-httpsig/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { signedRequest, trustDomain, wptRequest, type Workload } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (e: { code?: string; status?: number }) => ({ code: e.code, status: e.status }))

async function setup() {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  const verifier = (limits: RequestLimits, proof: 'wpt' | 'httpsig' = 'wpt') =>
    createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof, authorize: matchAny(), limits, witCacheSize: 0 })
  return { agent, verifier }
}

/** A WPT request padded with an `x-pad` field so that names + values + 4 per field is `total`. */
async function paddedRequest(agent: Workload, total: number): Promise<Request> {
  const base = await wptRequest(agent, `${ORIGIN}/x`)
  let size = 0
  for (const [name, value] of base.headers) size += name.length + value.length + 4
  const pad = total - size - ('x-pad'.length + 4)
  const request = await wptRequest(agent, `${ORIGIN}/x`, { headers: { 'x-pad': 'p'.repeat(pad) } })
  let check = 0
  for (const [name, value] of request.headers) check += name.length + value.length + 4
  expect(check).toBe(total)
  return request
}

describe('createRequestVerifier: limits at the boundary', () => {
  it('headerBytes counts name + value + 4 bytes per field: the limit passes, one byte more is refused', async () => {
    const { agent, verifier } = await setup()
    const verify = verifier({ headerBytes: 2000 })
    expect(await outcome(verify(await paddedRequest(agent, 2000)))).toBe('ok')
    expect(await outcome(verify(await paddedRequest(agent, 2001)))).toEqual({ code: 'ERR_INPUT_TOO_LARGE', status: 400 })
  })

  it('headerBytes below 1024 and tokenBytes below 256 are refused when the verifier is built', async () => {
    const { verifier } = await setup()
    expect(() => verifier({ headerBytes: 1023 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => verifier({ headerBytes: 1024 })).not.toThrow()
    expect(() => verifier({ tokenBytes: 255 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => verifier({ tokenBytes: 256 })).not.toThrow()
  })

  it('tokenBytes: a WIT of exactly tokenBytes characters passes, one more is ERR_INPUT_TOO_LARGE (400)', async () => {
    const { agent, verifier } = await setup()
    const n = agent.wit.length
    expect(await outcome(verifier({ tokenBytes: n })(await wptRequest(agent, `${ORIGIN}/x`)))).toBe('ok')
    expect(await outcome(verifier({ tokenBytes: n - 1 })(await wptRequest(agent, `${ORIGIN}/x`)))).toEqual({ code: 'ERR_INPUT_TOO_LARGE', status: 400 })
  })

  it('bodyBytes: a body of exactly bodyBytes passes, one byte more is ERR_BODY_TOO_LARGE (413); 0 allows only empty bodies', async () => {
    const { agent, verifier } = await setup()
    for (const [limit, size, expected] of [[100, 100, 'ok'], [100, 101, 413], [0, 0, 'ok'], [0, 1, 413]] as const) {
      const request = await signedRequest(agent, `${ORIGIN}/x`, { method: 'POST', body: 'a'.repeat(size), headers: { 'content-type': 'text/plain' } })
      const result = await outcome(verifier({ bodyBytes: limit }, 'httpsig')(request))
      expect(result).toEqual(expected === 'ok' ? 'ok' : { code: 'ERR_BODY_TOO_LARGE', status: 413 })
    }
  })
})

describe('createRequestVerifier: maxProofLifetime at the boundary', () => {
  // A WPT has no iat (draft-ietf-wimse-wpt): its lifetime is how far exp lies ahead, and the
  // clock tolerance is added (documented since review 9; the guide said "longest WPT lifetime").
  it('a WPT whose exp lies maxProofLifetime + clockTolerance ahead passes, one second more is ERR_TOKEN_LIFETIME', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const now = Date.now()
    const clock = (): number => now
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), maxProofLifetime: 60, clockTolerance: 30, clock })
    const results: unknown[] = []
    for (const lifetime of [60, 90, 91]) {
      const wpt = await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${ORIGIN}/x`, method: 'GET', lifetime, clock })
      results.push(await outcome(verify(new Request(`${ORIGIN}/x`, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': wpt } }))))
    }
    expect(results).toEqual(['ok', 'ok', { code: 'ERR_TOKEN_LIFETIME', status: 400 }])
  })

  it('an HTTP signature may span exactly maxProofLifetime (expires - created), one second more is refused', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'httpsig', authorize: matchAny(), maxProofLifetime: 60 })
    const results: unknown[] = []
    for (const lifetime of [60, 61]) {
      const unsigned = new Request(`${ORIGIN}/x`)
      const fields = await signWIMSERequest(unsigned, { wit: agent.wit, signer: agent.signer, lifetime })
      results.push(await outcome(verify(new Request(`${ORIGIN}/x`, { headers: fields.headers }))))
    }
    expect(results).toEqual(['ok', { code: 'ERR_HTTPSIG_EXPIRED', status: 400 }])
  })
})
