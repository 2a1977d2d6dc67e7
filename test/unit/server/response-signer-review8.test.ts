import { describe, expect, it } from 'vitest'
import type { Signer } from '../../../src/signer/types.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner } from '../../../src/server/index.js'
import { verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'
import { verifyWIT } from '../../../src/wit/index.js'
import { signedRequest, trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

describe('createResponseSigner: wimse-req-nonce only from a verified request signature', () => {
  it('does not echo the nonce of a Signature-Input the verifier never checked (WPT proof)', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/a')
    const service = await td.workload('/services/api')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: 'https://api.example.com', proof: 'wpt', authorize: matchAny() })
    const request = await wptRequest(agent, 'https://api.example.com/x', {
      headers: {
        'signature-input': 'wimse=("@method" "@request-target");created=1;expires=2;nonce="victim-nonce";tag="wimse-workload-to-workload";wimse-sign-response',
        signature: 'wimse=:AAAA:',
      },
    })
    const verified = await verify(request)
    expect(verified.proof.type).toBe('wpt')
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer })
    const res = await sign(new Response('hi'), { request, verified })
    expect(res.headers.get('signature-input')).not.toContain('victim-nonce')
    expect(await res.text()).toBe('hi')
  })

  it('echoes the nonce of the signature that was the verified proof', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/a')
    const service = await td.workload('/services/api')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: 'https://api.example.com', proof: 'httpsig', authorize: matchAny() })
    const request = await signedRequest(agent, 'https://api.example.com/x', {}, { signResponse: true })
    const verified = await verify(request)
    if (verified.proof.type !== 'httpsig') throw new Error('expected httpsig')
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer })
    const res = await sign(new Response('hi'), { request, verified })
    expect(res.headers.get('signature-input')).toContain(`wimse-req-nonce="${verified.proof.signature.nonce}"`)
    await expect(verifyWIMSEResponse(res, { request, wit: await verifyWIT(service.wit, { trustBundles: td.trustBundles }), expectedRequestNonce: verified.proof.signature.nonce, required: true })).resolves.toBeDefined()
  })
})

describe('createResponseSigner: options are read once, when the signer is created', () => {
  it('keeps the validated signer, clock and crypto when the options object is changed later', async () => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const options: { wit: string; signer: Signer; clock?: () => number } = { wit: service.wit, signer: service.signer, clock: () => 1_800_000_000_000 }
    const sign = createResponseSigner(options)
    options.signer = undefined as unknown as Signer
    options.clock = () => Number.NaN
    const res = await sign(new Response('hi'), { request: new Request('https://api.example.com/x') })
    expect(res.headers.get('signature-input')).toContain('created=1800000000;')
  })
})

describe('createResponseSigner: a 101 WebSocket upgrade', () => {
  it('is passed on unchanged (no uncoded RangeError from rebuilding it, no lost upgrade)', async () => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer })
    // Node's fetch cannot build a 101 Response; Deno's upgradeWebSocket and workerd return one.
    const upgrade = new Response(null)
    Object.defineProperty(upgrade, 'status', { value: 101 })
    expect(await sign(upgrade, { request: new Request('https://api.example.com/ws') })).toBe(upgrade)
  })

  it('Response.error() (status 0) is still refused with ERR_SIGNER_FAILED', async () => {
    const td = await trustDomain('example.org')
    const service = await td.workload('/services/api')
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer })
    await expect(sign(Response.error(), { request: new Request('https://api.example.com/ws') })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
})
