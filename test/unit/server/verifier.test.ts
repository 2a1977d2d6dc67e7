import { describe, expect, it } from 'vitest'
import { matchAny, matchId, matchTrustDomain } from '../../../src/identifier/index.js'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { createRequestVerifier, errorResponse, createResponseSigner } from '../../../src/server/index.js'
import { verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'
import { createContentDigest, signRequest } from '../../../src/httpsig/index.js'
import { verifyWIT } from '../../../src/wit/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createAccessTokenVerifier } from '../../../src/access-token/index.js'
import { createAccessToken } from '../../../src/token-service/index.js'
import { signedRequest, trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

async function setup(proof: 'wpt' | 'httpsig' | 'either' = 'either') {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  const revocations = createMemoryRevocationStore()
  const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof, authorize: matchTrustDomain('example.org'), revocations })
  return { td, agent, verify, revocations }
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return (err as { code: string }).code
  }
  return 'resolved'
}

describe('createRequestVerifier', () => {
  it('verifies a WPT request and refuses its replay', async () => {
    const { agent, verify } = await setup()
    const req = await wptRequest(agent, `${ORIGIN}/tools/search?q=1`)
    const result = await verify(req.clone())
    expect(result.workload.id).toBe(agent.id)
    expect(result.proof.type).toBe('wpt')
    expect(result.url).toBe(`${ORIGIN}/tools/search?q=1`)
    expect(Object.isFrozen(result)).toBe(true)
    expect(await code(verify(req))).toBe('ERR_PROOF_REPLAYED')
  })

  it('verifies a WIMSE-signed POST with a body, and refuses a tampered body', async () => {
    const { agent, verify } = await setup('httpsig')
    const init = { method: 'POST', body: '{"q":"weather"}', headers: { 'content-type': 'application/json' } }
    const req = await signedRequest(agent, `${ORIGIN}/tools/search`, init)
    const result = await verify(req)
    expect(result.proof.type).toBe('httpsig')
    expect(await req.text()).toBe('{"q":"weather"}') // body still readable by the handler
    const req2 = await signedRequest(agent, `${ORIGIN}/tools/search`, init)
    const tampered = new Request(req2.url, { method: 'POST', headers: req2.headers, body: '{"q":"exfiltrate"}' })
    expect(await code(verify(tampered))).toBe('ERR_DIGEST_MISMATCH')
  })

  it('checks the audience against the configured origin, not the Host the request claims', async () => {
    const { agent, verify } = await setup()
    const req = await wptRequest(agent, 'https://evil.example.net/tools/search')
    expect(await code(verify(req))).toBe('ERR_WPT_AUDIENCE')
  })

  it('enforces the proof kind, the authorisation policy and revocation', async () => {
    const { td, agent, verify, revocations } = await setup('httpsig')
    expect(await code(verify(await wptRequest(agent, `${ORIGIN}/x`)))).toBe('ERR_HTTPSIG_MISSING')
    const strict = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchId('spiffe://example.org/agents/other') })
    expect(await code(strict(await wptRequest(agent, `${ORIGIN}/x`)))).toBe('ERR_POLICY_DENIED')
    const ok = await verify(await signedRequest(agent, `${ORIGIN}/x`))
    expect(ok.workload.trustDomain).toBe('example.org')
    await revocations.revoke({ sub: agent.id, until: Math.floor(Date.now() / 1000) + 3600, reason: 'test' })
    expect(await code(verify(await signedRequest(agent, `${ORIGIN}/x`)))).toBe('ERR_CREDENTIAL_REVOKED')
  })

  it('refuses missing or duplicated credentials and untrusted domains', async () => {
    const { agent, verify } = await setup()
    expect(await code(verify(new Request(`${ORIGIN}/x`)))).toBe('ERR_WIT_MISSING')
    const req = await wptRequest(agent, `${ORIGIN}/x`)
    const dup = new Headers(req.headers)
    dup.append('workload-identity-token', agent.wit)
    expect(await code(verify(new Request(req.url, { headers: dup })))).toBe('ERR_WIT_MISSING')
    const other = await trustDomain('other.org')
    const stranger = await other.workload('/agents/x')
    expect(await code(verify(await wptRequest(stranger, `${ORIGIN}/x`)))).toBe('ERR_KEY_NOT_FOUND')
    expect(await code(verify(new Request(`${ORIGIN}/x`, { headers: { 'workload-identity-token': agent.wit } })))).toBe('ERR_PROOF_MISSING')
  })

  it('validates the policy eagerly', () => {
    expect(() => createRequestVerifier({} as never)).toThrow(TypeError)
    expect(() => createRequestVerifier({ trustBundles: { getBundle: async () => undefined }, origin: 'https://a.example/path', proof: 'wpt', authorize: matchAny() })).toThrow(/origin/)
    expect(() => createRequestVerifier({ trustBundles: { getBundle: async () => undefined }, origin: 'https://a.example', proof: 'none' as never, authorize: matchAny() })).toThrow(/proof/)
  })

  it('errorResponse answers with status, problem JSON and an escaped challenge', async () => {
    const { verify } = await setup()
    const res = await verify(new Request(`${ORIGIN}/x`)).then(() => undefined, (e: unknown) => errorResponse(e, { realm: 'api "prod"' }))
    expect(res!.status).toBe(400)
    expect(res!.headers.get('www-authenticate')).toMatch(/^WIMSE realm="api \\"prod\\"", error="invalid_request"/)
    expect(await res!.json()).toMatchObject({ status: 400, code: 'ERR_WIT_MISSING' })
    // Unusable options are ignored: errorResponse never throws.
    const err = await verify(new Request(`${ORIGIN}/x`)).then(() => undefined, (e: unknown) => e)
    expect(errorResponse(err, { scheme: 'A\r\nSet-Cookie: x=1' }).headers.get('www-authenticate')).toMatch(/^WIMSE error=/)
    const outage = errorResponse(new ProtocolError('ERR_BUNDLE_FETCH', 'down'), { retryAfter: Number.NaN })
    expect(outage.headers.get('retry-after')).toBe('1')
  })

  it('answers every access-token refusal with a Bearer challenge (RFC 6750 §3), whatever its code', async () => {
    const signer = await generateSigner('ES256', { kid: 'as' })
    const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', keys: [await signer.publicJwk()], clock: () => 1_800_000_000_000 }
    const claims = { iss: options.issuer, sub: 'alice', aud: options.audience, client_id: 'web' }
    const expired = await createAccessToken(claims, { signer, lifetime: 60, clock: () => (1_800_000_000 - 3600) * 1000 })
    const verifyBearer = createAccessTokenVerifier(options)
    const refusals = [
      await verifyBearer(`Bearer ${expired}`).catch((e: unknown) => e),
      await verifyBearer(null).catch((e: unknown) => e),
      await verifyBearer(`Bearer ${await createAccessToken(claims, { signer, lifetime: 60, clock: options.clock })}`).then(() => undefined),
    ]
    expect(refusals[0]).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    expect(errorResponse(refusals[0]).headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    // No credentials at all: a bare challenge without error information (RFC 6750 §3.1).
    expect(errorResponse(refusals[1]).headers.get('www-authenticate')).toBe('Bearer')
    expect(refusals[2]).toBeUndefined()
    // A workload error with the same code keeps the workload scheme.
    const { verify } = await setup()
    const wimse = await verify(new Request(`${ORIGIN}/x`)).catch((e: unknown) => e)
    expect(errorResponse(wimse).headers.get('www-authenticate')).toMatch(/^WIMSE /)
  })

  it('signs the response so the caller can verify who answered', async () => {
    const { td, agent, verify } = await setup('httpsig')
    const service = await td.workload('/services/api')
    const req = await signedRequest(agent, `${ORIGIN}/x`, {}, { signResponse: true })
    const verified = await verify(req.clone())
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer })
    const res = await sign(Response.json({ ok: true }), { request: req, verified })
    const serverWit = await verifyWIT(res.headers.get('workload-identity-token')!, { trustBundles: td.trustBundles })
    const ok = await verifyWIMSEResponse(res, { request: req, wit: serverWit })
    expect(ok?.id).toBe(service.id)
    expect(ok?.requestNonce).toBe(verified.proof.type === 'httpsig' ? verified.proof.signature.nonce : 'x')
  })

  it('checks the Content-Digest before claiming the WPT jti: a body altered in transit does not burn the proof', async () => {
    const { agent, verify } = await setup('wpt')
    const body = '{"amount":1}'
    const req = await wptRequest(agent, `${ORIGIN}/pay`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-digest': await createContentDigest(body) } })
    const tampered = new Request(req, { body: '{"amount":1000}' })
    expect(await code(verify(tampered))).toBe('ERR_DIGEST_MISMATCH')
    expect((await verify(req.clone())).workload.id).toBe(agent.id)
    expect(await code(verify(req))).toBe('ERR_PROOF_REPLAYED')
  })

  it('verifies a cached WIT again after witCacheMaxAge: an issuer key removed from the bundle stops being honoured', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const initial = (await td.trustBundles.getBundle('example.org'))!
    let keys = initial.keys
    const trustBundles = { getBundle: async (d: string) => (d === 'example.org' ? { trustDomain: d, keys } : undefined) }
    let now = Date.now()
    const verify = createRequestVerifier({ trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), clock: () => now, witCacheMaxAge: 60 })
    const send = async () => verify(await wptRequest(agent, `${ORIGIN}/x`, {}, { clock: () => now }))
    expect((await send()).workload.id).toBe(agent.id)
    keys = [] // the issuer key is withdrawn
    now += 59_000
    expect((await send()).workload.id).toBe(agent.id) // still cached
    now += 2_000
    expect(await code(send())).toBe('ERR_KEY_NOT_FOUND')
    expect(() => createRequestVerifier({ trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), witCacheMaxAge: 0 })).toThrow(/witCacheMaxAge/)
  })

  it('answers a response it cannot sign with 500 (a server failure), not a 4xx', async () => {
    const { td, agent, verify } = await setup('httpsig')
    const service = await td.workload('/services/api')
    const req = await signedRequest(agent, `${ORIGIN}/x`, {}, { signResponse: true })
    const verified = await verify(req.clone())
    const sign = createResponseSigner({ wit: service.wit, signer: service.signer, maxBodyBytes: 1024 })
    const err = await sign(new Response('x'.repeat(4096)), { request: req, verified }).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ name: 'SignerError', code: 'ERR_SIGNER_FAILED' })
    expect(errorResponse(err).status).toBe(500)
  })

  it('fails closed with 503 when the revocation store fails, whatever it throws', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const revocations = { check: async () => { throw new Error('connection reset') }, revoke: async () => undefined }
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), revocations })
    const err = await verify(await wptRequest(agent, `${ORIGIN}/x`)).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' })
    const res = errorResponse(err)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
  })

  it('answers an upstream failure with its code\'s status: an unreachable trust bundle is 503, an OAuth error 502', async () => {
    const bundle = errorResponse(new ProtocolError('ERR_BUNDLE_FETCH', 'JWKS endpoint unreachable'), { retryAfter: 5 })
    expect(bundle.status).toBe(503)
    expect(bundle.headers.get('retry-after')).toBe('5')
    expect(await bundle.json()).toMatchObject({ status: 503, code: 'ERR_BUNDLE_FETCH', title: 'Service Unavailable' })
    const oauth = errorResponse(new ProtocolError('ERR_OAUTH_ERROR', 'invalid_grant'))
    expect(oauth.status).toBe(502)
    expect(oauth.headers.get('retry-after')).toBeNull()
  })
})

describe('createRequestVerifier: the public URL', () => {
  it('refuses a path with a percent-encoded unreserved character (routers decode it; the authorizer would see it encoded)', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: [ORIGIN, 'https://other.example.com'], proof: 'either', authorize: (_id, ctx) => !ctx.url.pathname.startsWith('/admin') })
    for (const url of [`${ORIGIN}/%61dmin/x`, `${ORIGIN}/a%2Dx`, `${ORIGIN}/%7e`, 'https://other.example.com/%41dmin', `${ORIGIN}/x%5f?q=1`]) {
      expect(await code(verify(await wptRequest(agent, url))), url).toBe('ERR_HEADER_INVALID')
      expect(await code(verify(await signedRequest(agent, url))), url).toBe('ERR_HEADER_INVALID')
    }
    // Reserved and non-ASCII escapes, and escapes in the query, are not refused.
    for (const url of [`${ORIGIN}/a%2Fb`, `${ORIGIN}/caf%C3%A9`, `${ORIGIN}/x?q=%61`]) {
      expect((await verify(await wptRequest(agent, url))).url, url).toBe(url)
    }
    expect(await code(verify(await wptRequest(agent, `${ORIGIN}/admin/x`)))).toBe('ERR_POLICY_DENIED')
  })

  it('computes @authority, @target-uri and @scheme from the configured origin, not from the Host the request arrived with', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'httpsig', authorize: matchAny() })
    async function signed(signedFor: string, components: string[]): Promise<Headers> {
      const headers = new Headers({ 'workload-identity-token': agent.wit })
      const f = await signRequest({ method: 'GET', url: signedFor, headers }, {
        signer: agent.signer, label: 'wimse', components: ['@method', '@request-target', ...components, 'workload-identity-token'],
        lifetime: 60, nonce: true, tag: 'wimse-workload-to-workload', params: { 'wimse-aud': `${ORIGIN}/x` },
      })
      headers.set('signature-input', f.signatureInput)
      headers.set('signature', f.signature)
      return headers
    }
    // Signed for the public URL, arriving through a proxy that sets Host: internal:8080.
    for (const c of ['@authority', '@target-uri', '@scheme']) {
      const r = await verify(new Request('http://internal:8080/x', { headers: await signed(`${ORIGIN}/x`, [c]) }))
      expect(r.url).toBe(`${ORIGIN}/x`)
    }
    // A signature over an attacker-chosen Host does not verify: the components are the public URL's.
    expect(await code(verify(new Request('http://evil.example/x', { headers: await signed('http://evil.example/x', ['@authority']) })))).toBe('ERR_HTTPSIG_SIGNATURE')
  })

  it('keeps a path that starts with "//" on the configured origin (it is not a network-path reference)', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const policy = { trustBundles: td.trustBundles, proof: 'wpt' as const, authorize: matchAny() }
    const single = createRequestVerifier({ ...policy, origin: ORIGIN })
    const several = createRequestVerifier({ ...policy, origin: [ORIGIN, 'https://other.example.com'] })
    for (const verify of [single, several]) {
      // a proof for /x must not be accepted at //evil.example/x, whose URL is not https://evil.example/x
      const forX = await wptRequest(agent, `${ORIGIN}/x`)
      const moved = new Request(`${ORIGIN}//evil.example/x`, { headers: forX.headers })
      expect(await code(verify(moved))).toBe('ERR_WPT_AUDIENCE')
      const exact = await wptRequest(agent, `${ORIGIN}//evil.example/x?q=1`)
      const ok = await verify(exact)
      expect(ok.url).toBe(`${ORIGIN}//evil.example/x?q=1`)
    }
    // behind a proxy the request's own host is internal; the configured origin is used
    const internal = await wptRequest(agent, `${ORIGIN}//evil.example/y`)
    const proxied = new Request('http://10.0.0.7:8080//evil.example/y#frag', { headers: internal.headers })
    const ok = await single(proxied)
    expect(ok.url).toBe(`${ORIGIN}//evil.example/y`)
  })

  it('gives the authorizer the public URL as a URL object, whichever way it was found', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const seen: Array<{ href: string; pathname: string; search: string; isURL: boolean }> = []
    const verify = createRequestVerifier({
      trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt',
      authorize: (_id, ctx) => {
        seen.push({ href: ctx.url.href, pathname: ctx.url.pathname, search: ctx.url.search, isURL: ctx.url instanceof URL })
        return ctx.url.pathname.startsWith('/ok/')
      },
    })
    const direct = await verify(await wptRequest(agent, `${ORIGIN}/ok/a%20b?q=%C3%A9&x=1`))
    expect(direct.url).toBe(`${ORIGIN}/ok/a%20b?q=%C3%A9&x=1`)
    const internal = await wptRequest(agent, `${ORIGIN}/ok/c`)
    const proxied = await verify(new Request('http://10.0.0.7:8080/ok/c', { headers: internal.headers }))
    expect(proxied.url).toBe(`${ORIGIN}/ok/c`)
    expect(await code(verify(await wptRequest(agent, `${ORIGIN}/denied`)))).toBe('ERR_POLICY_DENIED')
    expect(seen).toEqual([
      { href: `${ORIGIN}/ok/a%20b?q=%C3%A9&x=1`, pathname: '/ok/a%20b', search: '?q=%C3%A9&x=1', isURL: true },
      { href: `${ORIGIN}/ok/c`, pathname: '/ok/c', search: '', isURL: true },
      { href: `${ORIGIN}/denied`, pathname: '/denied', search: '', isURL: true },
    ])
  })
})
