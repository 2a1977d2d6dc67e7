import { describe, expect, it } from 'vitest'
import { processTxnTokenResponse } from '../../../src/txn-token/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'

describe('processTxnTokenResponse (review)', () => {
  it('compares token_type N_A case-insensitively (RFC 6749 §5.1)', async () => {
    for (const tokenType of ['N_A', 'n_a', 'N_a']) {
      const r = await processTxnTokenResponse(Response.json({ access_token: 'a.b.c', token_type: tokenType, issued_token_type: TOKEN_TYPE.TXN_TOKEN, expires_in: 60 }))
      expect(r.txnToken).toBe('a.b.c')
    }
    await expect(processTxnTokenResponse(Response.json({ access_token: 'a.b.c', token_type: 'Bearer', issued_token_type: TOKEN_TYPE.TXN_TOKEN }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })
})
