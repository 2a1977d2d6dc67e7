// Shared Signals transmitter on node:http: serves metadata, JWKS, stream management and a poll
// endpoint; a poll receiver in the same process subscribes and receives a session-revoked event.
// Run: npx tsx examples/ssf-transmitter.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateSigner } from '../src/signer/index.js'
import { createMemoryDedupeCache, createPollReceiver, createStreamClient, EVENT_TYPE_URIS } from '../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type Transmitter } from '../src/ssf/transmitter/index.js'

let transmitter: Transmitter | undefined
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
  const body = req.method === 'GET' ? undefined : Buffer.concat(chunks)
  const response = await transmitter!.handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }))
  res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}` // http only because it is loopback

transmitter = createTransmitter({
  issuer,
  signer: await generateSigner('EdDSA', { kid: 'tx-1' }),
  outbox: createMemoryOutbox(), // createRedisOutbox({ command }) to survive restarts
  authorizeReceiver: (req) => (req.headers.get('authorization') === 'Bearer receiver-1' ? 'receiver-1' : undefined),
  longPollTimeout: 2000,
})

const client = createStreamClient({ issuer, authorization: 'Bearer receiver-1' })
const metadata = await client.metadata()
console.log('metadata', metadata.configuration_endpoint)
const stream = await client.createStream({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [EVENT_TYPE_URIS['session-revoked']] })
const jwks = (await (await fetch(metadata.jwks_uri!)).json()) as { keys: never[] }

const poller = createPollReceiver({
  endpoint: stream.delivery.endpoint_url!,
  authorization: 'Bearer receiver-1',
  verify: { issuer, audience: 'receiver-1', keys: jwks },
  replayCache: createMemoryDedupeCache(),
  onEvent: (set) => console.log('polled', set.event.type, JSON.stringify(set.subject)),
})

await transmitter.emit({ type: 'session-revoked', initiating_entity: 'policy' }, { format: 'complex', user: { format: 'uri', uri: 'spiffe://example.org/agent/7' }, session: { format: 'opaque', id: 'sess-42' } })
const result = await poller.poll()
console.log('processed', result.processed.length, 'moreAvailable', result.moreAvailable)
await poller.stop() // sends the pending acknowledgement
server.close()
