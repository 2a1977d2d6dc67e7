import { decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { createCompactJWS } from '../../../src/signer/index.js'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createTxnToken, createTxnTokenVerifier, isTxnToken, SPEC, TXN_TOKEN_TYP, verifyTxnToken } from '../../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

const TD = 'bank.example'

async function setup() {
  const clock = testClock()
  const signer = await oauthTestSigner('ES256', 'tts-1')
  const keys = { keys: [signer.jwk] }
  const mint = (claims: Record<string, unknown> = {}, lifetime = 300) =>
    createTxnToken({ sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway', ...claims } as never, { signer, trustDomain: TD, lifetime, clock: clock.now })
  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: TXN_TOKEN_TYP }) => createCompactJWS(header, payload, signer)
  const base = () => ({ iat: clock.seconds(), exp: clock.seconds() + 300, aud: TD, txn: 't-1', sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway' })
  return { clock, signer, keys, mint, sign, base, verify: (token: string, extra = {}) => verifyTxnToken(token, { trustDomain: TD, keys, clock: clock.now, ...extra }) }
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err, 'expected a rejection').toBeInstanceOf(VerificationError)
  return (err as VerificationError).code
}

describe('createTxnToken', () => {
  it('mints a txntoken+jwt that jose verifies, with aud = trust domain and a fresh txn', async () => {
    const { mint, signer, clock } = await setup()
    const token = await mint({ tctx: { action: 'BUY', ticker: 'MSFT', quantity: '100' }, rctx: { req_ip: '69.151.72.123', authn: 'face' } }, 120)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'tts-1', typ: 'txntoken+jwt' })
    const { payload } = await jwtVerify(token, signer.publicKey, { audience: TD, typ: 'txntoken+jwt', currentDate: new Date(clock.now()) })
    expect(payload).toMatchObject({ aud: TD, sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway', iat: clock.seconds(), exp: clock.seconds() + 120 })
    expect(payload.txn).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload.tctx).toEqual({ action: 'BUY', ticker: 'MSFT', quantity: '100' })
    const other = await mint()
    expect((await jwtVerify(other, signer.publicKey, { currentDate: new Date(clock.now()) })).payload.txn).not.toBe(payload.txn)
    expect(isTxnToken(token)).toBe(true)
  })

  it('joins scope lists, keeps a given txn and caps exp at notAfter', async () => {
    const { signer, clock } = await setup()
    const token = await createTxnToken({ sub: 's', scope: ['a', 'b'], req_wl: 'w', txn: 'fixed' }, { signer, trustDomain: TD, clock: clock.now, notAfter: clock.seconds() + 10 })
    const { payload } = await jwtVerify(token, signer.publicKey, { currentDate: new Date(clock.now()) })
    expect(payload).toMatchObject({ scope: 'a b', txn: 'fixed', exp: clock.seconds() + 10 })
  })

  it.each([
    ['missing sub', { sub: undefined }],
    ['empty scope', { scope: '' }],
    ['malformed scope', { scope: 'a  b' }],
    ['missing req_wl', { req_wl: undefined }],
    ['aud set by caller', { aud: 'other.example' }],
    ['exp set by caller', { exp: 1 }],
    ['tctx not an object', { tctx: [1, 2] }],
    ['rctx with a function', { rctx: { f: 1n } }],
    ['empty txn', { txn: '' }],
  ])('refuses bad claims: %s', async (_name, claims) => {
    const { mint } = await setup()
    await expect(mint(claims)).rejects.toMatchObject({ name: 'TypeError', code: expect.stringMatching(/^ERR_INVALID_ARG_/) })
  })

  it.each([
    ['lifetime 0', { lifetime: 0 }],
    ['lifetime over an hour', { lifetime: 3601 }],
    ['NaN lifetime', { lifetime: Number.NaN }],
    ['empty trust domain', { trustDomain: '' }],
    ['notAfter in the past', { notAfter: 1 }],
  ])('refuses bad options: %s', async (_name, opts) => {
    const { signer, clock } = await setup()
    await expect(createTxnToken({ sub: 's', scope: 'a', req_wl: 'w' }, { signer, trustDomain: TD, clock: clock.now, ...opts })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('names its pinned draft', () => {
    expect(SPEC.name).toBe('draft-ietf-oauth-transaction-tokens')
    expect(SPEC.commit).toMatch(/^dbdf43e/)
  })
})

describe('verifyTxnToken', () => {
  it('returns a frozen, typed result', async () => {
    const { mint, verify } = await setup()
    const token = await mint({ tctx: { action: 'BUY', nested: { level: 'VIP' } }, rctx: { req_ip: '1.2.3.4' }, iss: 'https://tts.bank.example' })
    const t = await verify(token)
    expect(t).toMatchObject({ subject: 'user-42', trustDomain: TD, scopes: ['trade.stocks'], requestingWorkload: 'spiffe://bank.example/gateway', requesterChain: ['spiffe://bank.example/gateway'], issuer: 'https://tts.bank.example', algorithm: 'ES256', legacyClaims: false })
    expect(Object.isFrozen(t)).toBe(true)
    expect(Object.isFrozen(t.tctx)).toBe(true)
    expect(Object.isFrozen((t.tctx as { nested: object }).nested)).toBe(true)
    expect(Object.isFrozen(t.claims)).toBe(true)
    expect(JSON.stringify(t)).not.toContain(token.split('.')[2])
  })

  it('refuses a token of another trust domain with ERR_TXN_TOKEN_AUDIENCE', async () => {
    const { mint, keys, clock } = await setup()
    const token = await mint()
    const err = await verifyTxnToken(token, { trustDomain: 'other.example', keys, clock: clock.now }).catch((e: VerificationError) => e)
    expect(err).toMatchObject({ code: 'ERR_TXN_TOKEN_AUDIENCE', status: 401, claim: 'aud' })
  })

  it('refuses an aud list naming more than one trust domain, accepts a single-element list', async () => {
    const { sign, base, verify } = await setup()
    expect(await code(verify(await sign({ ...base(), aud: [TD, 'other.example'] })))).toBe('ERR_TXN_TOKEN_AUDIENCE')
    await expect(verify(await sign({ ...base(), aud: [TD] }))).resolves.toMatchObject({ trustDomain: TD })
  })

  it('refuses expired tokens, honouring clockTolerance', async () => {
    const { mint, verify, clock } = await setup()
    const token = await mint({}, 60)
    clock.advance(60)
    expect(await code(verify(token))).toBe('ERR_TOKEN_EXPIRED')
    await expect(verify(token, { clockTolerance: 5 })).resolves.toBeDefined()
  })

  it('refuses tokens issued in the future and tokens that live too long', async () => {
    const { sign, base, verify, clock } = await setup()
    expect(await code(verify(await sign({ ...base(), iat: clock.seconds() + 60 })))).toBe('ERR_TOKEN_NOT_YET_VALID')
    expect(await code(verify(await sign({ ...base(), exp: clock.seconds() + 901 })))).toBe('ERR_TOKEN_LIFETIME')
    await expect(verify(await sign({ ...base(), exp: clock.seconds() + 901 }), { maxLifetime: 1000 })).resolves.toBeDefined()
  })

  it('requires typ txntoken+jwt (an access token is not a Txn-Token)', async () => {
    const { sign, base, verify } = await setup()
    expect(await code(verify(await sign(base(), {})))).toBe('ERR_TYP_INVALID')
    expect(await code(verify(await sign(base(), { typ: 'at+jwt' })))).toBe('ERR_TYP_INVALID')
    await expect(verify(await sign(base(), { typ: 'application/TxnToken+JWT' }))).resolves.toBeDefined()
  })

  it.each([
    ['txn', { txn: undefined }],
    ['txn number', { txn: 7 }],
    ['sub', { sub: undefined }],
    ['req_wl', { req_wl: undefined }],
    ['scope', { scope: undefined }],
    ['scope empty', { scope: '' }],
    ['scope double space', { scope: 'a  b' }],
    ['scope array', { scope: ['a'] }],
    ['tctx string', { tctx: 'BUY' }],
    ['rctx array', { rctx: [] }],
    ['req_wl_chain not array', { req_wl_chain: 'a' }],
    ['req_wl_chain with number', { req_wl_chain: [1] }],
    ['iat missing', { iat: undefined }],
    ['exp missing', { exp: undefined }],
    ['aud missing', { aud: undefined }],
  ])('refuses a malformed %s claim with ERR_TXN_TOKEN_INVALID', async (_name, patch) => {
    const { sign, base, verify } = await setup()
    const payload: Record<string, unknown> = { ...base(), ...patch }
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k]
    expect(await code(verify(await sign(payload)))).toBe('ERR_TXN_TOKEN_INVALID')
  })

  it('refuses hostile nesting in tctx without blowing the stack', async () => {
    const { sign, base, verify } = await setup()
    let deep: unknown = {}
    for (let i = 0; i < 40; i++) deep = { d: deep }
    expect(await code(verify(await sign({ ...base(), tctx: deep })))).toBe('ERR_TXN_TOKEN_INVALID')
  })

  it('reads the legacy purp and azd claims when scope and tctx are absent', async () => {
    const { sign, base, verify } = await setup()
    const { scope: _s, ...rest } = base()
    const t = await verify(await sign({ ...rest, purp: 'trade.stocks', azd: { action: 'SELL' } }))
    expect(t).toMatchObject({ scopes: ['trade.stocks'], tctx: { action: 'SELL' }, legacyClaims: true })
    const current = await verify(await sign({ ...base(), purp: 'ignored', azd: { ignored: true }, tctx: { action: 'BUY' } }))
    expect(current).toMatchObject({ scopes: ['trade.stocks'], tctx: { action: 'BUY' }, legacyClaims: false })
  })

  it('refuses a forged signature, a wrong key and an unlisted algorithm', async () => {
    const { mint, verify, clock } = await setup()
    const token = await mint()
    const [h, p, s] = token.split('.') as [string, string, string]
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'AB' : 'AA'}`
    expect(await code(verify(flipped))).toMatch(/ERR_TXN_TOKEN_INVALID|ERR_JWS_INVALID/)
    const other = await oauthTestSigner('ES256', 'tts-1')
    expect(await code(verifyTxnToken(token, { trustDomain: TD, keys: [other.jwk], clock: clock.now }))).toBe('ERR_TXN_TOKEN_INVALID')
    expect(await code(verify(token, { algorithms: ['EdDSA'] }))).toBe('ERR_ALG_NOT_ALLOWED')
  })

  it('checks iss when an issuer is configured', async () => {
    const { mint, verify } = await setup()
    const token = await mint({ iss: 'https://tts.bank.example' })
    await expect(verify(token, { issuer: 'https://tts.bank.example' })).resolves.toBeDefined()
    expect(await code(verify(token, { issuer: 'https://evil.example' }))).toBe('ERR_TXN_TOKEN_INVALID')
    expect(await code(verify(await mint(), { issuer: 'https://tts.bank.example' }))).toBe('ERR_TXN_TOKEN_INVALID')
  })

  it('takes keys from a TrustBundleSource for the trust domain', async () => {
    const { mint, signer, clock } = await setup()
    const bundles = staticTrustBundles({ [TD]: { keys: [signer.jwk] } } as never)
    await expect(verifyTxnToken(await mint(), { trustDomain: TD, keys: bundles, clock: clock.now })).resolves.toMatchObject({ trustDomain: TD })
  })

  it('enforces single use of txn with a replay cache', async () => {
    const { mint, keys, clock } = await setup()
    const verify = createTxnTokenVerifier({ trustDomain: TD, keys, clock: clock.now, replayCache: createMemoryReplayCache({ clock: clock.now }) })
    const token = await mint({ txn: 'txn-once' })
    await expect(verify(token)).resolves.toBeDefined()
    expect(await code(verify(token))).toBe('ERR_TXN_TOKEN_REPLAYED')
    expect(await code(verify(await mint({ txn: 'txn-once' })))).toBe('ERR_TXN_TOKEN_REPLAYED')
  })

  it('refuses oversized tokens before parsing', async () => {
    const { verify } = await setup()
    expect(await code(verify(`${'a'.repeat(20_000)}.b.c`))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it.each([
    ['empty trust domain', { trustDomain: '' }],
    ['bad keys', { keys: 'jwks' }],
    ['NaN tolerance', { clockTolerance: Number.NaN }],
    ['negative maxLifetime', { maxLifetime: -1 }],
    ['Infinity maxLifetime', { maxLifetime: Number.POSITIVE_INFINITY }],
    ['unknown algorithm', { algorithms: ['HS256'] }],
    ['empty issuer', { issuer: '' }],
    ['replay cache without claim', { replayCache: {} }],
  ])('refuses bad options at construction: %s', async (_name, patch) => {
    const { keys } = await setup()
    expect(() => createTxnTokenVerifier({ trustDomain: TD, keys, ...patch } as never)).toThrow(TypeError)
  })
})

describe('isTxnToken', () => {
  it('peeks the typ header without verifying', async () => {
    const { sign, base } = await setup()
    expect(isTxnToken(await sign(base(), { typ: 'at+jwt' }))).toBe(false)
    expect(isTxnToken('not a token')).toBe(false)
    expect(isTxnToken('')).toBe(false)
    expect(isTxnToken(`${btoa('{"typ":"txntoken+jwt"}').replace(/=+$/, '')}.x.y`)).toBe(true)
  })
})
