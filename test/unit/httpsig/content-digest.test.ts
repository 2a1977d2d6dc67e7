// Content-Digest / Want-Content-Digest API: message helpers, body forms, limits, options.
import { describe, expect, it } from 'vitest'
import {
  createContentDigest,
  createMessageContentDigest,
  createWantContentDigest,
  parseWantContentDigest,
  verifyContentDigest,
  verifyMessageContentDigest,
} from '../../../src/httpsig/index.js'

const BODY = '{"hello": "world"}'
const SHA256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
const code = (c: string) => ({ code: c })

describe('createContentDigest', () => {
  it('accepts strings, bytes, ArrayBuffers, streams and null (empty content)', async () => {
    const bytes = new TextEncoder().encode(BODY)
    for (const body of [BODY, bytes, bytes.buffer, new Blob([bytes]).stream()]) expect(await createContentDigest(body)).toBe(SHA256)
    expect(await createContentDigest(null)).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:')
  })

  it('refuses bad options and oversized bodies', async () => {
    await expect(createContentDigest(BODY, { algorithms: [] })).rejects.toBeInstanceOf(TypeError)
    await expect(createContentDigest(BODY, { algorithms: ['md5' as never] })).rejects.toBeInstanceOf(TypeError)
    await expect(createContentDigest(BODY, { algorithms: ['sha-256', 'sha-256'] })).rejects.toBeInstanceOf(TypeError)
    await expect(createContentDigest(BODY, { maxBytes: -1 })).rejects.toBeInstanceOf(TypeError)
    await expect(createContentDigest(BODY, { maxBytes: 5 })).rejects.toMatchObject({ code: 'ERR_BODY_TOO_LARGE', status: 413 })
    await expect(createContentDigest(42 as never)).rejects.toBeInstanceOf(TypeError)
  })

  it('cancels a stream as soon as it passes the limit', async () => {
    let pulled = 0
    let cancelled = false
    const stream = new ReadableStream<Uint8Array>({
      pull(c) { pulled++; c.enqueue(new Uint8Array(100)) },
      cancel() { cancelled = true },
    })
    await expect(createContentDigest(stream, { maxBytes: 250 })).rejects.toMatchObject(code('ERR_BODY_TOO_LARGE'))
    expect(cancelled).toBe(true)
    expect(pulled).toBeLessThan(10)
  })
})

describe('message helpers', () => {
  it('digest a Request body from a clone, leaving the original readable', async () => {
    const request = new Request('https://example.com/', { method: 'POST', body: BODY })
    const field = await createMessageContentDigest(request)
    expect(field).toBe(SHA256)
    request.headers.set('content-digest', field)
    await expect(verifyMessageContentDigest(request)).resolves.toEqual({ algorithms: ['sha-256'], bytes: 18 })
    expect(await request.text()).toBe(BODY)
    await expect(verifyMessageContentDigest(request)).rejects.toBeInstanceOf(TypeError) // body used
  })

  it('a message without body and without the field passes; with the field the empty body is checked', async () => {
    await expect(verifyMessageContentDigest(new Request('https://example.com/'))).resolves.toEqual({ algorithms: [], bytes: 0 })
    await expect(verifyMessageContentDigest({ status: 204, headers: { 'content-digest': SHA256 } })).rejects.toMatchObject(code('ERR_DIGEST_MISMATCH'))
  })

  it('a declared Content-Length above maxBytes fails before reading', async () => {
    const response = new Response('x'.repeat(100), { headers: { 'content-length': '100', 'content-digest': SHA256 } })
    await expect(verifyMessageContentDigest(response, { maxBytes: 10 })).rejects.toMatchObject(code('ERR_BODY_TOO_LARGE'))
  })

  it('works with plain messages and several Content-Digest field lines', async () => {
    const sha512 = await createContentDigest(BODY, { algorithms: ['sha-512'] })
    const v = await verifyMessageContentDigest({ method: 'POST', url: 'https://example.com/', headers: [['Content-Digest', SHA256], ['Content-Digest', sha512]], body: BODY })
    expect(v.algorithms).toEqual(['sha-256', 'sha-512'])
  })
})

describe('verifyContentDigest', () => {
  it.each([
    ['absent', null, 'ERR_DIGEST_MISSING'],
    ['empty', '', 'ERR_DIGEST_MISSING'],
    ['a token instead of bytes', 'sha-256=abc', 'ERR_DIGEST_INVALID'],
    ['an inner list', 'sha-256=(:AA==:)', 'ERR_DIGEST_INVALID'],
    ['a duplicate key', `${SHA256}, ${SHA256}`, 'ERR_DIGEST_INVALID'],
    ['upper-case key (not an SF key)', SHA256.toUpperCase(), 'ERR_DIGEST_INVALID'],
  ])('%s → %s', async (_n, value, c) => {
    await expect(verifyContentDigest(value, BODY)).rejects.toMatchObject(code(c))
  })

  it('ignores parameters and unknown members but checks every supported digest', async () => {
    await expect(verifyContentDigest(`${SHA256};x=1, crc32c=:AAAAAA==:, foo=bar`, BODY)).resolves.toEqual({ algorithms: ['sha-256'], bytes: 18 })
  })
})

describe('Want-Content-Digest', () => {
  it.each(['sha-256=1.5', 'sha-256=-1', 'sha-256="10"', 'sha-256=10;q=1', 'sha-256', 'a=1,'])('refuses %s', (v) => {
    expect(() => parseWantContentDigest(v)).toThrow(expect.objectContaining(code('ERR_DIGEST_INVALID')))
  })
  it('serialises entry arrays and refuses bad input', () => {
    expect(createWantContentDigest([{ algorithm: 'sha-512', preference: 10 }, { algorithm: 'sha-256', preference: 1 }])).toBe('sha-512=10, sha-256=1')
    for (const bad of [{}, { 'SHA-256': 1 }, { 'sha-256': 11 }, { 'sha-256': 1.5 }] as Record<string, number>[]) expect(() => createWantContentDigest(bad)).toThrow(TypeError)
    expect(() => createWantContentDigest([{ algorithm: 'a', preference: 1 }, { algorithm: 'a', preference: 2 }])).toThrow(TypeError)
  })
  it('round-trips', () => {
    const value = 'sha-256=10, sha-512=3, unixsum=0'
    expect(createWantContentDigest(parseWantContentDigest(value))).toBe(value)
  })
})
