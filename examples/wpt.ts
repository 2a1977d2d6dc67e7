// Service-to-service authentication with a WIT + Workload Proof Token (draft-ietf-wimse-wpt).
// Run: npx tsx examples/wpt.ts
import { staticTrustBundles } from '../src/bundle/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createWIT, verifyWIT } from '../src/wit/index.js'
import { createWPT, parseWPTHeaders, verifyWPT, WIT_HEADER, WPT_HEADER } from '../src/wpt/index.js'

// --- Identity Server: issues the caller a WIT binding its public key ---------------------------
const issuer = await generateSigner('ES256', { kid: 'issuer-2026' })
const callerKey = await generateSigner('EdDSA') // stays inside the caller (or its credential broker)
const wit = await createWIT({ sub: 'wimse://example.org/billing', publicJwk: await callerKey.publicJwk(), lifetime: 3600 }, { signer: issuer })

// --- Caller: one fresh WPT per request, bound to the URI, the WIT and the access token ---------
const accessToken = 'eyJhbGciOi.example.access-token'
const url = 'https://orders.example.org/v1/orders?limit=10'
const wpt = await createWPT({ wit, signer: callerKey, uri: url, accessToken })
const request = new Request(url, {
  headers: { [WIT_HEADER]: wit, [WPT_HEADER]: wpt, authorization: `Bearer ${accessToken}` },
})

// --- Receiver: verify the WIT against the trust bundle, then the proof -------------------------
const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
const replayCache = createMemoryReplayCache() // single instance only; use the Redis cache behind a load balancer

const sent = parseWPTHeaders(request) // exactly one WIT and one WPT, Bearer token, Txn-Token
const verifiedWIT = await verifyWIT(sent.wit, { trustBundles })
const proof = await verifyWPT(sent.wpt, {
  wit: verifiedWIT,
  uri: request.url,
  audience: 'https://orders.example.org', // our public origin, from configuration — never from Host
  accessToken: sent.accessToken,
  txnToken: sent.txnToken,
  replayCache,
})
console.log(`${proof.id} proved possession of its WIT key for ${proof.audience}`)

// The same proof again is a replay.
await verifyWPT(sent.wpt, { wit: verifiedWIT, uri: request.url, audience: 'https://orders.example.org', accessToken: sent.accessToken, replayCache }).catch(
  (err: { code?: string }) => console.log('replayed proof refused:', err.code),
)
