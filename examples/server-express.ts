// An Express 5 API that verifies every caller with agentauth: body parsers keep the raw bytes
// (captureRawBody) so Content-Digest is checked against exactly what was sent, `req.workload`
// names the caller, and `sendSignedResponse` signs the answer. One agent call, one refusal.
// Run: npx tsx examples/server-express.ts
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { captureRawBody, sendSignedResponse, workloadAuth } from '../src/adapters/express/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, localCredentials, workloadAuth as outboundAuth } from '../src/fetch/index.js'
import { matchTrustDomain } from '../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner } from '../src/server/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createWIT } from '../src/wit/index.js'

// --- Identities: a development issuer, the agent and the API (in production: your identity server)
const issuer = await generateSigner('ES256', { kid: 'dev-issuer' })
const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
async function identity(id: string) {
  const signer = await generateSigner('ES256')
  return { id, signer, wit: await createWIT({ sub: id, cnf: { jwk: await signer.publicJwk() } }, { signer: issuer, lifetime: 3600 }) }
}
const agent = await identity('spiffe://example.org/agents/support-bot')
const api = await identity('spiffe://example.org/services/search')

// --- The API
const app = express()
const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}` // your public https origin in production
const verify = createRequestVerifier({ trustBundles, origin, proof: 'either', authorize: matchTrustDomain('example.org') })

app.use(express.json({ verify: captureRawBody })) // 1. parse, keeping the raw bytes for the digest
app.use(workloadAuth(verify, { publicOrigin: origin, signResponse: createResponseSigner({ wit: api.wit, signer: api.signer }) })) // 2. verify
app.post('/tools/search', (req, res) => sendSignedResponse(req, res, Response.json({ // 3. answer, signed
  caller: req.workload?.workload.id,
  results: [`result for ${(req.body as { q: string }).q}`],
})))

// --- The agent
const agentFetch = composeFetch(fetch, outboundAuth({
  credentials: localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'httpsig', signResponse: true }),
  origins: [origin],
  verifyResponse: { trustBundles, authorize: (wit) => wit.id === api.id },
}))
const res = await agentFetch(`${origin}/tools/search`, { method: 'POST', body: JSON.stringify({ q: 'weather' }), headers: { 'content-type': 'application/json' } })
console.log(res.status, await res.json())

const anonymous = await fetch(`${origin}/tools/search`, { method: 'POST', body: '{"q":"x"}', headers: { 'content-type': 'application/json' } })
console.log(anonymous.status, await anonymous.json())

server.closeAllConnections()
server.close()
if (res.status !== 200 || anonymous.status !== 400) process.exitCode = 1
