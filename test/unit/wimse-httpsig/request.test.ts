import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { signRequest, type SignOptions } from '../../../src/httpsig/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { signWIMSERequest, verifyWIMSERequest, WIMSE_TAG, type VerifyWIMSERequestOptions } from '../../../src/wimse-httpsig/index.js'
import { at, makeWorkload, testReplayCache, type Workload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URL_ = 'https://svcb.example.com/orders?id=7'
const ORIGIN = 'https://svcb.example.com'

let caller: Workload | undefined
const workload = async () => (caller ??= await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' }))

function post(headers: Record<string, string> = {}, body = '{"n":1}'): Request {
  return new Request(URL_, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
}

/** Signs with the WIMSE profile and returns the request with the fields set. */
async function signed(request: Request, options: Record<string, unknown> = {}): Promise<Request> {
  const w = await workload()
  const out = await signWIMSERequest(request, { wit: w.wit, signer: w.signer, clock: at(NOW), ...options })
  for (const [k, v] of Object.entries(out.headers)) request.headers.set(k, v)
  return request
}

/** Signs with raw RFC 9421 options (to build non-conforming WIMSE signatures). */
async function crafted(request: Request, o: Partial<SignOptions> & { withDigest?: boolean } = {}): Promise<Request> {
  const w = await workload()
  request.headers.set('workload-identity-token', w.wit)
  if (o.withDigest !== false && request.body !== null && !request.headers.has('content-digest')) {
    const body = await request.clone().arrayBuffer()
    request.headers.set('content-digest', `sha-256=:${createHash('sha256').update(Buffer.from(body)).digest('base64')}:`)
  }
  const components = o.components ?? ['@method', '@request-target', ...['content-type', 'content-digest', 'authorization', 'txn-token', 'workload-identity-token'].filter((h) => request.headers.has(h))]
  const fields = await signRequest(request, {
    signer: w.signer,
    label: 'wimse',
    components,
    created: NOW,
    lifetime: 60,
    nonce: 'n-' + Math.random(),
    tag: WIMSE_TAG,
    params: { 'wimse-aud': 'https://svcb.example.com/orders' },
    ...o,
  })
  request.headers.set('signature-input', fields.signatureInput)
  request.headers.set('signature', fields.signature)
  return request
}

async function verify(request: Request, o: Partial<VerifyWIMSERequestOptions> = {}) {
  const w = await workload()
  return verifyWIMSERequest(request, { wit: w.verified, audience: ORIGIN, clock: at(NOW), replayCache: testReplayCache(at(NOW)), ...o })
}

async function rejects(p: Promise<unknown>, code: string, claim?: string): Promise<void> {
  const err = await p.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(VerificationError)
  expect((err as VerificationError).code).toBe(code)
  if (claim !== undefined) expect((err as VerificationError).claim).toBe(claim)
}

describe('signWIMSERequest', () => {
  it('covers the profile components, adds WIT and Content-Digest, and no keyid/alg', async () => {
    const w = await workload()
    const request = post({ authorization: 'Bearer at', 'txn-token': 'txn' })
    const out = await signWIMSERequest(request, { wit: w.wit, signer: w.signer, nonce: 'n1', clock: at(NOW) })
    expect(Object.keys(out.headers)).toEqual(['Workload-Identity-Token', 'Content-Digest', 'Signature-Input', 'Signature'])
    expect(out.contentDigest).toBe(`sha-256=:${createHash('sha256').update('{"n":1}').digest('base64')}:`)
    expect(out.signatureInput).toBe(
      'wimse=("@method" "@request-target" "content-type" "content-digest" "authorization" "txn-token" "workload-identity-token")' +
        `;created=${NOW};expires=${NOW + 60};nonce="n1";tag="wimse-workload-to-workload";wimse-aud="https://svcb.example.com/orders"`,
    )
    expect(out).toMatchObject({ nonce: 'n1', created: NOW, expires: NOW + 60 })
    expect(Object.isFrozen(out)).toBe(true)
    expect(request.headers.has('signature')).toBe(false) // the message itself is not modified
  })

  it('keeps an existing Content-Digest, uses options.body for plain messages, and honours audience / signResponse', async () => {
    const w = await workload()
    const plain = { method: 'PUT', url: URL_, headers: { 'content-digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' }, body: '{"hello": "world"}' }
    const a = await signWIMSERequest(plain, { wit: w.wit, signer: w.signer, clock: at(NOW), audience: 'urn:svcb', signResponse: true })
    expect(a.contentDigest).toBeUndefined()
    expect(a.signatureInput).toContain('"content-digest"')
    expect(a.signatureInput).toMatch(/;wimse-aud="urn:svcb";wimse-sign-response$/)
    const b = await signWIMSERequest({ method: 'POST', url: URL_ }, { wit: w.wit, signer: w.signer, body: new Uint8Array([1, 2]) })
    expect(b.contentDigest).toBe(`sha-256=:${createHash('sha256').update(Buffer.from([1, 2])).digest('base64')}:`)
    const c = await signWIMSERequest(new Request(URL_), { wit: w.wit, signer: w.signer })
    expect(c.contentDigest).toBeUndefined()
    expect(c.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it.each([
    ['a signer whose alg differs from cnf.jwk.alg', async () => ({ signer: await generateSigner('ES256') })],
    ['a WIT that is not a JWS', async () => ({ wit: 'nope' })],
    ['a NaN lifetime', async () => ({ lifetime: Number.NaN })],
    ['a lifetime over an hour', async () => ({ lifetime: 3601 })],
    ['an empty nonce', async () => ({ nonce: '' })],
    ['a non-ASCII nonce', async () => ({ nonce: 'nö' })],
    ['a non-boolean signResponse', async () => ({ signResponse: 'yes' })],
    ['an audience with a control character', async () => ({ audience: 'a\nb' })],
  ])('refuses %s', async (_name, patch) => {
    const w = await workload()
    await expect(signWIMSERequest(new Request(URL_), { wit: w.wit, signer: w.signer, ...(await patch()) } as never)).rejects.toBeInstanceOf(TypeError)
  })

  it('refuses to sign over a different WIT already on the request', async () => {
    const w = await workload()
    const other = await makeWorkload({ now: NOW })
    await expect(signWIMSERequest(new Request(URL_, { headers: { 'workload-identity-token': other.wit } }), { wit: w.wit, signer: w.signer })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('verifyWIMSERequest — accepted', () => {
  it('verifies a signed POST with body, access token and Txn-Token', async () => {
    const request = await signed(post({ authorization: 'Bearer at', 'txn-token': 'txn' }), { signResponse: true })
    const v = await verify(request)
    expect(v).toMatchObject({ label: 'wimse', id: 'wimse://example.com/svcA', audience: 'https://svcb.example.com/orders', signResponse: true, legacy: false })
    expect(v.contentDigest).toEqual({ algorithms: ['sha-256'], bytes: 7 })
    expect(Object.isFrozen(v)).toBe(true)
    // The body is still readable: it was hashed from a clone.
    expect(await request.text()).toBe('{"n":1}')
  })

  it('verifies a plain message with a body passed separately, and the legacy tag', async () => {
    const w = await workload()
    const signedFields = await signWIMSERequest({ method: 'POST', url: URL_, headers: { 'content-type': 'text/plain' } }, { wit: w.wit, signer: w.signer, body: 'hi', clock: at(NOW) })
    const headers = { 'content-type': 'text/plain', ...signedFields.headers }
    await verify(new Request(URL_, { method: 'POST', headers }) as never, { body: 'hi' })
    const legacy = await crafted(post(), { tag: 'wimse-service-to-service' })
    expect((await verify(legacy)).legacy).toBe(true)
  })

  it('picks the wimse-labelled signature among several', async () => {
    const request = await signed(post())
    const extra = await signRequest(request, { signer: await generateSigner('ES256'), label: 'other', components: ['@method'], created: NOW })
    request.headers.set('signature-input', extra.signatureInput)
    request.headers.set('signature', extra.signature)
    expect((await verify(request)).label).toBe('wimse')
  })

  it('ignores another signature it does not understand (an intermediary\'s unknown component, parameter or created)', async () => {
    for (const extra of ['proxy=("@future-component");created=1', 'proxy=("x-forwarded-for";newparam);created=1', 'proxy=("@method");created=-1']) {
      const request = await signed(post())
      request.headers.set('signature-input', `${request.headers.get('signature-input')}, ${extra}`)
      request.headers.set('signature', `${request.headers.get('signature')}, proxy=:AAAA:`)
      expect((await verify(request)).label).toBe('wimse')
    }
  })
})

describe('verifyWIMSERequest — negative matrix', () => {
  it('1. a present content-type that is not covered', async () => {
    await rejects(verify(await crafted(post(), { components: ['@method', '@request-target', 'content-digest', 'workload-identity-token'] })), 'ERR_HTTPSIG_COMPONENT_MISSING', '"content-type"')
  })

  it('2. a present Authorization / Txn-Token that is not covered', async () => {
    const base = ['@method', '@request-target', 'content-type', 'content-digest', 'workload-identity-token']
    await rejects(verify(await crafted(post({ authorization: 'Bearer x' }), { components: base })), 'ERR_HTTPSIG_COMPONENT_MISSING', '"authorization"')
    await rejects(verify(await crafted(post({ 'txn-token': 't' }), { components: base })), 'ERR_HTTPSIG_COMPONENT_MISSING', '"txn-token"')
  })

  it('3. @request-target or the WIT not covered', async () => {
    await rejects(verify(await crafted(post(), { components: ['@method', '@target-uri', 'content-type', 'content-digest', 'workload-identity-token'] })), 'ERR_HTTPSIG_COMPONENT_MISSING', '"@request-target"')
    await rejects(verify(await crafted(post(), { components: ['@method', '@request-target', 'content-type', 'content-digest'] })), 'ERR_HTTPSIG_COMPONENT_MISSING', '"workload-identity-token"')
  })

  it('4. wrong or missing tag, and the legacy tag when refused', async () => {
    await rejects(verify(await crafted(post(), { tag: 'other-app' })), 'ERR_HTTPSIG_TAG', 'tag')
    await rejects(verify(await crafted(post(), { tag: undefined })), 'ERR_HTTPSIG_TAG')
    await rejects(verify(await crafted(post(), { tag: 'wimse-service-to-service' }), { acceptLegacyTag: false }), 'ERR_HTTPSIG_TAG')
  })

  it('5. keyid or alg present', async () => {
    await rejects(verify(await crafted(post(), { keyid: 'svc-a-key' })), 'ERR_HTTPSIG_INVALID', 'keyid')
    await rejects(verify(await crafted(post(), { includeAlg: true })), 'ERR_HTTPSIG_INVALID', 'alg')
  })

  it('6. wimse-aud naming another service, another path, or missing', async () => {
    await rejects(verify(await crafted(post(), { params: { 'wimse-aud': 'https://other.example.com/orders' } })), 'ERR_HTTPSIG_AUDIENCE', 'wimse-aud')
    await rejects(verify(await crafted(post(), { params: { 'wimse-aud': 'https://svcb.example.com/admin' } })), 'ERR_HTTPSIG_AUDIENCE')
    await rejects(verify(await crafted(post(), { params: {} })), 'ERR_HTTPSIG_INVALID', 'wimse-aud')
    await rejects(verify(await crafted(post(), { params: { 'wimse-aud': 5 } })), 'ERR_HTTPSIG_INVALID', 'wimse-aud')
  })

  it('7. wimse-aud from the Host header trick is refused when the origin is configured', async () => {
    // The request reached us with Host: evil.example, so request.url names evil.example.
    const evilURL = 'https://evil.example/orders?id=7'
    const forEvil = await crafted(new Request(evilURL, { method: 'GET' }), { params: { 'wimse-aud': 'https://evil.example/orders' } })
    await rejects(verify(forEvil), 'ERR_HTTPSIG_AUDIENCE')
    // A genuine signature for us still passes on that request: only the path of request.url is used.
    await verify(await crafted(new Request(evilURL, { method: 'GET' })))
    // Without a configured audience, wimse-aud is compared with request.url itself.
    await rejects(verify(await crafted(new Request(evilURL, { method: 'GET' })), { audience: undefined }), 'ERR_HTTPSIG_AUDIENCE')
  })

  it('8. replayed nonce (per sender)', async () => {
    const replayCache = testReplayCache(at(NOW))
    const request = await signed(post(), { nonce: 'once' })
    await verify(request.clone(), { replayCache })
    await rejects(verify(request.clone(), { replayCache }), 'ERR_PROOF_REPLAYED', 'nonce')
    expect(replayCache.keys.get('sig:24:wimse://example.com/svcA:once')).toBe(NOW + 60 + 30)
  })

  it('9. a body without Content-Digest, and a body changed after signing', async () => {
    await rejects(verify(await crafted(post(), { withDigest: false })), 'ERR_DIGEST_MISSING')
    const request = await signed(post())
    const tampered = new Request(request.url, { method: 'POST', headers: request.headers, body: '{"n":2}' })
    await rejects(verify(tampered), 'ERR_DIGEST_MISMATCH')
  })

  it('10. expired, created in the future, or living too long', async () => {
    await rejects(verify(await crafted(post(), { created: NOW - 200, lifetime: 100 })), 'ERR_HTTPSIG_EXPIRED', 'expires')
    await rejects(verify(await crafted(post(), { created: NOW + 100 })), 'ERR_HTTPSIG_EXPIRED', 'created')
    await rejects(verify(await crafted(post(), { lifetime: 3600 })), 'ERR_HTTPSIG_EXPIRED', 'expires')
    await rejects(verify(await crafted(post(), { lifetime: 200 }), { maxLifetime: 100 }), 'ERR_HTTPSIG_EXPIRED')
  })

  it('11. missing created, expires or nonce', async () => {
    await rejects(verify(await crafted(post(), { created: false, lifetime: undefined, expires: NOW + 60 })), 'ERR_HTTPSIG_INVALID', 'created')
    await rejects(verify(await crafted(post(), { lifetime: undefined })), 'ERR_HTTPSIG_INVALID', 'expires')
    await rejects(verify(await crafted(post(), { nonce: undefined })), 'ERR_HTTPSIG_INVALID', 'nonce')
  })

  it('12. a signature by another key than the WIT key', async () => {
    const w = await workload()
    const request = post()
    const stranger = await makeWorkload({ now: NOW })
    const fields = await signWIMSERequest(request, { wit: w.wit, signer: stranger.signer, clock: at(NOW) })
    for (const [k, v] of Object.entries(fields.headers)) request.headers.set(k, v)
    await rejects(verify(request), 'ERR_HTTPSIG_SIGNATURE')
  })

  it('13. method or query changed in transit', async () => {
    const request = await signed(new Request(URL_, { method: 'GET' }))
    await rejects(verify(new Request(URL_, { method: 'DELETE', headers: request.headers })), 'ERR_HTTPSIG_SIGNATURE')
    await rejects(verify(new Request('https://svcb.example.com/orders?id=8', { headers: request.headers })), 'ERR_HTTPSIG_SIGNATURE')
  })

  it('14. WIT header missing, repeated, or not the verified WIT', async () => {
    const request = await signed(new Request(URL_))
    const noWit = new Headers(request.headers)
    noWit.delete('workload-identity-token')
    await rejects(verify(new Request(URL_, { headers: noWit })), 'ERR_WIT_MISSING')
    const twice = new Headers(request.headers)
    twice.append('workload-identity-token', twice.get('workload-identity-token')!)
    await rejects(verify(new Request(URL_, { headers: twice })), 'ERR_WIT_MISSING')
    const other = await makeWorkload({ now: NOW })
    await rejects(verify(request, { wit: other.verified }), 'ERR_WIT_INVALID')
  })

  it('15. no signature, or several without a wimse one', async () => {
    const w = await workload()
    await rejects(verify(new Request(URL_, { headers: { 'workload-identity-token': w.wit } })), 'ERR_HTTPSIG_MISSING')
    const request = await crafted(new Request(URL_), { label: 'a' })
    const second = await signRequest(request, { signer: w.signer, label: 'b', components: ['@method'], created: NOW, tag: 'x' })
    request.headers.set('signature-input', second.signatureInput)
    request.headers.set('signature', second.signature)
    await expect(verify(request)).resolves.toMatchObject({ label: 'a' }) // the only WIMSE-tagged one
    const third = await crafted(new Request(URL_), { label: 'c', tag: 'y' })
    const fourth = await signRequest(third, { signer: w.signer, label: 'd', components: ['@method'], created: NOW, tag: 'x' })
    third.headers.set('signature-input', fourth.signatureInput)
    third.headers.set('signature', fourth.signature)
    await rejects(verify(third), 'ERR_HTTPSIG_MISSING')
  })

  it('16. wimse-sign-response that is not a Boolean', async () => {
    await rejects(verify(await crafted(post(), { params: { 'wimse-aud': 'https://svcb.example.com/orders', 'wimse-sign-response': 'yes' } })), 'ERR_HTTPSIG_INVALID', 'wimse-sign-response')
  })

  it('17. fails closed when the replay cache is down, and does not burn a nonce on rejection', async () => {
    const down = { claim: () => Promise.reject(new Error('down')) }
    await expect(verify(await signed(post()), { replayCache: down })).rejects.toBeInstanceOf(StoreError)
    const replayCache = testReplayCache(at(NOW))
    const request = await signed(new Request(URL_), { nonce: 'keep' })
    await rejects(verify(request, { replayCache, audience: 'https://other.example' }), 'ERR_HTTPSIG_AUDIENCE')
    expect(replayCache.keys.size).toBe(0)
  })
})

describe('verifyWIMSERequest — options', () => {
  it.each([
    ['no wit', { wit: undefined }],
    ['wit not verified', { wit: { token: 'x' } }],
    ['NaN maxLifetime', { maxLifetime: Number.NaN }],
    ['negative clockTolerance', { clockTolerance: -1 }],
    ['empty audience', { audience: [] }],
    ['bad replay cache', { replayCache: { claim: 1 } }],
    ['acceptLegacyTag not boolean', { acceptLegacyTag: 1 }],
  ])('refuses %s', async (_name, patch) => {
    const request = await signed(new Request(URL_))
    const w = await workload()
    await expect(verifyWIMSERequest(request, { wit: w.verified, ...(patch as object) } as never)).rejects.toBeInstanceOf(TypeError)
  })
})
