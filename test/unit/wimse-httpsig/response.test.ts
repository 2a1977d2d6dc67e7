import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { signResponse, type SignResponseOptions } from '../../../src/httpsig/index.js'
import { signWIMSERequest, signWIMSEResponse, verifyWIMSEResponse, WIMSE_TAG, type VerifyWIMSEResponseOptions } from '../../../src/wimse-httpsig/index.js'
import { at, makeWorkload, testReplayCache, type Workload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URL_ = 'https://svcb.example.com/orders?id=7'

let pair: { caller: Workload; server: Workload } | undefined
async function workloads() {
  pair ??= {
    caller: await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' }),
    server: await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcB' }),
  }
  return pair
}

/** A request signed by the caller; `signResponse` asks for a signed response. */
async function sentRequest(signResponseAsked = true, nonce = 'req-nonce'): Promise<Request> {
  const { caller } = await workloads()
  const request = new Request(URL_, { method: 'POST', body: 'q', headers: { 'content-type': 'text/plain' } })
  const out = await signWIMSERequest(request, { wit: caller.wit, signer: caller.signer, nonce, signResponse: signResponseAsked, clock: at(NOW) })
  for (const [k, v] of Object.entries(out.headers)) request.headers.set(k, v)
  return request
}

async function answered(request: Request, body = 'fine', options: Record<string, unknown> = {}): Promise<Response> {
  const { server } = await workloads()
  const response = new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } })
  const out = await signWIMSEResponse(response, { request, wit: server.wit, signer: server.signer, clock: at(NOW), ...options })
  for (const [k, v] of Object.entries(out.headers)) response.headers.set(k, v)
  return response
}

/** A response signed with raw RFC 9421 options (non-conforming on purpose). */
async function crafted(request: Request, o: Partial<SignResponseOptions> = {}): Promise<Response> {
  const { server } = await workloads()
  const response = new Response(null, { status: 204, headers: { 'workload-identity-token': server.wit } })
  const fields = await signResponse(response, {
    signer: server.signer,
    request,
    label: 'wimse',
    components: ['@status', 'workload-identity-token', { name: '@method', params: { req: true } }, { name: '@request-target', params: { req: true } }],
    created: NOW,
    lifetime: 60,
    nonce: 'resp',
    tag: WIMSE_TAG,
    params: { 'wimse-req-nonce': 'req-nonce' },
    ...o,
  })
  response.headers.set('signature-input', fields.signatureInput)
  response.headers.set('signature', fields.signature)
  return response
}

async function verify(response: Response, request: Request, o: Partial<VerifyWIMSEResponseOptions> = {}) {
  const { server } = await workloads()
  return verifyWIMSEResponse(response, { request, wit: server.verified, clock: at(NOW), ...o })
}

async function rejects(p: Promise<unknown>, code: string, claim?: string): Promise<void> {
  const err = await p.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(VerificationError)
  expect((err as VerificationError).code).toBe(code)
  if (claim !== undefined) expect((err as VerificationError).claim).toBe(claim)
}

describe('signWIMSEResponse', () => {
  it('covers the §3.4 components with wimse-req-nonce read from the request', async () => {
    const { server } = await workloads()
    const request = await sentRequest()
    const out = await signWIMSEResponse(new Response('fine', { headers: { 'content-type': 'text/plain' } }), { request, wit: server.wit, signer: server.signer, nonce: 'r1', clock: at(NOW) })
    expect(out.signatureInput).toBe(
      'wimse=("@status" "workload-identity-token" "content-type" "content-digest" "@method";req "@request-target";req)' +
        `;created=${NOW};expires=${NOW + 60};nonce="r1";tag="wimse-workload-to-workload";wimse-req-nonce="req-nonce"`,
    )
    expect(Object.keys(out.headers)).toEqual(['Workload-Identity-Token', 'Content-Digest', 'Signature-Input', 'Signature'])
  })

  it('uses an explicit requestNonce and omits wimse-req-nonce when none is known', async () => {
    const { server } = await workloads()
    const a = await signWIMSEResponse(new Response(null, { status: 204 }), { request: new Request(URL_), wit: server.wit, signer: server.signer, requestNonce: 'given' })
    expect(a.signatureInput).toMatch(/;wimse-req-nonce="given"$/)
    const b = await signWIMSEResponse(new Response(null, { status: 204 }), { request: new Request(URL_), wit: server.wit, signer: server.signer })
    expect(b.signatureInput).not.toContain('wimse-req-nonce')
    expect(b.contentDigest).toBeUndefined()
  })

  it('refuses bad options', async () => {
    const { server, caller } = await workloads()
    await expect(signWIMSEResponse(new Response(null), { request: undefined as never, wit: server.wit, signer: server.signer })).rejects.toBeInstanceOf(TypeError)
    await expect(signWIMSEResponse(new Response(null), { request: new Request(URL_), wit: server.wit, signer: server.signer, requestNonce: '' })).rejects.toBeInstanceOf(TypeError)
    const es = await makeWorkload({ alg: 'ES256', now: NOW })
    await expect(signWIMSEResponse(new Response(null), { request: new Request(URL_), wit: caller.wit, signer: es.signer })).rejects.toBeInstanceOf(TypeError)
  })
})

describe('verifyWIMSEResponse', () => {
  it('verifies a signed response to a request that asked for one', async () => {
    const request = await sentRequest()
    const response = await answered(request)
    const v = await verify(response, request)
    expect(v).toMatchObject({ id: 'wimse://example.com/svcB', requestNonce: 'req-nonce', label: 'wimse' })
    expect(v?.contentDigest?.bytes).toBe(4)
    expect(await response.text()).toBe('fine')
  })

  it('returns undefined for an unsigned response that did not have to be signed', async () => {
    const request = await sentRequest(false)
    expect(await verify(new Response('x'), request)).toBeUndefined()
  })

  it('claims the response nonce when given a replay cache', async () => {
    const request = await sentRequest()
    const response = await answered(request, 'fine', { nonce: 'r-once' })
    const replayCache = testReplayCache(at(NOW))
    await verify(response.clone(), request, { replayCache })
    await rejects(verify(response.clone(), request, { replayCache }), 'ERR_PROOF_REPLAYED')
  })

  it('1. required (asked by the request) but unsigned', async () => {
    await rejects(verify(new Response('x'), await sentRequest(true)), 'ERR_HTTPSIG_MISSING')
    await rejects(verify(new Response('x'), await sentRequest(false), { required: true }), 'ERR_HTTPSIG_MISSING')
  })

  it('2. required but without wimse-req-nonce', async () => {
    const request = await sentRequest()
    await rejects(verify(await crafted(request, { params: {} }), request), 'ERR_HTTPSIG_INVALID', 'wimse-req-nonce')
  })

  it('3. wimse-req-nonce of another request', async () => {
    const request = await sentRequest()
    await rejects(verify(await crafted(request, { params: { 'wimse-req-nonce': 'other' } }), request), 'ERR_HTTPSIG_INVALID', 'wimse-req-nonce')
    await rejects(verify(await crafted(request), request, { expectedRequestNonce: 'mine' }), 'ERR_HTTPSIG_INVALID', 'wimse-req-nonce')
  })

  it('4. a present signature is verified even when not required', async () => {
    const request = await sentRequest(false)
    const response = await answered(request)
    response.headers.set('content-type', 'text/html')
    await rejects(verify(response, request), 'ERR_HTTPSIG_SIGNATURE')
  })

  it('5. response signature by another key than the server WIT key', async () => {
    const { server, caller } = await workloads()
    const request = await sentRequest()
    const response = new Response('fine', { headers: { 'content-type': 'text/plain' } })
    const out = await signWIMSEResponse(response, { request, wit: server.wit, signer: caller.signer, clock: at(NOW) })
    for (const [k, v] of Object.entries(out.headers)) response.headers.set(k, v)
    await rejects(verify(response, request), 'ERR_HTTPSIG_SIGNATURE')
  })

  it('6. response signed for another request (different target)', async () => {
    const request = await sentRequest()
    const response = await answered(request)
    const other = new Request('https://svcb.example.com/orders?id=8', { method: 'POST', headers: request.headers })
    await rejects(verify(response, other), 'ERR_HTTPSIG_SIGNATURE')
  })

  it('7. ;req components or the WIT not covered', async () => {
    const request = await sentRequest()
    await rejects(verify(await crafted(request, { components: ['@status', 'workload-identity-token', { name: '@method', params: { req: true } }] }), request), 'ERR_HTTPSIG_COMPONENT_MISSING', '"@request-target";req')
    await rejects(verify(await crafted(request, { components: ['@status', { name: '@method', params: { req: true } }, { name: '@request-target', params: { req: true } }] }), request), 'ERR_HTTPSIG_COMPONENT_MISSING', '"workload-identity-token"')
  })

  it('8. body altered after signing', async () => {
    const request = await sentRequest()
    const response = await answered(request)
    await rejects(verify(new Response('evil', { status: 200, headers: response.headers }), request), 'ERR_DIGEST_MISMATCH')
  })

  it('9. wrong tag, keyid present, expired', async () => {
    const request = await sentRequest()
    await rejects(verify(await crafted(request, { tag: 'x' }), request), 'ERR_HTTPSIG_TAG')
    await rejects(verify(await crafted(request, { keyid: 'k' }), request), 'ERR_HTTPSIG_INVALID', 'keyid')
    await rejects(verify(await crafted(request, { created: NOW - 300, lifetime: 60 }), request), 'ERR_HTTPSIG_EXPIRED')
  })

  it('10. server WIT header absent or not the verified one', async () => {
    const { caller } = await workloads()
    const request = await sentRequest()
    const response = await answered(request)
    const h = new Headers(response.headers)
    h.delete('workload-identity-token')
    await rejects(verify(new Response('fine', { headers: h }), request), 'ERR_WIT_MISSING')
    await rejects(verify(response, request, { wit: caller.verified }), 'ERR_WIT_INVALID')
  })

  it('refuses bad options', async () => {
    const { server } = await workloads()
    const request = await sentRequest()
    await expect(verifyWIMSEResponse(new Response(), { request, wit: server.verified, required: 'yes' as never })).rejects.toBeInstanceOf(TypeError)
    await expect(verifyWIMSEResponse(new Response(), { request, wit: server.verified, expectedRequestNonce: '' })).rejects.toBeInstanceOf(TypeError)
    await expect(verifyWIMSEResponse(new Response(), { request: null as never, wit: server.verified })).rejects.toBeInstanceOf(TypeError)
  })
})
