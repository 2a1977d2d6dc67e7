// Review round 8: createTxnToken and the Txn-Token Service replacement keep every asserted claim.
import { describe, expect, it } from 'vitest'
import { createTxnToken, verifyTxnToken } from '../../../src/txn-token/index.js'
import { GATEWAY, TRUST_DOMAIN, txnFixture, type TxnFixture } from '../../helpers/txn-service.js'

const verifyWith = (f: TxnFixture, token: string) => verifyTxnToken(token, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })

describe('createTxnToken (review 8)', () => {
  it('mints a claim named "__proto__" as a claim (assigning it set the payload prototype and dropped it)', async () => {
    const f = await txnFixture()
    const claims = JSON.parse(`{"sub":"user-42","scope":"trade.read","req_wl":"${GATEWAY}","__proto__":{"deny":true}}`) as { sub: string; scope: string; req_wl: string }
    const verified = await verifyWith(f, await createTxnToken(claims, { signer: f.tts, trustDomain: TRUST_DOMAIN, clock: f.clock.now }))
    expect(Object.hasOwn(verified.claims, '__proto__')).toBe(true)
    expect(JSON.stringify(verified.claims.__proto__)).toBe('{"deny":true}')
  })
})
