import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { encode } from '../../../src/internal/base64url.js'
import { checkJWSSignature, parseCompactJWS } from '../../../src/internal/jws.js'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { nodeCrypto } from '../../../src/adapters/node/crypto.js'

const opts = { maxBytes: 8192, code: 'ERR_WIT_INVALID' as const, what: 'WIT' }

async function signed(payload: object): Promise<{ token: string; jwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const input = `${encode(JSON.stringify({ alg: 'ES256', typ: 'wit+jwt' }))}.${encode(JSON.stringify(payload))}`
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(input)))
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return { token: `${input}.${encode(sig)}`, jwk: { kty, crv, x, y } }
}

describe('internal/jws: shared parses', () => {
  it('shares deep-frozen headers and payloads between tokens with the same encoded parts', async () => {
    const { token } = await signed({ sub: 'spiffe://example.org/a', cnf: { jwk: { kty: 'OKP' } } })
    const a = parseCompactJWS(token, { ...opts, shareHeader: true, sharePayload: true })
    const b = parseCompactJWS(token, { ...opts, shareHeader: true, sharePayload: true })
    expect(b.header).toBe(a.header)
    expect(b.payload).toBe(a.payload)
    expect(Object.isFrozen(a.payload)).toBe(true)
    expect(Object.isFrozen((a.payload.cnf as { jwk: object }).jwk)).toBe(true)
    // without the options every parse is fresh and mutable
    const c = parseCompactJWS(token, opts)
    expect(c.payload).not.toBe(a.payload)
    expect(Object.isFrozen(c.payload)).toBe(false)
    expect(c.payload).toEqual(a.payload)
  })

  it('still checks the signature of every token whose payload was shared', async () => {
    const { token, jwk } = await signed({ sub: 'spiffe://example.org/b' })
    const key = await importPublicJWK(jwk as Record<string, unknown>, 'ES256')
    for (const provider of [globalThis.crypto, nodeCrypto()]) {
      const good = parseCompactJWS(token, { ...opts, shareHeader: true, sharePayload: true })
      await checkJWSSignature(good, 'ES256', key, { code: 'ERR_WIT_SIGNATURE', what: 'WIT', crypto: provider })
      const forged = token.slice(0, token.lastIndexOf('.') + 1) + encode(new Uint8Array(64).fill(7))
      const bad = parseCompactJWS(forged, { ...opts, shareHeader: true, sharePayload: true })
      expect(bad.payload).toBe(good.payload)
      await expect(Promise.resolve().then(() => checkJWSSignature(bad, 'ES256', key, { code: 'ERR_WIT_SIGNATURE', what: 'WIT', crypto: provider }))).rejects.toMatchObject({ code: 'ERR_WIT_SIGNATURE' })
    }
  })

  it('reports alphabet faults in any part before form faults, as before', () => {
    const code = (t: string): string | undefined => {
      try {
        parseCompactJWS(t, opts)
      } catch (e) {
        return (e as VerificationError).code
      }
      return undefined
    }
    expect(code('a.eyJ9.abc+')).toBe('ERR_WIT_INVALID')
    expect(code('a.eyJ9.abcd')).toBe('ERR_JWS_INVALID')
    expect(code('e30.e30.e30.e30')).toBe('ERR_WIT_INVALID')
    expect(code('.e30.e30')).toBe('ERR_WIT_INVALID')
    expect(code('e30..e30')).toBe('ERR_WIT_INVALID')
    expect(code('e30.e30.')).toBe('ERR_WIT_INVALID')
    expect(code('e30.e30')).toBe('ERR_WIT_INVALID')
    expect(code('e30.W10.AAAA')).toBe('ERR_WIT_INVALID') // payload is an array
    expect(code('e30.e30.AAAA')).toBeUndefined()
  })
})

describe('internal/jws: well-formed Unicode only', () => {
  function token(headerJson: string, payloadJson: string): string {
    return `${encode(headerJson)}.${encode(payloadJson)}.${encode(new Uint8Array(64))}`
  }
  const header = '{"alg":"ES256","typ":"wit+jwt"}'

  it('refuses a lone surrogate escaped in any payload or header string or key, with the profile code', () => {
    for (const [h, p] of [
      [header, '{"sub":"a","jti":"x\\ud800"}'],
      [header, '{"sub":"a","jti":"\\udc00x"}'],
      [header, '{"sub":"a","deep":{"list":[1,{"k":"\\uDBFF"}]}}'],
      [header, '{"sub":"a","\\ud801key":1}'],
      ['{"alg":"ES256","kid":"k\\ud800"}', '{"sub":"a"}'],
    ] as const) {
      expect(() => parseCompactJWS(token(h, p), opts)).toThrow(expect.objectContaining({ code: 'ERR_WIT_INVALID', message: expect.stringMatching(/lone surrogate/) }))
    }
  })

  it('accepts escaped surrogate pairs and text that only looks like an escape', () => {
    const parsed = parseCompactJWS(token(header, '{"sub":"a","name":"\\ud83d\\ude00","note":"\\\\ud800"}'), opts)
    expect(parsed.payload.name).toBe('😀')
    expect(parsed.payload.note).toBe('\\ud800')
  })
})

describe('internal/jws: hostile nesting', () => {
  // 3,000 deep: the longest nesting a shared payload (at most 8192 encoded characters) can hold.
  it('shares (and deep-freezes) a payload nested 3,000 deep without overflowing the stack', () => {
    const depth = 3_000
    const json = `{"sub":"a","deep":${'['.repeat(depth)}{"leaf":1}${']'.repeat(depth)}}`
    const token = `${encode('{"alg":"ES256","typ":"wit+jwt"}')}.${encode(json)}.${encode(new Uint8Array(64))}`
    const parsed = parseCompactJWS(token, { ...opts, maxBytes: 65_536, sharePayload: true, shareHeader: true })
    let v: unknown = parsed.payload.deep
    for (let i = 0; i < depth; i++) {
      expect(Object.isFrozen(v)).toBe(true)
      v = (v as unknown[])[0]
    }
    expect(v).toEqual({ leaf: 1 })
    expect(Object.isFrozen(v)).toBe(true)
  })
})
