import { describe, expect, it } from 'vitest'
import { selectKey, type TrustBundle } from '../../../src/bundle/index.js'
import { VerificationError } from '../../../src/errors/index.js'
import type { PublicJWK } from '../../../src/signer/index.js'

const p256 = (kid?: string, extra: Record<string, unknown> = {}): PublicJWK => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', ...(kid ? { kid } : {}), ...extra })
const p384 = (kid?: string, extra: Record<string, unknown> = {}): PublicJWK => ({ kty: 'EC', crv: 'P-384', x: 'eA', y: 'eQ', ...(kid ? { kid } : {}), ...extra })
const ed = (kid?: string, extra: Record<string, unknown> = {}): PublicJWK => ({ kty: 'OKP', crv: 'Ed25519', x: 'eA', ...(kid ? { kid } : {}), ...extra })
const rsa = (kid?: string, extra: Record<string, unknown> = {}): PublicJWK => ({ kty: 'RSA', n: 'bg', e: 'AQAB', ...(kid ? { kid } : {}), ...extra })
const bundle = (...keys: PublicJWK[]): TrustBundle => ({ trustDomain: 'example.org', keys })

function notFound(fn: () => unknown): VerificationError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_KEY_NOT_FOUND')
    return err as VerificationError
  }
  throw new Error('expected ERR_KEY_NOT_FOUND')
}

describe('selectKey', () => {
  it('skips entries that are not objects (a resolver or custom source may return anything) with a coded result', () => {
    const b = { trustDomain: 'example.org', keys: [null, 7, 'x', p256('a')] } as unknown as TrustBundle
    expect(selectKey(b, { kid: 'a', alg: 'ES256' })).toBe(b.keys[3])
    expect(selectKey(b, { alg: 'ES256' })).toBe(b.keys[3])
    notFound(() => selectKey({ trustDomain: 'example.org', keys: [null] } as unknown as TrustBundle, { kid: 'a', alg: 'ES256' }))
  })

  it("shows the token's kid in messages as printable ASCII, at most 64 characters, and names a shared kid", () => {
    const b = bundle(p256('a'), p256('dup'), p256('dup'))
    const hostile = `x\n\u001b[31mFAKE LOG LINE"\u2028${'k'.repeat(5000)}`
    const err = notFound(() => selectKey(b, { kid: hostile, alg: 'ES256' }))
    expect(err.message).toMatch(/^no ES256 key with kid "x\?\?\[31mFAKE LOG LINE\?\?k+"\.\.\. in trust domain example\.org$/)
    expect(err.message.length).toBeLessThan(140)
    expect(notFound(() => selectKey(b, { kid: 'dup', alg: 'ES256' })).message).toBe('2 ES256 keys in trust domain example.org fit and they share the kid "dup"')
    expect(notFound(() => selectKey(bundle(p256(), p256()), { alg: 'ES256' })).message).toBe('2 ES256 keys in trust domain example.org fit and the token names no kid')
  })

  it('selects by kid among several keys', () => {
    const b = bundle(p256('a'), p256('b'), ed('c'))
    expect(selectKey(b, { kid: 'b', alg: 'ES256' })).toBe(b.keys[1])
    expect(selectKey(b, { kid: 'c', alg: 'EdDSA' })).toBe(b.keys[2])
    expect(selectKey(b, { kid: 'c', alg: 'Ed25519' })).toBe(b.keys[2])
    notFound(() => selectKey(b, { kid: 'z', alg: 'ES256' }))
    notFound(() => selectKey(b, { kid: 'c', alg: 'ES256' }))
  })

  it('without kid selects only when exactly one key fits', () => {
    expect(selectKey(bundle(p256('a'), p384('b')), { alg: 'ES384' }).kid).toBe('b')
    const e = notFound(() => selectKey(bundle(p256('a'), p256('b')), { alg: 'ES256' }))
    expect(e.reason).toMatch(/ambiguous/)
    notFound(() => selectKey(bundle(), { alg: 'ES256' }))
  })

  it('matches kty and crv to alg', () => {
    const b = bundle(p256('a'), p384('b'), ed('c'), rsa('d'))
    for (const alg of ['RS256', 'PS256', 'PS512', 'RS512'] as const) expect(selectKey(b, { alg }).kid).toBe('d')
    notFound(() => selectKey(b, { alg: 'ES512' }))
    notFound(() => selectKey(b, { kid: 'a', alg: 'ES384' }))
  })

  it('requires the key alg member to equal alg when present (EdDSA and Ed25519 are one)', () => {
    const b = bundle(rsa('r', { alg: 'RS256' }), ed('e', { alg: 'EdDSA' }))
    expect(selectKey(b, { kid: 'r', alg: 'RS256' }).kid).toBe('r')
    notFound(() => selectKey(b, { kid: 'r', alg: 'PS256' }))
    expect(selectKey(b, { kid: 'e', alg: 'Ed25519' }).kid).toBe('e')
  })

  it('filters by use; keys without use qualify unless strictUse', () => {
    const b = bundle(p256('w', { use: 'wit-svid' }), p256('j', { use: 'jwt-svid' }), p256('n'))
    expect(selectKey(b, { kid: 'w', alg: 'ES256', use: 'wit-svid' }).kid).toBe('w')
    notFound(() => selectKey(b, { kid: 'j', alg: 'ES256', use: 'wit-svid' }))
    expect(selectKey(b, { kid: 'n', alg: 'ES256', use: 'wit-svid' }).kid).toBe('n')
    notFound(() => selectKey(b, { kid: 'n', alg: 'ES256', use: 'wit-svid', strictUse: true }))
    expect(selectKey(b, { kid: 'j', alg: 'ES256', use: ['wit-svid', 'jwt-svid'] }).kid).toBe('j')
    expect(selectKey(bundle(p256('w', { use: 'wit-svid' }), p256('j', { use: 'jwt-svid' })), { alg: 'ES256', use: 'wit-svid' }).kid).toBe('w')
  })

  it('never selects encryption or x509-svid keys, or keys whose key_ops exclude verify', () => {
    const b = bundle(p256('e', { use: 'enc' }), p256('x', { use: 'x509-svid' }), p256('o', { key_ops: ['encrypt'] }), p256('v', { key_ops: ['verify'] }))
    notFound(() => selectKey(b, { kid: 'e', alg: 'ES256' }))
    notFound(() => selectKey(b, { kid: 'x', alg: 'ES256' }))
    notFound(() => selectKey(b, { kid: 'x', alg: 'ES256', use: 'x509-svid' }))
    notFound(() => selectKey(b, { kid: 'o', alg: 'ES256' }))
    expect(selectKey(b, { alg: 'ES256' }).kid).toBe('v')
  })

  it('treats duplicate kids from an unvalidated source as ambiguous', () => {
    notFound(() => selectKey(bundle(p256('a'), p256('a')), { kid: 'a', alg: 'ES256' }))
  })

  it('rejects bad options with coded TypeErrors', () => {
    expect(() => selectKey(bundle(p256('a')), { alg: 'HS256' as never })).toThrow(TypeError)
    expect(() => selectKey(bundle(p256('a')), { alg: 'ES256', kid: '' })).toThrow(TypeError)
  })
})
