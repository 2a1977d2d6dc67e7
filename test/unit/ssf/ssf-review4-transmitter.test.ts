// Review round 4: transmitter regressions (delivery-method changes, disabled push streams,
// status reasons, subject matching, poll control SETs).
import { describe, expect, it } from 'vitest'
import {
  createMemoryDedupeCache, createPollReceiver, createPushReceiver, createStreamClient, EVENT_TYPE_URIS,
  type EventHandler, type SecurityEventToken,
} from '../../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore } from '../../../src/ssf/transmitter/index.js'
import { manualClock, routeFetch, testKey } from '../../helpers/ssf.js'

const TX = 'https://tx.example.com'
const RX = 'https://rx.example.com'
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
const SESSION_REVOKED = EVENT_TYPE_URIS['session-revoked']
const POLL = { method: 'urn:ietf:rfc:8936' }
const PUSH = { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf`, authorization_header: 'Bearer push-secret' }
const txKey = await testKey('tx-key')

async function setup(outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}) {
  const clock = manualClock()
  const received: SecurityEventToken[] = []
  let receive: (r: Request) => Promise<Response> = async () => new Response(null, { status: 503 })
  const transmitter = createTransmitter({
    issuer: TX,
    signer: txKey.signer,
    clock,
    outbox,
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 4 },
    authorizeReceiver: (req) => ({ 'Bearer rx-token': 'rx' })[req.headers.get('authorization') ?? ''],
    allowDeliveryUrl: (u) => u.origin === RX,
    longPollTimeout: 0,
    fetch: routeFetch({ [RX]: (r) => receive(r) }),
    ...extra,
  })
  const fetchTx = routeFetch({ [TX]: (r) => transmitter.handle(r) })
  const jwks = (await (await fetchTx(`${TX}/ssf/jwks`)).json()) as { keys: unknown[] }
  const verify = { issuer: TX, audience: 'rx', keys: jwks, clock }
  receive = createPushReceiver({ verify: verify as never, authorization: 'Bearer push-secret', replayCache: createMemoryDedupeCache({ clock }), onEvent: (set) => { received.push(set) } })
  const client = createStreamClient({ issuer: TX, authorization: 'Bearer rx-token', audience: 'rx', fetch: fetchTx })
  const poller = (endpoint: string, onEvent: EventHandler) =>
    createPollReceiver({ endpoint, authorization: 'Bearer rx-token', verify: verify as never, replayCache: createMemoryDedupeCache({ clock }), onEvent, fetch: fetchTx, returnImmediately: true })
  return { clock, transmitter, client, received, outbox, poller }
}

describe('changing a stream between push and poll keeps its queued SETs', () => {
  it('poll → push: SETs queued for polling are pushed', async () => {
    const { client, transmitter, received } = await setup()
    const s = await client.createStream({ delivery: POLL, events_requested: [SESSION_REVOKED] })
    const emitted = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    await client.updateStream(s.stream_id, { delivery: PUSH })
    expect((await transmitter.deliver()).delivered).toEqual(emitted.map((e) => e.jti))
    expect(received.map((r) => r.jti)).toEqual(emitted.map((e) => e.jti))
  })

  it('push → poll: SETs queued for push are returned to the poller, not given up on', async () => {
    const { client, transmitter, poller } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const emitted = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const updated = await client.replaceStream(s.stream_id, { delivery: POLL, events_requested: [SESSION_REVOKED] })
    expect((await transmitter.deliver()).failed).toEqual([])
    const got: string[] = []
    const r = poller(updated!.delivery.endpoint_url!, (set) => { got.push(set.jti) })
    expect((await r.poll()).processed).toEqual(emitted.map((e) => e.jti))
    expect(got).toEqual(emitted.map((e) => e.jti))
    expect(await transmitter.failed()).toEqual([])
  })

  it('a push entry found on a stream that is now poll (changed meanwhile) waits for the poller', async () => {
    const { client, transmitter, outbox, poller } = await setup()
    const s = await client.createStream({ delivery: PUSH, events_requested: [SESSION_REVOKED] })
    const [e] = await transmitter.emit({ type: 'session-revoked' }, AGENT)
    const stored = (await outbox.getStream(s.stream_id))!
    // As if another instance changed the configuration without moving the entry.
    await outbox.putStream({ ...stored, config: { ...stored.config, delivery: { method: POLL.method, endpoint_url: `${TX}/ssf/poll/${s.stream_id}` } } })
    expect((await transmitter.deliver()).failed).toEqual([])
    const got: string[] = []
    await poller(`${TX}/ssf/poll/${s.stream_id}`, (set) => { got.push(set.jti) }).poll()
    expect(got).toEqual([e!.jti])
  })
})
