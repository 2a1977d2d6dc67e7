// A Hono API (here on @hono/node-server; the middleware uses Web APIs only, so the same app runs on
// Bun, Deno or workerd) that verifies every caller with agentauth, reads `c.var.workload`, and
// signs its answers — a server-sent-events stream included, signed without buffering it.
// Run: npx tsx examples/server-hono.ts
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { workloadAuth, type WorkloadEnv } from '../src/adapters/hono/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, localCredentials, workloadAuth as outboundAuth } from '../src/fetch/index.js'
import { matchId } from '../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner, type RequestVerifier } from '../src/server/index.js'
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
const api = await identity('spiffe://example.org/services/summaries')

// --- The API
let verify: RequestVerifier | undefined // built below, once the loopback origin is known
const app = new Hono<WorkloadEnv>()
app.use('*', workloadAuth((request) => verify!(request), { signResponse: createResponseSigner({ wit: api.wit, signer: api.signer }) }))
app.post('/summaries', async (c) => c.json({ summary: `${(await c.req.arrayBuffer()).byteLength} bytes`, for: c.var.workload.workload.id }))
app.get('/progress', (c) => streamSSE(c, async (stream) => {
  for (const step of ['queued', 'running', 'done']) await stream.writeSSE({ event: 'progress', data: step })
}))
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
if (!server.listening) await once(server, 'listening')
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}` // your public https origin in production
verify = createRequestVerifier({ trustBundles, origin, proof: 'httpsig', authorize: matchId(agent.id) })

// --- The agent
const agentFetch = composeFetch(fetch, outboundAuth({
  credentials: localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'httpsig', signResponse: true }),
  origins: [origin],
  verifyResponse: { trustBundles, authorize: (wit) => wit.id === api.id },
}))
const res = await agentFetch(`${origin}/summaries`, { method: 'POST', body: 'a long document…', headers: { 'content-type': 'text/plain' } })
console.log(res.status, await res.json())
const events = await agentFetch(`${origin}/progress`)
console.log(events.status, events.headers.get('content-type'), JSON.stringify(await events.text()))

const anonymous = await fetch(`${origin}/summaries`, { method: 'POST', body: 'x' })
console.log(anonymous.status, anonymous.headers.get('www-authenticate'))

server.closeAllConnections()
server.close()
if (res.status !== 200 || events.status !== 200 || anonymous.status !== 400) process.exitCode = 1
