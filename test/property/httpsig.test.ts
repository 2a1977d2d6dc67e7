// Property tests for agentauth/httpsig:
//  1. the parsers (Signature-Input, Signature, Content-Digest, Want-Content-Digest, component
//     identifiers) never throw anything but coded errors on arbitrary input;
//  2. the strict parser agrees with structured-headers on every dictionary structured-headers can
//     serialise (differential oracle);
//  3. sign → verify round-trips for random component sets and parameters, and any change to a
//     covered field breaks the signature.
import fc from 'fast-check'
import { serializeDictionary, Token, type Dictionary, type Item, type InnerList, type BareItem } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { isAgentAuthError } from '../../src/errors/index.js'
import {
  createSignatureBase,
  parseSignature,
  parseSignatureInput,
  parseWantContentDigest,
  signRequest,
  verifyContentDigest,
  verifyRequestSignature,
} from '../../src/httpsig/index.js'
import { parseDictionaryStrict, serialiseDictionaryText } from '../../src/httpsig/structured-fields.js'
import { generated } from '../helpers/httpsig.js'

const SF_CHARS = [...'abcxyz019@-_.*"();=:, ?\t\\/%+AZ', '"@method"', '"x";key="a"', ':AQID:', ':YQ=:', 'sig1=', ';created=1', '?1', '%"a"']
const sfLike = fc.string({ unit: fc.constantFrom(...SF_CHARS), maxLength: 60 })
const anyText = fc.oneof(sfLike, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }))

function typedOnly(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    if (isAgentAuthError(err)) return
    throw err
  }
}

describe('parsers throw only coded errors', () => {
  it('Signature-Input, Signature and Want-Content-Digest', () => {
    fc.assert(fc.property(anyText, (s) => {
      typedOnly(() => parseSignatureInput(s))
      typedOnly(() => parseSignatureInput(`sig1=(${s});created=1`))
      typedOnly(() => parseSignature(s))
      typedOnly(() => parseWantContentDigest(s))
    }), { numRuns: 2000 })
  })

  it('component identifiers inside Signature-Input and in createSignatureBase', () => {
    const message = { method: 'GET', url: 'https://example.com/a?b=1', headers: { x: 'a=1', 'example-dict': 'a=1, b=(x y)' } }
    fc.assert(fc.property(sfLike, (s) => {
      typedOnly(() => parseSignatureInput(`sig1=("${s}" ${s})`))
      try {
        createSignatureBase(message, [`"${s}`], {})
      } catch (err) {
        // caller input: coded TypeError; message problems: coded VerificationError
        if (!(err instanceof TypeError && 'code' in err) && !isAgentAuthError(err)) throw err
      }
    }), { numRuns: 1000 })
  })

  it('Content-Digest', async () => {
    await fc.assert(fc.asyncProperty(anyText, async (s) => {
      try {
        await verifyContentDigest(s, 'body')
      } catch (err) {
        if (!isAgentAuthError(err)) throw err
      }
    }), { numRuns: 500 })
  })
})

// --- differential: structured-headers serialises, we parse and re-serialise -------------------
const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,6}$/)
const bare: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
  fc.integer({ min: -99_999, max: 99_999 }).filter((n) => n % 1000 !== 0).map((n) => n / 1000),
  fc.string({ unit: fc.constantFrom(...' !#"\\azAZ09~'.split('')), maxLength: 12 }),
  fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,8}$/).map((t) => new Token(t)),
  fc.uint8Array({ maxLength: 12 }).map((b) => b.buffer as ArrayBuffer),
  fc.boolean(),
)
const params = fc.uniqueArray(fc.tuple(key, bare), { selector: (p) => p[0], maxLength: 3 }).map((entries) => new Map(entries))
const item: fc.Arbitrary<Item> = fc.tuple(bare, params)
const inner: fc.Arbitrary<InnerList> = fc.tuple(fc.array(item, { maxLength: 3 }), params)
const dict: fc.Arbitrary<Dictionary> = fc.uniqueArray(fc.tuple(key, fc.oneof(item, inner)), { selector: (e) => e[0], minLength: 1, maxLength: 4 }).map((e) => new Map(e))

describe('strict parser vs structured-headers', () => {
  it('parses and re-serialises every dictionary structured-headers writes, to the same text', () => {
    fc.assert(fc.property(dict, (d) => {
      const text = serializeDictionary(d)
      const parsed = parseDictionaryStrict(text, { code: 'ERR_HTTPSIG_INVALID', what: 'test' })
      expect(serialiseDictionaryText(parsed)).toBe(text)
      expect(parsed.map((m) => m[0])).toEqual([...d.keys()])
    }), { numRuns: 1000 })
  })
})

// --- round trips ----------------------------------------------------------------------------
const ed = await generated('EdDSA')
const NOW = 1_800_000_000
const headerName = fc.constantFrom('x-a', 'x-b', 'content-type', 'x-dict')
const headerValue = fc.string({ unit: fc.constantFrom(...'abc XYZ019,;=-_/'.split('')), minLength: 1, maxLength: 20 }).map((s) => s.trim()).filter((s) => s.length > 0)
const DERIVED = ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '"@query-param";name="q"']

describe('sign → verify round trips', () => {
  it('random component sets, field lines and parameters verify; changing a covered field breaks them', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.constantFrom(...DERIVED), { maxLength: 8 }),
      fc.uniqueArray(fc.tuple(headerName, fc.array(headerValue, { minLength: 1, maxLength: 3 })), { selector: (h) => h[0], maxLength: 4 }),
      fc.constantFrom('GET', 'POST', 'PATCH'),
      fc.record({ nonce: fc.option(fc.string({ unit: fc.constantFrom(...'abc019-'.split('')), minLength: 1, maxLength: 8 }), { nil: undefined }), tag: fc.option(fc.constantFrom('t1', 'wimse-workload-to-workload'), { nil: undefined }), lifetime: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }) }),
      fc.boolean(),
      async (derived, fields, method, p, useBs) => {
        const headers: [string, string][] = fields.flatMap(([n, vs]) => vs.map((v) => [n, v] as [string, string]))
        const message = { method, url: 'https://svc.example.com/p/a?q=1&r=x%20y', headers }
        const fieldComponents = fields.map(([n]) => (useBs ? `"${n}";bs` : n))
        const components = [...derived, ...fieldComponents]
        const f = await signRequest(message, { signer: ed.signer, components, created: NOW, ...p })
        const signed = { ...message, headers: [...headers, ['Signature-Input', f.signatureInput], ['Signature', f.signature]] as [string, string][] }
        const options = { algorithms: ['ed25519' as const], key: () => ({ key: ed.jwk, algorithm: 'ed25519' as const }), clock: () => NOW * 1000, requiredComponents: components }
        const v = await verifyRequestSignature(signed, options)
        expect(v.components.length).toBe(components.length)
        if (fields.length > 0) {
          const [name] = fields[0]!
          const changed = { ...signed, headers: signed.headers.map(([n, val]) => [n, n === name ? val + 'Z' : val] as [string, string]) }
          await expect(verifyRequestSignature(changed, options)).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
        }
      },
    ), { numRuns: 60 })
  })
})
