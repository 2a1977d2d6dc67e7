// End to end over real loopback HTTP servers and a real redis-server:
// transmitter → push/poll → receiver → Redis revocation store → revocation check from two
// independent store instances ("two verifier instances"); no-loss scenarios; restart survival.
import { afterEach, describe, expect, it } from 'vitest'
import { createIdentityRegistry, createRedisRegistryBackend } from '../../src/lifecycle/index.js'
import {
  applyToStore, createPollReceiver, createPushReceiver, createRedisDedupeCache, createStreamClient, EVENT_TYPE_URIS,
  type EventHandler, type SecurityEventToken,
} from '../../src/ssf/index.js'
import { createRedisOutbox, createTransmitter, type Transmitter } from '../../src/ssf/transmitter/index.js'
import { createRedisRevocationStore } from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'
import { serve, type LoopbackServer } from '../helpers/ssf-http.js'
import { testKey } from '../helpers/ssf.js'

const redis = useRedis()
const AGENT = 'spiffe://example.org/agent/7'
const txKey = await testKey('tx-redis')
const open: Array<{ close(): Promise<void> } | Transmitter> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await ('stop' in o ? o.stop() : o.close())
  await redis().flush()
})

async function startTransmitter(options: { port?: number; prefix?: string } = {}) {
  let tx: Transmitter | undefined
  const server = await serve((r) => tx!.handle(r), options.port)
  tx = createTransmitter({
    issuer: server.origin,
    signer: txKey.signer,
    outbox: createRedisOutbox({ command: redis().newCommand(), prefix: options.prefix ?? 'ssf:tx:' }),
    authorizeReceiver: (r) => (r.headers.get('authorization') === 'Bearer rx-token' ? 'rx' : undefined),
    allowDeliveryUrl: (u) => u.hostname === '127.0.0.1',
    retry: { initialDelay: 10, maxDelay: 50, jitter: 0, maxAttempts: 50 },
    longPollTimeout: 200,
    interval: 20,
  })
  open.push(server, tx)
  return { tx, server }
}

async function receiverSetup(txOrigin: string, onEvent: EventHandler) {
  const jwks = (await (await fetch(`${txOrigin}/ssf/jwks`)).json()) as { keys: never[] }
  const verify = { issuer: txOrigin, audience: 'rx', keys: jwks }
  const push = createPushReceiver({ verify, authorization: 'Bearer push', replayCache: createRedisDedupeCache({ command: redis().newCommand() }), onEvent })
  const server = await serve(push)
  open.push(server)
  const client = createStreamClient({ issuer: txOrigin, authorization: 'Bearer rx-token', audience: 'rx' })
  return { server, client, verify }
}

const wait = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('SSF with Redis, over loopback HTTP', () => {
  it('push: a CAEP credential-change for the agent is revoked in Redis and seen by two verifier instances', async () => {
    const { tx } = await startTransmitter()
    const storeA = createRedisRevocationStore({ command: redis().newCommand() })
    const { server, client } = await receiverSetup(tx.issuer, applyToStore(storeA))
    await client.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${server.origin}/`, authorization_header: 'Bearer push' }, events_requested: [EVENT_TYPE_URIS['credential-change']] })
    tx.start()
    const iat = Math.floor(Date.now() / 1000) - 60
    await tx.emit({ type: 'credential-change', credential_type: 'x509', change_type: 'revoke' }, { format: 'uri', uri: AGENT })
    const verifierB = createRedisRevocationStore({ command: redis().newCommand() })
    const verifierC = createRedisRevocationStore({ command: redis().newCommand() })
    await wait(async () => (await verifierB.check({ sub: AGENT }, iat)) !== undefined)
    expect(await verifierB.check({ sub: AGENT }, iat)).toMatchObject({ sub: AGENT, reason: 'ssf:credential-change' })
    expect(await verifierC.check({ sub: AGENT }, iat)).toMatchObject({ sub: AGENT })
    expect(await verifierC.check({ sub: 'spiffe://example.org/agent/8' }, iat)).toBeUndefined()
  })

  it('poll: session-revoked reaches the revocation store through the poll endpoint', async () => {
    const { tx } = await startTransmitter()
    const store = createRedisRevocationStore({ command: redis().newCommand() })
    const { client, verify } = await receiverSetup(tx.issuer, async () => {})
    const stream = await client.createStream({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [EVENT_TYPE_URIS['session-revoked']] })
    const poller = createPollReceiver({ endpoint: stream.delivery.endpoint_url!, authorization: 'Bearer rx-token', verify, replayCache: createRedisDedupeCache({ command: redis().newCommand() }), onEvent: applyToStore(store) })
    open.push({ close: () => poller.stop() })
    poller.start()
    await tx.emit({ type: 'session-revoked' }, { format: 'complex', user: { format: 'uri', uri: AGENT }, session: { format: 'opaque', id: 'sess-9' } })
    const verifier = createRedisRevocationStore({ command: redis().newCommand() })
    await wait(async () => (await verifier.check({ sid: 'sess-9' })) !== undefined)
    await wait(() => poller.pending.ack === 0)
    expect(await verifier.check({ sub: AGENT }, Math.floor(Date.now() / 1000))).toBeUndefined()
  })

  it('no loss (push): the handler throws, the transmitter retries, the event is processed exactly once', async () => {
    const { tx } = await startTransmitter()
    let calls = 0
    const processed: SecurityEventToken[] = []
    const { server, client } = await receiverSetup(tx.issuer, async (set) => { calls++; if (calls < 3) throw new Error('db down'); processed.push(set) })
    await client.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: server.origin, authorization_header: 'Bearer push' }, events_requested: [EVENT_TYPE_URIS['session-revoked']] })
    tx.start()
    await tx.emit({ type: 'session-revoked' }, { format: 'opaque', id: 's1' })
    await wait(() => processed.length === 1)
    await new Promise((r) => setTimeout(r, 100))
    expect(calls).toBe(3)
    expect(processed).toHaveLength(1)
  })

  it('no loss (poll): a receiver killed between receipt and ack gets the SET again and processes it once (Redis dedupe)', async () => {
    const { tx } = await startTransmitter()
    const { client, verify } = await receiverSetup(tx.issuer, async () => {})
    const stream = await client.createStream({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [EVENT_TYPE_URIS['session-revoked']] })
    const processed: string[] = []
    const make = () => createPollReceiver({ endpoint: stream.delivery.endpoint_url!, authorization: 'Bearer rx-token', verify, returnImmediately: true, replayCache: createRedisDedupeCache({ command: redis().newCommand() }), onEvent: async (s) => { processed.push(s.jti) } })
    const [emitted] = await tx.emit({ type: 'session-revoked' }, { format: 'opaque', id: 's1' })
    expect((await make().poll()).processed).toEqual([emitted!.jti]) // …then the process dies before acking
    const second = make()
    expect((await second.poll()).duplicates).toEqual([emitted!.jti])
    await second.flush()
    expect((await second.poll()).duplicates).toEqual([])
    expect(processed).toEqual([emitted!.jti])
  })

  it('a restarted transmitter on the same Redis delivers the events the old one could not', async () => {
    const processed: string[] = []
    const onEvent: EventHandler = async (s) => { processed.push(s.jti) }
    const first = await startTransmitter()
    const port = Number(new URL(first.tx.issuer).port)
    // The receiver is down: the transmitter retries and keeps the SET.
    const { client, server } = await receiverSetup(first.tx.issuer, onEvent)
    const endpoint = server.origin
    await client.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint, authorization_header: 'Bearer push' }, events_requested: [EVENT_TYPE_URIS['account-disabled']] })
    await server.close()
    const [emitted] = await first.tx.emit({ type: 'account-disabled', reason: 'hijacking' }, { format: 'uri', uri: AGENT })
    expect((await first.tx.deliver()).retrying).toEqual([emitted!.jti])
    // The transmitter goes away (new process: new server on the same origin, new Redis client).
    await first.tx.stop()
    await first.server.close()
    const second = await startTransmitter({ port })
    const jwks = (await (await fetch(`${second.tx.issuer}/ssf/jwks`)).json()) as { keys: never[] }
    const back = await serve(createPushReceiver({ verify: { issuer: second.tx.issuer, audience: 'rx', keys: jwks }, authorization: 'Bearer push', replayCache: createRedisDedupeCache({ command: redis().newCommand() }), onEvent }), Number(new URL(endpoint).port))
    open.push(back)
    second.tx.start()
    await wait(() => processed.length === 1)
    expect(processed).toEqual([emitted!.jti])
  })

  it('lifecycle: deprovisioning through the Redis registry revokes the agent for every verifier and retains the id', async () => {
    const revocations = createRedisRevocationStore({ command: redis().newCommand() })
    const admin = createIdentityRegistry({ backend: createRedisRegistryBackend({ command: redis().newCommand() }), revocations })
    const issuer = createIdentityRegistry({ backend: createRedisRegistryBackend({ command: redis().newCommand() }), revocations })
    expect(await admin.register(AGENT)).toBe(true)
    await expect(issuer.assertIssuable(AGENT)).resolves.toBeUndefined()
    await admin.deprovision(AGENT, { reason: 'retired', actor: 'ops' })
    const verifier = createRedisRevocationStore({ command: redis().newCommand() })
    expect(await verifier.check({ sub: AGENT }, Math.floor(Date.now() / 1000))).toMatchObject({ sub: AGENT })
    await expect(issuer.register(AGENT)).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
    expect(await issuer.isRetained(AGENT)).toBe(true)
    expect((await issuer.auditTrail(AGENT)).map((r) => r.action)).toEqual(['registered', 'deprovisioned', 'refused'])
    const results = await Promise.allSettled([admin.register('spiffe://example.org/agent/9'), issuer.deprovision('spiffe://example.org/agent/9', { reason: 'race' })])
    expect(results[1].status).toBe('fulfilled')
    expect(await admin.isActive('spiffe://example.org/agent/9')).toBe(false)
  })
})
