// Metamorphic property for the WIMSE HTTP-signature profile (the proof that, unlike a WPT, covers
// the request): a signed request verifies; changing its method, path, query, body, content type or
// access token after signing makes verification fail with a typed error.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../src/errors/index.js'
import { signWIMSERequest, verifyWIMSERequest } from '../../src/wimse-httpsig/index.js'
import { at, makeWorkload } from '../helpers/wpt.js'

const NOW = 1_800_000_000
const RUNS = Number(process.env.FC_RUNS ?? 60)

const token = fc.stringMatching(/^[A-Za-z0-9._~-]{1,24}$/)
const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/)

interface Shape {
  method: string
  path: string
  query: string
  body: string
  contentType: string
  accessToken: string
}

const shape: fc.Arbitrary<Shape> = fc.record({
  method: fc.constantFrom('POST', 'PUT', 'PATCH'),
  path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => '/' + s.join('/')),
  query: fc.option(segment, { nil: undefined }).map((q) => (q === undefined ? '' : `?q=${q}`)),
  body: fc.string({ maxLength: 64 }),
  contentType: fc.constantFrom('application/json', 'text/plain'),
  accessToken: token,
})

function build(s: Shape, extra: Headers = new Headers()): Request {
  const headers = new Headers(extra)
  headers.set('content-type', s.contentType)
  headers.set('authorization', `Bearer ${s.accessToken}`)
  return new Request(`https://svcb.example.com${s.path}${s.query}`, { method: s.method, headers, body: s.body })
}

const mutations: Array<[string, (s: Shape) => Shape]> = [
  ['method', (s) => ({ ...s, method: s.method === 'POST' ? 'PUT' : 'POST' })],
  ['path', (s) => ({ ...s, path: s.path + 'x' })],
  ['query', (s) => ({ ...s, query: s.query === '' ? '?q=1' : s.query + '1' })],
  ['body', (s) => ({ ...s, body: s.body + ' ' })],
  ['content type', (s) => ({ ...s, contentType: s.contentType === 'text/plain' ? 'application/json' : 'text/plain' })],
  ['access token', (s) => ({ ...s, accessToken: s.accessToken + 'x' })],
]

describe('WIMSE HTTP signature metamorphic property', () => {
  it('verifies the signed request and rejects any covered change', async () => {
    const w = await makeWorkload({ now: NOW })
    await fc.assert(
      fc.asyncProperty(shape, fc.constantFrom(...mutations), async (s, [, mutate]) => {
        const original = build(s)
        const signed = await signWIMSERequest(original, { wit: w.wit, signer: w.signer, clock: at(NOW) })
        const fields = new Headers(signed.headers)
        const options = { wit: w.verified, audience: 'https://svcb.example.com', clock: at(NOW) }
        await verifyWIMSERequest(build(s, fields), options)
        const err = await verifyWIMSERequest(build(mutate(s), fields), options).then(() => undefined, (e: unknown) => e)
        expect(err).toBeInstanceOf(VerificationError)
      }),
      { numRuns: RUNS },
    )
  })
})
