// Review round 8 property tests for agentauth/httpsig: hostile messages through the signature-base
// builder and mutated, valid signature fields through verification give a result or a coded error.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAgentAuthError } from '../../src/errors/index.js'
import { createSignatureBase, signRequest, verifyRequestSignature } from '../../src/httpsig/index.js'

const coded = (err: unknown): boolean => isAgentAuthError(err) || (err instanceof TypeError && typeof (err as { code?: unknown }).code === 'string')

const CHARS = [...'abAZ09 \t\r\n,;=:()"\\?*@%/#&+~-._\u00e9\u0000\u007f', ':YQ:', ':YWI=:', '%"a"', '@1', '?1', '1.0']
const text = fc.oneof(fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 30 }), fc.string({ maxLength: 20 }))
const COMPONENTS = ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '"@query-param";name="a"', 'x-f', '"x-f";sf', '"x-f";key="a"', '"x-f";bs', '"x-f";tr', '"x-l";sf', 'content-digest', '"content-digest";sf', '"signature";key="s"']

describe('createSignatureBase on hostile messages', () => {
  it('random URLs, request targets, methods and field lines: a base or a coded error', () => {
    fc.assert(fc.property(
      fc.record({
        method: fc.oneof(fc.constantFrom('GET', 'post', 'PATCH'), text),
        url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), text.map((t) => 'https://h.example/' + t)),
        requestTarget: fc.option(fc.oneof(text.map((t) => '/' + t), text), { nil: undefined }),
        lines: fc.array(fc.tuple(fc.constantFrom('x-f', 'x-l', 'content-digest', 'signature', 'X-F'), text), { maxLength: 5 }),
      }),
      fc.subarray(COMPONENTS, { minLength: 1 }),
      ({ method, url, requestTarget, lines }, components) => {
        const message = { method, url, headers: lines, ...(requestTarget === undefined ? {} : { requestTarget }) }
        try {
          const base = createSignatureBase(message as never, components, { created: 1 }, { structuredFields: { 'x-f': 'dictionary', 'x-l': 'list' } })
          // Whatever the input, the base has one line per component plus @signature-params.
          expect(base.split('\n')).toHaveLength(components.length + 1)
        } catch (err) {
          if (!coded(err)) throw err
        }
      },
    ), { numRuns: 1500 })
  })
})

describe('verification of mutated, valid signature fields', () => {
  const hmacKey = new Uint8Array(32).fill(5)
  const CLOCK = () => 1_700_000_000_000
  const options = { algorithms: ['hmac-sha256' as const], key: () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const }), clock: CLOCK, label: 'sig1' }

  it('one edit anywhere in Signature-Input or Signature: verified unchanged, or a coded error', async () => {
    const message = { method: 'POST', url: 'https://h.example/p?a=1', headers: { 'x-f': 'a=1, b=(x y);p=?0', 'content-digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' } }
    const fields = await signRequest(message, { hmacKey, components: ['@method', '@target-uri', '"x-f";key="b"', '"x-f";sf', '"@query-param";name="a"', 'content-digest'], clock: CLOCK, nonce: 'n1', tag: 't', params: { ext: new Uint8Array([1, 2]) }, structuredFields: { 'x-f': 'dictionary' } })
    const foreign = ', other=("@method" "x-unknown";zz);created=1;b=:YQ:'
    const original = { input: fields.signatureInput + foreign, sig: fields.signature + ', other=:YWI:' }
    await expect(verifyRequestSignature({ ...message, headers: { ...message.headers, 'signature-input': original.input, signature: original.sig } }, { ...options, structuredFields: { 'x-f': 'dictionary' } })).resolves.toMatchObject({ label: 'sig1' })
    await fc.assert(fc.asyncProperty(
      fc.boolean(), fc.nat(), fc.nat(3), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 3 }),
      async (inInput, at, del, insert) => {
        const target = inInput ? original.input : original.sig
        const i = at % (target.length + 1)
        const mutated = target.slice(0, i) + insert + target.slice(i + del)
        const headers = { ...message.headers, 'signature-input': inInput ? mutated : original.input, signature: inInput ? original.sig : mutated }
        try {
          const v = await verifyRequestSignature({ ...message, headers }, { ...options, structuredFields: { 'x-f': 'dictionary' } })
          expect(v.label).toBe('sig1')
        } catch (err) {
          if (!coded(err)) throw err
        }
      },
    ), { numRuns: 600 })
  })
})
