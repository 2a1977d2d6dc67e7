import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import type { PublicJWK } from '../../../src/signer/index.js'

const ec = (kid?: string, extra: Record<string, unknown> = {}): PublicJWK => ({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', ...(kid ? { kid } : {}), ...extra })

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

describe('staticTrustBundles', () => {
  it('accepts key arrays, JWKS, SPIFFE bundles and { keys, issuers }', async () => {
    const source = staticTrustBundles({
      'example.org': [ec('a')],
      'jwks.example': { keys: [ec('b')] },
      'spiffe.example': { keys: [ec('c', { use: 'wit-svid' })], spiffe_refresh_hint: 300, spiffe_sequence: 2 },
      'iss.example': { keys: [ec()], issuers: ['https://issuer.example'] },
    })
    expect(source.trustDomains).toEqual(['example.org', 'jwks.example', 'spiffe.example', 'iss.example'])
    const a = await source.getBundle('example.org')
    expect(a).toEqual({ trustDomain: 'example.org', keys: [ec('a')] })
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a!.keys)).toBe(true)
    expect(Object.isFrozen(a!.keys[0])).toBe(true)
    expect((await source.getBundle('spiffe.example'))!.keys[0]!.use).toBe('wit-svid')
    expect((await source.getBundle('iss.example'))!.issuers).toEqual(['https://issuer.example'])
    expect(await source.getBundle('unknown.example')).toBeUndefined()
    expect(await source.getBundle('__proto__')).toBeUndefined()
    expect(await source.getBundle('constructor')).toBeUndefined()
  })

  it('copies its input: later mutation has no effect', async () => {
    const keys = [ec('a', { key_ops: ['verify'] })] as Array<Record<string, unknown>>
    const source = staticTrustBundles({ 'example.org': keys as unknown as PublicJWK[] })
    keys[0]!.x = 'changed'
    ;(keys[0]!.key_ops as string[]).push('sign')
    keys.push(ec('b') as Record<string, unknown>)
    const bundle = await source.getBundle('example.org')
    expect(bundle!.keys).toEqual([ec('a', { key_ops: ['verify'] })])
  })

  it.each([
    ['Example.org', 'upper case'],
    ['', 'empty'],
    ['exa mple.org', 'space'],
    ['example.org:443', 'port'],
    ['a'.repeat(256), 'too long'],
  ])('rejects trust domain %j (%s)', (name) => {
    expect(code(() => staticTrustBundles({ [name]: [ec('a')] }))).toBe('ERR_INVALID_ARG_VALUE')
  })

  it.each([
    ['private EC key', [ec('a', { d: 'ZA' })]],
    ['symmetric key', [{ kty: 'oct', k: 'c2VjcmV0' }]],
    ['RSA private members', [{ kty: 'RSA', n: 'bg', e: 'AQAB', p: 'cA' }]],
    ['missing kty', [{ crv: 'P-256', x: 'eA', y: 'eQ' }]],
    ['numeric kid', [ec(undefined, { kid: 1 })]],
    ['empty kid', [ec(undefined, { kid: '' })]],
    ['non-string use', [ec('a', { use: ['sig'] })]],
    ['string key_ops', [ec('a', { key_ops: 'verify' })]],
    ['nested object', [ec('a', { x5t: { a: 1 } })]],
    ['duplicate kid', [ec('a'), ec('a')]],
    ['not an object', ['key']],
    ['null key', [null]],
  ])('rejects %s', (_name, keys) => {
    expect(code(() => staticTrustBundles({ 'example.org': keys as PublicJWK[] }))).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('rejects malformed containers and issuer lists', () => {
    expect(code(() => staticTrustBundles(null as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(code(() => staticTrustBundles([] as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(code(() => staticTrustBundles({ 'example.org': 'jwks' as never }))).toBe('ERR_INVALID_ARG_TYPE')
    expect(code(() => staticTrustBundles({ 'example.org': { keys: 'x' } as never }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': { keys: [], issuers: [] } }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': { keys: [], issuers: [''] } }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': { keys: [], issuers: 'https://x' as never } }))).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('refuses weak RSA issuer keys when configured: under 2048 bits (also zero-padded), e = 1, even e', () => {
    const rsa = (n: Uint8Array, e: string) => ({ kty: 'RSA', kid: 'r', n: Buffer.from(n).toString('base64url'), e }) as PublicJWK
    const full = new Uint8Array(256).fill(0xff)
    expect(code(() => staticTrustBundles({ 'example.org': [rsa(full, 'AQAB')] }))).toBeUndefined()
    expect(code(() => staticTrustBundles({ 'example.org': [rsa(new Uint8Array(128).fill(0xff), 'AQAB')] }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': [rsa(new Uint8Array(256).fill(0xff, 192), 'AQAB')] }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': [rsa(full, 'AQ')] }))).toBe('ERR_INVALID_ARG_VALUE')
    expect(code(() => staticTrustBundles({ 'example.org': [rsa(full, 'AQAA')] }))).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('allows the same kid in different trust domains', async () => {
    const source = staticTrustBundles({ 'a.example': [ec('k')], 'b.example': [ec('k')] })
    expect((await source.getBundle('b.example'))!.keys).toHaveLength(1)
  })
})
