// Review round 8: createTxnToken and the Txn-Token Service replacement keep every asserted claim.
import { describe, expect, it } from 'vitest'
import { createCompactJWS } from '../../../src/signer/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTxnToken, verifyTxnToken, type TxnTokenRequestParameters } from '../../../src/txn-token/index.js'
import { GATEWAY, TRUST_DOMAIN, TTS_ISSUER, issue, lastError, txnFixture, type TxnFixture } from '../../helpers/txn-service.js'

const verifyWith = (f: TxnFixture, token: string) => verifyTxnToken(token, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })
const replace = (f: TxnFixture, token: string, params: Partial<TxnTokenRequestParameters> = {}) =>
  issue(f, { subjectToken: token, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, scope: 'trade.read', ...params }, f.batch)

describe('createTxnToken (review 8)', () => {
  it('mints a claim named "__proto__" as a claim (assigning it set the payload prototype and dropped it)', async () => {
    const f = await txnFixture()
    const claims = JSON.parse(`{"sub":"user-42","scope":"trade.read","req_wl":"${GATEWAY}","__proto__":{"deny":true}}`) as { sub: string; scope: string; req_wl: string }
    const verified = await verifyWith(f, await createTxnToken(claims, { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now }))
    expect(Object.hasOwn(verified.claims, '__proto__')).toBe(true)
    expect(JSON.stringify(verified.claims.__proto__)).toBe('{"deny":true}')
  })
})

describe('createTxnTokenService (review 8): replacement keeps asserted values', () => {
  it('carries over claims it does not know (dropping a restriction would broaden the token, §13.15)', async () => {
    const f = await txnFixture()
    // An in-process minter (createTxnToken, a "local interface") may assert extension claims.
    const original = await createTxnToken(
      { sub: 'user-42', scope: 'trade.stocks trade.read', req_wl: GATEWAY, iss: TTS_ISSUER, limits: { max_amount: 100 }, cnf: { jkt: 'abc' }, jti: 'one' },
      { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now },
    )
    f.clock.advance(5)
    const replaced = await verifyWith(f, (await replace(f, original)).txnToken)
    expect(replaced.claims.limits).toEqual({ max_amount: 100 })
    expect(replaced.claims.cnf).toEqual({ jkt: 'abc' })
    // Token identity and time claims are the new token's own; derived claims as before.
    expect(replaced.claims.jti).toBeUndefined()
    expect(replaced.issuedAt).toBe(f.clock.seconds())
    expect(replaced.scopes).toEqual(['trade.read'])
    expect(replaced.requesterChain).toHaveLength(2)
  })

  it('carries over a claim named "__proto__" as a claim', async () => {
    const f = await txnFixture()
    const claims = JSON.parse(`{"sub":"user-42","scope":"trade.read","req_wl":"${GATEWAY}","iss":"${TTS_ISSUER}","__proto__":{"deny":true}}`) as { sub: string; scope: string; req_wl: string }
    const original = await createTxnToken(claims, { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now })
    const replaced = await verifyWith(f, (await replace(f, original)).txnToken)
    expect(Object.hasOwn(replaced.claims, '__proto__')).toBe(true)
    expect(JSON.stringify(replaced.claims.__proto__)).toBe('{"deny":true}')
    expect(Object.getPrototypeOf(replaced.claims)).toBe(Object.prototype)
  })
})

describe('createTxnTokenService (review 8): replacement of a token about to expire', () => {
  it('refuses (invalid_request ERR_TOKEN_EXPIRED) a token with less than a second left, not server_error', async () => {
    const f = await txnFixture()
    const now = f.clock.seconds()
    // exp need not be an integer (RFC 7519 NumericDate): 0.5 s after now.
    const original = await createCompactJWS({ typ: 'txntoken+jwt' }, { iss: TTS_ISSUER, aud: TRUST_DOMAIN, iat: now, exp: now + 0.5, txn: 't-1', sub: 'user-42', scope: 'trade.read', req_wl: GATEWAY }, f.tts)
    f.clock.advance(0.2)
    const err = await replace(f, original).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_request' })
    expect(lastError(f).code).toBe('ERR_TOKEN_EXPIRED')
  })

  it('answers an integer expires_in equal to the replacement\'s lifetime for a fractional exp', async () => {
    const f = await txnFixture()
    const now = f.clock.seconds()
    const original = await createCompactJWS({ typ: 'txntoken+jwt' }, { iss: TTS_ISSUER, aud: TRUST_DOMAIN, iat: now, exp: now + 10.5, txn: 't-2', sub: 'user-42', scope: 'trade.read', req_wl: GATEWAY }, f.tts)
    f.clock.advance(0.2)
    // Raw answer: the agentauth client floors expires_in, other clients take it as sent.
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN,
      scope: 'trade.read', subject_token: original, subject_token_type: TOKEN_TYPE.TXN_TOKEN,
    })
    const headers = new Headers()
    await f.batch.auth({ issuer: TTS_ISSUER, tokenEndpoint: f.server.tokenEndpoint, clientId: f.batch.clientId, body, headers })
    headers.set('content-type', 'application/x-www-form-urlencoded')
    const res = (await (await f.handler(new Request(f.server.tokenEndpoint, { method: 'POST', headers, body }))).json()) as { access_token: string; expires_in: number }
    const verified = await verifyWith(f, res.access_token)
    expect(verified.expiresAt).toBe(now + 10)
    expect(res.expires_in).toBe(10)
  })
})

describe('createTxnTokenService (review 8): policy contexts that are not JSON', () => {
  it('a policy tctx/rctx JSON cannot represent (BigInt, a cycle) is a coded server_error', async () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    for (const tctx of [{ amount: 10n }, cyclic]) {
      const f = await txnFixture({ policy: () => ({ tctx }) })
      const err = await issue(f).then(() => undefined, (e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'server_error' })
      expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
  })
})
