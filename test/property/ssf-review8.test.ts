// Review round 8, fast-check: the transmitter's HTTP API (stream configuration, status, subjects,
// verification, poll requests) and the poll receiver's response parser answer hostile input with
// a 4xx (or a typed error), never a 5xx, an uncoded error or a hang; validly signed SETs with
// arbitrary claims are refused with a VerificationError (push: 400).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAgentAuthError, VerificationError } from '../../src/errors/index.js'
import { createMemoryDedupeCache, createPollReceiver, createPushReceiver, createStreamClient, EVENT_TYPE_URIS, verifySET } from '../../src/ssf/index.js'
import { createTransmitter } from '../../src/ssf/transmitter/index.js'
import { baseClaims, manualClock, mintSET, testKey, verifyOptions } from '../helpers/ssf.js'

const TX = 'https://tx.example.com'
const key = await testKey('tx-key')
const RUNS = 150
const SR = EVENT_TYPE_URIS['session-revoked']

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const subjectLike = fc.oneof(jsonValue, fc.record({ format: fc.constantFrom('email', 'opaque', 'aliases', 'complex', 'ip-addresses', 'x'), email: jsonValue, id: jsonValue, identifiers: fc.array(jsonValue, { maxLength: 3 }), user: jsonValue }, { requiredKeys: ['format'] }))

function setup() {
  const transmitter = createTransmitter({
    issuer: TX, signer: key.signer, clock: manualClock(),
    authorizeReceiver: (req) => (req.headers.get('authorization') === 'Bearer rx' ? 'rx' : undefined),
    allowDeliveryUrl: (u) => u.protocol === 'https:',
    longPollTimeout: 0,
    fetch: async () => new Response(null, { status: 202 }),
  })
  const call = (method: string, path: string, body: string | undefined): Promise<Response> =>
    transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, headers: { authorization: 'Bearer rx', 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) }))
  return { transmitter, call }
}

describe('transmitter HTTP API under fast-check', () => {
  it('stream, status, subjects, verify and poll bodies: never a 5xx', async () => {
    const { transmitter, call } = setup()
    const poll = await (await call('POST', 'stream', JSON.stringify({ events_requested: [SR] }))).json() as { stream_id: string }
    const push = await (await call('POST', 'stream', JSON.stringify({ events_requested: [SR], delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://rx.example.com/ssf' } }))).json() as { stream_id: string }
    await transmitter.emit({ type: 'session-revoked' }, { format: 'opaque', id: 's' })
    const id = fc.oneof(fc.constantFrom(poll.stream_id, push.stream_id), jsonValue)
    const bodies = fc.oneof(
      fc.string(),
      jsonValue.map((v) => JSON.stringify(v)),
      fc.record({ stream_id: id, events_requested: jsonValue, description: jsonValue, delivery: fc.oneof(jsonValue, fc.record({ method: fc.oneof(fc.constantFrom('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'), jsonValue), endpoint_url: fc.oneof(fc.webUrl(), jsonValue), authorization_header: jsonValue })), aud: jsonValue, iss: jsonValue, status: fc.oneof(fc.constantFrom('enabled', 'paused', 'disabled'), jsonValue), reason: jsonValue, subject: subjectLike, verified: jsonValue, state: jsonValue }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    )
    const routes = fc.constantFrom(['POST', 'stream'], ['PATCH', 'stream'], ['PUT', 'stream'], ['POST', 'status'], ['POST', 'subjects/add'], ['POST', 'subjects/remove'], ['POST', 'verify'])
    await fc.assert(fc.asyncProperty(routes, bodies, async ([method, path], body) => {
      const r = await call(method!, path!, body)
      expect(r.status).toBeLessThan(500)
    }), { numRuns: RUNS })
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), jsonValue.map((v) => JSON.stringify(v)), fc.record({ maxEvents: jsonValue, returnImmediately: jsonValue, ack: fc.oneof(jsonValue, fc.array(fc.string())), setErrs: fc.oneof(jsonValue, fc.dictionary(fc.string(), fc.oneof(jsonValue, fc.record({ err: fc.string(), description: jsonValue })))) }, { requiredKeys: [] }).map((v) => JSON.stringify(v))), async (body) => {
      const r = await call('POST', `poll/${poll.stream_id}`, body)
      expect(r.status).toBeLessThan(500)
    }), { numRuns: RUNS })
  }, 30_000)

  it('query strings and paths: never a 5xx', async () => {
    const { call } = setup()
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'DELETE'), fc.constantFrom('stream', 'status'), fc.string(), async (method, path, q) => {
      const r = await call(method, `${path}?stream_id=${encodeURIComponent(q)}`, undefined)
      expect(r.status).toBeLessThan(500)
    }), { numRuns: RUNS })
    await fc.assert(fc.asyncProperty(fc.string(), async (rest) => {
      let r: Response
      try {
        r = await call('POST', `poll/${rest}`, '{}')
      } catch (e) {
        // new Request refused the URL itself: not the transmitter's input.
        expect(e).toBeInstanceOf(TypeError)
        return
      }
      expect(r.status).toBeLessThan(500)
    }), { numRuns: RUNS })
  })
})

describe('poll receiver response parser under fast-check', () => {
  it('any 200 body: poll() resolves or rejects with a coded error', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), jsonValue.map((v) => JSON.stringify(v)), fc.record({ sets: fc.oneof(jsonValue, fc.dictionary(fc.string(), jsonValue)), moreAvailable: jsonValue }, { requiredKeys: [] }).map((v) => JSON.stringify(v))), fc.integer({ min: 200, max: 599 }), async (text, status) => {
      const receiver = createPollReceiver({
        endpoint: 'https://tx.example.com/ssf/poll/s1',
        verify: { issuer: TX, audience: 'rx', keys: key.jwks },
        replayCache: createMemoryDedupeCache(),
        onEvent: () => undefined,
        fetch: async () => new Response(text, { status: status === 204 || status === 205 || status === 304 ? 200 : status }),
      })
      try {
        await receiver.poll()
      } catch (e) {
        expect(isAgentAuthError(e), String(e)).toBe(true)
      }
    }), { numRuns: RUNS })
  })
})

describe('stream client answer parser under fast-check', () => {
  it('any answer to any call: a result or a coded error', async () => {
    const metadata = { issuer: TX, configuration_endpoint: `${TX}/ssf/stream`, status_endpoint: `${TX}/ssf/status`, add_subject_endpoint: `${TX}/ssf/subjects/add`, remove_subject_endpoint: `${TX}/ssf/subjects/remove`, verification_endpoint: `${TX}/ssf/verify` }
    const config = fc.record({ stream_id: fc.oneof(fc.constant('s1'), jsonValue), iss: fc.oneof(fc.constant(TX), jsonValue), aud: fc.oneof(fc.constant('rx'), jsonValue), delivery: fc.oneof(fc.record({ method: fc.oneof(fc.string(), jsonValue) }), jsonValue), status: fc.oneof(fc.constantFrom('enabled', 'paused'), jsonValue) }, { requiredKeys: [] })
    const bodies = fc.oneof(fc.string(), jsonValue.map((v) => JSON.stringify(v)), config.map((v) => JSON.stringify(v)), fc.array(config, { maxLength: 3 }).map((v) => JSON.stringify(v)))
    const calls = fc.constantFrom('createStream', 'getStream', 'listStreams', 'updateStream', 'replaceStream', 'deleteStream', 'getStatus', 'setStatus', 'addSubject', 'removeSubject', 'requestVerification')
    await fc.assert(fc.asyncProperty(calls, bodies, fc.constantFrom(200, 201, 202, 204, 400, 404, 500), async (name, text, status) => {
      const client = createStreamClient({ issuer: TX, metadata, authorization: 'Bearer rx', audience: 'rx', fetch: async () => new Response(status === 204 ? null : text, { status }) })
      const c = client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
      const args: unknown[] = name === 'listStreams' ? [] : name === 'setStatus' ? ['s1', 'paused'] : name.endsWith('Subject') ? ['s1', { format: 'opaque', id: 'x' }] : name === 'createStream' ? [{}] : ['s1', {}]
      try {
        await c[name]!(...args)
      } catch (e) {
        expect(isAgentAuthError(e), String(e)).toBe(true)
      }
    }), { numRuns: RUNS })
  })
})

describe('signed SETs with arbitrary claims under fast-check', () => {
  it('verifySET and the push receiver refuse with a VerificationError / 400, never an uncoded error or a 5xx', async () => {
    const rx = await testKey('rx-prop')
    const receive = createPushReceiver({ verify: verifyOptions(rx), replayCache: createMemoryDedupeCache(), onEvent: () => undefined })
    const claim = fc.oneof(jsonValue, fc.double(), fc.integer(), fc.constant(1_700_000_000.5), fc.string())
    const uris = fc.constantFrom(...Object.values(EVENT_TYPE_URIS), 'urn:x')
    const claims = fc.record({
      iss: fc.oneof(fc.constant('https://idp.example.com/'), claim), aud: fc.oneof(fc.constant('https://api.example.com/ssf'), claim),
      iat: fc.oneof(fc.constant(1_700_000_000), claim), jti: fc.oneof(fc.string({ minLength: 1 }), claim), txn: claim, toe: claim, sub: claim, exp: claim,
      sub_id: fc.oneof(subjectLike, fc.constant({ format: 'opaque', id: 'x' })),
      events: fc.oneof(jsonValue, fc.dictionary(uris, fc.oneof(jsonValue, fc.record({ subject: subjectLike, status: claim, claims: claim, change_type: claim, credential_type: claim, event_timestamp: claim }, { requiredKeys: [] })), { maxKeys: 3 })),
    }, { requiredKeys: [] })
    await fc.assert(fc.asyncProperty(claims, fc.constantFrom('ssf', 'rfc8417'), async (c, profile) => {
      const token = await mintSET(rx.signer, { ...baseClaims(), ...c })
      try {
        await verifySET(token, verifyOptions(rx, { profile }))
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(VerificationError)
      }
      const r = await receive(new Request('https://rx.example/ssf', { method: 'POST', body: token, headers: { 'content-type': 'application/secevent+jwt' } }))
      expect([202, 400]).toContain(r.status)
    }), { numRuns: RUNS })
  })
})
