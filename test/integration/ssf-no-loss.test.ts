// Regression (found by integration testing): a Redis outage between the push receiver's dedupe
// claim and its handler used to lose the SET — the claim stayed, the transmitter's retry was
// acknowledged as a duplicate and the revocation was never written. With the lease + done marker
// the retry is refused while the stale lease holds, then processed. Real redis-server; Redis
// "fails" through a RedisCommand wrapper that throws while `down`.
import { afterEach, describe, expect, it } from 'vitest'
import { applyToStore, createPollReceiver, createPushReceiver, createRedisDedupeCache, EVENT_TYPE_URIS, type EventDedupeCache, type FetchLike } from '../../src/ssf/index.js'
import { createCompactJWS } from '../../src/signer/jws.js'
import { generateSigner } from '../../src/signer/index.js'
import { createRedisReplayCache, createRedisRevocationStore, type RedisCommand } from '../../src/stores/redis/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()
afterEach(async () => { await redis().flush() })

const ISS = 'https://tx.example'
const AGENT = 'spiffe://example.org/agent/7'
const signer = await generateSigner('ES256', { kid: 'k' })
const keys = { keys: [{ ...(await signer.publicJwk()), kid: 'k' }] as never[] }
const verify = { issuer: ISS, audience: 'rx', keys }

async function isRevoked(): Promise<boolean> {
  return (await createRedisRevocationStore({ command: redis().command, prefix: 'r:' }).check({ sub: AGENT })) !== undefined
}

async function mint(jti: string): Promise<string> {
  return createCompactJWS({ alg: 'ES256', kid: 'k', typ: 'secevent+jwt' }, {
    iss: ISS, aud: 'rx', iat: Math.floor(Date.now() / 1000), jti,
    sub_id: { format: 'uri', uri: AGENT }, events: { [EVENT_TYPE_URIS['account-disabled']]: {} },
  }, signer)
}

/** A RedisCommand that fails while `down`; `goDownAfter(n)` takes Redis down after the n-th successful call on `prefix`. */
function flakyCommand(real: RedisCommand, prefix: string) {
  let down = false
  let countdown = Number.POSITIVE_INFINITY
  const command: RedisCommand = async (args, o) => {
    if (down) throw new Error('ECONNREFUSED')
    const reply = await real(args, o)
    if (args[1]?.startsWith(prefix) === true && --countdown === 0) down = true
    return reply
  }
  return { command, goDownAfter: (n: number) => { countdown = n }, up: () => { down = false; countdown = Number.POSITIVE_INFINITY } }
}

function receiverWith(dedupe: (command: RedisCommand) => EventDedupeCache) {
  const real = redis().newCommand()
  const flaky = flakyCommand(real, 'd:')
  const applied: string[] = []
  const apply = applyToStore(createRedisRevocationStore({ command: flaky.command, prefix: 'r:' }))
  const receive = createPushReceiver({
    verify,
    replayCache: dedupe(flaky.command),
    onEvent: async (set, ctx) => { await apply(set, ctx); applied.push(set.jti) },
  })
  const post = async (token: string) => (await receive(new Request('https://rx/', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))).status
  /** The lease lapses by itself after leaseSeconds (30 s on Redis's own clock, which a test cannot advance): check its TTL, then drop it. */
  const leaseLapses = async (jti: string) => {
    const key = `d:lease:set:${ISS.length}:${ISS}:${jti}`
    const ttl = (await real(['TTL', key])) as number
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(31)
    await real(['DEL', key])
  }
  return { flaky, applied, post, revoked: isRevoked, leaseLapses }
}

describe('SSF push receiver: no SET lost when Redis fails between the dedupe claim and the handler', () => {
  for (const [name, dedupe] of [
    ['createRedisDedupeCache', (command: RedisCommand) => createRedisDedupeCache({ command, prefix: 'd:' })],
    ['createRedisReplayCache', (command: RedisCommand) => createRedisReplayCache({ command, prefix: 'd:' })],
  ] as const) {
    it(`${name}: Redis down right after the lease claim → 503; the retry is refused while the lease holds, then the event IS processed`, async () => {
      const rx = receiverWith(dedupe)
      const token = await mint('j1')
      rx.flaky.goDownAfter(1) // after `SET d:lease:… NX`: the done test, the handler and the release all fail
      expect(await rx.post(token)).toBe(503)
      rx.flaky.up()
      expect(await rx.post(token)).toBe(503) // not acknowledged: the transmitter keeps retrying
      expect(await rx.revoked()).toBe(false)
      await rx.leaseLapses('j1')
      expect(await rx.post(token)).toBe(202)
      expect(await rx.revoked()).toBe(true)
      expect(await rx.post(token)).toBe(202)
      expect(rx.applied).toEqual(['j1'])
    })
  }

  it('Redis down right after the done test: the handler\'s revocation write and the release fail → 503; the event IS processed on retry', async () => {
    const rx = receiverWith((command) => createRedisDedupeCache({ command, prefix: 'd:' }))
    const token = await mint('j2')
    rx.flaky.goDownAfter(2)
    expect(await rx.post(token)).toBe(503)
    rx.flaky.up()
    expect(await rx.post(token)).toBe(503)
    await rx.leaseLapses('j2')
    expect(await rx.post(token)).toBe(202)
    expect(await rx.revoked()).toBe(true)
    expect(rx.applied).toEqual(['j2'])
  })

  it('only the revocation write fails (Redis back for the release) → 503; the retry is processed at once', async () => {
    let failWrite = true
    const real = redis().newCommand()
    const applied: string[] = []
    const apply = applyToStore(createRedisRevocationStore({ command: async (a, o) => { if (failWrite) throw new Error('ECONNRESET'); return real(a, o) }, prefix: 'r:' }))
    const receive = createPushReceiver({ verify, replayCache: createRedisReplayCache({ command: real, prefix: 'd2:' }), onEvent: async (s, c) => { await apply(s, c); applied.push(s.jti) } })
    const token = await mint('j3')
    const post = async () => (await receive(new Request('https://rx/', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))).status
    expect(await post()).toBe(503)
    failWrite = false
    expect(await post()).toBe(202)
    expect(await post()).toBe(202)
    expect(applied).toEqual(['j3'])
    expect(await isRevoked()).toBe(true)
  })

  it('Redis down after the revocation write, before the done marker → 202 (the event is applied); a later copy is applied again, idempotently', async () => {
    const token = await mint('j4')
    const real = redis().newCommand()
    let down = false
    let applied = 0
    const apply = applyToStore(createRedisRevocationStore({ command: real, prefix: 'r:' }))
    const receive = createPushReceiver({
      verify,
      replayCache: createRedisDedupeCache({ command: async (a, o) => { if (down) throw new Error('ECONNREFUSED'); return real(a, o) }, prefix: 'd3:' }),
      onEvent: async (s, c) => { await apply(s, c); applied++; down = true }, // Redis goes down once the revocation is written
    })
    const post = async () => (await receive(new Request('https://rx/', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))).status
    expect(await post()).toBe(202)
    expect(await isRevoked()).toBe(true)
    down = false
    expect(await post()).toBe(503) // the kept lease turns the copy away …
    await real(['DEL', `d3:lease:set:${ISS.length}:${ISS}:j4`]) // … until it lapses
    expect(await post()).toBe(202)
    expect(applied).toBe(2) // at-least-once: never lost, possibly twice
    expect(await isRevoked()).toBe(true)
  })
})

describe('SSF poll receiver: the same guarantee', () => {
  it('Redis down right after the done test → not acknowledged; returned, then processed and acknowledged', async () => {
    const real = redis().newCommand()
    const flaky = flakyCommand(real, 'p:')
    const token = await mint('j5')
    const pending = new Map([['j5', token]])
    const fetch: FetchLike = async (_input, init) => {
      const body = JSON.parse(String(init?.body)) as { ack?: string[]; maxEvents: number }
      for (const j of body.ack ?? []) pending.delete(j)
      return new Response(JSON.stringify({ sets: body.maxEvents === 0 ? {} : Object.fromEntries(pending), moreAvailable: false }), { status: 200 })
    }
    const apply = applyToStore(createRedisRevocationStore({ command: flaky.command, prefix: 'r:' }))
    const receiver = createPollReceiver({ endpoint: 'https://tx.example/poll', verify, replayCache: createRedisReplayCache({ command: flaky.command, prefix: 'p:' }), onEvent: apply, fetch, returnImmediately: true })
    flaky.goDownAfter(2)
    expect((await receiver.poll()).failed).toEqual(['j5'])
    flaky.up()
    expect((await receiver.poll()).failed).toEqual(['j5']) // the stale lease
    await real(['DEL', `p:lease:set:${ISS.length}:${ISS}:j5`]) // stands in for its 30 s lapse
    expect((await receiver.poll()).processed).toEqual(['j5'])
    await receiver.flush()
    expect(pending.size).toBe(0)
    expect(await isRevoked()).toBe(true)
  })
})
