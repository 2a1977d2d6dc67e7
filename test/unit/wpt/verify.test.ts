import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { StoreError, VerificationError } from '../../../src/errors/index.js'
import { createCompactJWS, generateSigner, type Signer } from '../../../src/signer/index.js'
import { createWPT, verifyWPT, type VerifyWPTOptions } from '../../../src/wpt/index.js'
import { at, makeWorkload, testReplayCache, verifiedWITFromToken, type Workload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const URI = 'https://api.example.com/orders'
const ORIGIN = 'https://api.example.com'
const h = (s: string) => createHash('sha256').update(Buffer.from(s, 'ascii')).digest('base64url')

let shared: Workload | undefined
async function workload(): Promise<Workload> {
  shared ??= await makeWorkload({ now: NOW })
  return shared
}

async function setup(extra: Partial<VerifyWPTOptions> = {}) {
  const w = await workload()
  const replayCache = testReplayCache(at(NOW))
  const mint = (o: Record<string, unknown> = {}) => createWPT({ wit: w.wit, signer: w.signer, uri: URI, clock: at(NOW), ...o })
  const options = (o: Partial<VerifyWPTOptions> = {}): VerifyWPTOptions => ({ wit: w.verified, uri: URI, audience: ORIGIN, clock: at(NOW), replayCache, ...extra, ...o })
  const verify = (token: string, o: Partial<VerifyWPTOptions> = {}) => verifyWPT(token, options(o))
  /** Signs arbitrary header/claims with the workload key (for malformed proofs). */
  const raw = async (claims: Record<string, unknown>, header: Record<string, unknown> = { typ: 'wpt+jwt' }, signer: Signer = w.signer) =>
    createCompactJWS(header, { aud: URI, exp: NOW + 60, jti: 'j-' + Math.random(), wth: h(w.wit), ...claims }, signer)
  return { w, replayCache, mint, verify, raw, options }
}

async function rejects(p: Promise<unknown>, code: string, claim?: string): Promise<VerificationError> {
  const err = await p.then(
    () => { throw new Error('expected a rejection') },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerificationError)
  expect((err as VerificationError).code).toBe(code)
  if (claim !== undefined) expect((err as VerificationError).claim).toBe(claim)
  return err as VerificationError
}

describe('verifyWPT — accepted proofs', () => {
  it('verifies a fresh proof and returns a frozen result', async () => {
    const { mint, verify, w } = await setup()
    const proof = await verify(await mint())
    expect(proof.id).toBe(w.verified.id)
    expect(proof.audience).toBe(URI)
    expect(proof.wit).toBe(w.verified)
    expect(Object.isFrozen(proof)).toBe(true)
    expect(Object.isFrozen(proof.claims)).toBe(true)
    expect(Object.isFrozen(proof.header)).toBe(true)
  })

  it('accepts every binding when each token is passed', async () => {
    const { mint, verify } = await setup()
    const token = await mint({ accessToken: 'at', txnToken: 'txn', otherTokens: { 'X-Session': 's' }, method: 'POST' })
    const proof = await verify(token, { accessToken: 'at', txnToken: 'txn', otherTokens: { 'x-session': ' s ' }, method: 'POST', requireMethod: true })
    expect(proof.otherTokens).toEqual(['x-session'])
  })

  it('ignores the query of the request URI and accepts a normalised aud', async () => {
    const { raw, verify } = await setup()
    await verify(await raw({ aud: 'https://API.example.com:443/orders' }), { uri: URI + '?page=2#x' })
  })

  it('accepts an aud array that contains this service, and an exact configured alias', async () => {
    const { raw, verify } = await setup()
    await verify(await raw({ aud: ['https://other.example/x', URI] }))
    await verify(await raw({ aud: 'urn:example:orders' }), { audience: ['urn:example:orders'] })
  })

  it('compares aud with the request URI itself when no audience is configured', async () => {
    const { mint, verify } = await setup()
    await verify(await mint(), { audience: undefined })
  })

  it('accepts the legacy typ wimse-proof+jwt and application/ prefixes; flags legacy proofs', async () => {
    const { raw, verify } = await setup()
    expect((await verify(await raw({}, { typ: 'wimse-proof+jwt' }))).legacy).toBe(true)
    expect((await verify(await raw({}, { typ: 'application/WPT+JWT' }))).legacy).toBe(false)
    await rejects(verify(await raw({}, { typ: 'wimse-proof+jwt' }), { acceptLegacyTyp: false }), 'ERR_TYP_INVALID', 'typ')
  })

  it('accepts a legacy iss equal to the WIT subject', async () => {
    const { raw, verify, w } = await setup()
    await verify(await raw({ iss: w.verified.id }))
  })

  it('tolerates clock skew within clockTolerance', async () => {
    const { raw, verify } = await setup()
    await verify(await raw({ exp: NOW - 10 }), { clockTolerance: 30 })
  })
})

describe('verifyWPT — negative matrix', () => {
  it('1. bound to another WIT (same key) → ERR_WPT_BINDING_MISMATCH wth', async () => {
    const { verify, w } = await setup()
    const other = await makeWorkload({ now: NOW, sub: 'wimse://example.com/other' })
    // Another WIT for the same workload key (re-issued), proof minted for it.
    const reissued = await createCompactJWS({ typ: 'wit+jwt' }, { sub: w.verified.id, exp: NOW + 3600, cnf: { jwk: w.verified.key } }, other.signer)
    const token = await createWPT({ wit: reissued, signer: w.signer, uri: URI, clock: at(NOW) })
    await rejects(verify(token), 'ERR_WPT_BINDING_MISMATCH', 'wth')
  })

  it('2. bound to another access token → ath mismatch', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint({ accessToken: 'at-1' }), { accessToken: 'at-2' }), 'ERR_WPT_BINDING_MISMATCH', 'ath')
  })

  it('3. bound to another Txn-Token → tth mismatch', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint({ txnToken: 't1' }), { txnToken: 't2' }), 'ERR_WPT_BINDING_MISMATCH', 'tth')
  })

  it('4. Authorization present but no ath', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint(), { accessToken: 'at' }), 'ERR_WPT_BINDING_MISMATCH', 'ath')
  })

  it('5. ath present but the request carries no access token', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint({ accessToken: 'at' })), 'ERR_WPT_BINDING_MISMATCH', 'ath')
  })

  it('6. Txn-Token present but no tth, and tth without a Txn-Token', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint(), { txnToken: 'txn' }), 'ERR_WPT_BINDING_MISMATCH', 'tth')
    await rejects(verify(await mint({ txnToken: 'txn' })), 'ERR_WPT_BINDING_MISMATCH', 'tth')
  })

  it('7. an extra oth entry this service does not understand', async () => {
    const { mint, verify } = await setup()
    const token = await mint({ otherTokens: { 'x-session': 's', 'x-unknown': 'u' } })
    await rejects(verify(token, { otherTokens: { 'x-session': 's' } }), 'ERR_WPT_BINDING_MISMATCH', 'oth')
  })

  it('8. an oth hash for a different token value', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint({ otherTokens: { 'x-session': 's1' } }), { otherTokens: { 'X-Session': 's2' } }), 'ERR_WPT_BINDING_MISMATCH', 'oth')
  })

  it('9. another token in the request that oth does not cover', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint(), { otherTokens: { 'x-session': 's' } }), 'ERR_WPT_BINDING_MISMATCH', 'oth')
  })

  it('10. wrong aud (other service, other path)', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ aud: 'https://other.example.com/orders' })), 'ERR_WPT_AUDIENCE', 'aud')
    await rejects(verify(await raw({ aud: 'https://api.example.com/admin' })), 'ERR_WPT_AUDIENCE', 'aud')
  })

  it('11. aud from the Host header trick: the request URL says evil.example, the configured origin wins', async () => {
    const { raw, verify } = await setup()
    // A proof minted for another service, replayed here with `Host: evil.example` so request.url matches its aud.
    const forEvil = await raw({ aud: 'https://evil.example/orders' })
    await rejects(verify(forEvil, { uri: 'https://evil.example/orders' }), 'ERR_WPT_AUDIENCE', 'aud')
    // The genuine proof still passes on that request: only the path of the request URL is used.
    await verify(await raw({ aud: URI }), { uri: 'https://evil.example/orders' })
  })

  it('12. aud carrying a query or fragment', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ aud: URI + '?a=1' })), 'ERR_WPT_AUDIENCE')
    await rejects(verify(await raw({ aud: URI + '#f' })), 'ERR_WPT_AUDIENCE')
  })

  it('13. expired (beyond clockTolerance)', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ exp: NOW - 31 })), 'ERR_TOKEN_EXPIRED', 'exp')
    await rejects(verify(await raw({ exp: NOW }), { clockTolerance: 0 }), 'ERR_TOKEN_EXPIRED', 'exp')
  })

  it('14. exp unreasonably far in the future', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ exp: NOW + 3600 })), 'ERR_TOKEN_LIFETIME', 'exp')
    await rejects(verify(await raw({ exp: NOW + 120 }), { maxLifetime: 60, clockTolerance: 0 }), 'ERR_TOKEN_LIFETIME')
  })

  it('15. replayed jti (per sender), while another sender may reuse the value', async () => {
    const { raw, verify, replayCache } = await setup()
    const token = await raw({ jti: 'same' })
    await verify(token)
    await rejects(verify(token), 'ERR_PROOF_REPLAYED', 'jti')
    const other = await makeWorkload({ now: NOW, sub: 'wimse://example.com/b' })
    const otherToken = await createCompactJWS({ typ: 'wpt+jwt' }, { aud: URI, exp: NOW + 60, jti: 'same', wth: h(other.wit) }, other.signer)
    await verifyWPT(otherToken, { wit: other.verified, uri: URI, clock: at(NOW), replayCache })
    expect([...replayCache.keys.keys()]).toEqual(['wpt:26:wimse://example.com/caller:same', 'wpt:21:wimse://example.com/b:same'])
    expect(replayCache.keys.get('wpt:26:wimse://example.com/caller:same')).toBe(NOW + 60 + 30)
  })

  it('16. alg different from cnf.jwk.alg (another key type)', async () => {
    const { raw, verify } = await setup()
    const es = await generateSigner('ES256')
    await rejects(verify(await raw({}, { typ: 'wpt+jwt' }, es)), 'ERR_ALG_NOT_ALLOWED', 'alg')
  })

  it('17. alg must string-equal cnf.jwk.alg: Ed25519 is refused for an EdDSA WIT', async () => {
    const { raw, verify } = await setup()
    const ed = await generateSigner('Ed25519')
    await rejects(verify(await raw({}, { typ: 'wpt+jwt' }, ed)), 'ERR_ALG_NOT_ALLOWED', 'alg')
  })

  it('18. typ wrong or missing', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({}, { typ: 'JWT' })), 'ERR_TYP_INVALID', 'typ')
    await rejects(verify(await raw({}, { typ: 'wit+jwt' })), 'ERR_TYP_INVALID')
    await rejects(verify(await raw({}, {})), 'ERR_TYP_INVALID')
  })

  it('19. signature by another key with the same alg, and a tampered payload', async () => {
    const { raw, verify, mint } = await setup()
    const stranger = await generateSigner('EdDSA')
    await rejects(verify(await raw({}, { typ: 'wpt+jwt' }, stranger)), 'ERR_WPT_SIGNATURE')
    const [hd, , sig] = (await mint()).split('.')
    const forged = Buffer.from(JSON.stringify({ aud: URI, exp: NOW + 60, jti: 'x', wth: 'y' })).toString('base64url')
    await rejects(verify(`${hd}.${forged}.${sig}`), 'ERR_WPT_SIGNATURE')
  })

  it('20. alg none and HS256 are refused before any key is used', async () => {
    const { verify, w } = await setup()
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const body = enc({ aud: URI, exp: NOW + 60, jti: 'n', wth: h(w.wit) })
    await rejects(verify(`${enc({ alg: 'none', typ: 'wpt+jwt' })}.${body}.AAAA`), 'ERR_ALG_NOT_ALLOWED')
    await rejects(verify(`${enc({ alg: 'HS256', typ: 'wpt+jwt' })}.${body}.AAAA`), 'ERR_ALG_NOT_ALLOWED')
  })

  it('21. required claims missing or mistyped', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ jti: undefined })), 'ERR_WPT_INVALID', 'jti')
    await rejects(verify(await raw({ exp: undefined })), 'ERR_WPT_INVALID', 'exp')
    await rejects(verify(await raw({ exp: '1800000060' })), 'ERR_WPT_INVALID', 'exp')
    await rejects(verify(await raw({ aud: undefined })), 'ERR_WPT_INVALID', 'aud')
    await rejects(verify(await raw({ aud: 7 })), 'ERR_WPT_INVALID', 'aud')
    await rejects(verify(await raw({ wth: undefined })), 'ERR_WPT_BINDING_MISMATCH', 'wth')
    await rejects(verify(await raw({ wth: 'short' })), 'ERR_WPT_INVALID', 'wth')
    await rejects(verify(await raw({ oth: ['x'] })), 'ERR_WPT_INVALID', 'oth')
    await rejects(verify(await raw({ oth: {} })), 'ERR_WPT_INVALID', 'oth')
    await rejects(verify(await raw({ oth: { 'x-a': 5 } }), { otherTokens: { 'x-a': 'v' } }), 'ERR_WPT_INVALID', 'oth')
    await rejects(verify(await raw({ jti: 'j'.repeat(257) })), 'ERR_WPT_INVALID', 'jti')
  })

  it('22. malformed, oversized and crit tokens', async () => {
    const { raw, verify } = await setup()
    await rejects(verify('a.b'), 'ERR_WPT_INVALID')
    await rejects(verify(42 as never), 'ERR_WPT_INVALID')
    await rejects(verify('x'.repeat(9000)), 'ERR_INPUT_TOO_LARGE')
    await rejects(verify(await raw({}, { typ: 'wpt+jwt', crit: ['exp'] })), 'ERR_WPT_INVALID')
  })

  it('23. method binding: htm mismatch, and requireMethod without htm', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint({ method: 'GET' }), { method: 'DELETE' }), 'ERR_WPT_BINDING_MISMATCH', 'htm')
    await rejects(verify(await mint(), { method: 'GET', requireMethod: true }), 'ERR_WPT_BINDING_MISMATCH', 'htm')
  })

  it('24. legacy iss naming another workload', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ iss: 'wimse://example.com/mallory' })), 'ERR_WPT_INVALID', 'iss')
  })

  it('25. nbf in the future', async () => {
    const { raw, verify } = await setup()
    await rejects(verify(await raw({ nbf: NOW + 100 })), 'ERR_TOKEN_NOT_YET_VALID', 'nbf')
  })

  it('26. a cached VerifiedWIT that has expired since', async () => {
    const w = await makeWorkload({ now: NOW - 7200, lifetime: 3600 })
    const token = await createCompactJWS({ typ: 'wpt+jwt' }, { aud: URI, exp: NOW + 60, jti: 'a', wth: h(w.wit) }, w.signer)
    await rejects(verifyWPT(token, { wit: w.verified, uri: URI, clock: at(NOW) }), 'ERR_WIT_EXPIRED')
  })

  it('27. non-ASCII or oversized token passed from a request header', async () => {
    const { mint, verify } = await setup()
    await rejects(verify(await mint(), { accessToken: 'tök' }), 'ERR_HEADER_INVALID')
    await rejects(verify(await mint(), { txnToken: 'x'.repeat(20_000) }), 'ERR_HEADER_INVALID')
  })
})

describe('verifyWPT — replay cache and ordering', () => {
  it('does not burn the jti of a proof rejected for another reason', async () => {
    const { raw, verify, replayCache } = await setup()
    const token = await raw({ jti: 'keep' })
    await rejects(verify(token, { accessToken: 'unbound' }), 'ERR_WPT_BINDING_MISMATCH')
    expect(replayCache.keys.size).toBe(0)
    await verify(token)
  })

  it('checks the signature before the claims (a forged proof reports ERR_WPT_SIGNATURE, not the claim)', async () => {
    const { raw, verify } = await setup()
    const stranger = await generateSigner('EdDSA')
    await rejects(verify(await raw({ exp: NOW - 1000, aud: 'x' }, { typ: 'JWT' }, stranger)), 'ERR_WPT_SIGNATURE')
  })

  it('fails closed with a StoreError when the replay cache fails', async () => {
    const { mint, verify } = await setup()
    const broken = { claim: () => Promise.reject(new Error('redis down')) }
    const err = await verify(await mint(), { replayCache: broken }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe('ERR_STORE_UNAVAILABLE')
    const full = { claim: () => Promise.reject(new StoreError('ERR_STORE_FULL', 'full')) }
    await expect(verify(await mint(), { replayCache: full })).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
    const weird = { claim: () => Promise.resolve('yes' as unknown as boolean) }
    await rejects(verify(await mint(), { replayCache: weird }), 'ERR_PROOF_REPLAYED')
  })

  it('hashes the WIT once per VerifiedWIT object', async () => {
    const { mint, options } = await setup()
    let digests = 0
    const counting = {
      getRandomValues: crypto.getRandomValues.bind(crypto),
      subtle: new Proxy(crypto.subtle, {
        get(target, prop) {
          const v = Reflect.get(target, prop, target) as unknown
          if (prop === 'digest') return (...args: unknown[]) => (digests++, (v as (...a: unknown[]) => unknown).apply(target, args))
          return typeof v === 'function' ? v.bind(target) : v
        },
      }),
    } as unknown as Crypto
    const fresh = verifiedWITFromToken((await workload()).wit)
    await verifyWPT(await mint(), options({ wit: fresh, crypto: counting }))
    await verifyWPT(await mint(), options({ wit: fresh, crypto: counting }))
    expect(digests).toBe(1)
  })
})

describe('verifyWPT — options', () => {
  it.each([
    ['missing wit', { wit: undefined }],
    ['wit not a VerifiedWIT', { wit: { token: 'x' } }],
    ['relative uri', { uri: '/x' }],
    ['empty audience list', { audience: [] }],
    ['audience with a non-string', { audience: [1] }],
    ['NaN maxLifetime', { maxLifetime: Number.NaN }],
    ['Infinity maxLifetime', { maxLifetime: Number.POSITIVE_INFINITY }],
    ['negative clockTolerance', { clockTolerance: -1 }],
    ['huge clockTolerance', { clockTolerance: 10_000 }],
    ['bad method', { method: 'G T' }],
    ['requireMethod without method', { requireMethod: true }],
    ['replayCache without claim', { replayCache: {} }],
    ['non-string access token', { accessToken: 5 }],
    ['otherTokens naming Txn-Token', { otherTokens: { 'Txn-Token': 'x' } }],
    ['otherTokens value not a string', { otherTokens: { 'x-a': 1 } }],
    ['maxTokenBytes 0', { maxTokenBytes: 0 }],
    ['acceptLegacyTyp not boolean', { acceptLegacyTyp: 'yes' }],
  ])('refuses %s with a coded TypeError', async (_name, patch) => {
    const { mint, options } = await setup()
    const token = await mint()
    const err = await verifyWPT(token, { ...options(), ...(patch as object) } as VerifyWPTOptions).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TypeError)
    expect((err as { code: string }).code).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/)
  })
})
