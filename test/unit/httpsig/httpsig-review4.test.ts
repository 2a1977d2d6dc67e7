// Review round 4 regressions for agentauth/httpsig.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generated } from '../../helpers/httpsig.js'
import { createSignatureBase, parseSignature, parseSignatureInput, signRequest, verifyRequestSignature } from '../../../src/httpsig/index.js'

const msg = (value: string | string[]) => ({ method: 'GET', url: 'https://e.example/', headers: { 'x-a': value } })
const line = (value: string | string[], component = 'x-a'): string => createSignatureBase(msg(value), [component], {}).split('\n')[0]!

describe('field values: whitespace and obs-fold handling is linear and RFC 9421 §2.1-exact', () => {
  it('a long whitespace run in a covered field costs milliseconds, not seconds (was quadratic)', () => {
    const pad = ' '.repeat(64 * 1024)
    const start = performance.now()
    expect(line(' a' + pad + 'b')).toBe('"x-a": a' + pad + 'b') // leading OWS: the trim ran
    expect(line('a' + pad + 'b\r\n c')).toBe('"x-a": a' + pad + 'b c') // a line fold: the unfold ran
    expect(line('a' + pad + 'b\n' + pad + 'c ')).toBe('"x-a": a' + pad + 'b c')
    expect(performance.now() - start).toBeLessThan(1000) // ~26 s before the fix
  })

  it('obs-fold, trimming and bs agree with the RFC rules on the examples', () => {
    expect(line('Obsolete\r\n    line folding.')).toBe('"x-a": Obsolete line folding.')
    expect(line('Obsolete \t\r\n \tline folding.')).toBe('"x-a": Obsolete line folding.')
    expect(line(['  value, with, lots ', '\tof, commas'])).toBe('"x-a": value, with, lots, of, commas')
    expect(line(['value, with, lots', 'of, commas'], '"x-a";bs')).toBe('"x-a";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:')
    expect(line('a\r\n b\r\n\tc')).toBe('"x-a": a b c')
    expect(line('')).toBe('"x-a": ')
    expect(line(' \t ')).toBe('"x-a": ')
  })

  it('a line break without following whitespace is still refused', () => {
    expect(() => line('a\nb')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID' }))
    expect(() => line('a\r\n')).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID' }))
  })

  it('matches the regular-expression definition on arbitrary short values', () => {
    const reference = (v: string): string => v.replace(/[ \t]*\r?\n[ \t]+/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '')
    const unit = fc.constantFrom(' ', '\t', '\r', '\n', 'a', 'b', ',')
    fc.assert(fc.property(fc.string({ unit, maxLength: 24 }), (v) => {
      const want = reference(v)
      if (/[\r\n]/.test(want)) expect(() => line(v)).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID' }))
      else expect(line(v)).toBe('"x-a": ' + want)
    }), { numRuns: 1500 })
  })
})

describe('parseSignatureInput / parseSignature limits', () => {
  const manyInputs = 'sig1=("@method");created=1, ' + Array.from({ length: 600 }, (_, i) => `s${i}=("@path")`).join(', ')
  const manySigs = Array.from({ length: 600 }, (_, i) => `s${i}=:AA==:`).join(', ')

  it('a NaN, infinite, zero, negative, fractional or string limit is a coded TypeError, never "no limit"', () => {
    for (const bad of [NaN, Infinity, 0, -1, 1.5, '8192']) {
      for (const name of ['maxHeaderBytes', 'maxSignatures', 'maxComponents']) {
        const limits = { [name]: bad } as never
        expect(() => parseSignatureInput(manyInputs, limits)).toThrow(expect.objectContaining({ name: 'TypeError', code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/) }))
        expect(() => parseSignature(manySigs, limits)).toThrow(expect.objectContaining({ name: 'TypeError', code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/) }))
      }
    }
    expect(() => parseSignature('a=:AA==:', 'x' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it('valid limits still apply', () => {
    expect(() => parseSignatureInput(manyInputs)).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    expect(() => parseSignatureInput(manyInputs, { maxHeaderBytes: 65536 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
    expect(parseSignatureInput(manyInputs, { maxHeaderBytes: 65536, maxSignatures: 601 })).toHaveLength(601)
    expect(parseSignature(manySigs, { maxHeaderBytes: 65536, maxSignatures: 600 })).toHaveLength(600)
    expect(() => parseSignatureInput('a=("@method" "@path")', { maxComponents: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
  })
})

describe('structured field types are looked up as own properties', () => {
  const base = (field: string, value: string, component: string, structuredFields?: Record<string, 'dictionary' | 'list' | 'item'>): string =>
    createSignatureBase({ method: 'GET', url: 'https://e.example/', headers: { [field]: value } }, [component], {}, { structuredFields }).split('\n')[0]!

  it('"constructor";key / "__proto__";key read a Dictionary member like any unknown field', () => {
    expect(base('x-other', 'a=1, b=2', '"x-other";key="b"')).toBe('"x-other";key="b": 2')
    expect(base('constructor', 'a=1, b=2', '"constructor";key="b"')).toBe('"constructor";key="b": 2')
    expect(base('__proto__', 'a=1, b=2', '"__proto__";key="b"')).toBe('"__proto__";key="b": 2')
  })

  it('"constructor";sf is refused as a field of unknown type, unless declared', () => {
    for (const field of ['constructor', '__proto__', 'tostring']) {
      expect(() => base(field, 'abc', `"${field}";sf`)).toThrow(expect.objectContaining({ code: 'ERR_HTTPSIG_COMPONENT_INVALID', message: expect.stringContaining('not known') }))
    }
    expect(base('constructor', 'a=1,   b', '"constructor";sf', { constructor: 'dictionary' as const })).toBe('"constructor";sf: a=1, b')
  })
})

describe('HMAC keys have at least 32 bytes, also as CryptoKeys (docs: security notes)', () => {
  const req = { method: 'GET', url: 'https://e.example/' }
  const hmac = (bytes: number) => crypto.subtle.importKey('raw', new Uint8Array(bytes).fill(7), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])

  it('signing with a short HMAC CryptoKey is a coded TypeError', async () => {
    await expect(signRequest(req, { hmacKey: await hmac(1), components: ['@method'], created: 1000 })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(signRequest(req, { hmacKey: await hmac(31), components: ['@method'], created: 1000 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(signRequest(req, { hmacKey: await hmac(32), components: ['@method'], created: 1000 })).resolves.toMatchObject({ signatureInput: 'sig1=("@method");created=1000' })
  })

  it('verifying with a short HMAC CryptoKey is ERR_KEY_INVALID', async () => {
    const short = await hmac(1)
    // A signature made with the same short key elsewhere (raw Web Crypto).
    const base = '"@method": GET\n"@signature-params": ("@method");created=1000'
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', short, new TextEncoder().encode(base)))
    const headers = { 'signature-input': 'sig1=("@method");created=1000', signature: `sig1=:${Buffer.from(mac).toString('base64')}:` }
    const options = (key: CryptoKey) => ({ algorithms: ['hmac-sha256' as const], key: () => ({ key, algorithm: 'hmac-sha256' as const }), clock: () => 1_000_000 })
    await expect(verifyRequestSignature({ ...req, headers }, options(short))).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const long = await hmac(32)
    const good = await signRequest(req, { hmacKey: long, components: ['@method'], created: 1000 })
    await expect(verifyRequestSignature({ ...req, headers: { 'signature-input': good.signatureInput, signature: good.signature } }, options(long))).resolves.toMatchObject({ label: 'sig1' })
  })
})

describe('RSA verification keys and signature lengths (RFC 8017 §8.1.2, §8.2.2)', () => {
  const req = { method: 'GET', url: 'https://e.example/' }
  const at = () => 5_000_000

  it('an rsa-pss-sha512 signature with its leading zero byte dropped is refused; the full one verifies', async () => {
    const g = await generated('PS512')
    let found: { signatureInput: string; bytes: Buffer } | undefined
    for (let i = 0; i < 4000 && found === undefined; i++) {
      const f = await signRequest(req, { signer: g.signer, components: ['@method'], created: 1000 + i })
      const bytes = Buffer.from(f.signature.slice('sig1=:'.length, -1), 'base64')
      if (bytes[0] === 0) found = { signatureInput: f.signatureInput, bytes }
    }
    expect(found).toBeDefined() // one signature in 256 starts with a zero byte
    const verify = (bytes: Buffer) => verifyRequestSignature(
      { ...req, headers: { 'signature-input': found!.signatureInput, signature: `sig1=:${bytes.toString('base64')}:` } },
      { algorithms: ['rsa-pss-sha512'], key: () => ({ key: g.jwk, algorithm: 'rsa-pss-sha512' }), clock: at },
    )
    await expect(verify(found!.bytes)).resolves.toMatchObject({ label: 'sig1' })
    await expect(verify(found!.bytes.subarray(1))).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
  })

  it('an RSA CryptoKey with a modulus under 2048 bits is ERR_KEY_INVALID, as a JWK is', async () => {
    const weak = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const signer = { alg: 'RS256' as const, publicJwk: async () => { throw new Error('unused') }, sign: async (d: Uint8Array) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', weak.privateKey, d as Uint8Array<ArrayBuffer>)) }
    const f = await signRequest(req, { signer, components: ['@method'], created: 1000 })
    const message = { ...req, headers: { 'signature-input': f.signatureInput, signature: f.signature } }
    await expect(verifyRequestSignature(message, { algorithms: ['RS256'], key: () => ({ key: weak.publicKey, algorithm: 'RS256' }), clock: at })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const jwk = await crypto.subtle.exportKey('jwk', weak.publicKey)
    await expect(verifyRequestSignature(message, { algorithms: ['RS256'], key: () => ({ key: jwk as never, algorithm: 'RS256' }), clock: at })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('a 2048-bit RSA CryptoKey of the right hash still verifies; a wrong hash is still refused', async () => {
    const g = await generated('RS256')
    const { alg: _alg, ...bare } = g.jwk as JsonWebKey
    const key = await crypto.subtle.importKey('jwk', bare, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])
    const other = await crypto.subtle.importKey('jwk', bare, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, false, ['verify'])
    const f = await signRequest(req, { signer: g.signer, components: ['@method'], created: 1000 })
    const message = { ...req, headers: { 'signature-input': f.signatureInput, signature: f.signature } }
    await expect(verifyRequestSignature(message, { algorithms: ['RS256'], key: () => ({ key, algorithm: 'RS256' }), clock: at })).resolves.toMatchObject({ label: 'sig1' })
    await expect(verifyRequestSignature(message, { algorithms: ['RS256'], key: () => ({ key: other, algorithm: 'RS256' }), clock: at })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})

describe('httpsig: a "synchronous" crypto provider that answers with a promise fails closed', () => {
  const req = { method: 'GET', url: 'https://e.example/' }
  const at = () => 5_000_000
  it('refuses the signature (ERR_HTTPSIG_SIGNATURE) instead of awaiting a verify that reads shared buffers later', async () => {
    const g = await generated('ES256')
    const f = await signRequest(req, { signer: g.signer, components: ['@method'], created: 1000 })
    const message = { ...req, headers: { 'signature-input': f.signatureInput, signature: f.signature } }
    const provider = {
      subtle: globalThis.crypto.subtle,
      getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
      [Symbol.for('agentauth.crypto.sync')]: { verify: () => Promise.resolve(true), digest: () => undefined },
    } as unknown as Crypto
    const key = () => ({ key: g.jwk, algorithm: 'ES256' as const })
    await expect(verifyRequestSignature(message, { algorithms: ['ES256'], key, clock: at, crypto: provider })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
    // The same message with a conforming provider verifies.
    await expect(verifyRequestSignature(message, { algorithms: ['ES256'], key, clock: at })).resolves.toMatchObject({ label: 'sig1' })
  })
})
