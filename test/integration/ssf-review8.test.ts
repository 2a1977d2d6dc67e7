// Review round 8, over a real redis-server: a push stream's SETs keep their order after a failed
// attempt (a SET emitted during the backoff does not overtake the failed one), with the Redis outbox.
import { afterEach, describe, expect, it } from 'vitest'
import { EVENT_TYPE_URIS } from '../../src/ssf/index.js'
import { createRedisOutbox, createTransmitter } from '../../src/ssf/transmitter/index.js'
import { useRedis } from '../helpers/redis-server.js'
import { manualClock, testKey } from '../helpers/ssf.js'

const redis = useRedis()
const txKey = await testKey('tx-redis-r8')
const TX = 'https://tx.example.com'
afterEach(async () => { await redis().flush() })

const jtiOf = (token: string): string => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti as string

describe('push order after a failed attempt, Redis outbox (SSF 1.0 §8.1.2.1)', () => {
  it('SETs emitted during the backoff wait for the failed one', async () => {
    const clock = manualClock()
    let answer = 503
    const delivered: string[] = []
    const transmitter = createTransmitter({
      issuer: TX, signer: txKey.signer, clock,
      outbox: createRedisOutbox({ command: redis().newCommand(), prefix: 'ssf:r8:' }),
      authorizeReceiver: () => 'rx', allowDeliveryUrl: () => true,
      retry: { initialDelay: 1000, jitter: 0, maxAttempts: 5 },
      fetch: async (_u, init) => {
        if (answer === 202) delivered.push(jtiOf(String(init?.body)))
        return new Response(null, { status: answer })
      },
    })
    const r = await transmitter.handle(new Request(`${TX}/ssf/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events_requested: [EVENT_TYPE_URIS['session-revoked']], delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://rx.example.com/ssf' } }) }))
    expect(r.status).toBe(201)
    const jtis: string[] = []
    const emit = async () => jtis.push((await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: 's1' }))[0]!.jti)
    await emit()
    await transmitter.deliver()
    answer = 202
    for (let i = 0; i < 3; i++) {
      clock.advance(0.2)
      await emit()
      await transmitter.deliver()
    }
    expect(delivered).toEqual([])
    clock.advance(1)
    await transmitter.deliver()
    expect(delivered).toEqual(jtis)
  })
})
