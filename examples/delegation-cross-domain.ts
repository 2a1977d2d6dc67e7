// Pattern 2 — agent → agent in another trust domain (third-party agent).
//
// Alice's travel agent lives in example.com; the booking agent belongs to a partner in
// partner.example with its own authorization server. Two standard ways across the boundary:
//
//  A. OAuth identity chaining (draft-ietf-oauth-identity-chaining -17): the agent exchanges Alice's
//     token at its home token service for a short-lived JWT authorization grant addressed to the
//     partner's AS, then redeems it there with the RFC 7523 jwt-bearer grant. The delegation chain
//     (`act`) crosses with it; the partner maps Alice to its own subject.
//  B. ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant): the agent holds Alice's ID Token from
//     the enterprise IdP, asks the IdP for an Identity Assertion JWT Authorization Grant for the
//     partner's AS, and redeems it there.
//
// Run: npx tsx examples/delegation-cross-domain.ts
import { createAccessTokenVerifier } from '../src/access-token/index.js'
import { createJWTBearerGrantHandler, requestIdJag, requestJWTAuthorizationGrant, requestJWTBearerGrant } from '../src/assertion-grant/index.js'
import { privateKeyJwt } from '../src/client-auth/index.js'
import { createCompactJWS, generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../src/token-service/index.js'
import { TOKEN_TYPE, type FetchLike } from '../src/token-exchange/index.js'

const HOME = 'https://sts.example.com' // home token service, also the enterprise IdP here
const PARTNER_AS = 'https://as.partner.example'
const BOOKING_API = 'https://booking.partner.example'
const AGENT = 'spiffe://example.com/agents/travel'
const AGENT_AT_PARTNER = 'example-com-travel-agent' // the agent's client_id at the partner

const routes = new Map<string, (request: Request) => Promise<Response>>()
const network: FetchLike = async (input, init) => {
  const request = new Request(input, init)
  return (routes.get(new URL(request.url).origin) ?? (async () => new Response('no route', { status: 502 })))(request)
}

const homeSigner = await generateSigner('ES256', { kid: 'home-1' })
const partnerSigner = await generateSigner('ES256', { kid: 'partner-1' })
const agentSigner = await generateSigner('ES256', { kid: 'travel-agent-1' })
const homeKeys = [await homeSigner.publicJwk()]

// Home token service: issues JWT authorization grants (…:jwt) and ID-JAGs (…:id-jag) for the partner AS only.
routes.set(HOME, createTokenExchangeHandler({
  issuer: HOME,
  signer: homeSigner,
  clientAuthentication: createClientAuthenticator({ issuer: HOME, clients: { [AGENT]: { clientId: AGENT, keys: [await agentSigner.publicJwk()] } }, replayCache: createMemoryReplayCache() }),
  subjectTokenVerifiers: {
    [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: HOME, keys: homeKeys, typ: 'at+jwt', audience: ({ client }) => [HOME, client.clientId] }),
    [TOKEN_TYPE.ID_TOKEN]: createJWTTokenVerifier({ issuer: HOME, keys: homeKeys, audience: ({ client }) => [client.clientId] }),
  },
  policy: {
    targets: [PARTNER_AS],
    requestedTokenTypes: [TOKEN_TYPE.JWT, TOKEN_TYPE.ID_JAG],
    scopes: () => ['bookings:read', 'bookings:create'],
    idJagClientId: ({ audiences }) => (audiences[0] === PARTNER_AS ? AGENT_AT_PARTNER : undefined),
    lifetime: 120,
  },
}))

// Partner AS: trusts grants from the home domain, maps Alice, admits only example.com agents.
routes.set(PARTNER_AS, createJWTBearerGrantHandler({
  issuer: PARTNER_AS,
  signer: partnerSigner,
  clientAuthentication: createClientAuthenticator({ issuer: PARTNER_AS, clients: { [AGENT_AT_PARTNER]: { clientId: AGENT_AT_PARTNER, keys: [await agentSigner.publicJwk()] } }, replayCache: createMemoryReplayCache() }),
  trustedIssuers: [{ issuer: HOME, keys: homeKeys }],
  trustedIdJagIssuers: [{ issuer: HOME, keys: homeKeys }],
  replayCache: createMemoryReplayCache(),
  policy: {
    targets: [BOOKING_API],
    defaultTarget: BOOKING_API,
    mapSubject: ({ grant }) => (grant.subject === 'alice@example.com' ? 'partner-customer-7781' : undefined),
    authorizeActors: (actors) => actors.every((a) => a.trustDomain === 'example.com'),
  },
}))

// The partner's booking API.
const verifyBearer = createAccessTokenVerifier({ issuer: PARTNER_AS, audience: BOOKING_API, keys: [await partnerSigner.publicJwk()], delegation: { maxDepth: 2 } })
routes.set(BOOKING_API, async (request) => {
  const t = await verifyBearer(request.headers.get('authorization'))
  return Response.json({ customer: t.subject, actors: t.actors.map((a) => `${a.sub} (${a.trustDomain})`), client: t.clientId, scopes: t.scopes })
})

const home = { issuer: HOME, tokenEndpoint: `${HOME}/token` }
const partner = { issuer: PARTNER_AS, tokenEndpoint: `${PARTNER_AS}/token` }
const homeClient = { clientId: AGENT, auth: privateKeyJwt(agentSigner) }
const partnerClient = { clientId: AGENT_AT_PARTNER, auth: privateKeyJwt(agentSigner) }

// A. Identity chaining.
const aliceToken = await createAccessToken({ iss: HOME, sub: 'alice@example.com', aud: AGENT, client_id: 'travel-app', scope: 'bookings:read bookings:create' }, { signer: homeSigner })
const grant = await requestJWTAuthorizationGrant(home, homeClient, { subjectToken: aliceToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: PARTNER_AS, scope: 'bookings:read' }, { fetch: network })
const partnerToken = await requestJWTBearerGrant(partner, partnerClient, { assertion: grant.accessToken }, { fetch: network })
const a = (await (await network(`${BOOKING_API}/bookings`, { headers: { authorization: `Bearer ${partnerToken.accessToken}` } })).json()) as { customer: string; actors: string[]; scopes: string[] }
console.log('A. identity chaining')
console.log('   chain: alice@example.com →', a.actors.join(' → '), '→ booking API as', a.customer)
console.log('   scopes:', a.scopes.join(' '))

// B. ID-JAG from Alice's ID Token.
const idToken = await createCompactJWS({ typ: 'JWT' }, { iss: HOME, sub: 'alice@example.com', aud: AGENT, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 }, homeSigner)
const jag = await requestIdJag(home, homeClient, { subjectToken: idToken, audience: PARTNER_AS, scope: 'bookings:read' }, { fetch: network })
const jagToken = await requestJWTBearerGrant(partner, partnerClient, { assertion: jag.accessToken }, { fetch: network })
const b = (await (await network(`${BOOKING_API}/bookings`, { headers: { authorization: `Bearer ${jagToken.accessToken}` } })).json()) as { customer: string; actors: string[]; client: string }
console.log('B. ID-JAG (token_type', jag.tokenType + ')')
console.log('   chain: alice@example.com →', b.actors.join(' → '), '→ booking API as', b.customer, 'via client', b.client)
if (a.actors.length !== 1 || b.customer !== 'partner-customer-7781') process.exit(1)
