// Transaction Tokens inside one trust domain: obtain → propagate → verify, plus a replacement.
// A Txn-Token Service, an "orders" workload, a "ledger" workload and a foreign "partner" API all
// run on loopback; the gateway swaps the user's access token for a Txn-Token.
// Run: npx tsx examples/txn-token.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyAccessToken } from '../src/access-token/index.js'
import { privateKeyJwt } from '../src/client-auth/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { TOKEN_TYPE } from '../src/token-exchange/index.js'
import { createAccessToken, createClientAuthenticator } from '../src/token-service/index.js'
import {
  createTxnTokenService,
  createTxnTokenVerifier,
  requestTxnToken,
  TXN_TOKEN_HEADER,
  txnTokenPropagation,
  verifyTxnTokenHeader,
  type TxnTokenHeaderPolicy,
} from '../src/txn-token/index.js'

const TRUST_DOMAIN = 'bank.example'
const GATEWAY = 'spiffe://bank.example/gateway'
const ORDERS = 'spiffe://bank.example/orders'

/** Serves a web handler on 127.0.0.1 (any runtime with Request/Response would do). */
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

// --- Keys: the authorization server, the Txn-Token Service, and two workloads ------------------
const asKey = await generateSigner('ES256', { kid: 'as-1' })
const ttsKey = await generateSigner('ES256', { kid: 'tts-1' })
const gatewayKey = await generateSigner('ES256')
const ordersKey = await generateSigner('EdDSA')

// --- The Txn-Token Service of bank.example -----------------------------------------------------
const asPublic = await asKey.publicJwk()
const ttsIssuer = 'https://tts.bank.example'
const tts = await serve(
  createTxnTokenService({
    trustDomain: TRUST_DOMAIN,
    signer: ttsKey,
    issuer: ttsIssuer,
    authenticateClient: createClientAuthenticator({
      issuer: ttsIssuer,
      clients: {
        [GATEWAY]: { clientId: GATEWAY, keys: [await gatewayKey.publicJwk()] },
        [ORDERS]: { clientId: ORDERS, keys: [await ordersKey.publicJwk()] },
      },
      replayCache: createMemoryReplayCache(),
    }),
    subjectTokens: {
      [TOKEN_TYPE.ACCESS_TOKEN]: (token) => verifyAccessToken(token, { issuer: 'https://as.bank.example', audience: 'https://api.bank.example', keys: [asPublic] }),
    },
    policy: ({ client }) => client.clientId.startsWith('spiffe://bank.example/'),
    onError: (err) => console.log('  TTS refused:', (err as { code?: string }).code),
  }),
)
const ttsServer = { issuer: ttsIssuer, tokenEndpoint: `${tts.url}/token` }
const txnPolicy: TxnTokenHeaderPolicy = { required: true, trustDomain: TRUST_DOMAIN, keys: [await ttsKey.publicJwk()], issuer: ttsIssuer }

// --- Workloads: ledger (inside), partner (another trust domain), orders (calls both) ------------
const seen: string[] = []
const ledger = await serve(async (request) => {
  const txn = await verifyTxnTokenHeader(request.headers, txnPolicy)
  seen.push(`ledger got Txn-Token for ${txn!.subject}, txn ${txn!.txn.slice(0, 8)}…`)
  return Response.json({ booked: txn!.tctx })
})
const partner = await serve(async (request) => {
  seen.push(`partner got Txn-Token header: ${request.headers.has(TXN_TOKEN_HEADER)}`)
  return Response.json({ ok: true })
})
const orders = await serve(async (request) => {
  const txn = await verifyTxnTokenHeader(request.headers, txnPolicy) // throws on a missing or foreign token
  const inbound = request.headers.get(TXN_TOKEN_HEADER)!
  // Forward the token unmodified to workloads of bank.example, never elsewhere.
  const internalFetch = txnTokenPropagation({ getTxnToken: () => inbound, origins: [ledger.url] })(fetch)
  await internalFetch(`${ledger.url}/book`, { method: 'POST' })
  await internalFetch(`${partner.url}/notify`, { method: 'POST', headers: { [TXN_TOKEN_HEADER]: inbound } }) // stripped
  return Response.json({ purpose: txn!.scopes, context: txn!.tctx })
})

try {
  // --- 1. Obtain: the gateway exchanges the user's access token --------------------------------
  const userAccessToken = await createAccessToken(
    { iss: 'https://as.bank.example', sub: 'user-42', aud: 'https://api.bank.example', client_id: 'mobile-app', scope: 'trade.stocks trade.read' },
    { signer: asKey },
  )
  const gateway = { clientId: GATEWAY, auth: privateKeyJwt(gatewayKey) }
  const { txnToken, expiresIn } = await requestTxnToken(ttsServer, gateway, {
    subjectToken: userAccessToken,
    subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN,
    audience: TRUST_DOMAIN,
    scope: 'trade.stocks',
    requestContext: { req_ip: '69.151.72.123', authn: 'face' },
    requestDetails: { action: 'BUY', ticker: 'MSFT', quantity: '100' },
  })
  console.log(`1. gateway obtained a Txn-Token valid for ${expiresIn}s`)

  // --- 2. Propagate + 3. verify -----------------------------------------------------------------
  const answer = (await (await fetch(`${orders.url}/orders`, { method: 'POST', headers: { [TXN_TOKEN_HEADER]: txnToken } })).json()) as unknown
  console.log('2. orders verified it:', JSON.stringify(answer))
  for (const line of seen) console.log(`   ${line}`)

  // --- A token sent to another trust domain is refused -----------------------------------------
  const elsewhere = createTxnTokenVerifier({ trustDomain: 'partner.example', keys: [await ttsKey.publicJwk()] })
  await elsewhere(txnToken).catch((err: { code: string }) => console.log(`3. partner.example refuses it: ${err.code}`))

  // --- Replacement: orders asks for a narrower token for the same transaction ------------------
  const ordersClient = { clientId: ORDERS, auth: privateKeyJwt(ordersKey) }
  const narrower = await requestTxnToken(ttsServer, ordersClient, { subjectToken: txnToken, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks', requestDetails: { settlement: 'T+1' } })
  const replaced = await createTxnTokenVerifier(txnPolicy)(narrower.txnToken)
  console.log(`4. replacement keeps txn and sub (${replaced.subject}), chain ${replaced.requesterChain.join(' → ')}, tctx ${JSON.stringify(replaced.tctx)}`)
  await requestTxnToken(ttsServer, ordersClient, { subjectToken: txnToken, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks payments.send' }).catch(
    (err: { error?: string }) => console.log(`5. widening the scope on replacement is refused: ${err.error}`),
  )
} finally {
  for (const s of [tts, ledger, partner, orders]) s.close()
}
