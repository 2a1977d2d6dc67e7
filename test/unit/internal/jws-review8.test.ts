// Review round 8: the shared header / payload tables of parseCompactJWS are filled before any
// signature is checked, so only small parts are shared: 256 payloads of a 1 MiB token limit
// pinned gigabytes of heap (parsed JSON takes several times its text). And parseJSONObject on a
// string refuses a raw lone surrogate (the strict UTF-8 decoder never saw it).
import { describe, expect, it } from 'vitest'
import { encode } from '../../../src/internal/base64url.js'
import { parseCompactJWS } from '../../../src/internal/jws.js'
import { parseJSONObject } from '../../../src/internal/json.js'

const text = (value: string) => encode(new TextEncoder().encode(value))
const options = { maxBytes: 1_048_576, code: 'ERR_WIT_INVALID', what: 'WIT', shareHeader: true, sharePayload: true } as const

describe('parseCompactJWS sharing is bounded by part size', () => {
  it('shares a small header and payload, but parses large ones on every call', () => {
    const sig = encode(new Uint8Array(64))
    const smallH = text('{"alg":"ES256","typ":"wit+jwt","n":"review8-small"}')
    const smallP = text('{"sub":"wimse://example.org/review8","exp":1}')
    const bigH = text(`{"alg":"ES256","typ":"wit+jwt","pad":"${'h'.repeat(20_000)}"}`)
    const bigP = text(`{"sub":"wimse://example.org/review8","a":[${'[],'.repeat(5000)}[]]}`)
    const a = parseCompactJWS(`${smallH}.${smallP}.${sig}`, options)
    const b = parseCompactJWS(`${smallH}.${smallP}.${sig}`, options)
    expect(b.header).toBe(a.header)
    expect(b.payload).toBe(a.payload)
    const c = parseCompactJWS(`${bigH}.${bigP}.${sig}`, options)
    const d = parseCompactJWS(`${bigH}.${bigP}.${sig}`, options)
    expect(d.header).not.toBe(c.header)
    expect(d.payload).not.toBe(c.payload)
    expect(d.payload).toEqual(c.payload)
    expect((d.payload.a as unknown[]).length).toBe(5001)
  })
})

describe('parseJSONObject on text given as a string', () => {
  it('refuses a raw lone surrogate as it refuses an escaped one, and keeps pairs', () => {
    for (const text of ['{"a":"\ud800"}', '{"\udc00":1}', '{"a":["x\ud83d"]}']) {
      expect(() => parseJSONObject(text, { maxBytes: 100, what: 'JSON' })).toThrow(expect.objectContaining({ code: 'ERR_JSON_INVALID' }))
    }
    expect(() => parseJSONObject('{"a":"\\ud800"}', { maxBytes: 100, what: 'JSON' })).toThrow(expect.objectContaining({ code: 'ERR_JSON_INVALID' }))
    expect(parseJSONObject('{"a":"\ud83d\ude00"}', { maxBytes: 100, what: 'JSON' })).toEqual({ a: '😀' })
  })
})
