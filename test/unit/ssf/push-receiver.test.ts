import { describe, expect, it, vi } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { createMemoryDedupeCache, createPushReceiver, type EventDedupeCache, type EventHandler } from '../../../src/ssf/index.js'
import { AUDIENCE, NOW, baseClaims, clockAt, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'
import { unhandledDuring } from '../../helpers/unhandled.js'

const key = await testKey()
const AUTH = 'Bearer push-secret'

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request('https://api.example.com/ssf', { method: 'POST', body, headers: { 'content-type': 'application/secevent+jwt', authorization: AUTH, ...headers } })
}

function receiver(onEvent = vi.fn<EventHandler>(async () => {}), replayCache: EventDedupeCache = createMemoryDedupeCache({ clock: clockAt(NOW + 5) })) {
  return { onEvent, handle: createPushReceiver({ verify: verifyOptions(key), authorization: AUTH, replayCache, onEvent }) }
}

async function errBody(res: Response): Promise<unknown> {
  expect(res.headers.get('content-type')).toBe('application/json')
  return res.json()
}

describe('createPushReceiver', () => {
  it('answers 202 after the handler resolved, with the verified SET', async () => {
    const order: string[] = []
    const { handle, onEvent } = receiver(vi.fn(async () => { await new Promise((r) => setTimeout(r, 5)); order.push('handled') }))
    const res = await handle(post(await mintSET(key.signer)))
    order.push('answered')
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    expect(order).toEqual(['handled', 'answered'])
    expect(onEvent).toHaveBeenCalledOnce()
    expect((onEvent.mock.calls[0] as unknown[])[0]).toMatchObject({ event: { type: 'session-revoked' } })
  })

  it('acknowledges a duplicate jti without processing it again', async () => {
    const { handle, onEvent } = receiver()
    const token = await mintSET(key.signer)
    expect((await handle(post(token))).status).toBe(202)
    expect((await handle(post(token))).status).toBe(202)
    expect(onEvent).toHaveBeenCalledOnce()
  })

  it('concurrent copies of one SET are processed once', async () => {
    const { handle, onEvent } = receiver(vi.fn(async () => { await new Promise((r) => setTimeout(r, 10)) }))
    const token = await mintSET(key.signer)
    const statuses = await Promise.all([handle(post(token)), handle(post(token)), handle(post(token))].map(async (p) => (await p).status))
    expect(statuses).toEqual([202, 202, 202])
    expect(onEvent).toHaveBeenCalledOnce()
  })

  it('a failing handler is not acknowledged, and the redelivery is processed exactly once', async () => {
    let calls = 0
    const done: string[] = []
    const { handle } = receiver(vi.fn(async (set) => { calls++; if (calls === 1) throw new Error('db down'); done.push(set.jti) }))
    const token = await mintSET(key.signer)
    expect((await handle(post(token))).status).toBe(500)
    expect((await handle(post(token))).status).toBe(202)
    expect((await handle(post(token))).status).toBe(202)
    expect(calls).toBe(2)
    expect(done).toHaveLength(1)
  })

  it('a handler refusing with a VerificationError rejects the SET with its RFC code', async () => {
    const { handle } = receiver(vi.fn(async () => { throw new VerificationError('ERR_POLICY_DENIED', 'not subscribed') }))
    const res = await handle(post(await mintSET(key.signer)))
    expect(res.status).toBe(400)
    expect(await errBody(res)).toEqual({ err: 'access_denied', description: 'not subscribed' })
  })

  it('checks the Authorization header: missing or wrong → 401 authentication_failed, handler not called', async () => {
    const { handle, onEvent } = receiver()
    const token = await mintSET(key.signer)
    for (const auth of [undefined, 'Bearer wrong', 'Bearer push-secreT', '']) {
      const req = new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt', ...(auth === undefined ? {} : { authorization: auth }) } })
      const res = await handle(req)
      expect(res.status).toBe(401)
      expect(await errBody(res)).toMatchObject({ err: 'authentication_failed' })
    }
    expect(onEvent).not.toHaveBeenCalled()
  })

  it('refuses other methods and content types', async () => {
    const { handle } = receiver()
    const get = await handle(new Request('https://api.example.com/ssf'))
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    const json = await handle(post(await mintSET(key.signer), { 'content-type': 'application/json' }))
    expect(json.status).toBe(415)
    expect(await errBody(json)).toMatchObject({ err: 'invalid_request' })
    expect((await handle(post(await mintSET(key.signer), { 'content-type': 'application/secevent+jwt; charset=utf-8' }))).status).toBe(202)
  })

  it('maps hostile SETs to RFC 8935 error codes', async () => {
    const { handle, onEvent } = receiver()
    const forger = await testKey('tx-1')
    const cases: Array<[string, string]> = [
      [await mintSET(forger.signer), 'invalid_key'],
      [await mintSET(key.signer, baseClaims({ aud: 'https://someone.else' })), 'invalid_audience'],
      [await mintSET(key.signer, baseClaims({ iss: 'https://evil.example' })), 'invalid_issuer'],
      [await mintSET(key.signer, baseClaims({ sub: 'x' })), 'invalid_request'],
      ['not a jwt', 'invalid_request'],
      ['', 'invalid_request'],
    ]
    for (const [token, err] of cases) {
      const res = await handle(post(token))
      expect(res.status).toBe(400)
      expect(await errBody(res)).toMatchObject({ err })
    }
    expect(onEvent).not.toHaveBeenCalled()
  })

  it('refuses oversized bodies before reading them whole', async () => {
    const { handle } = receiver()
    const res = await handle(post('a'.repeat(70_000)))
    expect(res.status).toBe(400)
    expect(await errBody(res)).toMatchObject({ err: 'invalid_request' })
    const stream = new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(16_384).fill(97)) } })
    const endless = new Request('https://api.example.com/ssf', { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/secevent+jwt', authorization: AUTH } } as RequestInit)
    expect((await handle(endless)).status).toBe(400)
  })

  it('receivers of two issuers sharing one dedupe cache never take each other\'s SET for a duplicate', async () => {
    // iss "https://idp.example.com" + jti "8443:victim" and iss "https://idp.example.com:8443" + jti
    // "victim" once made the same key, so the second SET was acknowledged without being processed.
    const other = await testKey('tx-2')
    const shared = createMemoryDedupeCache({ clock: clockAt(NOW + 5) })
    const handled: string[] = []
    const make = (issuer: string, k: typeof key) => createPushReceiver({
      verify: verifyOptions(k, { issuer }), authorization: AUTH, replayCache: shared,
      onEvent: (set) => { handled.push(`${set.iss} ${set.jti}`) },
    })
    const a = make('https://idp.example.com', key)
    const b = make('https://idp.example.com:8443', other)
    expect((await a(post(await mintSET(key.signer, baseClaims({ iss: 'https://idp.example.com', jti: '8443:victim' }))))).status).toBe(202)
    expect((await b(post(await mintSET(other.signer, baseClaims({ iss: 'https://idp.example.com:8443', jti: 'victim' }))))).status).toBe(202)
    expect(handled).toEqual(['https://idp.example.com 8443:victim', 'https://idp.example.com:8443 victim'])
  })

  it('a copy arriving in the last second the SET is still accepted is not processed again', async () => {
    let ms = NOW * 1000
    const clock = (): number => ms
    const onEvent = vi.fn<EventHandler>(async () => {})
    const handle = createPushReceiver({ verify: verifyOptions(key, { clock, maxTokenAge: 300, clockTolerance: 60 }), authorization: AUTH, replayCache: createMemoryDedupeCache({ clock }), onEvent })
    const token = await mintSET(key.signer, baseClaims({ iat: NOW }))
    expect((await handle(post(token))).status).toBe(202)
    ms = (NOW + 360) * 1000 // now - iat = maxTokenAge + clockTolerance: still verifies
    expect((await handle(post(token))).status).toBe(202)
    expect(onEvent).toHaveBeenCalledOnce()
  })

  it('fails closed with 503 when the dedupe store is down', async () => {
    const down: EventDedupeCache = { claim: async () => { throw new StoreError('ERR_STORE_UNAVAILABLE', 'down') }, release: async () => {} }
    const { handle, onEvent } = receiver(undefined, down)
    expect((await handle(post(await mintSET(key.signer)))).status).toBe(503)
    expect(onEvent).not.toHaveBeenCalled()
  })

  it('reports failures to onError without changing the response', async () => {
    const seen: unknown[] = []
    const handle = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: async () => {}, onError: (e) => { seen.push(e); throw new Error('logger broke') } })
    expect((await handle(post('garbage'))).status).toBe(400)
    expect(seen[0]).toBeInstanceOf(VerificationError)
  })

  it('an async onError that rejects changes no answer and is not an unhandled rejection', async () => {
    const handle = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: async () => {}, onError: async () => { throw new Error('log sink down') } })
    const unhandled = await unhandledDuring(async () => {
      expect((await handle(post('garbage'))).status).toBe(400)
    })
    expect(unhandled).toEqual([])
  })

  it('validates options at construction', () => {
    const ok = { verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: async () => {} }
    expect(() => createPushReceiver({ ...ok, replayCache: { claim: async () => true } as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createPushReceiver({ ...ok, verify: { ...ok.verify, audience: '' } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createPushReceiver({ ...ok, maxBodyBytes: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createPushReceiver({ ...ok, onEvent: undefined as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(AUDIENCE).toBeDefined()
  })
})
