// Workload-to-workload request and response signing with the WIMSE HTTP-signature profile
// (draft-ietf-wimse-http-signature). Run: npx tsx examples/wimse-httpsig.ts
import { staticTrustBundles } from '../src/bundle/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { signWIMSERequest, signWIMSEResponse, verifyWIMSERequest, verifyWIMSEResponse } from '../src/wimse-httpsig/index.js'
import { createWIT, verifyWIT } from '../src/wit/index.js'

// Identity Server issuing WITs to two workloads of the trust domain example.org.
const issuer = await generateSigner('ES256', { kid: 'issuer-2026' })
const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
async function workload(sub: string) {
  const signer = await generateSigner('ES256') // ES256 is the profile's mandatory-to-implement algorithm
  const wit = await createWIT({ sub, publicJwk: await signer.publicJwk(), lifetime: 3600 }, { signer: issuer })
  return { signer, wit }
}
const svcA = await workload('wimse://example.org/svc-a')
const svcB = await workload('wimse://example.org/svc-b')

// --- svc-a signs a POST and asks for a signed response -----------------------------------------
const request = new Request('https://svc-b.example.org/orders?priority=high', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer example-access-token' },
  body: JSON.stringify({ item: 'ice cream', qty: 2 }),
})
const sent = await signWIMSERequest(request, { wit: svcA.wit, signer: svcA.signer, signResponse: true })
for (const [name, value] of Object.entries(sent.headers)) request.headers.set(name, value)
console.log('Signature-Input:', sent.signatureInput)

// --- svc-b verifies the caller's WIT, then the signature (body digest, audience, nonce) -----------
const replayCache = createMemoryReplayCache()
const callerWIT = await verifyWIT(request.headers.get('workload-identity-token') ?? '', { trustBundles })
const verified = await verifyWIMSERequest(request, {
  wit: callerWIT,
  audience: 'https://svc-b.example.org', // our public origin, from configuration
  replayCache,
})
console.log(`request from ${verified.id}, body ${verified.contentDigest?.bytes} bytes, signed response wanted: ${verified.signResponse}`)

// --- svc-b answers with a signed response bound to the request --------------------------------
const response = new Response(JSON.stringify({ accepted: true }), { status: 201, headers: { 'content-type': 'application/json' } })
const answer = await signWIMSEResponse(response, { request, wit: svcB.wit, signer: svcB.signer, requestNonce: verified.nonce })
for (const [name, value] of Object.entries(answer.headers)) response.headers.set(name, value)

// --- svc-a verifies the server's WIT and the response signature ---------------------------------
const serverWIT = await verifyWIT(response.headers.get('workload-identity-token') ?? '', { trustBundles })
const checked = await verifyWIMSEResponse(response, { request, wit: serverWIT, expectedRequestNonce: sent.nonce })
console.log(`response from ${checked?.id} answers request nonce ${checked?.requestNonce}`)

// A replayed request is refused.
await verifyWIMSERequest(request, { wit: callerWIT, audience: 'https://svc-b.example.org', replayCache }).catch((err: { code?: string }) =>
  console.log('replayed request refused:', err.code),
)
