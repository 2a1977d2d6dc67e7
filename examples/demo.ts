// `npm run demo`: the whole agentauth flow end to end, on embedded defaults, with no external
// service. Every party listens on its own loopback port:
//
//   identity issuer ──mints WIT──▶ credential broker (holds the agent's key; policy + audit)
//   agent (LLM side) ──"headers for this one request?"──▶ broker
//   agent ──request + WIT + HTTP signature──▶ tool API (node adapter, verifies, signs its answer)
//   security team ──CAEP event (SET, push)──▶ tool API's SSF receiver ──▶ revocation store
//
// In production the broker is a separate process (`agentauth/broker/node`, Unix socket); here it is
// a loopback server in the same process, and the agent code below only ever holds its URL and a
// capability token. The demo prints who called whom and why each call passed or failed, and
// exits non-zero if anything behaves differently from what it announces.
import { spawnSync } from 'node:child_process'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createNodeHandler, nodeCrypto, sendWebResponse, toWebRequest } from '../src/adapters/node/index.js'
import { createCredentialBroker, type AuditRecord } from '../src/broker/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { composeFetch, remoteCredentials, workloadAuth } from '../src/fetch/index.js'
import { matchTrustDomain } from '../src/identifier/index.js'
import { createRequestVerifier, createResponseSigner } from '../src/server/index.js'
import { generateSigner } from '../src/signer/index.js'
import { applyToStore, createMemoryDedupeCache, createPushReceiver, createStreamClient, EVENT_TYPE_URIS } from '../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type Transmitter } from '../src/ssf/transmitter/index.js'
import { createMemoryRevocationStore } from '../src/stores/index.js'
import { createWIT } from '../src/wit/index.js'

// ---- a readable trace ------------------------------------------------------------------------------
const useColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
const paint = (code: string, s: string): string => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s)
const ok = (s: string): string => paint('32', s)
const bad = (s: string): string => paint('31', s)
const dim = (s: string): string => paint('2', s)
let failures = 0
function step(title: string): void {
  console.log(`\n${paint('1', `▶ ${title}`)}`)
}
function line(who: string, message: string): void {
  console.log(`  ${paint('36', who.padEnd(10))} ${message}`)
}
function expect(condition: boolean, what: string): void {
  if (condition) line('check', ok(`✔ ${what}`))
  else {
    failures++
    line('check', bad(`✘ ${what}`))
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const CREDENTIAL_HEADERS = ['workload-identity-token', 'workload-proof-token', 'signature', 'signature-input', 'authorization', 'txn-token']
const TRUST_DOMAIN = 'example.org'
const AGENT_ID = `spiffe://${TRUST_DOMAIN}/agents/travel-assistant`
const TOOL_ID = `spiffe://${TRUST_DOMAIN}/services/flight-tools`

// ---- 1. identity issuer ----------------------------------------------------------------------------
step('1. A development identity issuer for trust domain example.org mints WITs')
const issuer = await generateSigner('ES256', { kid: 'dev-issuer-1' })
const trustBundles = staticTrustBundles({ [TRUST_DOMAIN]: [await issuer.publicJwk()] })
// The agent's key is generated inside the broker's trust boundary and is not extractable.
const agentKey = await generateSigner('ES256')
const agentWIT = await createWIT({ sub: AGENT_ID, cnf: { jwk: await agentKey.publicJwk() } }, { signer: issuer, lifetime: 3600 })
const toolKey = await generateSigner('ES256')
const toolWIT = await createWIT({ sub: TOOL_ID, cnf: { jwk: await toolKey.publicJwk() } }, { signer: issuer, lifetime: 3600 })
line('issuer', `WIT for ${AGENT_ID} (key ES256, expires in 1 h)`)
line('issuer', `WIT for ${TOOL_ID} (the tool API signs its answers with it)`)

// ---- 2. the tool API (node adapter) with its SSF receiver ----------------------------------------------
step('2. The flight-tools API verifies every caller (agentauth/adapters/node)')
const revocations = createMemoryRevocationStore()
let apiListener: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = () => undefined
const apiServer = createServer((req, res) => apiListener(req, res))
const toolOrigin = await listen(apiServer)
const verify = createRequestVerifier({
  trustBundles,
  origin: toolOrigin,
  proof: 'httpsig',
  authorize: matchTrustDomain(TRUST_DOMAIN),
  revocations,
  crypto: nodeCrypto(),
})
let foreignOrigin = ''
const apiHandler = createNodeHandler(
  verify,
  async (request, caller) => {
    const url = new URL(request.url)
    line('tool API', `${request.method} ${url.pathname}${url.search} from ${caller.workload.id} ${dim(`(proof: ${caller.proof.type}, nonce ${caller.proof.type === 'httpsig' ? caller.proof.signature.nonce : '-'})`)}`)
    if (url.pathname === '/v1/flights') return Response.json({ flights: [{ from: 'BER', to: url.searchParams.get('to'), price: 129 }] })
    if (url.pathname === '/v1/bookings') {
      const body = (await request.json()) as { flight: string }
      return Response.json({ booked: body.flight, for: caller.workload.id }, { status: 201 })
    }
    if (url.pathname === '/v1/partner-offers') return new Response(null, { status: 307, headers: { location: `${foreignOrigin}/collect` } })
    return new Response('not found', { status: 404 })
  },
  {
    signResponse: createResponseSigner({ wit: toolWIT, signer: toolKey, crypto: nodeCrypto() }),
    onError: (err, req) => {
      lastRefusal = (err as { code?: string }).code ?? String(err)
      line('tool API', `${req.method} ${req.url} refused: ${bad(lastRefusal)}`)
    },
  },
)
let lastRefusal = ''
// The SSF push endpoint is configured in step 6, once the transmitter exists.
let receiver: (request: Request) => Promise<Response> = async () => new Response('not configured', { status: 503 })
apiListener = (req, res) => {
  if (req.url === '/ssf/events') {
    void (async () => sendWebResponse(res, await receiver(toWebRequest(req))))()
    return
  }
  void apiHandler(req, res)
}
line('tool API', `listening on ${toolOrigin}; accepts callers of ${TRUST_DOMAIN} with WIMSE HTTP signatures`)

// ---- 3. the credential broker --------------------------------------------------------------------------
step('3. The credential broker holds the agent\'s key and applies a destination policy')
const audit: AuditRecord[] = []
const capability = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
const broker = createCredentialBroker({
  signer: agentKey,
  wit: agentWIT,
  proof: 'httpsig',
  signResponse: true,
  capabilityTokens: capability,
  policy: { destinations: { [toolOrigin]: { paths: ['/v1/'], methods: ['GET', 'POST'] } } },
  audit: (record) => {
    audit.push(record)
    line('broker', `${record.decision === 'allow' ? ok('allow') : bad('deny ')} ${record.method ?? ''} ${record.url ?? ''} ${dim(`— ${record.reason}`)}`)
  },
})
const brokerServer = createServer((req, res) => {
  void (async () => sendWebResponse(res, await broker(toWebRequest(req))))()
})
const brokerURL = await listen(brokerServer)
line('broker', `listening on ${brokerURL}; allows GET/POST ${toolOrigin}/v1/*`)

// ---- 4. the agent ---------------------------------------------------------------------------------------
step('4. The agent wraps fetch; it holds only the broker URL and a capability token')
const credentials = remoteCredentials({ endpoint: brokerURL, token: capability })
let answeredBy = ''
const agentFetch = composeFetch(
  fetch,
  workloadAuth({
    credentials,
    origins: [toolOrigin],
    verifyResponse: { trustBundles, required: true, authorize: (wit) => ((answeredBy = wit.id), wit.id === TOOL_ID) },
  }),
)
expect(!JSON.stringify(credentials).includes('"d"') && !JSON.stringify(credentials).includes(capability), 'the agent-side credentials object exposes no key and no token')

const flights = await agentFetch(`${toolOrigin}/v1/flights?to=LIS`)
line('agent', `GET /v1/flights?to=LIS → ${flights.status} ${JSON.stringify(await flights.json())}`)
expect(flights.status === 200 && answeredBy === TOOL_ID, `the answer is signed by ${TOOL_ID} and the agent verified it`)

const booking = await agentFetch(`${toolOrigin}/v1/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flight: 'BER-LIS 129' }) })
line('agent', `POST /v1/bookings → ${booking.status} ${JSON.stringify(await booking.json())}`)
expect(booking.status === 201, 'a POST with a body is signed over its Content-Digest and accepted')

// ---- 5. attacks -----------------------------------------------------------------------------------------
step('5. What the tool API refuses')
// 5a. Replay: capture exactly what went over the wire for one call and send it again.
let captured: { url: string; init: RequestInit } | undefined
const capturingFetch = composeFetch(
  async (input, init) => {
    const r = new Request(input, init)
    captured = { url: r.url, init: { method: r.method, headers: r.headers } }
    return fetch(r)
  },
  workloadAuth({ credentials, origins: [toolOrigin] }),
)
const first = await capturingFetch(`${toolOrigin}/v1/flights?to=OPO`)
line('agent', `GET /v1/flights?to=OPO → ${first.status}`)
const replay = await fetch(captured!.url, captured!.init)
const replayBody = (await replay.json()) as { code: string }
line('attacker', `re-sends the same signed request → ${replay.status} ${replayBody.code}`)
expect(replay.status === 401 && replayBody.code === 'ERR_PROOF_REPLAYED', 'a replayed request is refused (nonce already used)')

// 5b. Tampered body: a man in the middle swaps the JSON after it was signed.
const tamperingFetch = composeFetch(
  async (input, init) => {
    const r = new Request(input, init)
    return fetch(r.url, { method: r.method, headers: r.headers, body: JSON.stringify({ flight: 'BER-LIS 129', seats: 40 }) })
  },
  workloadAuth({ credentials, origins: [toolOrigin] }),
)
const tampered = await tamperingFetch(`${toolOrigin}/v1/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flight: 'BER-LIS 129' }) })
const tamperedBody = (await tampered.json()) as { code: string }
line('attacker', `swaps the body of a signed POST → ${tampered.status} ${tamperedBody.code}`)
expect(tampered.status === 400 && tamperedBody.code === 'ERR_DIGEST_MISMATCH', 'a tampered body is refused (Content-Digest mismatch)')

// 5c. Redirect to a foreign origin: no credential header may follow it.
let foreignSaw: IncomingHttpHeaders | undefined
const foreign = createServer((req, res) => {
  foreignSaw = req.headers
  res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks for the headers')
})
foreignOrigin = await listen(foreign)
const redirected = await agentFetch(`${toolOrigin}/v1/partner-offers`).then((r) => r.status, (err: { code?: string }) => err.code ?? String(err))
const leaked = CREDENTIAL_HEADERS.filter((h) => foreignSaw?.[h] !== undefined)
line('tool API', `answers 307 → ${foreignOrigin}/collect (not allow-listed)`)
line('foreign', foreignSaw === undefined ? 'was never contacted' : `received a request carrying: ${leaked.length === 0 ? 'no credential header' : leaked.join(', ')}`)
line('agent', `outcome: ${redirected}${redirected === 'ERR_HTTPSIG_MISSING' ? ' (the foreign answer is unsigned, so the agent rejects it)' : ''}`)
expect(leaked.length === 0, 'no credential header reaches a foreign origin on a redirect')
expect(redirected === 'ERR_HTTPSIG_MISSING', 'the agent rejects the unsigned answer of the foreign origin')

// 5d. Policy: the broker refuses a destination it was not configured for.
const denied = await composeFetch(fetch, workloadAuth({ credentials, origins: [toolOrigin, foreignOrigin] }))(`${foreignOrigin}/steal`).then(
  (r) => `${r.status}`,
  (err: { code?: string }) => err.code ?? String(err),
)
line('agent', `asks the broker to sign for ${foreignOrigin}/steal → ${denied}`)
expect(denied === 'ERR_SIGNER_REFUSED', 'the broker refuses to sign for a destination outside its policy')

// ---- 6. revocation through Shared Signals --------------------------------------------------------------
step('6. A security event revokes the agent; its next call is refused')
let transmitter: Transmitter | undefined
const ssfServer = createServer((req, res) => {
  void (async () => sendWebResponse(res, await transmitter!.handle(toWebRequest(req))))()
})
const ssfIssuer = await listen(ssfServer)
transmitter = createTransmitter({
  issuer: ssfIssuer,
  signer: await generateSigner('ES256', { kid: 'ssf-1' }),
  outbox: createMemoryOutbox(),
  authorizeReceiver: (req) => (req.headers.get('authorization') === 'Bearer flight-tools-receiver' ? 'flight-tools' : undefined),
  allowDeliveryUrl: (url) => url.hostname === '127.0.0.1',
})
const streamClient = createStreamClient({ issuer: ssfIssuer, authorization: 'Bearer flight-tools-receiver' })
const metadata = await streamClient.metadata()
const jwks = (await (await fetch(metadata.jwks_uri!)).json()) as { keys: never[] }
receiver = createPushReceiver({
  verify: { issuer: ssfIssuer, audience: 'flight-tools', keys: jwks },
  authorization: 'Bearer ssf-delivery-secret',
  replayCache: createMemoryDedupeCache(),
  onEvent: applyToStore(revocations, {
    next: (set) => line('receiver', `SET ${set.jti.slice(0, 8)}… ${set.event.type} for ${JSON.stringify(set.subject)} → revocation stored`),
  }),
})
await streamClient.createStream({
  delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${toolOrigin}/ssf/events`, authorization_header: 'Bearer ssf-delivery-secret' },
  events_requested: [EVENT_TYPE_URIS['credential-change']],
})
line('security', `stream created at ${ssfIssuer} (push to ${toolOrigin}/ssf/events)`)
await transmitter.emit(
  { type: 'credential-change', credential_type: 'x509', change_type: 'revoke', initiating_entity: 'policy', reason_admin: { en: 'agent key suspected leaked' } },
  { format: 'uri', uri: AGENT_ID },
)
const report = await transmitter.deliver()
line('security', `CAEP credential-change (revoke) for ${AGENT_ID} pushed: ${JSON.stringify(report)}`)
const afterRevocation = await agentFetch(`${toolOrigin}/v1/flights?to=MAD`).then(
  (r) => `${r.status}`,
  (err: { code?: string }) => err.code ?? String(err),
)
line('agent', `GET /v1/flights?to=MAD → ${afterRevocation}${afterRevocation === 'ERR_HTTPSIG_MISSING' ? ' (the refusal is unsigned, so the agent rejects it too)' : ''}`)
expect(lastRefusal === 'ERR_CREDENTIAL_REVOKED' && afterRevocation === 'ERR_HTTPSIG_MISSING', 'the revoked agent is refused on its next call (ERR_CREDENTIAL_REVOKED)')

// ---- 7. delegation patterns -----------------------------------------------------------------------------
step('7. Delegation patterns (OAuth tier): examples/delegation-*.ts')
const here = fileURLToPath(new URL('.', import.meta.url))
for (const [title, file] of [
  ['user → agent → tool API (token exchange with act; Txn-Token inside the tool\'s trust domain)', 'delegation-user-agent-tool.ts'],
  ['agent → agent in another trust domain (identity chaining, ID-JAG)', 'delegation-cross-domain.ts'],
  ['scheduled agent with no user (client credentials, WIT client authentication)', 'delegation-scheduled-agent.ts'],
] as const) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${here}${file}`], { encoding: 'utf8' })
  line('pattern', paint('1', title))
  for (const l of run.stdout.trim().split('\n')) console.log(`             ${dim(l)}`)
  expect(run.status === 0, `${file} ran to completion`)
}

// ---- summary --------------------------------------------------------------------------------------------
step('Broker audit log (JSON lines, one per decision)')
for (const r of audit) console.log(`  ${dim(JSON.stringify(r))}`)
await Promise.all([apiServer, brokerServer, foreign, ssfServer].map((s) => new Promise((resolve) => s.close(resolve))))
console.log(failures === 0 ? `\n${ok('Demo finished: every check passed.')}` : `\n${bad(`Demo finished with ${failures} failed check(s).`)}`)
process.exitCode = failures === 0 ? 0 : 1
