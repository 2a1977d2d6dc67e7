import { jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import { createCompactJWS } from '../../../src/signer/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTxnToken, createTxnTokenService, requestTxnToken, selfSignedSubjectToken, verifyTxnToken, type TxnTokenRequestParameters } from '../../../src/txn-token/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'
import { BATCH, GATEWAY, postForm, TRUST_DOMAIN, TTS_ISSUER, issue, lastError, refusal, txnFixture, type TxnFixture } from '../../helpers/txn-service.js'
import { unhandledDuring } from '../../helpers/unhandled.js'


/** The same ES256 JWS with the other valid signature (r, n - s) over the same header and payload. */
function es256Twin(token: string): string {
  const dot = token.lastIndexOf('.')
  const sig = Buffer.from(token.slice(dot + 1), 'base64url')
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`)
  const twin = `${token.slice(0, dot)}.${Buffer.concat([sig.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]).toString('base64url')}`
  expect(twin).not.toBe(token)
  return twin
}

const verifyWith = (f: TxnFixture, token: string) => verifyTxnToken(token, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })

describe('createTxnTokenService: issuance', () => {
  it('an async onError that rejects changes no answer and is not an unhandled rejection', async () => {
    const f = await txnFixture({ onError: async () => { throw new Error('log sink down') } })
    const unhandled = await unhandledDuring(async () => {
      const res = await f.handler(new Request(`${TTS_ISSUER}/token`, { method: 'GET' }))
      expect(res.status).toBe(400)
    })
    expect(unhandled).toEqual([])
  })

  it('exchanges an access token for a Txn-Token that jose verifies', async () => {
    const f = await txnFixture()
    const accessToken = await f.accessToken()
    const res = await issue(f, { subjectToken: accessToken, requestContext: { req_ip: '69.151.72.123', authn: 'face' }, requestDetails: { action: 'BUY', ticker: 'MSFT', quantity: '100' } })
    expect(res.expiresIn).toBe(300)
    expect(res.scope).toBe('trade.stocks')
    const { payload, protectedHeader } = await jwtVerify(res.txnToken, f.tts.publicKey, { audience: TRUST_DOMAIN, issuer: TTS_ISSUER, typ: 'txntoken+jwt', currentDate: new Date(f.clock.now()) })
    expect(protectedHeader.typ).toBe('txntoken+jwt')
    expect(payload).toMatchObject({
      aud: TRUST_DOMAIN, sub: 'user-42', scope: 'trade.stocks', req_wl: GATEWAY,
      tctx: { action: 'BUY', ticker: 'MSFT', quantity: '100' }, rctx: { req_ip: '69.151.72.123', authn: 'face' },
      iat: f.clock.seconds(), exp: f.clock.seconds() + 300,
    })
    expect(typeof payload.txn).toBe('string')
    // §13.4: the inbound access token is not inside the Txn-Token.
    expect(JSON.stringify(payload)).not.toContain(accessToken.split('.')[1])
    const second = await issue(f)
    expect((await verifyWith(f, second.txnToken)).txn).not.toBe(payload.txn)
  })

  it('answers with no-store, token_type N_A and no refresh token', async () => {
    const f = await txnFixture()
    const res = await postForm(f.handler, {})
    expect(res.headers.get('cache-control')).toBe('no-store')
    const ok = await f.fetch(f.server.tokenEndpoint, { method: 'POST' })
    expect(ok.headers.get('cache-control')).toBe('no-store')
    const raw = await (await import('../../../src/txn-token/index.js')).txnTokenRequest(f.server, f.gateway, {
      subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks',
    }, { fetch: f.fetch })
    expect(raw.status).toBe(200)
    expect(raw.headers.get('cache-control')).toBe('no-store')
    const body = (await raw.json()) as Record<string, unknown>
    expect(body).toMatchObject({ token_type: 'N_A', issued_token_type: TOKEN_TYPE.TXN_TOKEN })
    expect(body).not.toHaveProperty('refresh_token')
  })

  it('refuses a scope wider than the subject token (invalid_scope)', async () => {
    const f = await txnFixture()
    const err = await refusal(issue(f, { scope: 'trade.stocks payments.send' }))
    expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_scope', status: 400 })
    expect(lastError(f).code).toBe('ERR_SCOPE_NOT_ALLOWED')
  })

  it('refuses when the subject token scope cannot be determined (§13.14)', async () => {
    const f = await txnFixture()
    const noScope = await f.accessToken({ scope: undefined })
    expect(await refusal(issue(f, { subjectToken: noScope }))).toMatchObject({ error: 'invalid_scope' })
  })

  it('refuses an expired subject token', async () => {
    const f = await txnFixture()
    const token = await f.accessToken({}, 60)
    f.clock.advance(61)
    expect(await refusal(issue(f, { subjectToken: token }))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
  })

  it('refuses refresh tokens as subject tokens, client side and server side', async () => {
    const f = await txnFixture()
    await expect(issue(f, { subjectTokenType: TOKEN_TYPE.REFRESH_TOKEN })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    const form = { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks', subject_token: 'opaque-refresh-token', subject_token_type: TOKEN_TYPE.REFRESH_TOKEN }
    const headers = new Headers()
    const body = new URLSearchParams(form)
    await f.gateway.auth({ issuer: TTS_ISSUER, tokenEndpoint: f.server.tokenEndpoint, clientId: GATEWAY, body, headers })
    const res = await f.handler(new Request(f.server.tokenEndpoint, { method: 'POST', headers: { ...Object.fromEntries(headers), 'content-type': 'application/x-www-form-urlencoded' }, body }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    expect(() => createTxnTokenService({ trustDomain: TRUST_DOMAIN, signer: f.tts, authenticateClient: async () => ({ clientId: 'x' }), subjectTokens: { [TOKEN_TYPE.REFRESH_TOKEN]: async () => ({ subject: 's', scopes: [] }) } })).toThrow(TypeError)
  })

  it('refuses an audience other than its trust domain (invalid_target)', async () => {
    const f = await txnFixture()
    expect(await refusal(issue(f, { audience: 'other.example' }))).toMatchObject({ error: 'invalid_target' })
    expect(lastError(f).code).toBe('ERR_TARGET_NOT_ALLOWED')
  })

  it('refuses an unauthenticated or unknown client (invalid_client, 401)', async () => {
    const f = await txnFixture()
    const res = await postForm(f.handler, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: GATEWAY })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'invalid_client' })
    const stranger = { clientId: 'spiffe://bank.example/unknown', auth: f.gateway.auth }
    expect(await refusal(issue(f, {}, stranger))).toMatchObject({ error: 'invalid_client', status: 401 })
  })

  it('refuses other grant types, requested token types, actor tokens and resources', async () => {
    const f = await txnFixture()
    const send = async (patch: Record<string, string>) => {
      const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, ...patch })
      const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' })
      await f.gateway.auth({ issuer: TTS_ISSUER, tokenEndpoint: f.server.tokenEndpoint, clientId: GATEWAY, body, headers })
      const res = await f.handler(new Request(f.server.tokenEndpoint, { method: 'POST', headers, body }))
      return ((await res.json()) as { error: string }).error
    }
    expect(await send({ grant_type: 'client_credentials' })).toBe('unsupported_grant_type')
    expect(await send({ requested_token_type: TOKEN_TYPE.ACCESS_TOKEN })).toBe('invalid_request')
    expect(await send({ actor_token: 'x', actor_token_type: TOKEN_TYPE.JWT })).toBe('invalid_request')
    expect(await send({ resource: 'https://api.bank.example' })).toBe('invalid_target')
    expect(await send({ subject_token_type: 'urn:example:unknown' })).toBe('invalid_request')
    expect(await send({ request_details: '[1,2]' })).toBe('invalid_request')
    expect(await send({ request_context: '{"a":' })).toBe('invalid_request')
    expect(await send({ scope: 'a  b' })).toBe('invalid_scope')
  })

  it('refuses a Txn-Token presented under another subject token type (no circular flows)', async () => {
    const f = await txnFixture()
    const { txnToken } = await issue(f)
    const err = await refusal(issue(f, { subjectToken: txnToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN }))
    expect(err).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_SUBJECT_TOKEN_INVALID')
  })

  it('applies the policy: refusal, narrowing, context and subject mapping', async () => {
    const f = await txnFixture({
      policy: ({ client, requestDetails }) => {
        if (client.clientId === BATCH) return false
        return { scope: ['trade.stocks'], sub: 'internal-user-42', tctx: { ...requestDetails, risk: 'low' }, rctx: { transport: 'https' }, lifetime: 60 }
      },
    })
    const res = await issue(f, { scope: 'trade.stocks trade.read', requestDetails: { action: 'BUY' } })
    const t = await verifyWith(f, res.txnToken)
    expect(t).toMatchObject({ subject: 'internal-user-42', scopes: ['trade.stocks'], tctx: { action: 'BUY', risk: 'low' }, rctx: { transport: 'https' } })
    expect(t.expiresAt - t.issuedAt).toBe(60)
    expect(res.expiresIn).toBe(60)
    const denied = await refusal(issue(f, { subjectToken: await f.accessToken() }, f.batch))
    expect(denied).toMatchObject({ error: 'unauthorized_client' })
    expect(lastError(f).code).toBe('ERR_POLICY_DENIED')
  })

  it('answers server_error when a policy decides something invalid (never a pass)', async () => {
    const f = await txnFixture({ policy: () => ({ scope: ['payments.send'] }) })
    expect(await refusal(issue(f))).toMatchObject({ error: 'server_error', status: 500 })
  })

  it('refuses a policy that would embed the subject token', async () => {
    const f = await txnFixture({ policy: ({ request }) => ({ tctx: { leaked: request.headers.get('x-token') ?? '' } }) })
    const accessToken = await f.accessToken()
    const leaky = async (input: Request | URL | string, init?: RequestInit) => f.handler(new Request(new Request(input, init), { headers: { ...Object.fromEntries(new Request(input, init).headers), 'x-token': accessToken } }))
    const err = await requestTxnToken(f.server, f.gateway, { subjectToken: accessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' }, { fetch: leaky }).catch((e: unknown) => e)
    expect(err).toMatchObject({ error: 'invalid_request' })
  })

  it('answers 503 when the store fails closed', async () => {
    const f = await txnFixture({ replayCache: { claim: async () => { throw new (await import('../../../src/errors/index.js')).StoreError('ERR_STORE_UNAVAILABLE', 'down') } } })
    const selfSigned = await createCompactJWS({}, { iss: BATCH, sub: 'batch-user', aud: TTS_ISSUER, iat: f.clock.seconds(), exp: f.clock.seconds() + 60, scope: 'reports.read' }, f.batchSigner)
    expect(await refusal(issue(f, { subjectToken: selfSigned, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'server_error', status: 503 })
  })
})

describe('createTxnTokenService: self-signed and unsigned subject tokens', () => {
  async function selfSigned(f: TxnFixture, claims: Record<string, unknown> = {}, signer = f.batchSigner) {
    return createCompactJWS({}, { iss: BATCH, sub: 'batch-user', aud: TTS_ISSUER, iat: f.clock.seconds(), exp: f.clock.seconds() + 60, jti: crypto.randomUUID(), scope: 'reports.read reports.write', ...claims }, signer)
  }

  it('accepts a self-signed subject token from the workload that signed it, once', async () => {
    const f = await txnFixture()
    const token = await selfSigned(f)
    const res = await issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch)
    expect(await verifyWith(f, res.txnToken)).toMatchObject({ subject: 'batch-user', requestingWorkload: BATCH, scopes: ['reports.read'] })
    expect(await refusal(issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_SUBJECT_TOKEN_INVALID')
  })

  it.each([
    ['a wrong aud', { aud: 'https://other-tts.example' }],
    ['an iss that is not the requester', { iss: GATEWAY }],
    ['no exp', { exp: undefined }],
    ['an old iat', { iat: 1_799_999_000 }],
  ])('refuses a self-signed subject token with %s', async (_name, patch) => {
    const f = await txnFixture()
    const token = await selfSigned(f, patch)
    expect(await refusal(issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toMatch(/ERR_SUBJECT_TOKEN_INVALID|ERR_TOKEN_LIFETIME/)
  })

  it('refuses a self-signed subject token signed by another key, and an expired one', async () => {
    const f = await txnFixture()
    expect(await refusal(issue(f, { subjectToken: await selfSigned(f, {}, f.gatewaySigner), subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
    const expiring = await selfSigned(f, { exp: f.clock.seconds() + 10 })
    f.clock.advance(11)
    expect(await refusal(issue(f, { subjectToken: expiring, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
  })

  it('refuses a self-signed subject token without jti replayed with the other ECDSA s (malleability)', async () => {
    const es = await oauthTestSigner('ES256')
    const f = await txnFixture({ subjectTokens: { [TOKEN_TYPE.SELF_SIGNED]: selfSignedSubjectToken({ audience: TTS_ISSUER, keys: () => [es.jwk], clock: () => f.clock.now() }) } })
    const token = await selfSigned(f, { jti: undefined }, es)
    const params = { subjectToken: token, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'reports.read' } as const
    await expect(issue(f, params, f.batch)).resolves.toBeDefined()
    expect(await refusal(issue(f, { ...params, subjectToken: es256Twin(token) }, f.batch))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_SUBJECT_TOKEN_INVALID')
  })

  it('refuses a subject token verifier result whose scopes are not a list of scope strings', async () => {
    // A custom verifier handing back the raw `scope` claim (a string) must not turn "is one of the
    // scopes" into "is a substring of the scope string".
    for (const scopes of ['trade.stocks.read', [['trade.stocks']], [7]] as unknown[]) {
      const f = await txnFixture({ subjectTokens: { [TOKEN_TYPE.UNSIGNED_JSON]: async () => ({ subject: 'user-42', scopes: scopes as never }) } })
      const res = issue(f, { subjectToken: '{"sub":"user-42"}', subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, scope: 'trade.stocks' })
      expect(await refusal(res)).toMatchObject({ error: 'server_error' })
      expect((f.errors.at(-1) as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE')
    }
  })

  it('uses a scopes policy for unsigned JSON subjects and refuses when it cannot determine them', async () => {
    const f = await txnFixture()
    const res = await issue(f, { subjectToken: JSON.stringify({ sub: 'batch-user' }), subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, scope: 'reports.read' }, f.batch)
    expect(await verifyWith(f, res.txnToken)).toMatchObject({ subject: 'batch-user', scopes: ['reports.read'] })
    expect(await refusal(issue(f, { subjectToken: JSON.stringify({ sub: 'batch-user' }), subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, scope: 'reports.read' }))).toMatchObject({ error: 'invalid_scope' })
    expect(await refusal(issue(f, { subjectToken: '{"nosub":1}', subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
    expect(await refusal(issue(f, { subjectToken: '[1]', subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, scope: 'reports.read' }, f.batch))).toMatchObject({ error: 'invalid_request' })
  })
})

describe('createTxnTokenService: replacement tokens', () => {
  async function original(f: TxnFixture) {
    const res = await issue(f, { scope: 'trade.stocks trade.read', requestDetails: { action: 'BUY', ticker: 'MSFT' }, requestContext: { req_ip: '1.2.3.4' } })
    return { token: res.txnToken, verified: await verifyWith(f, res.txnToken) }
  }
  const replace = (f: TxnFixture, token: string, params: Partial<TxnTokenRequestParameters> = {}, client = f.batch) =>
    issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, scope: 'trade.read', ...params }, client)

  it('narrows scope and keeps txn, sub, aud and the requester chain', async () => {
    const f = await txnFixture()
    const { token, verified } = await original(f)
    f.clock.advance(10)
    const replaced = await verifyWith(f, (await replace(f, token, { requestDetails: { action: 'BUY', note: 'added' } })).txnToken)
    expect(replaced).toMatchObject({
      txn: verified.txn, subject: verified.subject, trustDomain: TRUST_DOMAIN, scopes: ['trade.read'],
      tctx: { action: 'BUY', ticker: 'MSFT', note: 'added' }, rctx: { req_ip: '1.2.3.4' },
      requestingWorkload: BATCH, requesterChain: [GATEWAY, BATCH],
    })
    // The replacement never outlives the original by default.
    expect(replaced.expiresAt).toBe(verified.expiresAt)
  })

  it('refuses widening the scope on replacement', async () => {
    const f = await txnFixture()
    const { token } = await original(f)
    expect(await refusal(replace(f, token, { scope: 'trade.read payments.send' }))).toMatchObject({ error: 'invalid_scope' })
    expect(lastError(f).code).toBe('ERR_SCOPE_NOT_ALLOWED')
  })

  it('refuses changing tctx or rctx members, and a policy that changes sub', async () => {
    const f = await txnFixture()
    const { token } = await original(f)
    expect(await refusal(replace(f, token, { requestDetails: { action: 'SELL' } }))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TXN_TOKEN_REPLACEMENT')
    expect(await refusal(replace(f, token, { requestContext: { req_ip: '6.6.6.6' } }))).toMatchObject({ error: 'invalid_request' })
    const g = await txnFixture({ policy: ({ replacing }) => (replacing === undefined ? undefined : { sub: 'someone-else' }) })
    const o = await original(g)
    expect(await refusal(replace(g, o.token))).toMatchObject({ error: 'server_error' })
  })

  it('refuses to replace an expired Txn-Token', async () => {
    const f = await txnFixture()
    const { token } = await original(f)
    f.clock.advance(301)
    expect(await refusal(replace(f, token))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
  })

  it('refuses a Txn-Token of another trust domain or another service', async () => {
    const f = await txnFixture()
    const foreign = await createTxnToken({ sub: 'user-42', scope: 'trade.read', req_wl: GATEWAY, iss: TTS_ISSUER }, { signer: f.tts, trustDomain: 'other.example', clock: f.clock.now })
    expect(await refusal(replace(f, foreign))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TXN_TOKEN_AUDIENCE')
    const forged = await createTxnToken({ sub: 'user-42', scope: 'trade.read', req_wl: GATEWAY, iss: TTS_ISSUER }, { signer: f.as, trustDomain: TRUST_DOMAIN, clock: f.clock.now })
    expect(await refusal(replace(f, forged))).toMatchObject({ error: 'invalid_request' })
  })

  it('limits how often a transaction is replaced and can extend lifetimes when configured', async () => {
    const f = await txnFixture({ replacement: { maxReplacements: 2, extendLifetime: true } })
    let { token } = await original(f)
    for (let i = 0; i < 2; i++) {
      f.clock.advance(100)
      token = (await replace(f, token)).txnToken
    }
    const t = await verifyWith(f, token)
    expect(t.requesterChain).toEqual([GATEWAY, BATCH, BATCH])
    expect(t.expiresAt).toBe(f.clock.seconds() + 300)
    expect(await refusal(replace(f, token))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TXN_TOKEN_REPLACEMENT')
  })

  it('refuses a Txn-Token that was already replaced (single use with a replay cache)', async () => {
    const f = await txnFixture()
    const { token } = await original(f)
    // A refused attempt does not use up the replacement.
    expect(await refusal(replace(f, token, { scope: 'admin' }))).toMatchObject({ error: 'invalid_scope' })
    await expect(replace(f, token)).resolves.toBeDefined()
    expect(await refusal(replace(f, token))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TXN_TOKEN_REPLACEMENT')
    const g = await txnFixture({ replacement: { singleUse: false } })
    const o = await original(g)
    await replace(g, o.token)
    await expect(replace(g, o.token)).resolves.toBeDefined()
    expect(() => createTxnTokenService({ trustDomain: TRUST_DOMAIN, signer: f.tts, authenticateClient: async () => ({ clientId: 'x' }), subjectTokens: {}, replacement: { singleUse: true } })).toThrow(TypeError)
  })

  it('refuses a second replacement of the same Txn-Token re-signed with the other ECDSA s (malleability)', async () => {
    const f = await txnFixture()
    const { token } = await original(f)
    await expect(replace(f, token)).resolves.toBeDefined()
    const twin = es256Twin(token)
    await expect(verifyWith(f, twin)).resolves.toBeDefined()
    expect(await refusal(replace(f, twin))).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TXN_TOKEN_REPLACEMENT')
  })

  it('refuses replacement when it is switched off', async () => {
    const f = await txnFixture({ replacement: false })
    const { token } = await original(f)
    expect(await refusal(replace(f, token))).toMatchObject({ error: 'invalid_request' })
  })
})

describe('createTxnTokenService: options', () => {
  it.each([
    ['no trust domain', { trustDomain: '' }],
    ['no signer', { signer: undefined }],
    ['no authenticateClient', { authenticateClient: undefined }],
    ['txn_token configured as a subject type', { subjectTokens: { [TOKEN_TYPE.TXN_TOKEN]: async () => ({ subject: 's', scopes: [] }) } }],
    ['lifetime over an hour', { lifetime: 7200 }],
    ['NaN lifetime', { lifetime: Number.NaN }],
    ['maxReplacements 0', { replacement: { maxReplacements: 0 } }],
    ['bad replacement keys', { replacement: { keys: 'x' } }],
  ])('refuses %s', async (_name, patch) => {
    const f = await txnFixture()
    const base = { trustDomain: TRUST_DOMAIN, signer: f.tts, authenticateClient: async () => ({ clientId: 'x' }), subjectTokens: {} }
    expect(() => createTxnTokenService({ ...base, ...patch } as never)).toThrow(TypeError)
  })
})
