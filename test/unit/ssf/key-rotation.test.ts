// A transmitter rotates its signing key before the receiver's key set knows the new one (a JWKS in
// its refresh cooldown, or a stale set served during an outage). Answering invalid_key makes the
// transmitter drop the SET for good (RFC 8935 §2.4 / RFC 8936 §2.4): a revocation would be lost.
// The receivers leave such a SET unacknowledged instead, and process it once the key is known.
import { describe, expect, it, vi } from 'vitest'
import type { PublicJWK } from '../../../src/signer/index.js'
import { createMemoryDedupeCache, createPollReceiver, createPushReceiver, type EventHandler } from '../../../src/ssf/index.js'
import { baseClaims, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const old = await testKey('tx-1')
const next = await testKey('tx-2')
const AUTH = 'Bearer push-secret'

/** A key source that knows the old key until `known.push(next.jwk)`. */
function rotatingKeys() {
  const known: PublicJWK[] = [old.jwk]
  return { known, keys: ({ kid }: { kid?: string | undefined }) => known.find((k) => k.kid === kid) }
}

describe('a SET signed with a key the receiver does not know yet', () => {
  it('push: 503 with Retry-After (the transmitter retries), then 202 once the key is known', async () => {
    const { known, keys } = rotatingKeys()
    const onEvent = vi.fn<EventHandler>(async () => {})
    const handle = createPushReceiver({ verify: verifyOptions(old, { keys }), authorization: AUTH, replayCache: createMemoryDedupeCache(), onEvent })
    const token = await mintSET(next.signer, baseClaims())
    const post = () => new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt', authorization: AUTH } })
    const early = await handle(post())
    expect(early.status).toBe(503)
    expect(early.headers.get('retry-after')).toBe('30')
    expect(onEvent).not.toHaveBeenCalled()
    known.push(next.jwk)
    expect((await handle(post())).status).toBe(202)
    expect(onEvent).toHaveBeenCalledOnce()
    // A forgery under a known kid is still refused for good.
    const forged = await mintSET((await testKey('tx-2')).signer, baseClaims())
    const res = await handle(new Request('https://api.example.com/ssf', { method: 'POST', body: forged, headers: { 'content-type': 'application/secevent+jwt', authorization: AUTH } }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ err: 'invalid_key' })
  })

  it('poll: neither acknowledged nor reported in setErrs, and processed by a later poll once the key is known', async () => {
    const { known, keys } = rotatingKeys()
    const token = await mintSET(next.signer, baseClaims({ jti: 'rotated-1' }))
    const bodies: Record<string, unknown>[] = []
    let queued: Record<string, string> = { 'rotated-1': token }
    const onEvent = vi.fn<EventHandler>(async () => {})
    const rx = createPollReceiver({
      endpoint: 'https://tx.example.com/ssf/poll/1',
      verify: verifyOptions(old, { keys }),
      replayCache: createMemoryDedupeCache(),
      onEvent,
      fetch: async (_url, init) => {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>
        bodies.push(body)
        for (const jti of (body.ack as string[] | undefined) ?? []) delete queued[jti]
        return Response.json({ sets: body.maxEvents === 0 ? {} : queued })
      },
    })
    const first = await rx.poll()
    expect(first.failed).toEqual(['rotated-1'])
    expect(first.rejected).toEqual([])
    expect(rx.pending).toEqual({ ack: 0, setErrs: 0 })
    known.push(next.jwk)
    const second = await rx.poll()
    expect(second.processed).toEqual(['rotated-1'])
    expect(onEvent).toHaveBeenCalledOnce()
    await rx.flush()
    expect(bodies.at(-1)).toMatchObject({ ack: ['rotated-1'] })
    expect(bodies.every((b) => b.setErrs === undefined)).toBe(true)
    queued = {}
  })
})
