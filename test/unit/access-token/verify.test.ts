import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  createAccessTokenVerifier,
  delegationChain,
  verifyAccessToken,
  verifyAuthorizationHeader,
  verifyDelegation,
  MAX_ACT_NESTING,
} from '../../../src/access-token/index.js'
import { VerificationError } from '../../../src/errors/index.js'
import { jwkThumbprint } from '../../../src/signer/thumbprint.js'
import { createAccessToken } from '../../../src/token-service/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

const ISS = 'https://as.example.com'
const RS = 'https://api.example.com'

async function setup() {
  const signer = await oauthTestSigner('ES256', 'as-1')
  const clock = testClock()
  const base = { iss: ISS, sub: 'alice', aud: RS, client_id: 'agent', scope: 'read write' }
  const mint = (claims: Record<string, unknown> = {}, lifetime = 300) => createAccessToken({ ...base, ...claims } as never, { signer, lifetime, clock: clock.now })
  const options = { issuer: ISS, audience: RS, keys: { keys: [signer.jwk] }, clock: clock.now }
  return { signer, clock, mint, options }
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(VerificationError)
  return (err as VerificationError).code
}

describe('verifyAccessToken (RFC 9068 §4)', () => {
  it('accepts a valid token and returns a frozen result', async () => {
    const { mint, options } = await setup()
    const t = await verifyAccessToken(await mint(), { ...options, requiredScopes: ['read'] })
    expect(t).toMatchObject({ issuer: ISS, subject: 'alice', clientId: 'agent', audience: [RS], scopes: ['read', 'write'], actors: [] })
    expect(Object.isFrozen(t)).toBe(true)
    expect(Object.isFrozen(t.claims)).toBe(true)
  })

  it('refuses each broken property with its code', async () => {
    const { signer, clock, mint, options } = await setup()
    expect(await code(verifyAccessToken(await mint(), { ...options, issuer: 'https://other' }))).toBe('ERR_ACCESS_TOKEN_INVALID')
    expect(await code(verifyAccessToken(await mint(), { ...options, audience: 'https://other' }))).toBe('ERR_ACCESS_TOKEN_INVALID')
    const expiring = await mint({}, 60)
    clock.advance(60)
    expect(await code(verifyAccessToken(expiring, options))).toBe('ERR_TOKEN_EXPIRED')
    expect(await code(verifyAccessToken(await mint(), { ...options, requiredScopes: ['admin'] }))).toBe('ERR_INSUFFICIENT_SCOPE')
    expect(await code(verifyAccessToken(await mint(), { ...options, algorithms: ['RS256'] }))).toBe('ERR_ALG_NOT_ALLOWED')
    const wrongTyp = await new SignJWT({ sub: 'a', client_id: 'c', jti: 'j' }).setProtectedHeader({ alg: 'ES256', kid: 'as-1', typ: 'JWT' }).setIssuer(ISS).setAudience(RS).setIssuedAt(clock.seconds()).setExpirationTime(clock.seconds() + 60).sign(signer.privateKey)
    expect(await code(verifyAccessToken(wrongTyp, options))).toBe('ERR_TYP_INVALID')
    const noClient = await new SignJWT({ sub: 'a', jti: 'j' }).setProtectedHeader({ alg: 'ES256', kid: 'as-1', typ: 'at+jwt' }).setIssuer(ISS).setAudience(RS).setIssuedAt(clock.seconds()).setExpirationTime(clock.seconds() + 60).sign(signer.privateKey)
    expect(await code(verifyAccessToken(noClient, options))).toBe('ERR_ACCESS_TOKEN_INVALID')
    const other = await oauthTestSigner('ES256', 'as-1')
    const forged = await createAccessToken({ iss: ISS, sub: 'a', aud: RS, client_id: 'c' }, { signer: other, clock: clock.now })
    expect(await code(verifyAccessToken(forged, options))).toBe('ERR_ACCESS_TOKEN_INVALID')
    expect(await code(verifyAccessToken(await mint(), { ...options, keys: { keys: [] } }))).toBe('ERR_KEY_NOT_FOUND')
    const t = await mint()
    expect(await code(verifyAccessToken(`${t.slice(0, -2)}AA`, options))).toBe('ERR_ACCESS_TOKEN_INVALID')
    expect(await code(verifyAccessToken('x'.repeat(20_000), options))).toBe('ERR_INPUT_TOO_LARGE')
    const err = await verifyAccessToken(await mint(), { ...options, issuer: 'https://other' }).then(() => { throw new Error('expected a refusal') }, (e: VerificationError) => e)
    expect(err.status).toBe(401)
    expect(err.challenge).toEqual({ error: 'invalid_token' })
  })

  it('enforces cnf.jkt binding', async () => {
    const { mint, options } = await setup()
    const caller = await oauthTestSigner('ES256')
    const jkt = await jwkThumbprint(caller.jwk)
    const bound = await mint({ cnf: { jkt } })
    expect((await verifyAccessToken(bound, { ...options, confirmation: { jwk: caller.jwk } })).confirmation).toEqual({ jkt })
    expect(await code(verifyAccessToken(bound, options))).toBe('ERR_CONFIRMATION_MISMATCH')
    const other = await oauthTestSigner('ES256')
    expect(await code(verifyAccessToken(bound, { ...options, confirmation: { jwk: other.jwk } }))).toBe('ERR_CONFIRMATION_MISMATCH')
    expect(await code(verifyAccessToken(await mint({ cnf: { 'x5t#S256': 'abc' } }), { ...options, confirmation: { jkt } }))).toBe('ERR_CONFIRMATION_MISMATCH')
  })

  it('validates options eagerly', async () => {
    const { options } = await setup()
    expect(() => createAccessTokenVerifier({ ...options, issuer: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createAccessTokenVerifier({ ...options, clockTolerance: Number.NaN })).toThrow(TypeError)
    expect(() => createAccessTokenVerifier({ ...options, keys: 'jwks' as never })).toThrow(TypeError)
    expect(() => createAccessTokenVerifier({ ...options, algorithms: ['HS256' as never] })).toThrow(TypeError)
    expect(() => createAccessTokenVerifier({ ...options, requiredScopes: ['a b'] })).toThrow(TypeError)
  })

  it('accepts a key resolver returning a CryptoKey or JWKS', async () => {
    const { signer, mint, options } = await setup()
    const resolver = async () => signer.publicKey
    const t = await verifyAccessToken(await mint(), { ...options, keys: resolver })
    expect(t.subject).toBe('alice')
    expect((await verifyAccessToken(await mint(), { ...options, keys: async () => ({ keys: [signer.jwk] }) })).subject).toBe('alice')
    expect(await code(verifyAccessToken(await mint(), { ...options, keys: async () => { throw new Error('down') } }))).toBe('ERR_KEY_NOT_FOUND')
  })
})

describe('Authorization header', () => {
  it('parses Bearer credentials and reports RFC 6750 challenges', async () => {
    const { mint, options } = await setup()
    const token = await mint()
    expect((await verifyAuthorizationHeader(`Bearer ${token}`, options)).subject).toBe('alice')
    expect((await verifyAuthorizationHeader(`bearer  ${token}`, options)).subject).toBe('alice')
    const missing = await verifyAuthorizationHeader(null, options).then(() => { throw new Error('expected a refusal') }, (e: VerificationError) => e)
    expect(missing).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 401, challenge: {} })
    const basic = await verifyAuthorizationHeader('Basic dXNlcjpwYXNz', options).then(() => { throw new Error('expected a refusal') }, (e: VerificationError) => e)
    expect(basic.challenge).toEqual({})
    const malformed = await verifyAuthorizationHeader('Bearer a b', options).then(() => { throw new Error('expected a refusal') }, (e: VerificationError) => e)
    expect(malformed.challenge).toEqual({ error: 'invalid_request' })
  })
})

describe('delegation chain', () => {
  it('orders actors current first and validates structure', () => {
    const chain = delegationChain({ sub: 'alice', act: { sub: 'spiffe://a.example/c', act: { sub: 'spiffe://a.example/b', exp: 1, act: { sub: 'spiffe://b.example/a' } } } })
    expect(chain.map((a) => a.sub)).toEqual(['spiffe://a.example/c', 'spiffe://a.example/b', 'spiffe://b.example/a'])
    expect(chain.map((a) => a.trustDomain)).toEqual(['a.example', 'a.example', 'b.example'])
    expect(delegationChain({ sub: 'x' })).toEqual([])
    expect(() => delegationChain({ act: 'x' })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_INVALID' }))
    expect(() => delegationChain({ act: { iss: 'x' } })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_INVALID' }))
    let deep: Record<string, unknown> = { sub: 'last' }
    for (let i = 0; i < MAX_ACT_NESTING + 1; i++) deep = { sub: `a${i}`, act: deep }
    expect(() => delegationChain({ act: deep })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_INVALID' }))
  })

  it('verifyDelegation: depth, cycles, per-hop actors, trust domains', () => {
    const chain = delegationChain({ act: { sub: 'spiffe://a.example/c', act: { sub: 'spiffe://a.example/b' } } })
    verifyDelegation(chain, { maxDepth: 2, allowedActors: ['spiffe://a.example/c', ['spiffe://a.example/b']], allowedTrustDomains: ['a.example'] })
    expect(() => verifyDelegation(chain, { maxDepth: 1 })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_DEPTH' }))
    expect(() => verifyDelegation(chain, { allowedActors: ['spiffe://a.example/c'] })).toThrow(expect.objectContaining({ code: 'ERR_ACTOR_NOT_ALLOWED' }))
    expect(() => verifyDelegation(chain, { allowedActors: (a) => a.sub.endsWith('/c') })).toThrow(expect.objectContaining({ code: 'ERR_ACTOR_NOT_ALLOWED' }))
    expect(() => verifyDelegation(chain, { allowedTrustDomains: ['b.example'] })).toThrow(expect.objectContaining({ code: 'ERR_ACTOR_NOT_ALLOWED' }))
    const cyclic = delegationChain({ act: { sub: 'x', act: { sub: 'y', act: { sub: 'x' } } } })
    expect(() => verifyDelegation(cyclic, {})).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_CYCLE' }))
    expect(() => verifyDelegation([], { requireActor: true })).toThrow(expect.objectContaining({ code: 'ERR_ACTOR_NOT_ALLOWED' }))
    expect(() => verifyDelegation(chain, { maxDepth: -1 })).toThrow(TypeError)
  })

  it('the access token verifier applies the delegation policy', async () => {
    const { mint, options } = await setup()
    const t = await mint({ act: { sub: 'spiffe://a.example/agent', act: { sub: 'spiffe://b.example/agent' } } })
    expect((await verifyAccessToken(t, { ...options, delegation: { maxDepth: 2 } })).actors).toHaveLength(2)
    expect(await code(verifyAccessToken(t, { ...options, delegation: { allowedTrustDomains: ['a.example'] } }))).toBe('ERR_ACTOR_NOT_ALLOWED')
  })
})
