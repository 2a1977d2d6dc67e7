// Review round 8: createTxnToken and the Txn-Token Service replacement keep every asserted claim.
import { describe, expect, it } from 'vitest'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTxnToken, verifyTxnToken, type TxnTokenRequestParameters } from '../../../src/txn-token/index.js'
import { GATEWAY, TRUST_DOMAIN, TTS_ISSUER, issue, txnFixture, type TxnFixture } from '../../helpers/txn-service.js'

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
