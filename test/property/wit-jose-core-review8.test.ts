// Review round 8, fast-check on the JOSE core every token verifier parses network input with:
// parseCompactJWS, strict JSON (parseJSONObject) and strict base64url. Whatever the input, the
// answer is a result or a VerificationError with a stable code — never an uncoded TypeError,
// RangeError or SyntaxError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { decodeCanonical, decodeStrict, encode } from '../../src/internal/base64url.js'
import { parseCompactJWS } from '../../src/internal/jws.js'
import { parseJSONObject } from '../../src/internal/json.js'

const RUNS = Number(process.env.FC_RUNS ?? 300)
const CODES = new Set(['ERR_WIT_INVALID', 'ERR_JWS_INVALID', 'ERR_INPUT_TOO_LARGE', 'ERR_JSON_INVALID', 'ERR_BASE64_INVALID'])

function typedOnly(run: () => unknown): void {
  try {
    run()
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    expect(CODES.has(err.code)).toBe(true)
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s)
const jsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"exp":1e400}', '{"n":-0}', '\ufeff{}', '{}\u0000', '[{}]', 'null', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
)
const b64part = fc.oneof(
  jsonText.map((t) => encode(utf8(t))),
  fc.uint8Array({ maxLength: 80 }).map((b) => encode(b)),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
)
const tokens = fc.oneof(
  fc.tuple(b64part, b64part, b64part).map((p) => p.join('.')),
  fc.array(b64part, { maxLength: 5 }).map((p) => p.join('.')),
  fc.string({ unit: 'binary', maxLength: 120 }),
)
const options = fc.record({
  maxBytes: fc.oneof(fc.constant(8192), fc.integer({ min: 0, max: 400 })),
  shareHeader: fc.boolean(),
  sharePayload: fc.boolean(),
})

describe('JOSE core parsers give a result or a coded VerificationError', () => {
  it('parseCompactJWS on random and assembled tokens, with any size limit and sharing', () => {
    fc.assert(fc.property(tokens, options, (token, opts) => {
      typedOnly(() => {
        const parsed = parseCompactJWS(token, { ...opts, code: 'ERR_WIT_INVALID', what: 'WIT' })
        expect(token.slice(0, parsed.signedLength).split('.')).toHaveLength(2)
      })
    }), { numRuns: RUNS })
  })

  it('parseCompactJWS on mutations of a well-formed token', () => {
    const good = `${encode(utf8('{"alg":"ES256","typ":"wit+jwt"}'))}.${encode(utf8('{"sub":"wimse://example.org/a","exp":1}'))}.${encode(new Uint8Array(64))}`
    const mutation = fc.tuple(fc.nat({ max: good.length }), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 3 }))
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
      let t = good
      for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del)
      typedOnly(() => parseCompactJWS(t, { maxBytes: 8192, code: 'ERR_WIT_INVALID', what: 'WIT', shareHeader: true, sharePayload: true }))
    }), { numRuns: RUNS })
  })

  it('parseJSONObject on text and bytes', () => {
    fc.assert(fc.property(jsonText, fc.boolean(), fc.integer({ min: 0, max: 20000 }), (text, asBytes, maxBytes) => {
      typedOnly(() => parseJSONObject(asBytes ? utf8(text) : text, { maxBytes, what: 'JSON' }))
    }), { numRuns: RUNS })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      typedOnly(() => parseJSONObject(bytes, { maxBytes: 100, what: 'JSON' }))
    }), { numRuns: RUNS })
  })

  it('strict base64url: decodeStrict throws only coded errors, decodeCanonical never throws, and both agree with the canonical encoding', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((b) => encode(b))), (text) => {
      const out = decodeCanonical(text)
      if (typeof out !== 'string') expect(encode(out)).toBe(text)
      typedOnly(() => decodeStrict(text))
    }), { numRuns: RUNS })
    for (const bad of [undefined, null, 1, {}, []]) typedOnly(() => decodeStrict(bad as never))
  })
})
