// Review round 6: Txn-Token Service edge cases (replacement context keys, size limits in bytes,
// tokens the verifiers would refuse, error codes for missing parameters).
import { describe, expect, it } from 'vitest'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import { createCompactJWS } from '../../../src/signer/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTxnToken, requestTxnToken, txnTokenRequest, verifyTxnToken, type TxnTokenRequestParameters } from '../../../src/txn-token/index.js'
import { BATCH, GATEWAY, TRUST_DOMAIN, TTS_ISSUER, issue, lastError, refusal, txnFixture, type TxnFixture } from '../../helpers/txn-service.js'


const verifyWith = (f: TxnFixture, token: string) => verifyTxnToken(token, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })

/** A raw, authenticated Txn-Token Request (for forms our client would not build). */
async function rawRequest(f: TxnFixture, form: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams(form)
  const headers = new Headers()
  await f.gateway.auth({ issuer: TTS_ISSUER, tokenEndpoint: f.server.tokenEndpoint, clientId: GATEWAY, body, headers })
  return f.handler(new Request(f.server.tokenEndpoint, { method: 'POST', headers: { ...Object.fromEntries(headers), 'content-type': 'application/x-www-form-urlencoded' }, body }))
}

describe('createTxnTokenService (review 6): replacement context', () => {
  it('keeps a "__proto__" member a replacement adds to tctx, as a first issuance does', async () => {
    const f = await txnFixture()
    const first = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
      scope: 'trade.stocks trade.read', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
      request_details: '{"action":"BUY"}',
    })
    expect(first.status).toBe(200)
    const original = ((await first.json()) as { access_token: string }).access_token
    const replaced = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
      scope: 'trade.read', subject_token: original, subject_token_type: TOKEN_TYPE.TXN_TOKEN,
      request_details: '{"__proto__":{"limit":"5"},"note":"x"}',
    })
    expect(replaced.status).toBe(200)
    const verified = await verifyWith(f, ((await replaced.json()) as { access_token: string }).access_token)
    expect(Object.hasOwn(verified.tctx!, '__proto__')).toBe(true)
    expect(JSON.stringify(verified.tctx)).toBe('{"action":"BUY","__proto__":{"limit":"5"},"note":"x"}')
    expect(Object.getPrototypeOf(verified.tctx)).toBe(Object.prototype)
  })
})

describe('createTxnTokenService (review 6): sizes', () => {
  it('caps request_context / request_details in UTF-8 bytes, as documented, not in UTF-16 code units', async () => {
    const f = await txnFixture({ maxContextBytes: 4096 })
    // 2000 euro signs: 2,010 characters of JSON but 6,010 bytes of UTF-8.
    const wide = { note: '€'.repeat(2000) }
    const res = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
      scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
      request_context: JSON.stringify(wide),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_INPUT_TOO_LARGE')
    // Within the cap in bytes: accepted.
    await expect(issue(f, { requestContext: { note: '€'.repeat(1300) } })).resolves.toBeDefined()
  })

  it('client: refuses a context over 8 KiB of UTF-8 before sending it', async () => {
    const f = await txnFixture()
    const params = { subjectToken: 'a.b.c', subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks' } as const
    await expect(txnTokenRequest(f.server, f.gateway, { ...params, requestDetails: { note: '€'.repeat(3000) } }, { fetch: f.fetch })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('never issues a Txn-Token larger than a default verifier accepts (two large contexts)', async () => {
    const f = await txnFixture()
    const big = (c: string) => ({ data: c.repeat(7000) })
    const err = await refusal(issue(f, { requestContext: big('a'), requestDetails: big('b') }))
    expect(err).toMatchObject({ error: 'invalid_request', status: 400 })
    expect(lastError(f).code).toBe('ERR_INPUT_TOO_LARGE')
  })

  it('never issues a Txn-Token whose sub a verifier refuses (over 1024 characters)', async () => {
    const f = await txnFixture()
    const now = f.clock.seconds()
    const selfSigned = await createCompactJWS({ typ: 'JWT' }, { iss: BATCH, sub: 'u'.repeat(2000), aud: TTS_ISSUER, iat: now, exp: now + 60, scope: 'jobs.run' }, f.batchSigner)
    const err = await refusal(issue(f, { subjectToken: selfSigned, subjectTokenType: TOKEN_TYPE.SELF_SIGNED, scope: 'jobs.run' }, f.batch))
    expect(err).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_SUBJECT_TOKEN_INVALID')
  })
  it('createTxnToken refuses identifiers and chains a verifier would refuse; a policy sub too long is a server_error', async () => {
    const f = await txnFixture({ policy: () => ({ sub: 'p'.repeat(1025) }) })
    const options = { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now }
    const base = { sub: 'user-42', scope: 'trade.stocks', req_wl: GATEWAY }
    for (const patch of [{ sub: 's'.repeat(1025) }, { req_wl: 'w'.repeat(1025) }, { txn: 't'.repeat(1025) }, { req_wl_chain: Array.from({ length: 33 }, () => GATEWAY) }, { req_wl_chain: ['c'.repeat(1025)] }]) {
      await expect(createTxnToken({ ...base, ...patch }, options)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
    const edge = await createTxnToken({ ...base, sub: 's'.repeat(1024), req_wl_chain: Array.from({ length: 31 }, () => GATEWAY) }, options)
    await expect(verifyWith(f, edge)).resolves.toMatchObject({ subject: 's'.repeat(1024) })
    expect(await refusal(issue(f))).toMatchObject({ error: 'server_error', status: 500 })
  })
})

describe('createTxnTokenService (review 6): error codes', () => {
  it('answers invalid_request, not invalid_target, when audience is missing (RFC 6749 §5.2)', async () => {
    const f = await txnFixture()
    const res = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN,
      scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_OAUTH_REQUEST_INVALID')
  })

  it('still answers invalid_target for an audience that is not this trust domain', async () => {
    const f = await txnFixture()
    const other = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: 'other.example',
      scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
    })
    expect(await other.json()).toMatchObject({ error: 'invalid_target' })
  })
})

describe('createTxnTokenService (review 6): draft §11.1 example encoding', () => {
  it('accepts request_context / request_details exactly as the draft example encodes them (form-encoded JSON text with newlines, not base64url)', async () => {
    const f = await txnFixture()
    // The two parameters of the draft's Txn-Token Request example, still percent-encoded.
    const example = 'request_context=%7B%0A%20%20%20%20%20%20%22req_ip%22%3A%20%2269.151.72.123%22%2C%20%0A%20%20%20%20%20%20%22authn%22%3A%20%22face%22%0A%7D'
      + '&request_details=%7B%0A%20%20%20%20%20%20%22action%22%3A%20%22BUY%22%2C%0A%20%20%20%20%20%20%22ticker%22%3A%20%22MSFT%22%2C%0A%20%20%20%20%20%20%22quantity%22%3A%20%22100%22%0A%7D'
    const form = Object.fromEntries(new URLSearchParams(example))
    const res = await rawRequest(f, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
      scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, ...form,
    })
    expect(res.status).toBe(200)
    const verified = await verifyWith(f, ((await res.json()) as { access_token: string }).access_token)
    expect(verified.rctx).toEqual({ req_ip: '69.151.72.123', authn: 'face' })
    expect(verified.tctx).toEqual({ action: 'BUY', ticker: 'MSFT', quantity: '100' })
  })
})

describe('createTxnTokenService (review 6): expiry while the policy runs', () => {
  const replace = (f: TxnFixture, token: string) => issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, scope: 'trade.stocks' }, f.batch)

  it('refuses (invalid_request, ERR_TOKEN_EXPIRED) when the subject token expires during a slow policy, never a token or a 500', async () => {
    let slow = false
    for (const extendLifetime of [false, true]) {
      const f = await txnFixture({ replacement: { extendLifetime }, policy: () => { if (slow) f.clock.advance(400) } })
      slow = false
      const original = (await issue(f)).txnToken
      slow = true
      // The replaced Txn-Token (300 s) expires while the policy decides: §13.15 forbids replacing it.
      expect(await refusal(replace(f, original)), `extendLifetime ${extendLifetime}`).toMatchObject({ error: 'invalid_request', status: 400 })
      expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
      // The same for an access token that expires meanwhile (§6).
      const shortLived = await f.accessToken({}, 60)
      expect(await refusal(issue(f, { subjectToken: shortLived }))).toMatchObject({ error: 'invalid_request' })
      expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
    }
  })
})

describe('createTxnTokenService (review 6): a broken authenticator', () => {
  it('answers server_error with a coded error to onError when authenticateClient resolves to nothing', async () => {
    for (const result of [undefined, null]) {
      const f = await txnFixture({ authenticateClient: async () => result as never })
      const res = await rawRequest(f, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
        scope: 'trade.stocks', subject_token: await f.accessToken(), subject_token_type: TOKEN_TYPE.ACCESS_TOKEN,
      })
      expect(res.status).toBe(500)
      expect(await res.json()).toMatchObject({ error: 'server_error' })
      expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
  })
})

describe('createTxnTokenService (review 6): policy decisions', () => {
  it('answers server_error for a decision whose tctx / rctx is null or not an object, never falling back to the client-sent context', async () => {
    for (const patch of [{ tctx: null }, { rctx: null }, { tctx: 'none' }, { rctx: [] }]) {
      const f = await txnFixture({ policy: () => patch as never })
      const err = await refusal(issue(f, { requestDetails: { action: 'SELL', quantity: '1000000' }, requestContext: { req_ip: '6.6.6.6' } }))
      expect(err, JSON.stringify(patch)).toMatchObject({ error: 'server_error', status: 500 })
    }
    // An explicit object still replaces the request's context.
    const g = await txnFixture({ policy: () => ({ tctx: { action: 'BUY' } }) })
    const ok = await verifyWith(g, (await issue(g, { requestDetails: { action: 'SELL' } })).txnToken)
    expect(ok.tctx).toEqual({ action: 'BUY' })
  })
})

describe('createTxnToken (review 6): further claims', () => {
  it('refuses an iss or jti that is not a non-empty string (every verifier would refuse the token)', async () => {
    const f = await txnFixture()
    const options = { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now }
    const base = { sub: 'user-42', scope: 'trade.stocks', req_wl: GATEWAY }
    for (const patch of [{ iss: 42 }, { iss: '' }, { jti: { id: 1 } }, { jti: '' }]) {
      await expect(createTxnToken({ ...base, ...patch }, options), JSON.stringify(patch)).rejects.toMatchObject({ name: 'TypeError' })
    }
    await expect(verifyWith(f, await createTxnToken({ ...base, iss: TTS_ISSUER, jti: 'j-1' }, options))).resolves.toMatchObject({ issuer: TTS_ISSUER })
  })
})
