// Pattern 1 — user → agent → tool API.
//
// Alice signs in to a planner app; the planner's agent acts for her on a calendar tool. The
// agent's credential broker exchanges Alice's token at the token service (RFC 8693) for a token
// scoped to the calendar, with the agent recorded as the actor (`act`). The broker's fetch carries
// the `tokenExchange` middleware, so the agent process never sees a token. The calendar API
// verifies the RFC 9068 token and reads who it acts for.
//
// Everything runs in-process (a tiny router instead of a network). Run: npx tsx examples/delegation-user-agent-tool.ts
import { createAccessTokenVerifier } from '../src/access-token/index.js'
import { privateKeyJwt } from '../src/client-auth/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../src/token-service/index.js'
import { createTokenExchangeCache, tokenExchange, TOKEN_TYPE, type FetchLike } from '../src/token-exchange/index.js'

const IDP = 'https://login.example.com'
const STS = 'https://sts.example.com'
const CALENDAR = 'https://calendar.example.com'
const AGENT = 'spiffe://example.com/agents/planner'

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
routes.set(CALENDAR, async (request) => {
  const token = await verifyBearer(request.headers.get('authorization'))
  return Response.json({
    events: ['standup 09:30'],
    for: token.subject,
    via: token.actors.map((a) => a.sub),
    scopes: token.scopes,
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
const body = (await response.json()) as { for: string; via: string[]; scopes: string[] }
console.log('calendar answered', response.status)
console.log('delegation chain:', [body.for, ...[...body.via].reverse()].join(' → '), '→ calendar API')
console.log('actors (current first):', body.via)
console.log('scopes granted:', body.scopes.join(' '), '(narrowed from calendar:read calendar:write mail:read)')
if (response.status !== 200 || body.via[0] !== AGENT) process.exit(1)
