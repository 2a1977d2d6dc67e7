// Review round 8: txnTokenPropagation rejects a redirect chain longer than maxRedirects, as fetch
// (and agentauth/fetch) reject one past their limit, instead of handing the caller a 3xx.
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { createTxnToken, TXN_TOKEN_HEADER, txnTokenPropagation } from '../../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

const ORIGIN = 'https://ledger.bank.example'

describe('txnTokenPropagation (review 8): redirect limit', () => {
  it('rejects with ERR_FETCH_REDIRECT once maxRedirects hops were followed', async () => {
    const signer = await oauthTestSigner('ES256')
    const token = await createTxnToken({ sub: 'user-42', scope: 'trade.stocks', req_wl: 'gw' }, { signer, trustDomain: 'bank.example', clock: testClock().now })
    const hops: string[] = []
    const next = async (input: Request | URL | string): Promise<Response> => {
      const request = input as Request
      hops.push(`${new URL(request.url).pathname} ${request.headers.get(TXN_TOKEN_HEADER) === token}`)
      return new Response(null, { status: 302, headers: { location: `/hop${hops.length}` } })
    }
    const f = txnTokenPropagation({ getTxnToken: () => token, origins: [ORIGIN], maxRedirects: 2 })(next)
    const err = await f(`${ORIGIN}/start`).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_FETCH_REDIRECT', status: 302 })
    expect(hops).toEqual(['/start true', '/hop1 true', '/hop2 true'])
    // With redirect: 'manual' the caller still gets the 3xx itself.
    expect((await f(`${ORIGIN}/start`, { redirect: 'manual' })).status).toBe(302)
  })
})
