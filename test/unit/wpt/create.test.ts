import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generateSigner } from '../../../src/signer/index.js'
import { createWPT, WPT_TYP } from '../../../src/wpt/index.js'
import { at, makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const h = (s: string) => createHash('sha256').update(Buffer.from(s, 'ascii')).digest('base64url')
const decode = (token: string, i: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString('utf8')) as Record<string, unknown>

describe('createWPT', () => {
  it('emits typ wpt+jwt, alg from the signer, no kid, and the required claims', async () => {
    const w = await makeWorkload({ now: NOW })
    const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: 'https://api.example.com/a/b?x=1#frag', clock: at(NOW) })
    expect(decode(wpt, 0)).toEqual({ alg: 'EdDSA', typ: WPT_TYP })
    const claims = decode(wpt, 1)
    expect(Object.keys(claims)).toEqual(['aud', 'exp', 'jti', 'wth'])
    expect(claims.aud).toBe('https://api.example.com/a/b')
    expect(claims.exp).toBe(NOW + 60)
    expect(claims.wth).toBe(h(w.wit))
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/) // 128 random bits
  })

  it('omits kid even when the signer has one', async () => {
    const signer = await generateSigner('ES256', { kid: 'k1' })
    const jwk = await signer.publicJwk()
    const w = await makeWorkload({ alg: 'ES256', now: NOW })
    const wit = w.wit
    // The WIT's cnf key differs from this signer, but the alg matches: createWPT only checks alg.
    const wpt = await createWPT({ wit, signer, uri: 'https://a.example/', clock: at(NOW) })
    expect(decode(wpt, 0)).toEqual({ alg: 'ES256', typ: 'wpt+jwt' })
    expect(jwk.kid).toBe('k1')
  })

  it('binds access token, Txn-Token, other tokens and method in alphabetical claim order', async () => {
    const w = await makeWorkload({ now: NOW })
    const wpt = await createWPT({
      wit: w.wit,
      signer: w.signer,
      uri: new URL('https://api.example.com/p'),
      method: 'POST',
      accessToken: 'at-1',
      txnToken: 'txn.tok.en',
      otherTokens: { 'X-Session': '  sess-1 \t', 'Y-User': 'u' },
      lifetime: 120,
      jti: 'fixed',
      clock: at(NOW),
    })
    const claims = decode(wpt, 1)
    expect(Object.keys(claims)).toEqual(['ath', 'aud', 'exp', 'htm', 'jti', 'oth', 'tth', 'wth'])
    expect(claims).toMatchObject({ ath: h('at-1'), tth: h('txn.tok.en'), htm: 'POST', jti: 'fixed', exp: NOW + 120 })
    expect(claims.oth).toEqual({ 'x-session': h('sess-1'), 'y-user': h('u') })
  })

  it('uses a configured audience instead of the target URI', async () => {
    const w = await makeWorkload({ now: NOW })
    const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: 'https://internal:8443/p', audience: 'https://api.example.com/p', clock: at(NOW) })
    expect(decode(wpt, 1).aud).toBe('https://api.example.com/p')
  })

  it('generates a fresh jti every time', async () => {
    const w = await makeWorkload({ now: NOW })
    const a = await createWPT({ wit: w.wit, signer: w.signer, uri: 'https://a.example/', clock: at(NOW) })
    const b = await createWPT({ wit: w.wit, signer: w.signer, uri: 'https://a.example/', clock: at(NOW) })
    expect(decode(a, 1).jti).not.toBe(decode(b, 1).jti)
  })

  it('refuses a signer whose alg differs from the WIT cnf.jwk.alg', async () => {
    const w = await makeWorkload({ now: NOW })
    const other = await generateSigner('ES256')
    await expect(createWPT({ wit: w.wit, signer: other, uri: 'https://a.example/' })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it.each([
    ['not a JWS WIT', { wit: 'abc' }],
    ['empty WIT', { wit: '' }],
    ['relative uri', { uri: '/path' }],
    ['uri of the wrong type', { uri: 42 }],
    ['lifetime 0', { lifetime: 0 }],
    ['lifetime NaN', { lifetime: Number.NaN }],
    ['lifetime Infinity', { lifetime: Number.POSITIVE_INFINITY }],
    ['lifetime too long', { lifetime: 3601 }],
    ['fractional lifetime', { lifetime: 1.5 }],
    ['empty jti', { jti: '' }],
    ['non-ASCII access token', { accessToken: 'tök' }],
    ['empty Txn-Token', { txnToken: '' }],
    ['bad method', { method: 'GE T' }],
    ['oth naming Authorization', { otherTokens: { Authorization: 'x' } }],
    ['oth duplicate after lower-casing', { otherTokens: { 'X-A': '1', 'x-a': '2' } }],
    ['oth bad header name', { otherTokens: { 'bad name': '1' } }],
    ['oth empty value', { otherTokens: { 'x-a': '   ' } }],
    ['signer without sign', { signer: { alg: 'EdDSA' } }],
    ['signer with unknown alg', { signer: { alg: 'HS256', sign: () => new Uint8Array() } }],
  ])('refuses bad options: %s', async (_name, patch) => {
    const w = await makeWorkload({ now: NOW })
    await expect(createWPT({ wit: w.wit, signer: w.signer, uri: 'https://a.example/', ...(patch as object) } as never)).rejects.toBeInstanceOf(TypeError)
  })

  it('binds a header named __proto__ as an own oth entry', async () => {
    const w = await makeWorkload({ now: NOW })
    const otherTokens = JSON.parse('{"__proto__":"p"}') as Record<string, string>
    const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: 'https://a.example/', otherTokens, clock: at(NOW) })
    expect(Object.hasOwn(decode(wpt, 1).oth as object, '__proto__')).toBe(true)
  })
})
