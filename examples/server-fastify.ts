// A Fastify 5 API that verifies every caller with agentauth: the plugin verifies in `onRequest`
// (before any body is parsed), hands the bytes it read to fastify's JSON parser, sets
// `request.workload`, and signs each answer in `onSend`. One agent call, one refusal.
// Run: npx tsx examples/server-fastify.ts
import Fastify from 'fastify'
import { workloadAuth } from '../src/adapters/fastify/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, localCredentials, workloadAuth as outboundAuth } from '../src/fetch/index.js'
import { matchId } from '../src/identifier/index.js'
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
const api = await identity('spiffe://example.org/services/tickets')

// --- The API. The verifier needs the public origin, so it is built once the port is known; in
// production the origin is configuration (https://tickets.example.com) and this dance disappears.
const app = Fastify()
let verify: ReturnType<typeof createRequestVerifier> | undefined
await app.register(workloadAuth((request) => verify!(request), { signResponse: createResponseSigner({ wit: api.wit, signer: api.signer }) }))
app.post('/tickets', async (request) => ({ opened: (request.body as { title: string }).title, by: request.workload?.workload.id }))
const origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1')
verify = createRequestVerifier({ trustBundles, origin, proof: 'wpt', requireContentDigest: true, authorize: matchId(agent.id) })

// --- The agent (WPT this time; the body is bound through Content-Digest). It checks the answer's
// signature and who signed it, so the line below names a verified signer, not just a header.
let answeredBy = 'nobody'
const agentFetch = composeFetch(fetch, outboundAuth({
  credentials: localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'wpt' }),
  origins: [origin],
  verifyResponse: { trustBundles, authorize: (wit) => ((answeredBy = wit.id), wit.id === api.id) },
}))
const res = await agentFetch(`${origin}/tickets`, { method: 'POST', body: JSON.stringify({ title: 'printer on fire' }), headers: { 'content-type': 'application/json' } })
console.log(res.status, await res.json(), '— signed by', answeredBy)

const anonymous = await fetch(`${origin}/tickets`, { method: 'POST', body: '{"title":"x"}', headers: { 'content-type': 'application/json' } })
console.log(anonymous.status, anonymous.headers.get('www-authenticate'))

await app.close()
if (res.status !== 200 || answeredBy !== api.id || anonymous.status !== 400) process.exitCode = 1
