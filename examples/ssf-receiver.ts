// Shared Signals receiver: an API subscribes to an identity platform's SSF transmitter, receives a
// CAEP credential-change for an agent by push, and writes the revocation to the store its request
// verifiers check. Then the platform deprovisions another agent through the lifecycle registry.
// Everything runs in process (handlers wired with a routing fetch); swap in real servers and
// createRedisDedupeCache / createRedisRevocationStore for production.
// Run: npx tsx examples/ssf-receiver.ts
import { createIdentityRegistry } from '../src/lifecycle/index.js'
import { generateSigner } from '../src/signer/index.js'
import {
  applyToStore, createMemoryDedupeCache, createPushReceiver, createStreamClient, EVENT_TYPE_URIS,
  type EventHandler,
} from '../src/ssf/index.js'
import { createTransmitter } from '../src/ssf/transmitter/index.js'
import { createMemoryRevocationStore } from '../src/stores/index.js'

const IDP = 'https://idp.example.com'
const API = 'https://api.example.com'
const AGENT = 'spiffe://example.org/agent/reporting'

// A fetch that routes to in-process handlers instead of the network.
const routes: Record<string, (r: Request) => Promise<Response>> = {}
const fetchRouted = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init)
  return routes[new URL(request.url).origin]!(request)
}

// --- identity platform: the transmitter ---
const transmitter = createTransmitter({
  issuer: IDP,
  signer: await generateSigner('ES256', { kid: 'ssf-2025' }),
  authorizeReceiver: (req) => (req.headers.get('authorization') === 'Bearer api-receiver-token' ? 'api.example.com' : undefined),
  fetch: fetchRouted,
})
routes[IDP] = (r) => transmitter.handle(r)

// --- the API: stream client, push receiver, revocation store ---
const revocations = createMemoryRevocationStore()
const client = createStreamClient({ issuer: IDP, authorization: 'Bearer api-receiver-token', audience: 'api.example.com', fetch: fetchRouted })
const metadata = await client.metadata()
const jwks = (await (await fetchRouted(metadata.jwks_uri!)).json()) as { keys: never[] }
const log: EventHandler = (set) => console.log(`received ${set.event.type} for`, JSON.stringify(set.subject))
routes[API] = createPushReceiver({
  verify: { issuer: IDP, audience: 'api.example.com', keys: jwks, maxTokenAge: 86_400 },
  authorization: 'Bearer push-secret',
  replayCache: createMemoryDedupeCache(),
  onEvent: applyToStore(revocations, { maxCredentialLifetime: 3600, next: log }),
})

const stream = await client.createStream({
  delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${API}/ssf/events`, authorization_header: 'Bearer push-secret' },
  events_requested: [EVENT_TYPE_URIS['credential-change'], EVENT_TYPE_URIS['session-revoked']],
  description: 'revocations for api.example.com',
})
console.log('stream', stream.stream_id, 'delivers', stream.events_delivered)
await client.requestVerification(stream.stream_id, 'hello')
await transmitter.deliver()

// --- an incident: the agent's key is revoked at the identity platform ---
const issuedAt = Math.floor(Date.now() / 1000) - 60 // a WIT the agent got a minute ago
await transmitter.emit({ type: 'credential-change', credential_type: 'x509', change_type: 'revoke', reason_admin: { en: 'key exposed in logs' } }, { format: 'uri', uri: AGENT })
await transmitter.deliver()
console.log('revoked for the next request:', await revocations.check({ sub: AGENT }, issuedAt))

// --- lifecycle: retire another agent; its identifier is never issued again ---
const registry = createIdentityRegistry({ revocations })
await registry.register('spiffe://example.org/agent/old-bot')
await registry.deprovision('spiffe://example.org/agent/old-bot', { reason: 'retired', actor: 'ops' })
await registry.register('spiffe://example.org/agent/old-bot').catch((e: { code: string }) => console.log('re-register refused:', e.code))
