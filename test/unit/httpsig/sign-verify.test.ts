// signRequest / signResponse / verify*: options, message shapes, merging, selection, typing.
import { Token } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import {
  createSignatureBase,
  parseSignature,
  parseSignatureInput,
  signRequest,
  signResponse,
  verifyRequestSignature,
  verifyResponseSignature,
  type VerifyOptions,
} from '../../../src/httpsig/index.js'
import { SignerError } from '../../../src/errors/index.js'
import type { Signer } from '../../../src/signer/types.js'
import { clockAt, generated } from '../../helpers/httpsig.js'

const NOW = 1_800_000_000
const clock = clockAt(NOW)
const URL_ = 'https://api.example.com/v1/items?x=1'
const ed = await generated('EdDSA')
const es = await generated('ES256')
const msg = { method: 'POST', url: URL_, headers: { 'content-type': 'application/json' } }
const verifyEd: VerifyOptions = { algorithms: ['ed25519'], key: () => ({ key: ed.jwk, algorithm: 'ed25519' }), clock }

function withFields<T extends { headers: Record<string, string> }>(m: T, f: { signatureInput: string; signature: string }): T {
  return { ...m, headers: { ...m.headers, 'signature-input': f.signatureInput, 'signature': f.signature } }
}
const code = (c: string) => ({ code: c })

describe('signRequest options', () => {
  it.each([
    ['no key', {}],
    ['both keys', { signer: ed.signer, hmacKey: new Uint8Array(32) }],
    ['bad label', { signer: ed.signer, label: 'Sig1' }],
    ['duplicate components', { signer: ed.signer, components: ['@method', '@method'] }],
    ['duplicate components (case-folded field names)', { signer: ed.signer, components: ['Content-Type', 'content-type'] }],
    ['req when signing a request', { signer: ed.signer, components: ['"@method";req'] }],
    ['@query-param name not encoded', { signer: ed.signer, components: [{ name: '@query-param', params: { name: 'a b' } }] }],
    ['unknown derived component', { signer: ed.signer, components: ['@host'] }],
    ['@signature-params as component', { signer: ed.signer, components: ['@signature-params'] }],
    ['bs with sf', { signer: ed.signer, components: [{ name: 'x', params: { bs: true, sf: true } }] }],
    ['standard name in params', { signer: ed.signer, params: { created: 1 } }],
    ['invalid extension key', { signer: ed.signer, params: { 'Bad Key': 1 } }],
    ['expires and lifetime', { signer: ed.signer, expires: NOW + 1, lifetime: 1 }],
    ['expires before created', { signer: ed.signer, created: NOW, expires: NOW - 1 }],
    ['NaN lifetime', { signer: ed.signer, lifetime: Number.NaN }],
    ['fractional created', { signer: ed.signer, created: 1.5 }],
    ['empty keyid', { signer: ed.signer, keyid: '' }],
    ['non-ASCII nonce', { signer: ed.signer, nonce: 'nönce' }],
    ['HMAC key shorter than 32 bytes', { hmacKey: new Uint8Array(16) }],
    ['includeAlg for a JOSE-only algorithm', { signer: { ...ed.signer, alg: 'ES512' }, includeAlg: true }],
  ])('%s → TypeError', async (_name, opts) => {
    await expect(signRequest(msg, { clock, ...(opts as object) })).rejects.toBeInstanceOf(TypeError)
  })

  it('created defaults to now, false omits it, lifetime sets expires, nonce: true is 128 random bits', async () => {
    const a = parseSignatureInput((await signRequest(msg, { signer: ed.signer, clock, lifetime: 30, nonce: true })).signatureInput)[0]!
    expect(a.params.created).toBe(NOW)
    expect(a.params.expires).toBe(NOW + 30)
    expect(a.params.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const b = parseSignatureInput((await signRequest(msg, { signer: ed.signer, clock, created: false, lifetime: 30 })).signatureInput)[0]!
    expect(b.params).toEqual({ expires: NOW + 30 })
  })

  it('serialises parameters in a fixed order, extensions last and typed', async () => {
    const f = await signRequest(msg, {
      signer: es.signer, clock, components: ['@method'], expires: NOW + 5, keyid: 'k', includeAlg: true, nonce: 'n', tag: 't',
      params: { 'ext-s': 'v', 'ext-i': 7, 'ext-d': 1.5, 'ext-t': true, 'ext-f': false, 'ext-b': new Uint8Array([1, 2]), 'ext-k': new Token('tok') },
    })
    expect(f.signatureInput).toBe(`sig1=("@method");created=${NOW};expires=${NOW + 5};keyid="k";alg="ecdsa-p256-sha256";nonce="n";tag="t";ext-s="v";ext-i=7;ext-d=1.5;ext-t;ext-f=?0;ext-b=:AQI=:;ext-k=tok`)
    const v = await verifyRequestSignature(withFields(msg, f), { algorithms: ['ES256'], key: () => ({ key: es.jwk, algorithm: 'ES256' }), clock })
    expect(v.params).toEqual({ created: NOW, expires: NOW + 5, keyid: 'k', alg: 'ecdsa-p256-sha256', nonce: 'n', tag: 't', 'ext-s': 'v', 'ext-i': 7, 'ext-d': 1.5, 'ext-t': true, 'ext-f': false, 'ext-b': new Uint8Array([1, 2]), 'ext-k': new Token('tok') })
    expect(Object.isFrozen(v.params)).toBe(true)
    expect(Object.isFrozen(v.components)).toBe(true)
  })

  it('merges with signatures already on the message and refuses a label collision', async () => {
    const first = await signRequest(msg, { signer: ed.signer, clock, label: 'a' })
    const m1 = withFields(msg, first)
    const second = await signRequest(m1, { signer: es.signer, clock, label: 'b', components: ['"signature";key="a"'] })
    expect(parseSignatureInput(second.signatureInput).map((s) => s.label)).toEqual(['a', 'b'])
    expect(parseSignature(second.signature).map((s) => s.label)).toEqual(['a', 'b'])
    const m2 = withFields(msg, second)
    await expect(verifyRequestSignature(m2, { ...verifyEd, label: 'a' })).resolves.toMatchObject({ label: 'a' })
    await expect(verifyRequestSignature(m2, { algorithms: ['ES256'], key: () => ({ key: es.jwk, algorithm: 'ES256' }), clock, label: 'b' })).resolves.toMatchObject({ label: 'b' })
    await expect(signRequest(m1, { signer: ed.signer, clock, label: 'a' })).rejects.toMatchObject(code('ERR_INVALID_ARG_VALUE'))
  })

  it('wraps a failing signer and checks its output', async () => {
    const failing: Signer = { ...ed.signer, sign: () => Promise.reject(new Error('kms down')) }
    await expect(signRequest(msg, { signer: failing, clock })).rejects.toBeInstanceOf(SignerError)
    const short: Signer = { ...ed.signer, sign: async () => new Uint8Array(10) }
    await expect(signRequest(msg, { signer: short, clock })).rejects.toMatchObject(code('ERR_SIGNER_FAILED'))
  })

  it('HMAC with raw bytes or a CryptoKey gives the same signature', async () => {
    const raw = new Uint8Array(32).fill(9)
    const ck = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    const a = await signRequest(msg, { hmacKey: raw, clock, components: ['@method'] })
    const b = await signRequest(msg, { hmacKey: ck, clock, components: ['@method'] })
    expect(a).toEqual(b)
    await expect(verifyRequestSignature(withFields(msg, a), { algorithms: ['hmac-sha256'], key: () => ({ key: ck, algorithm: 'hmac-sha256' }), clock })).resolves.toMatchObject({ algorithm: 'hmac-sha256' })
  })
})

describe('message shapes', () => {
  const components = ['@method', '@target-uri', 'x-list', 'content-type']
  it('Headers, records and pair arrays give the same base (multiple field lines combined)', () => {
    const headers = new Headers([['Content-Type', 'text/plain'], ['X-List', 'a'], ['X-List', 'b']])
    const bases = [
      createSignatureBase(new Request(URL_, { method: 'PUT', headers }), components, { created: 1 }),
      createSignatureBase({ method: 'PUT', url: URL_, headers }, components, { created: 1 }),
      createSignatureBase({ method: 'PUT', url: new URL(URL_), headers: { 'Content-Type': 'text/plain', 'X-List': ['a', 'b'] } }, components, { created: 1 }),
      createSignatureBase({ method: 'PUT', url: URL_, headers: [['content-type', 'text/plain'], ['x-list', 'a'], ['X-LIST', 'b']] }, components, { created: 1 }),
    ]
    expect(new Set(bases).size).toBe(1)
    expect(bases[0]).toContain('"x-list": a, b\n')
  })

  it('signs and verifies Fetch Response objects bound to a Fetch Request', async () => {
    const request = new Request(URL_, { method: 'DELETE' })
    const response = new Response('gone', { status: 410, headers: { 'content-type': 'text/plain' } })
    const f = await signResponse(response, { signer: ed.signer, clock, request, components: ['@status', 'content-type', '"@method";req', '"@path";req'] })
    response.headers.set('Signature-Input', f.signatureInput)
    response.headers.set('Signature', f.signature)
    const v = await verifyResponseSignature(response, { ...verifyEd, request, requiredComponents: ['@status', '"@method";req'] })
    expect(v.components).toEqual(['"@status"', '"content-type"', '"@method";req', '"@path";req'])
  })

  it('rejects malformed message objects with TypeErrors', async () => {
    await expect(signRequest({ method: '', url: URL_ }, { signer: ed.signer })).rejects.toBeInstanceOf(TypeError)
    await expect(signRequest({ method: 'GET', url: 5 } as never, { signer: ed.signer })).rejects.toBeInstanceOf(TypeError)
    await expect(signRequest({ method: 'GET', url: URL_, headers: { a: 5 } } as never, { signer: ed.signer, components: ['a'] })).rejects.toBeInstanceOf(TypeError)
    await expect(signResponse({ status: 'x' } as never, { signer: ed.signer })).rejects.toBeInstanceOf(TypeError)
  })
})

describe('verify options and selection', () => {
  it.each([
    ['no algorithms', { algorithms: [] }],
    ['unknown algorithm', { algorithms: ['rsa-sha1'] }],
    ['key is not a function', { key: 'k' }],
    ['negative maxAge', { maxAge: -1 }],
    ['NaN clockTolerance', { clockTolerance: Number.NaN }],
    ['replay cache without a lifetime bound', { replayCache: { claim: async () => true } }],
    ['requiredComponents with a bad identifier', { requiredComponents: ['@nope'] }],
  ])('%s → TypeError', async (_name, extra) => {
    const f = await signRequest(msg, { signer: ed.signer, clock })
    await expect(verifyRequestSignature(withFields(msg, f), { ...verifyEd, ...(extra as object) })).rejects.toBeInstanceOf(TypeError)
  })

  it('selects by tag among several signatures, and treats JOSE and RFC 9421 names as one algorithm', async () => {
    const a = await signRequest(msg, { signer: es.signer, clock, label: 'other', tag: 'x' })
    const b = await signRequest(withFields(msg, a), { signer: ed.signer, clock, label: 'mine', tag: 'wanted', includeAlg: true })
    const v = await verifyRequestSignature(withFields(msg, b), { algorithms: ['EdDSA'], key: () => ({ key: ed.jwk, algorithm: 'Ed25519' }), clock, tag: 'wanted' })
    expect(v).toMatchObject({ label: 'mine', tag: 'wanted', algorithm: 'Ed25519' })
  })

  it('re-reads the policy on every call (a mutated options object cannot keep an old allow-list)', async () => {
    const f = await signRequest(msg, { signer: ed.signer, clock })
    const options = { ...verifyEd, algorithms: ['ed25519'] as ('ed25519' | 'ES256')[] }
    await expect(verifyRequestSignature(withFields(msg, f), options)).resolves.toBeDefined()
    options.algorithms = ['ES256']
    await expect(verifyRequestSignature(withFields(msg, f), options)).rejects.toMatchObject(code('ERR_ALG_NOT_ALLOWED'))
  })

  it('only the selected signature is interpreted: a foreign one with unknown components does not break it', async () => {
    const f = await signRequest(msg, { signer: ed.signer, clock, label: 'mine', components: ['@method'] })
    const m = { ...msg, headers: { ...msg.headers, 'signature-input': `other=("@future-component" "x";new-param);created=1.5, ${f.signatureInput}`, 'signature': `other="not bytes", ${f.signature}` } }
    await expect(verifyRequestSignature(m, { ...verifyEd, label: 'mine' })).resolves.toMatchObject({ label: 'mine' })
    await expect(verifyRequestSignature(m, { ...verifyEd, label: 'other' })).rejects.toMatchObject(code('ERR_HTTPSIG_COMPONENT_INVALID'))
    expect(() => parseSignatureInput(m.headers['signature-input'])).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
  })

  it('accepts a CryptoKey, passes untrusted parameters to the resolver, and hides the base unless asked', async () => {
    const key = await crypto.subtle.importKey('jwk', ed.jwk as JsonWebKey, { name: 'Ed25519' }, false, ['verify'])
    const f = await signRequest(msg, { signer: ed.signer, clock, keyid: 'kid-1', components: ['@method'] })
    let seen: unknown
    const v = await verifyRequestSignature(withFields(msg, f), { ...verifyEd, key: (params, candidate) => { seen = [params.keyid, candidate.label, candidate.components]; return { key, algorithm: 'ed25519' } } })
    expect(seen).toEqual(['kid-1', 'sig1', ['"@method"']])
    expect('signatureBase' in v).toBe(false)
  })

  it('claims the nonce after verification, namespaced, until the earliest bound', async () => {
    const claims: [string, number][] = []
    const cache = { claim: async (k: string, e: number) => { claims.push([k, e]); return true } }
    const f = await signRequest(msg, { signer: ed.signer, clock, nonce: 'abc', keyid: 'k9', lifetime: 100, components: ['@method'] })
    await verifyRequestSignature(withFields(msg, f), { ...verifyEd, replayCache: cache, maxAge: 30, clockTolerance: 2 })
    await verifyRequestSignature(withFields(msg, f), { ...verifyEd, replayCache: cache, maxAge: 300, key: () => ({ key: ed.jwk, algorithm: 'ed25519', replayNamespace: 'spiffe://a/b' }) })
    expect(claims).toEqual([['httpsig:2:k9:abc', NOW + 32], ['httpsig:12:spiffe://a/b:abc', NOW + 100]])
    // A signature that does not verify never reaches the cache.
    await expect(verifyRequestSignature(withFields({ ...msg, method: 'GET' }, f), { ...verifyEd, replayCache: cache, maxAge: 30 })).rejects.toMatchObject(code('ERR_HTTPSIG_SIGNATURE'))
    expect(claims).toHaveLength(2)
  })
})

describe('parseSignatureInput / parseSignature', () => {
  it('returns typed, frozen members and the canonical @signature-params value', () => {
    const [p] = parseSignatureInput('sig1=( "@method"  "x";key="a" );created=1;keyid="k";flag;  n=1.50')
    expect(p).toEqual({ label: 'sig1', components: ['"@method"', '"x";key="a"'], params: { created: 1, keyid: 'k', flag: true, n: 1.5 }, value: '("@method" "x";key="a");created=1;keyid="k";flag;n=1.5' })
    expect(Object.isFrozen(p)).toBe(true)
    expect(parseSignature('a=:AQID:, b=:BA==:')).toEqual([{ label: 'a', signature: new Uint8Array([1, 2, 3]) }, { label: 'b', signature: new Uint8Array([4]) }])
  })
})

describe('structured field components', () => {
  it('re-serialises Lists, Items and RFC 9651 types strictly; unknown types need a declaration', () => {
    const m = { method: 'GET', url: URL_, headers: { 'cache-status': 'ExampleCache;hit,   Other;fwd=miss', 'x-item': '  1.50;a=?1 ', 'x-dict': 'd=@1659578233, s=%"caf%c3%a9"' } }
    expect(createSignatureBase(m, ['"cache-status";sf'], {}).split('\n')[0]).toBe('"cache-status";sf: ExampleCache;hit, Other;fwd=miss')
    expect(createSignatureBase(m, ['"x-item";sf'], {}, { structuredFields: { 'x-item': 'item' } }).split('\n')[0]).toBe('"x-item";sf: 1.5;a')
    expect(createSignatureBase(m, ['"x-dict";sf'], {}, { structuredFields: { 'x-dict': 'dictionary' } }).split('\n')[0]).toBe('"x-dict";sf: d=@1659578233, s=%"caf%c3%a9"')
    expect(() => createSignatureBase(m, ['"x-item";sf'], {})).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
    expect(() => createSignatureBase(m, ['"x-item";key="a"'], {}, { structuredFields: { 'x-item': 'item' } })).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
    expect(() => createSignatureBase({ ...m, headers: { 'x-dict': 'a=(' } }, ['"x-dict";key="a"'], {})).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
  })

  it('derived values: empty path, default ports, IPv6, upper-case host', () => {
    const line = (url: string, c: string) => createSignatureBase({ method: 'GET', url }, [c], {}).split('\n')[0]
    expect(line('https://EXAMPLE.com', '@path')).toBe('"@path": /')
    expect(line('https://EXAMPLE.com:443/a', '@authority')).toBe('"@authority": example.com')
    expect(line('http://example.com:8080/a', '@authority')).toBe('"@authority": example.com:8080')
    expect(line('http://[::1]:8080/a', '@authority')).toBe('"@authority": [::1]:8080')
    expect(line('https://example.com/a?b#frag', '@target-uri')).toBe('"@target-uri": https://example.com/a?b')
    expect(() => line('https://example.com/a?%61=1&a=2', '"@query-param";name="a"')).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
    expect(() => createSignatureBase({ status: 200 }, ['@method'], {})).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
    expect(() => createSignatureBase({ method: 'GET', url: URL_ }, ['@status'], {})).toThrow(expect.objectContaining(code('ERR_HTTPSIG_COMPONENT_INVALID')))
  })
})

describe('covered structured fields: bounded work', () => {
  it('refuses a ;key or ;sf field with more than 1,024 members, and parses a field once for many ;key components', () => {
    const big = Array.from({ length: 1100 }, (_, i) => `m${i}=1`).join(', ')
    const m = { method: 'GET', url: 'https://example.com/', headers: { priority: big } }
    expect(() => createSignatureBase(m, ['"priority";key="m1"'], { created: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    expect(() => createSignatureBase(m, ['"priority";sf'], { created: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    const ok = { method: 'GET', url: 'https://example.com/', headers: { priority: Array.from({ length: 1000 }, (_, i) => `m${i}=${i}`).join(', ') } }
    const ids = Array.from({ length: 64 }, (_, i) => `"priority";key="m${i * 15}"`)
    const base = createSignatureBase(ok, ids, { created: 1 })
    expect(base.split('\n').slice(0, 64)).toEqual(ids.map((id, i) => `${id}: ${i * 15}`))
  })
})

describe('an empty query keeps its "?" (RFC 9421 §2.2.2, §2.2.5)', () => {
  it('in @target-uri and @request-target, from a Request, a URL or a plain URL string; absent query unchanged', () => {
    const components = ['@target-uri', '@request-target', '@query']
    for (const url of ['https://example.com/p?', new URL('https://example.com/p?'), 'https://example.com/p?#frag']) {
      const base = createSignatureBase({ method: 'GET', url, headers: {} }, components, { created: 1 })
      expect(base.split('\n').slice(0, 3)).toEqual(['"@target-uri": https://example.com/p?', '"@request-target": /p?', '"@query": ?'])
    }
    expect(createSignatureBase(new Request('https://example.com/p?'), components, { created: 1 }).split('\n')[1]).toBe('"@request-target": /p?')
    const absent = createSignatureBase({ method: 'GET', url: 'https://example.com/p', headers: {} }, components, { created: 1 })
    expect(absent.split('\n').slice(0, 3)).toEqual(['"@target-uri": https://example.com/p', '"@request-target": /p', '"@query": ?'])
  })
})

describe('covered structured fields: lenient Byte Sequences (RFC 8941 §4.2.7)', () => {
  it('accepts missing padding and non-zero pad bits in a covered ;sf / ;key field and signs the canonical form', () => {
    const m = (v: string) => ({ method: 'GET', url: 'https://example.com/', headers: { 'example-dict': v } })
    const opts = { structuredFields: { 'example-dict': 'dictionary' as const } }
    const base = (v: string, c: string) => createSignatureBase(m(v), [c], { created: 1 }, opts)
    expect(base('a=:AB:', '"example-dict";sf').split('\n')[0]).toBe('"example-dict";sf: a=:AA==:')
    expect(base('a=:aGVsbG8:, b=1', '"example-dict";key="a"').split('\n')[0]).toBe('"example-dict";key="a": :aGVsbG8=:')
    // Still refused: characters outside base64, or an impossible length.
    expect(() => base('a=:AB-_:', '"example-dict";sf')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID' }))
    expect(() => base('a=:ABCDE:', '"example-dict";sf')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID' }))
  })
})
