import { beforeAll, describe, expect, it } from 'vitest'
import { errorResponse } from '../../../src/server/index.js'
import type { TrustBundle, TrustBundleSource } from '../../../src/bundle/index.js'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import type { PublicJWK } from '../../../src/signer/index.js'
import { createWIT, createWITVerifier, verifyWIT, type VerifyWITOptions } from '../../../src/wit/index.js'
import { baseClaims, baseHeader, bundlesFor, clockAt, forge, issuer, NOW, SUB, TD, workloadJwk, type TestIssuer } from '../../helpers/wit.js'

let iss: TestIssuer
let cnf: PublicJWK
let token: string
let trustBundles: TrustBundleSource
const clock = clockAt(NOW)

beforeAll(async () => {
  iss = await issuer('ES256', 'k1')
  cnf = await workloadJwk('EdDSA')
  trustBundles = bundlesFor([TD, [iss.jwk]])
  token = await createWIT({ sub: SUB, publicJwk: cnf, iss: 'https://id.example.org' }, { signer: iss.signer, clock })
})

const typed = (typ: unknown) => forge(baseHeader(iss.signer, { typ }), baseClaims(cnf), iss.signer)

describe('verifyWIT', () => {
  it('returns a deeply frozen VerifiedWIT', async () => {
    const wit = await verifyWIT(token, { trustBundles, clock })
    expect(wit).toMatchObject({ token, id: SUB, trustDomain: TD, proofAlgorithm: 'EdDSA', issuerKid: 'k1' })
    expect(wit.key).toEqual({ kty: 'OKP', crv: 'Ed25519', x: cnf.x, alg: 'EdDSA' })
    expect(wit.key).toBe(wit.claims.cnf.jwk)
    for (const o of [wit, wit.header, wit.claims, wit.claims.cnf, wit.key]) expect(Object.isFrozen(o)).toBe(true)
    expect(() => {
      ;(wit.claims as { sub: string }).sub = 'wimse://example.org/admin'
    }).toThrow(TypeError)
  })

  it.each([
    ['wit+jwt', false],
    ['WIT+JWT', false],
    ['application/wit+jwt', false],
    ['Application/WIT+jwt', false],
    ['wimse-id+jwt', true],
    ['application/wimse-id+jwt', true],
  ] as const)('accepts typ %s (legacy: %s)', async (typ, legacy) => {
    await expect(verifyWIT(await typed(typ), { trustBundles, clock })).resolves.toMatchObject({ id: SUB, legacy })
  })

  it('accepts unknown claims and ignores them (§5.1.2)', async () => {
    const t = await forge(baseHeader(iss.signer), baseClaims(cnf, { 'example.org/tier': 'gold', aud: 'ignored-in-wimse-profile' }), iss.signer)
    const wit = await verifyWIT(t, { trustBundles, clock })
    expect(wit.claims['example.org/tier']).toBe('gold')
  })

  it('enforces issuer allow-lists from options and from the bundle (both when both are set)', async () => {
    await expect(verifyWIT(token, { trustBundles, clock, issuers: ['https://id.example.org'] })).resolves.toBeDefined()
    const withIssuers = bundlesFor([TD, { keys: [iss.jwk], issuers: ['https://id.example.org'] }])
    await expect(verifyWIT(token, { trustBundles: withIssuers, clock })).resolves.toBeDefined()
    await expect(verifyWIT(token, { trustBundles: withIssuers, clock, issuers: ['https://other.example'] })).rejects.toMatchObject({ code: 'ERR_WIT_INVALID', claim: 'iss' })
  })

  it('asks a refreshable source again once when the kid is unknown (key rotation)', async () => {
    const rotated = await issuer('ES256', 'k2')
    const t = await createWIT({ sub: SUB, publicJwk: cnf }, { signer: rotated.signer, clock })
    let refreshes = 0
    const source: TrustBundleSource = {
      getBundle: async (td) => ({ trustDomain: td, keys: [iss.jwk] }),
      refresh: async (td) => {
        refreshes++
        return { trustDomain: td, keys: [iss.jwk, rotated.jwk] }
      },
    }
    await expect(verifyWIT(t, { trustBundles: source, clock })).resolves.toMatchObject({ issuerKid: 'k2' })
    expect(refreshes).toBe(1)
    // Still unknown after the refresh: ERR_KEY_NOT_FOUND, one refresh only.
    const stray = await issuer('ES256', 'k3')
    const t3 = await createWIT({ sub: SUB, publicJwk: cnf }, { signer: stray.signer, clock })
    await expect(verifyWIT(t3, { trustBundles: source, clock })).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
    expect(refreshes).toBe(2)
  })

  it('refuses a bundle that a source returns for another trust domain', async () => {
    const liar: TrustBundleSource = { getBundle: async () => ({ trustDomain: 'other.example', keys: [iss.jwk] }) }
    await expect(verifyWIT(token, { trustBundles: liar, clock })).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })

  it('propagates a failing source (fails closed) and passes the signal', async () => {
    const controller = new AbortController()
    let seen: AbortSignal | undefined
    const down: TrustBundleSource = {
      getBundle: async (_td, o) => {
        seen = o?.signal
        throw new ProtocolError('ERR_BUNDLE_FETCH', 'jwks down')
      },
    }
    await expect(verifyWIT(token, { trustBundles: down, clock, signal: controller.signal })).rejects.toBeInstanceOf(ProtocolError)
    expect(seen).toBe(controller.signal)
  })

  it('turns a custom source failing with a plain error into ProtocolError ERR_BUNDLE_FETCH (503), keeping the cause', async () => {
    const boom = new Error('bundle database down')
    const down: TrustBundleSource = { getBundle: async () => { throw boom } }
    const err = await verifyWIT(token, { trustBundles: down, clock }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_BUNDLE_FETCH', cause: boom })
    expect(errorResponse(err).status).toBe(503)
    const refreshing: TrustBundleSource = { getBundle: async (td) => ({ trustDomain: td, keys: [] }), refresh: () => { throw new TypeError('oops') } }
    const stray = await issuer('ES256', 'k9')
    const t = await createWIT({ sub: SUB, publicJwk: cnf }, { signer: stray.signer, clock })
    await expect(verifyWIT(t, { trustBundles: refreshing, clock })).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('selects wit-svid keys in the spiffe profile (WIT-SVID §6)', async () => {
    const sub = 'spiffe://example.org/ns/prod/sa/api'
    const svid = await createWIT({ sub, publicJwk: await workloadJwk('ES256') }, { signer: iss.signer, clock, profile: 'spiffe' })
    const jwtSvidOnly = bundlesFor([TD, [{ ...iss.jwk, use: 'jwt-svid' }]])
    await expect(verifyWIT(svid, { trustBundles: jwtSvidOnly, clock, profile: 'spiffe' })).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
    const witSvid = bundlesFor([TD, [{ ...iss.jwk, use: 'wit-svid' }]])
    await expect(verifyWIT(svid, { trustBundles: witSvid, clock, profile: 'spiffe' })).resolves.toMatchObject({ id: sub })
    await expect(verifyWIT(svid, { trustBundles: jwtSvidOnly, clock, profile: 'spiffe', keyUse: 'jwt-svid' })).resolves.toMatchObject({ id: sub })
  })

  it('does one signature verification and imports the issuer key once across calls', async () => {
    const counts = { verify: 0, importKey: 0 }
    const subtle = globalThis.crypto.subtle
    const counting = {
      getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
      subtle: {
        verify: (...a: Parameters<SubtleCrypto['verify']>) => (counts.verify++, subtle.verify(...a)),
        importKey: (...a: Parameters<SubtleCrypto['importKey']>) => (counts.importKey++, subtle.importKey(...(a as [never, never, never, never, never]))),
      },
    } as unknown as Crypto
    const verify = createWITVerifier({ trustBundles, clock, crypto: counting })
    await verify(token)
    await verify(token)
    await verify(token)
    expect(counts).toEqual({ verify: 3, importKey: 1 })
  })
})

describe('options are validated eagerly', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['no trustBundles', { trustBundles: undefined }, 'ERR_INVALID_ARG_TYPE'],
    ['trustBundles without getBundle', { trustBundles: {} }, 'ERR_INVALID_ARG_TYPE'],
    ['refresh not a function', { trustBundles: { getBundle: async () => undefined, refresh: 1 } }, 'ERR_INVALID_ARG_TYPE'],
    ['empty algorithms', { algorithms: [] }, 'ERR_INVALID_ARG_VALUE'],
    ['algorithms not an array', { algorithms: 'ES256' }, 'ERR_INVALID_ARG_TYPE'],
    ['algorithms with none', { algorithms: ['ES256', 'none'] }, 'ERR_INVALID_ARG_VALUE'],
    ['algorithms with HS256', { algorithms: ['HS256'] }, 'ERR_INVALID_ARG_VALUE'],
    ['empty proofAlgorithms', { proofAlgorithms: [] }, 'ERR_INVALID_ARG_VALUE'],
    ['EdDSA in the spiffe profile', { profile: 'spiffe', algorithms: ['EdDSA'] }, 'ERR_INVALID_ARG_VALUE'],
    ['EdDSA proof keys in the spiffe profile', { profile: 'spiffe', proofAlgorithms: ['ES256', 'EdDSA'] }, 'ERR_INVALID_ARG_VALUE'],
    ['unknown profile', { profile: 'oidc' }, 'ERR_INVALID_ARG_VALUE'],
    ['NaN clockTolerance', { clockTolerance: Number.NaN }, 'ERR_INVALID_ARG_VALUE'],
    ['Infinity clockTolerance', { clockTolerance: Number.POSITIVE_INFINITY }, 'ERR_INVALID_ARG_VALUE'],
    ['negative clockTolerance', { clockTolerance: -1 }, 'ERR_INVALID_ARG_VALUE'],
    ['huge clockTolerance', { clockTolerance: 3600 }, 'ERR_INVALID_ARG_VALUE'],
    ['string clockTolerance', { clockTolerance: '30' }, 'ERR_INVALID_ARG_TYPE'],
    ['Infinity maxLifetime', { maxLifetime: Number.POSITIVE_INFINITY }, 'ERR_INVALID_ARG_VALUE'],
    ['zero maxLifetime', { maxLifetime: 0 }, 'ERR_INVALID_ARG_VALUE'],
    ['NaN maxTokenLength', { maxTokenLength: Number.NaN }, 'ERR_INVALID_ARG_VALUE'],
    ['empty issuers', { issuers: [] }, 'ERR_INVALID_ARG_VALUE'],
    ['issuers with an empty string', { issuers: [''] }, 'ERR_INVALID_ARG_VALUE'],
    ['clock not a function', { clock: 5 }, 'ERR_INVALID_ARG_TYPE'],
    ['empty keyUse', { keyUse: '' }, 'ERR_INVALID_ARG_VALUE'],
    ['crypto without subtle', { crypto: {} }, 'ERR_INVALID_ARG_TYPE'],
    ['acceptLegacyTyp not a boolean', { acceptLegacyTyp: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
  ]

  it.each(bad)('%s', async (_name, patch, code) => {
    const options = { trustBundles, clock, ...patch } as unknown as VerifyWITOptions
    expect(() => createWITVerifier(options)).toThrow(expect.objectContaining({ name: 'TypeError', code }))
    await expect(verifyWIT(token, options)).rejects.toMatchObject({ name: 'TypeError', code })
  })

  it('options must be an object', async () => {
    await expect(verifyWIT(token, undefined as unknown as VerifyWITOptions)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('a verifier keeps its own copy of the allow-lists', async () => {
    const algorithms: string[] = ['ES384']
    const verify = createWITVerifier({ trustBundles, clock, algorithms: algorithms as never })
    algorithms.push('ES256')
    await expect(verify(token)).rejects.toBeInstanceOf(VerificationError)
  })

  it('a source that answers undefined for every domain trusts nothing', async () => {
    const none: TrustBundleSource = { getBundle: async (): Promise<TrustBundle | undefined> => undefined }
    await expect(verifyWIT(token, { trustBundles: none, clock })).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })
})
