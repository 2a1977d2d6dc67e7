// Review round 8: byte-level mutations of valid CIBA answers (flipped bytes, truncation, invalid
// UTF-8, lone-surrogate escapes, BOM, duplicate members), delivered in random chunks with odd
// statuses and headers. Every outcome is a sound result or a coded error: never an uncoded
// TypeError/RangeError/SyntaxError, never a hang.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCibaPingHandler, processBackchannelAuthenticationResponse, processCibaTokenResponse } from '../../../src/ciba/index.js'

const enc = new TextEncoder()
const seeds = [
  '{"auth_req_id":"1c266114-a1be-4252-8ad1-04986c5b9ac1","expires_in":120,"interval":2}',
  '{"access_token":"G5kXH2wHvUra0sHlDy1iTkDJgsgUO1bN","token_type":"Bearer","refresh_token":"4bwc0ESC_IAhflf-ACC_vjD_ltc11ne-8gFPfA2Kx16","expires_in":120,"id_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"}',
  '{"error":"authorization_pending","error_description":"wait"}',
  '{"error":"slow_down"}',
  '{"error":"access_denied"}',
  '{"error":"expired_token"}',
  '{"error":"use_attestation_challenge"}',
  '{"auth_req_id":"a"}',
]
const splices = ['\uFEFF', '\\ud800', '"', '{', '}', ',', ':', '1e400', '-0', 'null', '"id_token":7,', '"auth_req_id":"x",', '\u0000', '\u2028', '\u00e9']
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...splices) }),
)
const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 4 })).map(([seed, ms]) => {
  let bytes = enc.encode(seed)
  for (const m of ms) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length
    if (m.kind === 'flip' && bytes.length > 0) bytes[at] = m.byte
    else if (m.kind === 'cut') bytes = bytes.subarray(0, at)
    else if (m.kind === 'splice') bytes = new Uint8Array([...bytes.subarray(0, at), ...enc.encode(m.text), ...bytes.subarray(at)])
  }
  return bytes
})
const status = fc.constantFrom(200, 200, 200, 201, 204, 302, 400, 401, 429, 500, 503)
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/jwt', undefined)
const chunking = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 })

function responseOf(bytes: Uint8Array, s: number, ct: string | undefined, chunks: number[], lengthHeader: boolean): Response {
  const headers: Record<string, string> = {}
  if (ct !== undefined) headers['content-type'] = ct
  if (lengthHeader) headers['content-length'] = String(bytes.length)
  if (s === 204) return new Response(null, { status: s, headers })
  let offset = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      const n = chunks.length === 0 ? bytes.length : chunks[offset % chunks.length]!
      controller.enqueue(bytes.slice(offset, offset + n))
      offset += n
    },
  })
  return new Response(body, { status: s, headers })
}

function expectCoded(err: unknown): void {
  expect(err).toBeInstanceOf(Error)
  const code = (err as { code?: unknown }).code
  expect(typeof code === 'string' && /^ERR_[A-Z_]+$/.test(code), `uncoded ${String(err)}`).toBe(true)
}

describe('CIBA parsers under mutated input (review 8)', () => {
  it('processBackchannelAuthenticationResponse: a frozen sound result or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, status, contentType, chunking, fc.boolean(), fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }), async (bytes, s, ct, chunks, len, maxBytes) => {
        try {
          const r = await processBackchannelAuthenticationResponse(responseOf(bytes, s, ct, chunks, len), maxBytes === undefined ? {} : { maxBytes })
          expect(Object.isFrozen(r)).toBe(true)
          expect(/^[\x20-\x7e]{1,1024}$/.test(r.authReqId)).toBe(true)
          expect(Number.isInteger(r.expiresIn) && r.expiresIn > 0).toBe(true)
        } catch (err) {
          expectCoded(err)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('processCibaTokenResponse: a frozen sound result or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, status, contentType, chunking, fc.boolean(), fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }), async (bytes, s, ct, chunks, len, maxBytes) => {
        try {
          const r = await processCibaTokenResponse(responseOf(bytes, s, ct, chunks, len), maxBytes === undefined ? {} : { maxBytes })
          expect(Object.isFrozen(r)).toBe(true)
          expect(r.accessToken.length).toBeGreaterThan(0)
          if (r.idToken !== undefined) expect(r.idToken.split('.')).toHaveLength(3)
        } catch (err) {
          expectCoded(err)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('the ping endpoint: 204 only for the right token and a sound body, else 400/401, never a throw', async () => {
    const clientNotificationToken = 'n'.repeat(43)
    const seen: string[] = []
    const handler = createCibaPingHandler({ clientNotificationToken, onNotification: (id) => void seen.push(id), maxBodyBytes: 256 })
    await fc.assert(
      fc.asyncProperty(mutated, contentType, chunking, fc.boolean(), async (bytes, ct, chunks, len) => {
        seen.length = 0
        const r = responseOf(bytes, 200, ct, chunks, len)
        const request = new Request('https://client.example/ciba', { method: 'POST', headers: { ...Object.fromEntries(r.headers), authorization: `Bearer ${clientNotificationToken}` }, body: r.body, duplex: 'half' } as RequestInit)
        const answer = await handler(request)
        expect([204, 400]).toContain(answer.status)
        if (answer.status === 204) expect(seen).toHaveLength(1)
        else expect(seen).toHaveLength(0)
      }),
      { numRuns: 300 },
    )
  })
})
