// Human approval with CIBA before a high-risk agent action: poll mode, ping mode and a denial.
// The OpenID Provider here is a small stand-in on loopback (test/interop/ciba-oidc-provider.test.ts
// runs the same client against oidc-provider); `phone` plays the user's authentication device.
// Run: npx tsx examples/ciba-approval.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  backchannelAuthenticationRequest,
  cibaApproval,
  cibaTokenRequest,
  createCibaNotificationWaiter,
  createCibaPingHandler,
  createClientNotificationToken,
  pollCibaToken,
  processBackchannelAuthenticationResponse,
  processCibaTokenResponse,
} from '../src/ciba/index.js'
import { privateKeyJwt } from '../src/client-auth/index.js'
import { generateSigner } from '../src/signer/index.js'

async function serve(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close: () => void }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks)
    const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(new Uint8Array(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() && server.closeAllConnections() }
}

// --- The broker's side: its key, and the ping notification endpoint ---------------------------
const brokerKey = await generateSigner('ES256', { kid: 'broker-1' })
const clientNotificationToken = createClientNotificationToken()
const pings = createCibaNotificationWaiter()
const notifications = await serve(createCibaPingHandler({ clientNotificationToken, onNotification: pings.onNotification }))

// --- Stand-in OpenID Provider (use your real provider's metadata instead) ----------------------
type Pending = { user: string; message: string; decision?: 'approved' | 'denied'; notify?: string }
const requests = new Map<string, Pending>()
const phone = { decide: (_p: Pending): 'approved' | 'denied' => 'approved' } // the user's device
const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } })
const op = await serve(async (request) => {
  const form = new URLSearchParams(await request.text())
  if (new URL(request.url).pathname === '/backchannel') {
    const id = crypto.randomUUID()
    const pending: Pending = { user: form.get('login_hint') ?? '?', message: form.get('binding_message') ?? '' }
    const notify = form.get('client_notification_token')
    if (notify !== null) pending.notify = notify
    requests.set(id, pending)
    setTimeout(async () => {
      pending.decision = phone.decide(pending)
      console.log(`   [phone of ${pending.user}] "${pending.message}" → ${pending.decision}`)
      if (pending.notify !== undefined) {
        await fetch(`${notifications.url}/ciba/notify`, { method: 'POST', headers: { authorization: `Bearer ${pending.notify}`, 'content-type': 'application/json' }, body: JSON.stringify({ auth_req_id: id }) })
      }
    }, 300)
    return json({ auth_req_id: id, expires_in: 120, interval: 1 })
  }
  const pending = requests.get(form.get('auth_req_id') ?? '')
  if (pending === undefined) return json({ error: 'invalid_grant' }, 400)
  if (pending.decision === undefined) return json({ error: 'authorization_pending' }, 400)
  if (pending.decision === 'denied') return json({ error: 'access_denied' }, 400)
  return json({ access_token: `at-for-${pending.user}`, token_type: 'Bearer', expires_in: 300, scope: 'openid' })
})
const server = { issuer: op.url, tokenEndpoint: `${op.url}/token`, backchannelAuthenticationEndpoint: `${op.url}/backchannel` }
const broker = { clientId: 'agent-broker', auth: privateKeyJwt(brokerKey) }

try {
  // --- Poll mode ---------------------------------------------------------------------------------
  console.log('1. poll mode: ask alice to approve a payment')
  const pending = await processBackchannelAuthenticationResponse(
    await backchannelAuthenticationRequest(server, broker, { scope: 'openid', loginHint: 'alice@example.com', bindingMessage: 'PAY-4711' }),
  )
  const tokens = await pollCibaToken(server, broker, pending, { signal: AbortSignal.timeout(30_000) })
  console.log(`   approved: got a ${tokens.tokenType} token`)

  // --- Ping mode ---------------------------------------------------------------------------------
  console.log('2. ping mode: the provider calls our notification endpoint when bob decides')
  const pinged = await processBackchannelAuthenticationResponse(
    await backchannelAuthenticationRequest(server, broker, { scope: 'openid', loginHint: 'bob@example.com', bindingMessage: 'DEPLOY-42', clientNotificationToken }),
  )
  await pings.wait(pinged.authReqId, { signal: AbortSignal.timeout(pinged.expiresIn * 1000) })
  const pingTokens = await processCibaTokenResponse(await cibaTokenRequest(server, broker, { authReqId: pinged.authReqId }))
  console.log(`   notified, then one token request: ${pingTokens.accessToken}`)

  // --- The approval hook, as a broker would use it; this time the user says no -----------------
  console.log('3. approval hook: carol is asked to approve deleting a repository')
  phone.decide = () => 'denied'
  const approve = cibaApproval({
    server,
    client: broker,
    request: (action: { user: string; code: string }) => ({ scope: 'openid', loginHint: action.user, bindingMessage: action.code }),
  })
  const allowed = await approve({ user: 'carol@example.com', code: 'DELETE-REPO' })
  console.log(`   approved? ${allowed} → the agent's action is ${allowed ? 'carried out' : 'refused'}`)
} finally {
  op.close()
  notifications.close()
}
