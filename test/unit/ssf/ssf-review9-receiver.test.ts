// Review round 9: receiver-side probes (key selection outcomes, poll acknowledgement bodies).
import { describe, expect, it } from 'vitest'
import { createPollReceiver, createPushReceiver, createMemoryDedupeCache, createStreamClient, discoverTransmitter, verifySET } from '../../../src/ssf/index.js'
import { VerificationError } from '../../../src/errors/index.js'
import { ISSUER, NOW, baseClaims, clockAt, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const push = (token: string): Request => new Request('https://api.example.com/ssf', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })

describe('a SET whose kid is in the key set but whose alg does not fit that key', () => {
  it('is refused with invalid_key (push 400, poll setErrs), not retried for ever', async () => {
    const key = await testKey('tx-1', 'ES256')
    const other = await testKey('tx-1', 'EdDSA')
    const token = await mintSET(other.signer)
    await expect(verifySET(token, verifyOptions(key))).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const receive = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }), onEvent: () => undefined })
    const r = await receive(push(token))
    expect(r.status).toBe(400)
    expect(await r.json()).toMatchObject({ err: 'invalid_key' })
    // A kid the key set does not hold yet is still retried (a rotation before the JWKS refresh).
    const rotated = await mintSET((await testKey('tx-2', 'ES256')).signer)
    expect((await receive(push(rotated))).status).toBe(503)

    const bodies: Record<string, unknown>[] = []
    const jti = 'jti-alg-mismatch'
    const receiver = createPollReceiver({
      endpoint: 'https://idp.example.com/ssf/poll/s1', verify: verifyOptions(key),
      replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }), onEvent: () => undefined,
      fetch: async (_u, init) => {
        bodies.push(JSON.parse(String(init?.body)))
        return Response.json({ sets: bodies.length === 1 ? { [jti]: await mintSET(other.signer, baseClaims({ jti })) } : {} })
      },
    })
    expect((await receiver.poll()).rejected).toEqual([jti])
    await receiver.flush()
    expect(bodies[1]!.setErrs).toMatchObject({ [jti]: { err: 'invalid_key' } })
  })

  it('a resolver or a TrustBundleSource holding the kid under another key type: invalid_key too', async () => {
    const key = await testKey('tx-1', 'ES256')
    const other = await testKey('tx-1', 'EdDSA')
    const token = await mintSET(other.signer)
    await expect(verifySET(token, verifyOptions(key, { keys: () => key.jwk }))).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    let refreshed = 0
    const source = { getBundle: async () => ({ trustDomain: 'idp.example.com', keys: key.jwks.keys }), refresh: async () => { refreshed++; return { trustDomain: 'idp.example.com', keys: key.jwks.keys } } }
    await expect(verifySET(token, verifyOptions(key, { keys: source }))).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    // The source was asked for a fresh set first (the key behind the kid may have changed).
    expect(refreshed).toBe(1)
    expect(ISSUER).toContain('idp.example.com')
  })
})

describe('a poll response with more SETs than maxEvents', () => {
  it('only maxEvents of them are handled; the rest stay unacknowledged (acks/setErrs stay bounded)', async () => {
    const key = await testKey()
    const bodies: Record<string, unknown>[] = []
    const flood = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`j${i}`, 'not-a-set']))
    const receiver = createPollReceiver({
      endpoint: 'https://idp.example.com/ssf/poll/s1', verify: verifyOptions(key), maxEvents: 50,
      replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }), onEvent: () => undefined,
      fetch: async (_u, init) => {
        bodies.push(JSON.parse(String(init?.body)))
        return Response.json({ sets: bodies.length === 1 ? flood : {} })
      },
    })
    const r = await receiver.poll()
    expect(r.rejected.length).toBe(50)
    expect(receiver.pending.setErrs).toBe(50)
  })

  it('more pending acks and setErrs than one request should carry go out in requests of at most 1000 each', async () => {
    const key = await testKey()
    const bodies: Record<string, unknown>[] = []
    const flood = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`j${i}`, 'not-a-set']))
    const receiver = createPollReceiver({
      endpoint: 'https://idp.example.com/ssf/poll/s1', verify: verifyOptions(key), maxEvents: 10_000,
      replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }), onEvent: () => undefined,
      fetch: async (_u, init) => {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>
        bodies.push(body)
        // The agentauth transmitter's limits: 1 MiB, at most 10 000 of each.
        if (String(init?.body).length > 1_048_576) return Response.json({ err: 'invalid_request' }, { status: 400 })
        return Response.json({ sets: bodies.length === 1 ? flood : {} })
      },
    })
    expect((await receiver.poll()).rejected.length).toBe(2500)
    await receiver.poll()
    expect(receiver.pending.setErrs).toBe(0)
    const sent = bodies.slice(1).map((b) => Object.keys((b.setErrs ?? {}) as object).length)
    expect(Math.max(...sent)).toBeLessThanOrEqual(1000)
    expect(sent.reduce((a, b) => a + b, 0)).toBe(2500)
    // No new SETs were asked for while acks were still waiting to go out.
    expect(bodies.slice(1, -1).every((b) => b.maxEvents === 0)).toBe(true)
  })
})

describe('stream client: typed members of returned configurations and statuses', () => {
  const issuer = 'https://tr.example.com'
  const metadata = { issuer, configuration_endpoint: `${issuer}/stream`, status_endpoint: `${issuer}/status` }
  const stream = { stream_id: 's1', iss: issuer, aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: `${issuer}/poll/s1` }, events_delivered: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'] }

  it('refuses members of the wrong type (ERR_SSF_STREAM) instead of returning them under a type they do not have', async () => {
    const bad: Record<string, unknown>[] = [
      // A string events_delivered would match event URIs by substring (`.includes`).
      { events_delivered: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked-not' },
      { events_supported: [1] }, { events_requested: {} },
      { min_verification_interval: '30' }, { inactivity_timeout: -1 }, { description: 5 },
      { delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: 5 } },
      { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://rx.example.com/ssf', authorization_header: {} } },
    ]
    for (const change of bad) {
      const client = createStreamClient({ issuer, metadata, authorization: 'Bearer t', fetch: async () => Response.json({ ...stream, ...change }) })
      await expect(client.getStream('s1'), JSON.stringify(change)).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    }
    const good = createStreamClient({ issuer, metadata, authorization: 'Bearer t', fetch: async () => Response.json({ ...stream, min_verification_interval: 30, description: 'd' }) })
    expect((await good.getStream('s1')).min_verification_interval).toBe(30)
    const status = createStreamClient({ issuer, metadata, authorization: 'Bearer t', fetch: async () => Response.json({ stream_id: 's1', status: 'paused', reason: { text: 'x' } }) })
    await expect(status.getStatus('s1')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
  })
})

describe('the VerificationEvent @example, run', () => {
  it('a handler refusing an unexpected state as the example does is answered invalid_state (400), not 500', async () => {
    const key = await testKey()
    const expectedState = 'state-1'
    const receive = createPushReceiver({
      verify: verifyOptions(key), replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }),
      onEvent: (set) => {
        if (set.event.type === 'verification' && set.event.state !== expectedState) {
          throw new VerificationError('ERR_SET_INVALID', 'unexpected state', { claim: 'state' })
        }
      },
    })
    const token = await mintSET(key.signer, baseClaims({ sub_id: { format: 'opaque', id: 's1' }, events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'other' } } }))
    const r = await receive(push(token))
    expect(r.status).toBe(400)
    expect(await r.json()).toMatchObject({ err: 'invalid_state' })
  })
})

describe('discoverTransmitter without a signal', () => {
  it('gives up after timeoutMs (default 10 s) instead of hanging on a transmitter that never answers', async () => {
    const issuer = 'https://tr.example.com'
    const never = (): Promise<Response> => new Promise(() => undefined)
    const started = Date.now()
    await expect(discoverTransmitter(issuer, { fetch: never, timeoutMs: 50 })).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    expect(Date.now() - started).toBeLessThan(5000)
    // A body that never ends is bounded too.
    const stalled = async (): Promise<Response> => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{')) } }), { status: 200 })
    await expect(discoverTransmitter(issuer, { fetch: stalled, timeoutMs: 50 })).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(discoverTransmitter(issuer, { timeoutMs: 0 })).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
  })
})

describe('a poll response over maxResponseBytes', () => {
  it('makes the next requests ask for fewer SETs, so a batch of large SETs cannot stall the stream for good', async () => {
    const key = await testKey()
    const big = await Promise.all(Array.from({ length: 8 }, (_, i) => mintSET(key.signer, baseClaims({ jti: `big-${i}`, sub_id: { format: 'opaque', id: 'x'.repeat(1500) } }))))
    const queue = new Map(big.map((t, i) => [`big-${i}`, t]))
    const asked: number[] = []
    const processed: string[] = []
    const receiver = createPollReceiver({
      endpoint: 'https://idp.example.com/ssf/poll/s1', verify: verifyOptions(key), maxEvents: 8, maxResponseBytes: 8192,
      replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }), onEvent: (set) => { processed.push(set.jti) },
      fetch: async (_u, init) => {
        const body = JSON.parse(String(init?.body)) as { maxEvents: number; ack?: string[] }
        for (const j of body.ack ?? []) queue.delete(j)
        asked.push(body.maxEvents)
        return Response.json({ sets: Object.fromEntries([...queue].slice(0, body.maxEvents)), moreAvailable: queue.size > body.maxEvents })
      },
    })
    for (let i = 0; i < 20 && processed.length < 8; i++) await receiver.poll().catch(() => undefined)
    expect(processed.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `big-${i}`).sort())
    expect(Math.min(...asked)).toBeLessThan(8)
  })
})
