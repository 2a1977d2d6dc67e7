// Review round 6: receiver regressions.
import { describe, expect, it } from 'vitest'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { applyToStore, createMemoryDedupeCache, decodeSET, createPollReceiver, createPushReceiver, createStreamClient, EVENT_TYPE_URIS, parseEvent, revocationsFromEvent, toDeliveryError, verifySET, type KnownEventType, type SubjectId } from '../../../src/ssf/index.js'
import { NOW, baseClaims, clockAt, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const key = await testKey()
const clock = clockAt(NOW + 5)
const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const

async function set(type: KnownEventType, payload: Record<string, unknown>, sub_id: SubjectId = AGENT) {
  return verifySET(await mintSET(key.signer, baseClaims({ sub_id, events: { [EVENT_TYPE_URIS[type]]: payload } })), verifyOptions(key))
}

describe('poll receiver: stop() then start() before the old loop ended', () => {
  it('runs one loop at a time, the first stop() resolves, and the last stop() ends polling', async () => {
    let open = 0
    let most = 0
    let polls = 0
    const fetch = async (_input: unknown, init?: RequestInit): Promise<Response> => {
      const body = JSON.parse(String(init?.body)) as { maxEvents: number }
      if (body.maxEvents === 0) return new Response('{"sets":{}}', { status: 200 })
      polls++
      open++
      most = Math.max(most, open)
      // A long poll held until aborted (an aborted one stops counting at once) or 20 ms.
      await new Promise<void>((resolve) => {
        let done = false
        const end = (): void => { if (!done) { done = true; open--; resolve() } }
        setTimeout(end, 20)
        init?.signal?.addEventListener('abort', end, { once: true })
      })
      return new Response('{"sets":{}}', { status: 200 })
    }
    const receiver = createPollReceiver({ endpoint: 'https://tx.example.com/poll', verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: () => {}, fetch, idleDelay: 0 })
    const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])
    receiver.start()
    await new Promise((r) => setTimeout(r, 5))
    const first = receiver.stop()
    receiver.start()
    expect(await within(first.then(() => 'stopped'), 1000)).toBe('stopped')
    await new Promise((r) => setTimeout(r, 60))
    expect(most).toBe(1)
    expect(await within(receiver.stop().then(() => 'stopped'), 1000)).toBe('stopped')
    const after = polls
    await new Promise((r) => setTimeout(r, 60))
    expect(polls).toBe(after)
    expect(open).toBe(0)
  })
})

describe('revocationsFromEvent: credentials named in a complex subject\'s session member', () => {
  const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

  it('a jwk_thumbprint or jwt_id session member gives its jkt / jti, as in every other member', async () => {
    const change = await set('credential-change', { credential_type: 'app', change_type: 'revoke' }, { format: 'complex', session: { format: 'jwk_thumbprint', jkt } } as SubjectId)
    expect(revocationsFromEvent(change, { clock })).toEqual([{ jkt, until: NOW + 86_400 + 300, reason: 'ssf:credential-change', revokedAt: NOW + 5 }])
    const revoked = await set('session-revoked', {}, { format: 'complex', user: AGENT, session: { format: 'jwt_id', iss: 'https://issuer', jti: 'w-1' } })
    // The session (sid) and the credential (jti) it names; the user's other sessions stay.
    expect(revocationsFromEvent(revoked, { clock }).map((e) => [e.sid, e.jti, e.sub])).toEqual([['w-1', undefined, undefined], [undefined, 'w-1', undefined]])
  })
})

describe('applyToStore: a jwk_thumbprint the store cannot hold', () => {
  it('is no key: the SET is acknowledged and its other keys revoked, instead of failing (500) on every delivery', async () => {
    const store = createMemoryRevocationStore({ clock: () => (NOW + 5) * 1000 })
    const receive = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: applyToStore(store, { clock }) })
    const sub_id = { format: 'aliases', identifiers: [AGENT, { format: 'jwk_thumbprint', jkt: 'A'.repeat(4097) }] }
    const token = await mintSET(key.signer, baseClaims({ sub_id, events: { [EVENT_TYPE_URIS['credential-compromise']]: { credential_type: 'app' } } }))
    const response = await receive(new Request('https://rx.example.com/ssf', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))
    expect(response.status).toBe(202)
    expect(store.list().map((e) => [e.sub, e.jkt])).toEqual([[AGENT.uri, undefined]])
    // At the limit it is still a key.
    const at = await set('credential-compromise', { credential_type: 'app' }, { format: 'jwk_thumbprint', jkt: 'B'.repeat(4096) } as SubjectId)
    expect(revocationsFromEvent(at, { clock }).map((e) => e.jkt?.length)).toEqual([4096])
  })
})

describe('applyToStore: options checked at construction', () => {
  it('refuses a clock that is not a function and a maxCredentialLifetime no store can keep (every SET failed)', async () => {
    const store = createMemoryRevocationStore()
    expect(() => applyToStore(store, { clock: 'now' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => applyToStore(store, { maxCredentialLifetime: 1e13 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => revocationsFromEvent(parseEvent(EVENT_TYPE_URIS['account-disabled'], {}, AGENT), { maxCredentialLifetime: 1e13 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    // 100 years is still accepted, and its entries are stored.
    const handler = applyToStore(store, { maxCredentialLifetime: 3_153_600_000, clock })
    await handler(await set('account-disabled', {}), { delivery: 'push' })
    expect(store.list()).toHaveLength(1)
  })
})

describe('SET options that disabled dedupe or a check', () => {
  it('a maxTokenAge or replayWindow past 100 years is refused at construction (no SET was ever marked done, so each copy was processed again)', async () => {
    const base = { verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: () => {} }
    for (const extra of [{ maxTokenAge: 1e12 }, { replayWindow: 1e12 }, { allowEventAliases: 'no' }]) {
      expect(() => createPushReceiver({ ...base, verify: { ...base.verify, ...extra } as never })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    }
    // 100 years is accepted, and a processed SET is then marked done: a copy is not processed again.
    let calls = 0
    const receive = createPushReceiver({ ...base, verify: { ...verifyOptions(key), clock: undefined, maxTokenAge: 3_153_600_000 }, leaseSeconds: 1, onEvent: () => { calls++ } })
    const token = await mintSET(key.signer, baseClaims({ iat: Math.floor(Date.now() / 1000) }))
    const post = () => receive(new Request('https://rx.example.com/ssf', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))
    expect((await post()).status).toBe(202)
    expect((await post()).status).toBe(202)
    expect(calls).toBe(1)
  })

  it('decodeSET refuses a NaN maxTokenBytes (no size limit) and an unknown profile (relaxed rules)', async () => {
    const token = await mintSET(key.signer, baseClaims({ sub: 'x' }))
    expect(() => decodeSET(token, { maxTokenBytes: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => decodeSET(token, { profile: 'SSF' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => decodeSET(token)).toThrow(expect.objectContaining({ code: 'ERR_SET_INVALID' }))
  })
})

describe('poll receiver options', () => {
  it('refuses a non-boolean returnImmediately (sent as is to the transmitter) and a sleep, fetch or onError that is not a function', () => {
    const base = { endpoint: 'https://tx.example.com/poll', verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: () => {} }
    for (const extra of [{ returnImmediately: 'false' }, { sleep: 1000 }, { fetch: 'https://proxy' }, { onError: true }]) {
      expect(() => createPollReceiver({ ...base, ...extra } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
  })
})

describe('authorization callbacks that fail', () => {
  it('poll() and the stream client reject with their coded ProtocolError, never the raw error or an "undefined" header', async () => {
    let sent = 0
    const fetch = async (): Promise<Response> => { sent++; return new Response('{"sets":{}}', { status: 200 }) }
    const base = { endpoint: 'https://tx.example.com/poll', verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: () => {}, fetch }
    await expect(createPollReceiver({ ...base, authorization: () => { throw new Error('token endpoint down') } }).poll()).rejects.toMatchObject({ code: 'ERR_SSF_POLL' })
    await expect(createPollReceiver({ ...base, authorization: async () => undefined as never }).poll()).rejects.toMatchObject({ code: 'ERR_SSF_POLL' })
    const metadata = { issuer: 'https://tx.example.com', configuration_endpoint: 'https://tx.example.com/ssf/stream' }
    await expect(createStreamClient({ issuer: 'https://tx.example.com', metadata, fetch, authorization: () => Promise.reject(new Error('down')) }).listStreams()).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(createStreamClient({ issuer: 'https://tx.example.com', metadata, fetch, authorization: () => undefined as never }).listStreams()).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    expect(sent).toBe(0)
  })
})

describe('push receiver onError', () => {
  it('hears of a wrong or missing Authorization header and a wrong Content-Type (refused deliveries went unreported)', async () => {
    const seen: unknown[] = []
    const receive = createPushReceiver({ verify: verifyOptions(key), authorization: 'Bearer push-secret', replayCache: createMemoryDedupeCache(), onEvent: () => {}, onError: (e) => seen.push(e) })
    const token = await mintSET(key.signer)
    const post = (headers: Record<string, string>) => receive(new Request('https://rx.example.com/ssf', { method: 'POST', headers, body: token }))
    expect((await post({ 'content-type': 'application/secevent+jwt', authorization: 'Bearer guess' })).status).toBe(401)
    expect((await post({ 'content-type': 'application/secevent+jwt' })).status).toBe(401)
    expect((await post({ 'content-type': 'application/jwt', authorization: 'Bearer push-secret' })).status).toBe(415)
    expect(seen.map((e) => (e as { code?: string }).code)).toEqual(['ERR_SSF_UNAUTHENTICATED', 'ERR_SSF_UNAUTHENTICATED', 'ERR_SET_INVALID'])
    expect(toDeliveryError(seen[0])).toMatchObject({ err: 'authentication_failed' })
  })
})

describe('push receiver: a copy of a SET whose handler hangs', () => {
  it('answers 503 once the lease has lapsed instead of hanging with the first delivery', async () => {
    const receive = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), leaseSeconds: 1, onEvent: () => new Promise<void>(() => {}) })
    const token = await mintSET(key.signer)
    const post = () => receive(new Request('https://rx.example.com/ssf', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))
    void post()
    await new Promise((r) => setTimeout(r, 10))
    const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])
    const copy = await within(post(), 3000)
    expect(copy).not.toBe('hung')
    expect((copy as Response).status).toBe(503)
    expect((copy as Response).headers.get('retry-after')).toBe('5')
  })
})

describe('stream client: metadata passed in', () => {
  it('is checked as discovered metadata is: another issuer or an http jwks_uri refuses every call before any request', async () => {
    const issuer = 'https://tx.example.com'
    const stream = { stream_id: 's1', iss: issuer, aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936' } }
    const sent: string[] = []
    const fetch = async (u: Request | URL | string): Promise<Response> => { sent.push(String(u)); return new Response(JSON.stringify([stream]), { status: 200 }) }
    const ok = { issuer, configuration_endpoint: `${issuer}/ssf/stream`, jwks_uri: 'https://keys.example.net/jwks' }
    expect(await createStreamClient({ issuer, authorization: 'Bearer t', metadata: ok, fetch }).listStreams()).toHaveLength(1)
    for (const metadata of [{ ...ok, issuer: 'https://other.example.com' }, { ...ok, jwks_uri: 'http://keys.example.net/jwks' }]) {
      await expect(createStreamClient({ issuer, authorization: 'Bearer t', metadata, fetch }).listStreams()).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    }
    expect(sent).toHaveLength(1)
  })
})

describe('poll receiver: a handler that hangs', () => {
  it('leaves its SET unacknowledged after leaseSeconds and goes on with the round; a late resolution is acknowledged next time', async () => {
    const slow = await mintSET(key.signer, baseClaims({ jti: 'slow' }))
    const next = await mintSET(key.signer, baseClaims({ jti: 'next' }))
    const bodies: Array<{ ack?: string[] }> = []
    let round = 0
    const fetch = async (_input: unknown, init?: RequestInit): Promise<Response> => {
      bodies.push(JSON.parse(String(init?.body)) as { ack?: string[] })
      round++
      return new Response(JSON.stringify({ sets: round === 1 ? { slow, next } : {} }), { status: 200 })
    }
    let finish: (() => void) | undefined
    const errors: unknown[] = []
    const receiver = createPollReceiver({
      endpoint: 'https://tx.example.com/poll', verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), leaseSeconds: 1, fetch,
      onEvent: (s) => (s.jti === 'slow' ? new Promise<void>((resolve) => { finish = resolve }) : undefined),
      onError: (e) => errors.push(e),
    })
    const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])
    const first = await within(receiver.poll(), 3000)
    expect(first).toMatchObject({ failed: ['slow'], processed: ['next'] })
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_REMOTE_TIMEOUT'])
    finish!()
    await new Promise((r) => setTimeout(r, 10))
    await receiver.poll()
    expect(bodies[1]!.ack?.sort()).toEqual(['next', 'slow'])
  })
})

describe('push receiver 401', () => {
  it('carries a WWW-Authenticate challenge with the configured scheme (RFC 9110 §15.5.2), never the secret', async () => {
    const token = await mintSET(key.signer)
    const answer = async (authorization: string) => createPushReceiver({ verify: verifyOptions(key), authorization, replayCache: createMemoryDedupeCache(), onEvent: () => {} })(
      new Request('https://rx.example.com/ssf', { method: 'POST', headers: { 'content-type': 'application/secevent+jwt', authorization: 'Bearer wrong' }, body: token }))
    const bearer = await answer('Bearer push-secret')
    expect(bearer.status).toBe(401)
    expect(bearer.headers.get('www-authenticate')).toBe('Bearer')
    expect(await bearer.json()).toMatchObject({ err: 'authentication_failed' })
    expect((await answer('Basic dXNlcjpwYXNz')).headers.get('www-authenticate')).toBe('Basic')
    expect((await answer('raw-shared-secret')).headers.get('www-authenticate')).toBe('Bearer')
  })
})

describe('revocationsFromEvent: several events about one subject', () => {
  it('keeps the later issuedBefore of a second event instead of dropping it as a duplicate', async () => {
    const token = await mintSET(key.signer, baseClaims({
      events: {
        [EVENT_TYPE_URIS['credential-change']]: { credential_type: 'app', change_type: 'revoke', event_timestamp: NOW },
        [EVENT_TYPE_URIS['credential-compromise']]: { credential_type: 'app', event_timestamp: NOW + 3 },
      },
    }))
    const s = await verifySET(token, verifyOptions(key, { allowEventAliases: true }))
    const store = createMemoryRevocationStore({ clock: () => (NOW + 5) * 1000 })
    await applyToStore(store, { clock })(s, { delivery: 'push' })
    // A credential issued at NOW + 2 is covered by the credential-compromise event.
    expect(await store.check({ sub: AGENT.uri }, NOW + 2)).toBeDefined()
  })
})

describe('an authorization callback that never answers', () => {
  it('is bounded by requestTimeout (poll) and timeoutMs (stream client), so stop() and every call return', async () => {
    const never = (): Promise<string> => new Promise<string>(() => {})
    const fetch = async (): Promise<Response> => new Response('{"sets":{}}', { status: 200 })
    const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])
    const poller = createPollReceiver({ endpoint: 'https://tx.example.com/poll', authorization: never, verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: () => {}, fetch, requestTimeout: 1000 })
    expect(await within(poller.poll().then(() => 'ok', (e: { code?: string }) => e.code), 3000)).toBe('ERR_SSF_POLL')
    const metadata = { issuer: 'https://tx.example.com', configuration_endpoint: 'https://tx.example.com/ssf/stream' }
    const client = createStreamClient({ issuer: 'https://tx.example.com', metadata, authorization: never, fetch, timeoutMs: 200 })
    expect(await within(client.listStreams().then(() => 'ok', (e: { code?: string }) => e.code), 3000)).toBe('ERR_SSF_STREAM')
  })
})
