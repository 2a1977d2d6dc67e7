// Review round 6: txnTokenPropagation redirect handling matches fetch where it takes over from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { createTxnToken, TXN_TOKEN_HEADER, txnTokenPropagation } from '../../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'
import { serveLoopback } from '../../helpers/txn-service.js'

let token: string
const seen: { path: string; txn: string | null; proxy: string | null }[] = []
let inside: Awaited<ReturnType<typeof serveLoopback>>
let foreign: Awaited<ReturnType<typeof serveLoopback>>

beforeAll(async () => {
  const signer = await oauthTestSigner('ES256')
  token = await createTxnToken({ sub: 'user-42', scope: 'trade.stocks', req_wl: 'gw' }, { signer, trustDomain: 'bank.example', clock: testClock().now })
  foreign = await serveLoopback(async (r) => {
    seen.push({ path: `foreign${new URL(r.url).pathname}`, txn: r.headers.get(TXN_TOKEN_HEADER), proxy: r.headers.get('proxy-authorization') })
    return new Response('foreign')
  })
  inside = await serveLoopback(async (r) => {
    const path = new URL(r.url).pathname
    seen.push({ path, txn: r.headers.get(TXN_TOKEN_HEADER), proxy: r.headers.get('proxy-authorization') })
    if (path === '/to-foreign') return new Response(null, { status: 302, headers: { location: `${foreign.url}/x` } })
    if (path === '/userinfo') return new Response(null, { status: 302, headers: { location: `${inside.url.replace('//', '//user:pass@')}/final` } })
    if (path === '/same') return new Response(null, { status: 302, headers: { location: '/final' } })
    return new Response('inside')
  })
})

afterAll(async () => {
  await Promise.all([inside.close(), foreign.close()])
})

describe('txnTokenPropagation (review 6): redirects', () => {
  it("rejects a redirect when the caller asked for redirect: 'error', as fetch does", async () => {
    await expect(fetch(`${inside.url}/same`, { redirect: 'error' })).rejects.toThrow(TypeError)
    const f = txnTokenPropagation({ getTxnToken: () => token, origins: [inside.url] })(fetch)
    const err = await f(`${inside.url}/same`, { redirect: 'error' }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_FETCH_REDIRECT', status: 302 })
    // Without a redirect the answer is the server's.
    expect(await (await f(`${inside.url}/final`, { redirect: 'error' })).text()).toBe('inside')
  })

  it('drops Proxy-Authorization on a cross-origin hop, as fetch does with Authorization', async () => {
    seen.length = 0
    const f = txnTokenPropagation({ getTxnToken: () => token, origins: [inside.url] })(fetch)
    expect(await (await f(`${inside.url}/to-foreign`, { headers: { 'proxy-authorization': 'Basic cHJveHk6c2VjcmV0' } })).text()).toBe('foreign')
    expect(seen).toEqual([
      { path: '/to-foreign', txn: token, proxy: 'Basic cHJveHk6c2VjcmV0' },
      { path: 'foreign/x', txn: null, proxy: null },
    ])
  })

  it('answers a redirect to a URL with credentials with the 3xx itself, never an uncoded TypeError', async () => {
    seen.length = 0
    const f = txnTokenPropagation({ getTxnToken: () => token, origins: [inside.url] })(fetch)
    const res = await f(`${inside.url}/userinfo`)
    expect(res.status).toBe(302)
    expect(seen.map((s) => s.path)).toEqual(['/userinfo'])
  })
})
