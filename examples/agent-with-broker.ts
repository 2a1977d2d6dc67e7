// An AI agent that holds no key and no token: a credential broker (another process in production)
// holds the agent's key and WIT, applies a destination policy and audits every decision; the agent
// reaches it over a Unix domain socket with a capability token and wraps `fetch`.
// Run: npx tsx examples/agent-with-broker.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, fetch as undiciFetch } from 'undici'
import { startBroker, type BrokerConfig } from '../src/broker/node/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, createProxyFetch, remoteCredentials, workloadAuth, type FetchLike } from '../src/fetch/index.js'
import { matchTrustDomain } from '../src/identifier/index.js'
import { createRequestVerifier, errorResponse } from '../src/server/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createWIT } from '../src/wit/index.js'

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected: ${what}`)
  console.log(`  ok  ${what}`)
}

// A tiny node:http ↔ Fetch bridge for the two demo servers (use agentauth/adapters/* in real services).
async function serve(handler: (request: Request) => Promise<Response> | Response): Promise<{ origin: string; close(): void }> {
  let origin = ''
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
    const response = await handler(new Request(origin + req.url, { method: req.method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) }))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, close: () => server.close() }
}

const dir = await mkdtemp(join(tmpdir(), 'agentauth-example-'))
try {
  // --- Identity server (development): issues the agent a WIT bound to its public key --------------
  const issuer = await generateSigner('ES256', { kid: 'dev-issuer' })
  const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
  const agentKey = await generateSigner('ES256', { extractable: true }) // exported once, into the broker's key file
  const agentId = 'spiffe://example.org/agents/support-bot'
  const wit = await createWIT({ sub: agentId, cnf: { jwk: await agentKey.publicJwk() } }, { signer: issuer, lifetime: 3600 })
  await writeFile(join(dir, 'agent.key.json'), JSON.stringify(await agentKey.exportPrivateJwk()), { mode: 0o600 })
  await writeFile(join(dir, 'agent.wit'), wit)

  // --- A tool API that verifies its callers, and a foreign server that records what it gets --------
  let verify: ((request: Request) => ReturnType<ReturnType<typeof createRequestVerifier>>) | undefined
  const api = await serve(async (request) => {
    verify ??= createRequestVerifier({ trustBundles, origin: api.origin, proof: 'either', authorize: matchTrustDomain('example.org') })
    try {
      const caller = await verify(request)
      const url = new URL(request.url)
      if (url.pathname === '/v1/moved') return new Response(null, { status: 307, headers: { location: url.searchParams.get('to')! } })
      return Response.json({ hello: caller.workload.id, proof: caller.proof.type, body: await request.text() })
    } catch (err) {
      return errorResponse(err)
    }
  })
  const seenByForeign: string[][] = []
  const foreign = await serve((request) => {
    seenByForeign.push([...request.headers.keys()])
    return new Response('thanks for the data')
  })

  // --- The broker (normally its own process: `node dist/broker/node/main.js --config broker.json`) --
  const capability = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
  const socketPath = join(dir, 'broker.sock')
  const config: BrokerConfig = {
    signer: { jwkFile: 'agent.key.json' },
    wit: { file: 'agent.wit' },
    listen: { socket: socketPath },
    capabilityToken: { env: 'AGENT_CAPABILITY' },
    proof: 'httpsig',
    policy: { destinations: { [api.origin]: { paths: ['/v1/'], methods: ['GET', 'POST'], rateLimit: { requests: 20, interval: 60 } } } },
    audit: { file: 'audit.jsonl' },
  }
  const broker = await startBroker({ config, baseDir: dir, env: { AGENT_CAPABILITY: capability } })
  console.log(`broker listening on ${broker.socketPath}`)

  // --- The agent: holds the broker address and a capability token, nothing else ------------------
  const dispatcher = new Agent({ connect: { socketPath } })
  const toBroker: FetchLike = (input, init) => undiciFetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>
  const credentials = remoteCredentials({ endpoint: broker.url, token: capability, fetch: toBroker })
  const agentFetch = composeFetch(fetch, workloadAuth({ credentials, origins: [api.origin] }))

  console.log('agent → broker (proof mode) → API')
  const hello = (await (await agentFetch(`${api.origin}/v1/hello?q=weather`)).json()) as { hello: string; proof: string }
  check(hello.hello === agentId && hello.proof === 'httpsig', `API verified ${hello.hello} (${hello.proof})`)
  const posted = (await (await agentFetch(`${api.origin}/v1/notes`, { method: 'POST', body: '{"note":"hi"}', headers: { 'content-type': 'application/json' } })).json()) as { body: string }
  check(posted.body === '{"note":"hi"}', 'POST with a body: Content-Digest signed, body never sent to the broker')

  const refused = await agentFetch(`${api.origin}/admin/users`).catch((err: { code?: string }) => err.code)
  check(refused === 'ERR_SIGNER_REFUSED', 'a path outside the policy is refused by the broker')
  const notListed = await agentFetch(`${foreign.origin}/upload`).catch((err: { code?: string }) => err.code)
  check(notListed === 'ERR_ORIGIN_NOT_ALLOWED', 'an origin that is not allow-listed gets nothing signed')

  const leak = await agentFetch(`${api.origin}/v1/moved?to=${encodeURIComponent(`${foreign.origin}/collect`)}`, { method: 'POST', body: 'report' })
  const credentialFields = ['workload-identity-token', 'signature', 'signature-input', 'authorization']
  check((await leak.text()) === 'thanks for the data' && !seenByForeign[0]!.some((h) => credentialFields.includes(h)), 'a 307 to a foreign origin carries no credential header')

  console.log('agent → broker (proxy mode) → API')
  const proxied = createProxyFetch({ endpoint: broker.url, token: capability, fetch: toBroker })
  const viaProxy = (await (await proxied(`${api.origin}/v1/hello`)).json()) as { hello: string }
  check(viaProxy.hello === agentId, 'the broker attached the credentials and forwarded the request')

  check(!JSON.stringify(credentials).includes(capability), 'the agent-side credentials object prints nothing secret')
  await dispatcher.close()
  await broker.close()
  api.close()
  foreign.close()

  console.log('audit log:')
  for (const line of (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n')) {
    const r = JSON.parse(line) as { decision: string; reason: string; mode: string; method?: string; url?: string }
    console.log(`  ${r.decision.padEnd(5)} ${r.reason.padEnd(18)} ${r.mode.padEnd(5)} ${r.method ?? ''} ${r.url ?? ''}`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
