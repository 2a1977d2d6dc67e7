// fast-check: the SSF parsers never throw anything but VerificationError on hostile input, and a
// single changed character of a valid SET is always refused.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { encode } from '../../src/internal/base64url.js'
import { utf8 } from '../../src/internal/bytes.js'
import { createMemoryDedupeCache, createPushReceiver, decodeSET, EVENT_TYPE_URIS, matchSubjectId, parseEvent, parseSubjectId, verifySET } from '../../src/ssf/index.js'
import { baseClaims, mintSET, testKey, verifyOptions } from '../helpers/ssf.js'

const key = await testKey()
const RUNS = 300

function onlyVerificationErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e
  }
}
async function onlyVerificationErrorsAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 4 })
const subjectLike = fc.oneof(
  jsonValue,
  fc.record({ format: fc.constantFrom('email', 'account', 'iss_sub', 'opaque', 'phone_number', 'did', 'uri', 'jwt_id', 'saml_assertion_id', 'ip-addresses', 'aliases', 'complex', 'x'), email: jsonValue, uri: jsonValue, iss: jsonValue, sub: jsonValue, id: jsonValue, phone_number: jsonValue, url: jsonValue, jti: jsonValue, identifiers: fc.array(jsonValue, { maxLength: 3 }), user: jsonValue, 'ip-addresses': fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { maxLength: 3 }) }, { requiredKeys: ['format'] }),
)
const part = (v: unknown) => encode(utf8(JSON.stringify(v)))

describe('SSF parsers under fast-check', () => {
  it('decodeSET throws only VerificationError for any string', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.base64String(), fc.tuple(fc.string(), fc.string(), fc.string()).map((p) => p.join('.'))), (s) => onlyVerificationErrors(() => decodeSET(s))), { numRuns: RUNS })
  })

  it('decodeSET and verifySET throw only VerificationError for well-encoded tokens with arbitrary JSON', async () => {
    await fc.assert(fc.asyncProperty(jsonValue, jsonValue, fc.record({ sub_id: subjectLike, events: fc.oneof(jsonValue, fc.dictionary(fc.constantFrom(...Object.values(EVENT_TYPE_URIS), 'urn:x'), jsonValue, { maxKeys: 2 })) }), async (header, payload, mix) => {
      const h = typeof header === 'object' && header !== null && !Array.isArray(header) ? { ...header, typ: 'secevent+jwt', alg: 'ES256' } : header
      const p = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? { ...baseClaims(), ...payload, ...mix } : payload
      const token = `${part(h)}.${part(p)}.${encode(new Uint8Array(64))}`
      onlyVerificationErrors(() => decodeSET(token))
      await onlyVerificationErrorsAsync(() => verifySET(token, verifyOptions(key)))
    }), { numRuns: RUNS })
  })

  it('parseSubjectId and parseEvent throw only VerificationError', () => {
    fc.assert(fc.property(subjectLike, fc.constantFrom(...Object.values(EVENT_TYPE_URIS), 'https://example.com/x'), jsonValue, (sub, uri, payload) => {
      onlyVerificationErrors(() => parseSubjectId(sub))
      onlyVerificationErrors(() => parseEvent(uri, payload, { format: 'email', email: 'a@b.c' }))
      onlyVerificationErrors(() => parseEvent(uri, { subject: sub, ...(typeof payload === 'object' && payload !== null ? payload : {}) }))
    }), { numRuns: RUNS * 2 })
  })

  it('matchSubjectId is reflexive for every identifier that parses', () => {
    fc.assert(fc.property(subjectLike, (sub) => {
      let id
      try {
        id = parseSubjectId(sub)
      } catch {
        return
      }
      expect(matchSubjectId(id, id)).toBe(true)
      expect(matchSubjectId(id, parseSubjectId(JSON.parse(JSON.stringify(sub))))).toBe(true)
    }), { numRuns: RUNS * 2 })
  })

  it('any single-character change of a valid SET is refused', async () => {
    const token = await mintSET(key.signer)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
    await fc.assert(fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...alphabet), async (i, c) => {
      fc.pre(token[i] !== c)
      const mutated = token.slice(0, i) + c + token.slice(i + 1)
      await expect(verifySET(mutated, verifyOptions(key))).rejects.toBeInstanceOf(VerificationError)
    }), { numRuns: 150 })
  })

  it('the push receiver never acknowledges garbage and never throws', async () => {
    const receive = createPushReceiver({ verify: verifyOptions(key), replayCache: createMemoryDedupeCache(), onEvent: async () => { throw new Error('must not be called') } })
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), fc.constantFrom('application/secevent+jwt', 'text/plain', ''), async (body, type) => {
      const res = await receive(new Request('https://rx.example/ssf', { method: 'POST', body, headers: type === '' ? {} : { 'content-type': type } }))
      expect([400, 415]).toContain(res.status)
    }), { numRuns: 200 })
  })
})
