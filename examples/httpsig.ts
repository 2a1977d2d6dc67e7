// RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest: a client signs a POST (covering
// the body through Content-Digest), the server checks the digest and the signature under an
// explicit policy, then signs its response bound to the request (`;req`) and the client verifies it.
// Run: npx tsx examples/httpsig.ts
import { VerificationError } from '../src/errors/index.js'
import {
  createMessageContentDigest,
  signRequest,
  signResponse,
  SPEC,
  verifyMessageContentDigest,
  verifyRequestSignature,
  verifyResponseSignature,
  type VerifyOptions,
} from '../src/httpsig/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'

console.log(`${SPEC.document} (${SPEC.revision})`)

// Keys: any Signer works (KMS, HSM, credential broker). The verifier only ever sees public JWKs.
const clientKey = await generateSigner('EdDSA', { kid: 'client-2026' })
const serverKey = await generateSigner('ES256', { kid: 'server-2026' })
const trusted = new Map([[clientKey.kid!, await clientKey.publicJwk()], [serverKey.kid!, await serverKey.publicJwk()]])

// --- client: digest the body, then sign ------------------------------------------------------
const request = new Request('https://api.example.com/orders?dry-run=false', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ item: 'coffee', quantity: 2 }),
})
request.headers.set('Content-Digest', await createMessageContentDigest(request))
const requestFields = await signRequest(request, {
  signer: clientKey,
  keyid: clientKey.kid!,
  components: ['@method', '@target-uri', 'content-type', 'content-digest'],
  lifetime: 60, // expires = created + 60 s
  nonce: true, // 128 random bits
  tag: 'orders-api',
})
request.headers.set('Signature-Input', requestFields.signatureInput)
request.headers.set('Signature', requestFields.signature)
console.log('Signature-Input:', requestFields.signatureInput)

// --- server: policy first, then digest + signature --------------------------------------------
const serverPolicy: VerifyOptions = {
  algorithms: ['ed25519', 'ecdsa-p256-sha256'], // allow-list; `alg` must match the resolved key
  key: (params) => {
    const jwk = params.keyid === undefined ? undefined : trusted.get(params.keyid)
    if (jwk === undefined) throw new VerificationError('ERR_KEY_NOT_FOUND', 'unknown keyid')
    return { key: jwk, algorithm: jwk.alg as 'EdDSA' }
  },
  tag: 'orders-api',
  requiredComponents: ['@method', '@target-uri', 'content-digest'],
  requireExpires: true,
  maxAge: 120,
  clockTolerance: 5,
  replayCache: createMemoryReplayCache(),
}
await verifyMessageContentDigest(request, { maxBytes: 64 * 1024 }) // ERR_DIGEST_MISSING / _MISMATCH / ERR_BODY_TOO_LARGE
const verified = await verifyRequestSignature(request, serverPolicy)
console.log('verified', verified.label, 'from', verified.keyid, 'covering', verified.components.join(' '))

try {
  await verifyRequestSignature(request, serverPolicy) // the same nonce again
} catch (err) {
  if (err instanceof VerificationError) console.log('replay refused:', err.code)
}

// --- server: sign the response, bound to the request -----------------------------------------
const response = new Response(JSON.stringify({ id: 42 }), { status: 201, headers: { 'content-type': 'application/json' } })
response.headers.set('Content-Digest', await createMessageContentDigest(response))
const responseFields = await signResponse(response, {
  signer: serverKey,
  keyid: serverKey.kid!,
  request,
  components: ['@status', 'content-type', 'content-digest', '"@method";req', '"@target-uri";req', '"signature";key="sig1";req'],
  lifetime: 60,
})
response.headers.set('Signature-Input', responseFields.signatureInput)
response.headers.set('Signature', responseFields.signature)

// --- client: verify the response against the request it sent --------------------------------
const fromServer = await verifyResponseSignature(response, {
  request,
  algorithms: ['ecdsa-p256-sha256'],
  key: () => ({ key: trusted.get(serverKey.kid!)!, algorithm: 'ES256' }),
  requiredComponents: ['@status', 'content-digest', '"@method";req', '"signature";key="sig1";req'],
  maxAge: 120,
})
await verifyMessageContentDigest(response)
console.log('response verified', fromServer.components.join(' '))
