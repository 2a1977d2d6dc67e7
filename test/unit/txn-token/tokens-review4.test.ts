// Review round 4 regressions for agentauth/txn-token (and the token-exchange request it builds on).
import { describe, expect, it } from 'vitest'
import { TOKEN_TYPE, tokenExchangeRequest } from '../../../src/token-exchange/index.js'
import { requestTxnToken, verifyTxnToken } from '../../../src/txn-token/index.js'
import { TRUST_DOMAIN, txnFixture } from '../../helpers/txn-service.js'

describe('unsigned JSON subject tokens (draft §11.2.2) go out as written', () => {
  it('requestTxnToken sends JSON text with spaces and non-ASCII characters, and the service accepts it', async () => {
    const f = await txnFixture()
    const subjectToken = '{"sub": "José García", "note": "nightly run"}'
    let sent: string | null = null
    const fetch = async (input: Request | URL | string, init?: RequestInit) => {
      const request = new Request(input, init)
      sent = new URLSearchParams(await request.clone().text()).get('subject_token')
      return f.fetch(request)
    }
    const res = await requestTxnToken(f.server, f.batch, { subjectToken, subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, audience: TRUST_DOMAIN, scope: 'reports.read' }, { fetch })
    expect(sent).toBe(subjectToken)
    const verified = await verifyTxnToken(res.txnToken, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })
    expect(verified.subject).toBe('José García')
  })

  it('still refuses an empty token, a lone surrogate (the form encoder would send U+FFFD instead) and control characters', async () => {
    const server = { tokenEndpoint: 'https://sts.example.com/token' }
    const client = { clientId: 'c', auth: { async applyTo() {} } } as never
    for (const subjectToken of ['', '{"sub":"\ud800"}', '{"sub":\n"x"}']) {
      const err = await tokenExchangeRequest(server, client, { subjectToken, subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON }).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(TypeError)
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE')
    }
  })
})

describe('verified results are frozen all the way down', () => {
  it('verifyTxnToken freezes every nested claim and header value, not only tctx/rctx', async () => {
    const { createTxnToken } = await import('../../../src/txn-token/index.js')
    const { oauthTestSigner, testClock } = await import('../../helpers/oauth-signer.js')
    const clock = testClock()
    const signer = await oauthTestSigner('ES256', 'tts-1')
    const token = await createTxnToken(
      { sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/b', req_wl_chain: ['spiffe://bank.example/a'], ext: { list: [1, { deep: true }] } },
      { signer, trustDomain: TRUST_DOMAIN, clock: clock.now },
    )
    const t = await verifyTxnToken(token, { trustDomain: TRUST_DOMAIN, keys: [signer.jwk], clock: clock.now })
    const claims = t.claims as { req_wl_chain: string[]; ext: { list: [number, { deep: boolean }] } }
    expect(Object.isFrozen(claims.req_wl_chain)).toBe(true)
    expect(Object.isFrozen(claims.ext)).toBe(true)
    expect(Object.isFrozen(claims.ext.list[1])).toBe(true)
    expect(() => claims.req_wl_chain.push('spiffe://evil.example/x')).toThrow(TypeError)
  })

  it('the token service JWT verifier and the self-signed / unsigned JSON subject verifiers freeze nested claims', async () => {
    const { createJWTTokenVerifier, createAccessToken } = await import('../../../src/token-service/index.js')
    const { unsignedJsonSubjectToken } = await import('../../../src/txn-token/index.js')
    const { oauthTestSigner } = await import('../../helpers/oauth-signer.js')
    const idp = await oauthTestSigner('ES256', 'idp')
    const jwt = await createAccessToken({ iss: 'https://idp.example', sub: 'alice', aud: 'https://sts.example', client_id: 'app', may_act: { sub: 'agent', ext: { a: 1 } }, tenant: { id: 'acme' } }, { signer: idp })
    const verified = await createJWTTokenVerifier({ issuer: 'https://idp.example', keys: [idp.jwk], audience: 'https://sts.example' })(jwt, { client: {} as never })
    expect(Object.isFrozen((verified.claims as { tenant: object }).tenant)).toBe(true)
    expect(Object.isFrozen((verified.mayAct as { ext: object }).ext)).toBe(true)
    const unsigned = await unsignedJsonSubjectToken()('{"sub":"x","scope":"a","ctx":{"k":[1]}}', { client: { clientId: 'c' }, request: new Request('https://tts.example/'), replayCache: undefined })
    expect(Object.isFrozen((unsigned.claims as { ctx: { k: number[] } }).ctx.k)).toBe(true)
  })
})

describe('single-use replacement is not used up by a failure', () => {
  it('a replacement that fails to be signed (KMS outage) can be retried', async () => {
    const { oauthTestSigner } = await import('../../helpers/oauth-signer.js')
    const { SignerError } = await import('../../../src/errors/index.js')
    const real = await oauthTestSigner('ES256', 'tts-flaky')
    let failNext = false
    const signer = {
      alg: real.alg,
      kid: real.kid,
      publicJwk: () => real.publicJwk(),
      sign: async (input: Uint8Array) => {
        if (failNext) {
          failNext = false
          throw new SignerError('ERR_SIGNER_FAILED', 'KMS unavailable')
        }
        return real.sign(input)
      },
    }
    const f = await txnFixture({ signer })
    const first = await requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks trade.read' }, { fetch: f.fetch })
    const replace = () => requestTxnToken(f.server, f.batch, { subjectToken: first.txnToken, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.read' }, { fetch: f.fetch })
    failNext = true
    await expect(replace()).rejects.toMatchObject({ error: 'server_error' })
    const second = await replace()
    expect((await verifyTxnToken(second.txnToken, { trustDomain: TRUST_DOMAIN, keys: [real.jwk], clock: f.clock.now })).scopes).toEqual(['trade.read'])
    // still single use once a replacement was issued
    await expect(replace()).rejects.toMatchObject({ error: 'invalid_request' })
  })
})

describe('issuance policy verdicts', () => {
  it('a policy returning null, 0 or an empty string (a lookup that found nothing) issues nothing: server_error', async () => {
    for (const verdict of [null, 0, '']) {
      const f = await txnFixture({ policy: () => verdict as never })
      const err = await requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' }, { fetch: f.fetch }).then(() => undefined, (e: unknown) => e)
      expect(err, String(verdict)).toMatchObject({ error: 'server_error' })
      expect((f.errors.at(-1) as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE')
    }
    for (const verdict of [true, undefined, {}]) {
      const f = await txnFixture({ policy: () => verdict })
      await expect(requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' }, { fetch: f.fetch })).resolves.toMatchObject({ scope: 'trade.stocks' })
    }
  })
})
