// A plain node:http API that verifies every caller (WIT + WIMSE HTTP signature or WPT) with
// agentauth and signs its answers; an agent calls it once through agentauth/fetch and verifies the
// signed answer, then an anonymous call is refused.
// Run: npx tsx examples/server-node.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeHandler, nodeCrypto } from '../src/adapters/node/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, localCredentials, workloadAuth } from '../src/fetch/index.js'
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
const api = await identity('spiffe://example.org/services/orders')

// --- The API. Its origin is what callers sign for: configure your public https origin, never Host.
const server = createServer()
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const verify = createRequestVerifier({ trustBundles, origin, proof: 'either', authorize: matchId(agent.id), crypto: nodeCrypto() })
server.on('request', createNodeHandler(verify, async (request, caller) => {
  const order = (await request.json()) as { item: string }
  return Response.json({ accepted: order.item, for: caller.workload.id, proof: caller.proof.type })
}, { publicOrigin: origin, signResponse: createResponseSigner({ wit: api.wit, signer: api.signer }) }))

// --- The agent: every request to the API carries a fresh proof; the answer's signature is checked.
const agentFetch = composeFetch(fetch, workloadAuth({
  credentials: localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'httpsig', signResponse: true }),
  origins: [origin],
  verifyResponse: { trustBundles, authorize: (wit) => wit.id === api.id },
}))
const res = await agentFetch(`${origin}/orders`, { method: 'POST', body: JSON.stringify({ item: 'book' }), headers: { 'content-type': 'application/json' } })
console.log(res.status, await res.json(), '— answer signed by', res.headers.has('signature') ? api.id : 'nobody')

const anonymous = await fetch(`${origin}/orders`, { method: 'POST', body: '{}' })
console.log(anonymous.status, anonymous.headers.get('www-authenticate'))

server.closeAllConnections()
server.close()
if (res.status !== 200 || anonymous.status !== 400) process.exitCode = 1
