// Pattern 1 — user → agent → tool API.
//
// Alice signs in to a planner app; the planner's agent acts for her on a calendar tool. The
// agent's credential broker exchanges Alice's token at the token service (RFC 8693) for a token
// scoped to the calendar, with the agent recorded as the actor (`act`). The broker's fetch carries
// the `tokenExchange` middleware, so the agent process never sees a token. The calendar API
// verifies the RFC 9068 token and reads who it acts for.
//
// Inside the calendar's trust domain the call continues with a Transaction Token: the calendar
// API exchanges the delegated token at its domain's Txn-Token service and calls an internal
// availability service, which learns the user, the purpose and the context from the Txn-Token —
// never from the access token, which stays at the edge.
//
// Everything runs in-process (a tiny router instead of a network). Run: npx tsx examples/delegation-user-agent-tool.ts
import { createAccessTokenVerifier } from '../src/access-token/index.js'
import { privateKeyJwt } from '../src/client-auth/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../src/token-service/index.js'
import { createTokenExchangeCache, tokenExchange, TOKEN_TYPE, type FetchLike } from '../src/token-exchange/index.js'
import { createTxnTokenService, requestTxnToken, TXN_TOKEN_HEADER, txnTokenPropagation, verifyTxnTokenHeader, type TxnTokenHeaderPolicy } from '../src/txn-token/index.js'
import { verifyAccessToken } from '../src/access-token/index.js'

const IDP = 'https://login.example.com'
const STS = 'https://sts.example.com'
const CALENDAR = 'https://calendar.example.com'
const AGENT = 'spiffe://example.com/agents/planner'
const TTS = 'https://tts.example.com'
const AVAILABILITY = 'https://availability.internal.example.com'
const CALENDAR_WORKLOAD = 'spiffe://example.com/services/calendar'

// In-process "network": origin → handler.
const routes = new Map<string, (request: Request) => Promise<Response>>()
const network: FetchLike = async (input, init) => {
  const request = new Request(input, init)
  const handler = routes.get(new URL(request.url).origin)
  if (handler === undefined) return new Response('no route', { status: 502 })
  return handler(request)
}

// 1. Keys: the IdP, the token service and the agent's broker each hold their own signer.
const idpSigner = await generateSigner('ES256', { kid: 'idp-2026' })
const stsSigner = await generateSigner('ES256', { kid: 'sts-2026' })
const brokerSigner = await generateSigner('ES256', { kid: 'planner-broker' })
const ttsSigner = await generateSigner('ES256', { kid: 'tts-2026' })
const calendarSigner = await generateSigner('ES256', { kid: 'calendar-workload' })

// 2. The token service: authenticates the broker with private_key_jwt, accepts IdP access tokens
//    issued to the agent, and issues calendar tokens with scopes that only narrow.
routes.set(STS, createTokenExchangeHandler({
  issuer: STS,
  signer: stsSigner,
  clientAuthentication: createClientAuthenticator({
    issuer: STS,
    clients: { [AGENT]: { clientId: AGENT, keys: [await brokerSigner.publicJwk()] } },
    replayCache: createMemoryReplayCache(),
  }),
  subjectTokenVerifiers: {
    [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({
      issuer: IDP,
      keys: [await idpSigner.publicJwk()],
      typ: 'at+jwt',
      audience: ({ client }) => [STS, client.clientId],
    }),
  },
  policy: { targets: [CALENDAR], maxDepth: 3, allowedActorTrustDomains: ['example.com'] },
}))

// 3. The calendar API verifies bearer tokens from the token service.
const verifyBearer = createAccessTokenVerifier({
  issuer: STS,
  audience: CALENDAR,
  keys: [await stsSigner.publicJwk()],
  requiredScopes: ['calendar:read'],
  delegation: { maxDepth: 3 },
})
// 3b. The calendar's trust domain (example.com) has one Txn-Token service: it authenticates the
//     calendar workload and turns the delegated access token into a short-lived Txn-Token whose
//     scope can only narrow.
const stsPublic = await stsSigner.publicJwk()
routes.set(TTS, createTxnTokenService({
  trustDomain: 'example.com',
  issuer: TTS,
  signer: ttsSigner,
  authenticateClient: createClientAuthenticator({
    issuer: TTS,
    clients: { [CALENDAR_WORKLOAD]: { clientId: CALENDAR_WORKLOAD, keys: [await calendarSigner.publicJwk()] } },
    replayCache: createMemoryReplayCache(),
  }),
  subjectTokens: {
    [TOKEN_TYPE.ACCESS_TOKEN]: (token) => verifyAccessToken(token, { issuer: STS, audience: CALENDAR, keys: [stsPublic] }),
  },
  lifetime: 60,
}))
const txnPolicy: TxnTokenHeaderPolicy = { required: true, trustDomain: 'example.com', issuer: TTS, keys: [await ttsSigner.publicJwk()] }

// 3c. An internal service of example.com: it trusts the Txn-Token for who and why.
routes.set(AVAILABILITY, async (request) => {
  const txn = await verifyTxnTokenHeader(request.headers, txnPolicy)
  return Response.json({ free: ['10:00-11:00'], user: txn!.subject, purpose: txn!.scopes, txn: txn!.txn, requestedBy: txn!.claims.req_wl })
})

routes.set(CALENDAR, async (request) => {
  const authorization = request.headers.get('authorization')
  const token = await verifyBearer(authorization)
  // Inside the trust domain: exchange the delegated token for a Txn-Token and propagate it.
  const { txnToken } = await requestTxnToken(
    { issuer: TTS, tokenEndpoint: `${TTS}/token` },
    { clientId: CALENDAR_WORKLOAD, auth: privateKeyJwt(calendarSigner) },
    { subjectToken: authorization!.slice('Bearer '.length), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'example.com', scope: 'calendar:read', requestDetails: { action: 'list-events' } },
    { fetch: network },
  )
  const internalFetch = txnTokenPropagation({ getTxnToken: () => txnToken, origins: [AVAILABILITY] })(network)
  const availability = (await (await internalFetch(`${AVAILABILITY}/slots`)).json()) as { user: string; purpose: string[]; txn: string; requestedBy: string }
  return Response.json({
    events: ['standup 09:30'],
    for: token.subject,
    via: token.actors.map((a) => a.sub),
    scopes: token.scopes,
    availability,
  })
})

// 4. Alice's token from the IdP (normally obtained by the app with the authorization code flow).
//    `may_act` says only the planner agent may act for her.
const aliceToken = await createAccessToken(
  { iss: IDP, sub: 'alice@example.com', aud: AGENT, client_id: 'planner-web', scope: 'calendar:read calendar:write mail:read', may_act: { sub: AGENT } },
  { signer: idpSigner, lifetime: 900 },
)

// 5. Inside the broker: a token cache that exchanges Alice's token per destination, and a fetch
//    that attaches the right token. The agent only ever calls brokerFetch (over the broker API).
const cache = createTokenExchangeCache({
  server: { issuer: STS, tokenEndpoint: `${STS}/token` },
  client: { clientId: AGENT, auth: privateKeyJwt(brokerSigner) },
  subject: () => ({ token: aliceToken, tokenType: TOKEN_TYPE.ACCESS_TOKEN }),
  fetch: network,
})
const brokerFetch = tokenExchange({
  cache,
  destinations: { [CALENDAR]: { audience: CALENDAR, scope: 'calendar:read' } },
})(network)

const response = await brokerFetch(`${CALENDAR}/events`)
const body = (await response.json()) as { for: string; via: string[]; scopes: string[]; availability: { user: string; purpose: string[]; txn: string; requestedBy: string } }
console.log('calendar answered', response.status)
console.log('delegation chain:', [body.for, ...[...body.via].reverse()].join(' → '), '→ calendar API')
console.log('actors (current first):', body.via)
console.log('scopes granted:', body.scopes.join(' '), '(narrowed from calendar:read calendar:write mail:read)')
console.log(`inside example.com: Txn-Token ${body.availability.txn.slice(0, 8)}… for ${body.availability.user}, purpose ${body.availability.purpose.join(' ')}, requested by ${body.availability.requestedBy} → availability service`)
if (response.status !== 200 || body.via[0] !== AGENT || body.availability.user !== 'alice@example.com') process.exit(1)
void TXN_TOKEN_HEADER
