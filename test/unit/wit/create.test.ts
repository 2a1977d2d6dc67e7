import { beforeAll, describe, expect, it } from 'vitest'
import { generateSigner, type PublicJWK, type Signer } from '../../../src/signer/index.js'
import { createWIT, decodeWIT, verifyWIT, WIT_TYP } from '../../../src/wit/index.js'
import { bundlesFor, clockAt, issuer, NOW, SUB, TD, workloadJwk, type TestIssuer } from '../../helpers/wit.js'

let iss: TestIssuer
let cnf: PublicJWK
const clock = clockAt(NOW)

beforeAll(async () => {
  iss = await issuer('ES256', 'k1')
  cnf = await workloadJwk('ES256')
})

function argError(fn: () => Promise<unknown>, code = 'ERR_INVALID_ARG_VALUE') {
  return expect(fn()).rejects.toMatchObject({ name: 'TypeError', code })
}

describe('createWIT', () => {
  it('mints a wit+jwt that verifyWIT accepts', async () => {
    const token = await createWIT({ sub: SUB, publicJwk: cnf, iss: 'https://id.example.org' }, { signer: iss.signer, clock })
    const { header, claims } = decodeWIT(token)
    expect(header).toEqual({ alg: 'ES256', kid: 'k1', typ: WIT_TYP })
    expect(claims.sub).toBe(SUB)
    expect(claims.iss).toBe('https://id.example.org')
    expect(claims.iat).toBe(NOW)
    expect(claims.exp).toBe(NOW + 3600)
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(claims).not.toHaveProperty('aud')
    expect(claims.cnf.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: cnf.x, y: cnf.y, alg: 'ES256' })
    const wit = await verifyWIT(token, { trustBundles: bundlesFor([TD, [iss.jwk]]), clock, issuers: ['https://id.example.org'] })
    expect(wit.id).toBe(SUB)
    expect(wit.issuerKid).toBe('k1')
  })

  it('generates a fresh 128-bit jti each time, or uses / omits the given one', async () => {
    const a = decodeWIT(await createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, clock })).claims.jti
    const b = decodeWIT(await createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, clock })).claims.jti
    expect(a).not.toBe(b)
    expect(decodeWIT(await createWIT({ sub: SUB, publicJwk: cnf, jti: 'mine' }, { signer: iss.signer, clock })).claims.jti).toBe('mine')
    expect(decodeWIT(await createWIT({ sub: SUB, publicJwk: cnf, jti: false }, { signer: iss.signer, clock })).claims).not.toHaveProperty('jti')
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, jti: '' }, { signer: iss.signer }))
  })

  it('sets exp from exp, lifetime, options.lifetime or the 1 h default', async () => {
    const exp = async (claims: Record<string, unknown>, lifetime?: number) =>
      decodeWIT(await createWIT({ sub: SUB, publicJwk: cnf, ...claims }, { signer: iss.signer, clock, ...(lifetime ? { lifetime } : {}) })).claims.exp
    expect(await exp({})).toBe(NOW + 3600)
    expect(await exp({}, 600)).toBe(NOW + 600)
    expect(await exp({ lifetime: 120 }, 600)).toBe(NOW + 120)
    expect(await exp({ exp: NOW + 99 })).toBe(NOW + 99)
    expect(await exp({ iat: NOW - 10, lifetime: 20 })).toBe(NOW + 10)
  })

  it('accepts cnf: { jwk } and copies only public members plus alg', async () => {
    const jwk = { ...cnf, kid: 'wl-1', key_ops: ['verify'], ext: true, use: 'sig' }
    const token = await createWIT({ sub: SUB, cnf: { jwk } }, { signer: iss.signer, clock })
    expect(decodeWIT(token).claims.cnf.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: cnf.x, y: cnf.y, kid: 'wl-1', alg: 'ES256' })
  })

  it.each([
    ['ES256', 'ES256'],
    ['ES384', 'ES384'],
    ['ES512', 'ES512'],
    ['EdDSA', 'EdDSA'],
  ] as const)('infers cnf.jwk.alg for a %s key without alg', async (alg, expected) => {
    const { alg: _drop, ...jwk } = await workloadJwk(alg)
    const token = await createWIT({ sub: SUB, publicJwk: jwk as PublicJWK }, { signer: iss.signer, clock })
    expect(decodeWIT(token).claims.cnf.jwk.alg).toBe(expected)
  })

  it('keeps an explicit alg (Ed25519, PS256) and refuses an RSA key without one', async () => {
    const ed = await workloadJwk('Ed25519')
    expect(decodeWIT(await createWIT({ sub: SUB, publicJwk: ed }, { signer: iss.signer, clock })).claims.cnf.jwk.alg).toBe('Ed25519')
    const rsa = await workloadJwk('PS256')
    expect(decodeWIT(await createWIT({ sub: SUB, publicJwk: rsa }, { signer: iss.signer, clock })).claims.cnf.jwk.alg).toBe('PS256')
    const { alg: _drop, ...bare } = rsa
    await argError(() => createWIT({ sub: SUB, publicJwk: bare as PublicJWK }, { signer: iss.signer }))
  })

  it('refuses private, malformed or mismatched cnf keys', async () => {
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, d: 'AAAA' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, alg: 'HS256' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, alg: 'none' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, alg: 'EdDSA' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, x: 'AAAA' } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: { ...cnf, kid: 5 as unknown as string } }, { signer: iss.signer }), 'ERR_INVALID_ARG_TYPE')
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, cnf: { jwk: cnf } }, { signer: iss.signer }))
    await argError(() => createWIT({ sub: SUB } as never, { signer: iss.signer }))
  })

  it('refuses a sub that is not a workload identifier', async () => {
    for (const sub of ['', 'not a uri', 'wimse://example.org/a?q', 'wimse://u@example.org/a', 'https://example.org:443/a']) {
      await expect(createWIT({ sub, publicJwk: cnf }, { signer: iss.signer }), sub).rejects.toMatchObject({ name: 'TypeError' })
    }
    await argError(() => createWIT({ sub: 7 as unknown as string, publicJwk: cnf }, { signer: iss.signer }), 'ERR_INVALID_ARG_TYPE')
  })

  it('refuses bad times: NaN, Infinity, zero or negative lifetimes, exp with lifetime, exp before iat', async () => {
    for (const lifetime of [Number.NaN, Number.POSITIVE_INFINITY, 0, -5, 1.5, 400 * 86_400]) {
      await argError(() => createWIT({ sub: SUB, publicJwk: cnf, lifetime }, { signer: iss.signer }))
      await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, lifetime }))
    }
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, exp: NOW + 10, lifetime: 10 }, { signer: iss.signer, clock }))
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, exp: NOW }, { signer: iss.signer, clock }))
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, exp: Number.NaN }, { signer: iss.signer, clock }))
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, iat: -1 }, { signer: iss.signer, clock }))
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, nbf: Number.POSITIVE_INFINITY }, { signer: iss.signer, clock }))
  })

  it('adds extra claims but never aud or a registered claim', async () => {
    const token = await createWIT({ sub: SUB, publicJwk: cnf, nbf: NOW, extra: { 'example.org/tier': 'gold' } }, { signer: iss.signer, clock })
    expect(decodeWIT(token).claims).toMatchObject({ 'example.org/tier': 'gold', nbf: NOW, sub: SUB })
    for (const name of ['aud', 'sub', 'exp', 'cnf', 'iss', 'jti', 'iat', 'nbf']) {
      await argError(() => createWIT({ sub: SUB, publicJwk: cnf, extra: { [name]: 'x' } }, { signer: iss.signer }))
    }
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf, extra: [] as never }, { signer: iss.signer }), 'ERR_INVALID_ARG_TYPE')
  })

  it('refuses a broken signer', async () => {
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: undefined as unknown as Signer }), 'ERR_INVALID_ARG_TYPE')
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: { ...iss.signer, alg: 'HS256' } as unknown as Signer }))
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: { alg: 'ES256', publicJwk: iss.signer.publicJwk } as unknown as Signer }), 'ERR_INVALID_ARG_TYPE')
    await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, profile: 'x' as never }))
  })

  describe('spiffe profile (WIT-SVID)', () => {
    const sub = 'spiffe://example.org/ns/prod/sa/api'

    it('mints a WIT-SVID that verifies in the spiffe profile', async () => {
      const token = await createWIT({ sub, publicJwk: cnf }, { signer: iss.signer, clock, profile: 'spiffe' })
      const wit = await verifyWIT(token, { trustBundles: bundlesFor([TD, [{ ...iss.jwk, use: 'wit-svid' }]]), clock, profile: 'spiffe' })
      expect(wit.id).toBe(sub)
    })

    it('refuses a non-SPIFFE sub, a signer without kid, EdDSA issuers and EdDSA cnf keys', async () => {
      await argError(() => createWIT({ sub: SUB, publicJwk: cnf }, { signer: iss.signer, profile: 'spiffe' }))
      const noKid = await generateSigner('ES256')
      await argError(() => createWIT({ sub, publicJwk: cnf }, { signer: noKid, profile: 'spiffe' }))
      const ed = await generateSigner('EdDSA', { kid: 'e' })
      await argError(() => createWIT({ sub, publicJwk: cnf }, { signer: ed, profile: 'spiffe' }))
      const edKey = await workloadJwk('EdDSA')
      await argError(() => createWIT({ sub, publicJwk: edKey }, { signer: iss.signer, profile: 'spiffe' }))
    })
  })
})
