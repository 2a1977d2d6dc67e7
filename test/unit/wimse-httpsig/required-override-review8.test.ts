// WIMSE §3.4: when the request carried wimse-sign-response, the client MUST refuse an unsigned
// response; an explicit `required: false` must not waive that.
import { describe, expect, it } from 'vitest'
import { generateSigner } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { signWIMSERequest, verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { verifyWIT } from '../../../src/wit/index.js'

async function fixture() {
  const issuer = await generateSigner('ES256', { kid: 'i' })
  const agent = await generateSigner('ES256')
  const wit = await createWIT({ sub: 'spiffe://example.org/a', cnf: { jwk: await agent.publicJwk() } }, { signer: issuer, lifetime: 600 })
  const verified = await verifyWIT(wit, { trustBundles: staticTrustBundles({ 'example.org': [await issuer.publicJwk()] }) })
  return { agent, wit, verified }
}

describe('verifyWIMSEResponse required override (§3.4)', () => {
  it('refuses an unsigned response to a request that asked, even with required: false', async () => {
    const f = await fixture()
    const asked = await signWIMSERequest({ method: 'GET', url: 'https://api.example.com/x', headers: {} }, { wit: f.wit, signer: f.agent, signResponse: true })
    const request = new Request('https://api.example.com/x', { headers: asked.headers })
    const response = new Response('ok')
    await expect(verifyWIMSEResponse(response, { request, wit: f.verified, required: false })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_MISSING' })
    await expect(verifyWIMSEResponse(new Response('ok'), { request, wit: f.verified })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_MISSING' })
  })

  it('leaves an unsigned response optional when the request did not ask, and required: true still requires it', async () => {
    const f = await fixture()
    const plain = await signWIMSERequest({ method: 'GET', url: 'https://api.example.com/x', headers: {} }, { wit: f.wit, signer: f.agent })
    const request = new Request('https://api.example.com/x', { headers: plain.headers })
    await expect(verifyWIMSEResponse(new Response('ok'), { request, wit: f.verified, required: false })).resolves.toBeUndefined()
    await expect(verifyWIMSEResponse(new Response('ok'), { request, wit: f.verified })).resolves.toBeUndefined()
    await expect(verifyWIMSEResponse(new Response('ok'), { request, wit: f.verified, required: true })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_MISSING' })
  })
})

describe('workloadAuth verifyResponse required override (§3.4)', () => {
  it('refuses an unsigned response to a request that asked, even with required: false', async () => {
    const { createResponseVerifier } = await import('../../../src/fetch/response-verification.js')
    const f = await fixture()
    const asked = await signWIMSERequest({ method: 'GET', url: 'https://api.example.com/x', headers: {} }, { wit: f.wit, signer: f.agent, signResponse: true })
    const request = new Request('https://api.example.com/x', { headers: asked.headers })
    const verify = createResponseVerifier({ trustBundles: staticTrustBundles({ 'example.org': [] }), required: false })
    await expect(verify(new Response('ok'), request)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_MISSING' })
    const plain = await signWIMSERequest({ method: 'GET', url: 'https://api.example.com/x', headers: {} }, { wit: f.wit, signer: f.agent })
    await expect(verify(new Response('ok'), new Request('https://api.example.com/x', { headers: plain.headers }))).resolves.toBeUndefined()
  })
})
