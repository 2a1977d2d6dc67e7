// RFC 9530 examples (test/vectors/data/rfc9530-digests.json): every body → field value, created and
// verified, from bytes, strings and streams; plus Want-Content-Digest examples.
import { describe, expect, it } from 'vitest'
import { createContentDigest, createWantContentDigest, parseWantContentDigest, verifyContentDigest } from '../../src/httpsig/index.js'
import { DIGESTS } from '../helpers/httpsig.js'

function stream(text: string, chunk = 3): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let off = 0
  return new ReadableStream({
    pull(controller) {
      if (off >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(off, off + chunk))
      off += chunk
    },
  })
}

describe('RFC 9530 Content-Digest examples', () => {
  for (const c of DIGESTS.cases) {
    it(`${c.name}: created from a string`, async () => {
      expect(await createContentDigest(c.body, { algorithms: [c.algorithm] })).toBe(c.field_value)
    })
    it(`${c.name}: created from a chunked stream and verified`, async () => {
      expect(await createContentDigest(stream(c.body), { algorithms: [c.algorithm] })).toBe(c.field_value)
      const v = await verifyContentDigest(c.field_value, new TextEncoder().encode(c.body), { require: [c.algorithm] })
      expect(v.algorithms).toEqual([c.algorithm])
      expect(v.bytes).toBe(new TextEncoder().encode(c.body).length)
    })
  }

  it('both algorithms in one field (RFC 9530 allows several members)', async () => {
    const body = '{"hello": "world"}'
    const field = await createContentDigest(body, { algorithms: ['sha-256', 'sha-512'] })
    expect(field).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:')
    expect((await verifyContentDigest(field, body)).algorithms).toEqual(['sha-256', 'sha-512'])
  })

  it('deprecated / unknown algorithms next to a supported one are ignored', async () => {
    const body = '{"hello": "world"}'
    const v = await verifyContentDigest('md5=:sQqNsWTgdUEFt6mb5y4/5Q==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, unixsum=30637', body)
    expect(v.algorithms).toEqual(['sha-256'])
  })
})

describe('RFC 9530 §4 Want-Content-Digest examples', () => {
  it('parses and serialises preference dictionaries', () => {
    expect(parseWantContentDigest('sha-256=1')).toEqual([{ algorithm: 'sha-256', preference: 1 }])
    expect(parseWantContentDigest('sha-512=3, sha-256=10, unixsum=0')).toEqual([
      { algorithm: 'sha-512', preference: 3 },
      { algorithm: 'sha-256', preference: 10 },
      { algorithm: 'unixsum', preference: 0 },
    ])
    expect(createWantContentDigest({ 'sha-512': 3, 'sha-256': 10, 'unixsum': 0 })).toBe('sha-512=3, sha-256=10, unixsum=0')
  })
})
