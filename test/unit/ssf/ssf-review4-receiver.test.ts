// Review round 4: receiver regressions.
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { createMemoryDedupeCache, createPollReceiver, createPushReceiver, createStreamClient, EVENT_TYPE_URIS, toDeliveryError, type FetchLike } from '../../../src/ssf/index.js'
import { baseClaims, clockAt, mintSET, NOW, testKey, verifyOptions } from '../../helpers/ssf.js'

const TX = 'https://tx.example.com'
const txKey = await testKey('tx-key')

describe('poll receiver: a transmitter that never answers', () => {
  const receiver = (fetch: FetchLike) => createPollReceiver({
    endpoint: `${TX}/ssf/poll/s1`,
    verify: { issuer: TX, audience: 'rx', keys: txKey.jwks },
    replayCache: createMemoryDedupeCache(),
    onEvent: () => {},
    fetch,
    requestTimeout: 1000,
  })
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])

  it('abandons the exchange at requestTimeout (no answer, or a body that never ends) even when fetch ignores its signal', async () => {
    const silent = receiver(() => new Promise<Response>(() => {}))
    const endless = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode('{"sets":{')), pull: () => new Promise(() => {}) })
    const dripping = receiver(async () => new Response(endless, { status: 200 }))
    const [a, b] = await Promise.all([
      within(silent.poll().then(() => 'settled', (e: { code?: string }) => e.code), 4000),
      within(dripping.poll().then(() => 'settled', (e: { code?: string }) => e.code), 4000),
    ])
    expect(a).toBe('ERR_SSF_POLL')
    expect(b).toBe('ERR_SSF_POLL')
  })

  it('stop() returns while a poll hangs in a fetch that ignores its signal', async () => {
    const r = receiver(() => new Promise<Response>(() => {}))
    r.start()
    await new Promise((res) => setTimeout(res, 20))
    expect(await within(r.stop().then(() => 'stopped'), 500)).toBe('stopped')
  })

  it('checks requestTimeout', () => {
    for (const requestTimeout of [0, 999, Number.NaN, Number.POSITIVE_INFINITY, 1.5e3 + 0.5]) {
      expect(() => createPollReceiver({ endpoint: `${TX}/p`, verify: { issuer: TX, audience: 'rx', keys: txKey.jwks }, replayCache: createMemoryDedupeCache(), onEvent: () => {}, requestTimeout })).toThrow(TypeError)
    }
  })
})

describe('stream client: a transmitter that never answers', () => {
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))])
  const code = (p: Promise<unknown>) => within(p.then(() => 'settled', (e: { code?: string }) => e.code), 2000)
  const metadata = { issuer: TX, configuration_endpoint: `${TX}/ssf/stream` }

  it('gives up at timeoutMs on discovery, on the request and on a body that never ends, even when fetch ignores its signal', async () => {
    const silent: FetchLike = () => new Promise<Response>(() => {})
    const endless = (): Response => new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode('[')), pull: () => new Promise(() => {}) }), { status: 200 })
    const results = await Promise.all([
      code(createStreamClient({ issuer: TX, authorization: 'Bearer x', timeoutMs: 100, fetch: silent }).listStreams()),
      code(createStreamClient({ issuer: TX, authorization: 'Bearer x', timeoutMs: 100, fetch: async () => endless() }).listStreams()),
      code(createStreamClient({ issuer: TX, authorization: 'Bearer x', timeoutMs: 100, metadata, fetch: silent }).listStreams()),
      code(createStreamClient({ issuer: TX, authorization: 'Bearer x', timeoutMs: 100, metadata, fetch: async () => endless() }).listStreams()),
    ])
    expect(results).toEqual(['ERR_SSF_STREAM', 'ERR_SSF_STREAM', 'ERR_SSF_STREAM', 'ERR_SSF_STREAM'])
  })
})

describe('stream client: answers about another stream', () => {
  const metadata = { issuer: TX, configuration_endpoint: `${TX}/ssf/stream`, status_endpoint: `${TX}/ssf/status` }
  const config = (id: string) => ({ stream_id: id, iss: TX, aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: `${TX}/ssf/poll/${id}` } })
  const answer = (body: unknown): FetchLike => async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
  const client = (body: unknown) => createStreamClient({ issuer: TX, metadata, authorization: 'Bearer t', fetch: answer(body) })

  it('getStream takes the stream asked for from a list and refuses another stream', async () => {
    expect((await client([config('a'), config('b')]).getStream('b')).stream_id).toBe('b')
    await expect(client([config('a')]).getStream('b')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(client(config('a')).getStream('b')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
  })

  it('update, replace and status answers must name the stream asked about', async () => {
    await expect(client(config('a')).updateStream('b', {})).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(client(config('a')).replaceStream('b', {})).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(client({ stream_id: 'a', status: 'enabled' }).getStatus('b')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    await expect(client({ stream_id: 'a', status: 'enabled' }).setStatus('b', 'enabled')).rejects.toMatchObject({ code: 'ERR_SSF_STREAM' })
    expect(await client({ stream_id: 'b', status: 'paused' }).getStatus('b')).toEqual({ stream_id: 'b', status: 'paused' })
  })
})

describe('poll receiver: endpoint scheme', () => {
  it('refuses a poll endpoint that is not https (http only on loopback): the access token and the SETs travel there', () => {
    const make = (endpoint: string) => createPollReceiver({ endpoint, authorization: 'Bearer receiver-token', verify: { issuer: TX, audience: 'rx', keys: txKey.jwks }, replayCache: createMemoryDedupeCache(), onEvent: () => {} })
    for (const endpoint of ['http://tx.example.com/ssf/poll/s1', 'http://10.0.0.7/poll', 'ftp://tx.example.com/poll', 'ws://tx.example.com/poll']) {
      expect(() => make(endpoint)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    for (const endpoint of ['https://tx.example.com/ssf/poll/s1', 'http://127.0.0.1:8080/ssf/poll/s1', 'http://localhost:8080/p', 'http://[::1]:8080/p']) expect(() => make(endpoint)).not.toThrow()
  })
})

describe('verification SET with an unexpected state (SSF 1.0 §8.1.4.1)', () => {
  it('a handler refusing it with ERR_SET_INVALID on claim "state" answers 400 invalid_state', async () => {
    const key = await testKey()
    const receive = createPushReceiver({
      verify: verifyOptions(key),
      replayCache: createMemoryDedupeCache({ clock: clockAt(NOW + 5) }),
      onEvent: (set) => {
        if (set.event.type === 'verification' && set.event.state !== 'expected') throw new VerificationError('ERR_SET_INVALID', 'unexpected verification state', { claim: 'state' })
      },
    })
    const token = await mintSET(key.signer, baseClaims({ sub_id: { format: 'opaque', id: 'stream-1' }, events: { [EVENT_TYPE_URIS.verification]: { state: 'forged' } } }))
    const res = await receive(new Request('https://api.example.com/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt' } }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ err: 'invalid_state' })
    expect(toDeliveryError(new VerificationError('ERR_SET_INVALID', 'x', { claim: 'events' })).err).toBe('invalid_request')
  })
})

describe('complex subjects with additional member names (SSF 1.0 §3.3)', () => {
  it('a SET whose complex sub_id names only additional members is valid, and keeps them', async () => {
    const { verifySET, parseSubjectId } = await import('../../../src/ssf/index.js')
    const key = await testKey()
    const sub_id = { format: 'complex', agent: { format: 'uri', uri: 'spiffe://example.org/agent/7' }, note: 'ignored' }
    const set = await verifySET(await mintSET(key.signer, baseClaims({ sub_id })), verifyOptions(key))
    expect(set.subject).toEqual({ format: 'complex', agent: { format: 'uri', uri: 'spiffe://example.org/agent/7' } })
    expect(() => parseSubjectId({ format: 'complex', note: 'no subject at all' })).toThrow(expect.objectContaining({ code: 'ERR_SUBJECT_ID_INVALID' }))
    expect(() => parseSubjectId({ format: 'complex', user: { format: 'email', email: 'bad' }, agent: { format: 'opaque', id: 'a' } })).toThrow(expect.objectContaining({ code: 'ERR_SUBJECT_ID_INVALID' }))
  })
})

describe('timer options beyond 2^31 - 1 ms (setTimeout and AbortSignal.timeout fire at once)', () => {
  it('are refused at construction instead of making a busy loop or an instant timeout', async () => {
    const { createTransmitter } = await import('../../../src/ssf/transmitter/index.js')
    const huge = 3e9
    const poll = (extra: Record<string, unknown>) => createPollReceiver({ endpoint: `${TX}/p`, verify: { issuer: TX, audience: 'rx', keys: txKey.jwks }, replayCache: createMemoryDedupeCache(), onEvent: () => {}, ...extra })
    for (const extra of [{ idleDelay: huge }, { backoff: { maxDelay: huge } }, { backoff: { initialDelay: huge, maxDelay: huge } }]) expect(() => poll(extra)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createStreamClient({ issuer: TX, authorization: 't', timeoutMs: huge })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    for (const extra of [{ interval: huge }, { pushTimeout: huge }]) {
      expect(() => createTransmitter({ issuer: TX, signer: txKey.signer, authorizeReceiver: () => 'rx', ...extra })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(() => poll({ idleDelay: 2_147_483_647 })).not.toThrow()
  })
})
