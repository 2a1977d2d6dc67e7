// Pattern 3 — a scheduled agent with no user.
//
// A nightly report agent has no user to act for. It authenticates to the token service with its
// Workload Identity Token plus a fresh proof of possession (OAuth-Client-Attestation /
// OAuth-Client-Attestation-PoP, draft-ietf-oauth-spiffe-client-auth-02 §3.3) — no client secret,
// no extra long-lived key — and uses the client credentials grant. The access token is bound to
// the WIT key (`cnf.jkt`), so the reports API accepts it only from the holder of that key.
//
// Run: npx tsx examples/delegation-scheduled-agent.ts
import { verifyAccessToken } from '../src/access-token/index.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { requestClientCredentials, witClientAuth } from '../src/client-auth/index.js'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createClientAuthenticator, createClientCredentialsHandler } from '../src/token-service/index.js'
import type { FetchLike } from '../src/token-exchange/index.js'
import { createWIT, createWITVerifier, staticWITSource } from '../src/wit/index.js'

const STS = 'https://sts.example.com'
const REPORTS = 'https://reports.example.com'
const AGENT = 'spiffe://example.com/agents/nightly-report'

// The identity server issued the agent a WIT bound to the agent's own key.
const identityServer = await generateSigner('ES256', { kid: 'wit-issuer-1' })
const agentKey = await generateSigner('ES256') // workload key; in production held by the broker or a KMS
const wit = await createWIT({ sub: AGENT, publicJwk: await agentKey.publicJwk() }, { signer: identityServer, lifetime: 3600 })

// Token service: WIT client authentication, client credentials, scopes fixed per client.
const stsSigner = await generateSigner('ES256', { kid: 'sts-1' })
const sts = createClientCredentialsHandler({
  issuer: STS,
  signer: stsSigner,
  clientAuthentication: createClientAuthenticator({
    issuer: STS,
    clients: { [AGENT]: { clientId: AGENT } }, // registered under its workload identifier
    replayCache: createMemoryReplayCache(),
    witVerifier: createWITVerifier({ trustBundles: staticTrustBundles({ 'example.com': [await identityServer.publicJwk()] }) }),
  }),
  policy: {
    targets: (target) => target === REPORTS,
    scopes: (client) => (client.workloadId === AGENT ? ['reports:write'] : []),
  },
})
const network: FetchLike = async (input, init) => sts(new Request(input, init))

// The agent (via its broker) asks for a token.
const token = await requestClientCredentials(
  { issuer: STS, tokenEndpoint: `${STS}/token` },
  { clientId: AGENT, auth: witClientAuth({ wit: staticWITSource(wit), signer: agentKey }) },
  { resource: REPORTS, scope: 'reports:write' },
  { fetch: network },
)

// The reports API verifies it, bound to the key the caller proved (here: the WIT's cnf key).
const verified = await verifyAccessToken(token.accessToken, {
  issuer: STS,
  audience: REPORTS,
  keys: [await stsSigner.publicJwk()],
  confirmation: { jwk: await agentKey.publicJwk() },
  requiredScopes: ['reports:write'],
})
console.log('token for', verified.subject, 'client', verified.clientId)
console.log('delegation chain:', verified.actors.length === 0 ? '(none — the agent acts as itself, no user)' : verified.actors.map((a) => a.sub).join(' → '))
console.log('bound to key jkt', verified.confirmation?.jkt, '; scopes', verified.scopes.join(' '))

// A stolen copy of the token is useless without the key.
const other = await generateSigner('ES256')
const stolen = await verifyAccessToken(token.accessToken, { issuer: STS, audience: REPORTS, keys: [await stsSigner.publicJwk()], confirmation: { jwk: await other.publicJwk() } }).catch((e: { code: string }) => e.code)
console.log('presented with another key →', stolen)
if (stolen !== 'ERR_CONFIRMATION_MISMATCH') process.exit(1)
