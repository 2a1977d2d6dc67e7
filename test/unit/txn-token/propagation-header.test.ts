import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import {
  createTxnToken,
  processTxnTokenResponse,
  TXN_TOKEN_HEADER,
  txnTokenPropagation,
  verifyTxnTokenHeader,
  type TxnTokenHeaderPolicy,
} from '../../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'
import { serveLoopback } from '../../helpers/txn-service.js'

const TD = 'bank.example'
const clock = testClock()
let token: string
let policy: TxnTokenHeaderPolicy

beforeAll(async () => {
  const signer = await oauthTestSigner('ES256')
  token = await createTxnToken({ sub: 'user-42', scope: 'trade.stocks', req_wl: 'gw' }, { signer, trustDomain: TD, clock: clock.now })
  policy = { required: true, trustDomain: TD, keys: [signer.jwk], clock: clock.now }
})

describe('txnTokenPropagation', () => {
  const seen: { url: string; txn: string | null }[] = []
  const recorder = async (input: Request | URL | string, init?: RequestInit) => {
    const r = new Request(input, init)
    seen.push({ url: r.url, txn: r.headers.get(TXN_TOKEN_HEADER) })
    return new Response('ok')
  }

  it('forwards the inbound token unmodified inside the trust domain only', async () => {
    seen.length = 0
    const f = txnTokenPropagation({ getTxnToken: () => token, origins: ['https://ledger.bank.example', 'https://risk.bank.example:8443'] })(recorder)
    await f('https://ledger.bank.example/entries')
    await f('https://risk.bank.example:8443/score', { method: 'POST', body: '{}' })
    await f('https://partner.example/api')
    await f('https://ledger.bank.example.evil.example/')
    await f('http://ledger.bank.example/') // another scheme is another origin
    expect(seen.map((s) => s.txn)).toEqual([token, token, null, null, null])
  })

  it('removes a Txn-Token the caller set for a foreign origin, and keeps one set for an inside origin', async () => {
    seen.length = 0
    const f = txnTokenPropagation({ getTxnToken: () => undefined, origins: ['https://ledger.bank.example'] })(recorder)
    await f('https://partner.example/api', { headers: { 'txn-token': token } })
    await f('https://ledger.bank.example/', { headers: { 'txn-token': token } })
    await f('https://ledger.bank.example/')
    expect(seen.map((s) => s.txn)).toEqual([null, token, null])
  })

  it('accepts a predicate instead of an origin list', async () => {
    seen.length = 0
    const f = txnTokenPropagation({ getTxnToken: () => token, isSameTrustDomain: (url) => url.hostname.endsWith('.bank.example') && url.protocol === 'https:' })(recorder)
    await f('https://a.bank.example/')
    await f('https://bank.example.partner.example/')
    expect(seen.map((s) => s.txn)).toEqual([token, null])
  })

  it('never lets a redirect carry the token to another trust domain', async () => {
    const foreignSeen: (string | null)[] = []
    const foreign = await serveLoopback(async (r) => {
      foreignSeen.push(r.headers.get(TXN_TOKEN_HEADER))
      return new Response('foreign')
    })
    const insideSeen: (string | null)[] = []
    const inside = await serveLoopback(async (r) => {
      insideSeen.push(r.headers.get(TXN_TOKEN_HEADER))
      const u = new URL(r.url)
      if (u.pathname === '/hop') return new Response(null, { status: 302, headers: { location: '/final' } })
      if (u.pathname === '/final') return new Response('inside')
      return new Response(null, { status: 307, headers: { location: `${foreign.url}/steal` } })
    })
    try {
      const f = txnTokenPropagation({ getTxnToken: () => token, origins: [inside.url] })(fetch)
      const res = await f(`${inside.url}/start`)
      expect(await res.text()).toBe('foreign')
      expect(insideSeen).toEqual([token])
      expect(foreignSeen).toEqual([null])
      // A same-origin redirect keeps the token.
      expect(await (await f(`${inside.url}/hop`)).text()).toBe('inside')
      expect(insideSeen.slice(1)).toEqual([token, token])
      // redirect: 'manual' hands the 3xx to the caller.
      expect((await f(`${inside.url}/start`, { redirect: 'manual' })).status).toBe(307)
      // A 307 of a request with a body is not replayed.
      expect((await f(`${inside.url}/start`, { method: 'POST', body: 'x' })).status).toBe(307)
      expect(foreignSeen).toEqual([null])
    } finally {
      await Promise.all([foreign.close(), inside.close()])
    }
  })

  it('refuses a token value that could inject header content', async () => {
    const f = txnTokenPropagation({ getTxnToken: () => 'a.b.c\r\nx: y', origins: ['https://ledger.bank.example'] })(recorder)
    await expect(f('https://ledger.bank.example/')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it.each([
    ['both origins and a predicate', { origins: [], isSameTrustDomain: () => true }],
    ['neither', {}],
    ['a URL with a path', { origins: ['https://a.example/path'] }],
    ['not a URL', { origins: ['bank.example'] }],
    ['bad maxRedirects', { origins: [], maxRedirects: -1 }],
  ])('refuses options with %s', (_name, patch) => {
    expect(() => txnTokenPropagation({ getTxnToken: () => token, ...patch } as never)).toThrow(TypeError)
  })
})

describe('verifyTxnTokenHeader', () => {
  it('verifies exactly one Txn-Token header', async () => {
    const t = await verifyTxnTokenHeader(new Headers({ 'txn-token': token }), policy)
    expect(t).toMatchObject({ subject: 'user-42', trustDomain: TD })
  })

  it('requires the header in required mode and allows its absence in optional mode', async () => {
    await expect(verifyTxnTokenHeader(new Headers(), policy)).rejects.toMatchObject({ code: 'ERR_TXN_TOKEN_MISSING', status: 401 })
    await expect(verifyTxnTokenHeader(new Headers(), { ...policy, required: false })).resolves.toBeUndefined()
  })

  it('refuses repeated header lines, lists and whitespace', async () => {
    const twice = new Headers()
    twice.append('txn-token', token)
    twice.append('txn-token', token)
    for (const h of [twice, new Headers({ 'txn-token': `${token}, ${token}` }), new Headers({ 'txn-token': `Bearer ${token}` }), new Headers({ 'txn-token': '' })]) {
      const err = await verifyTxnTokenHeader(h, { ...policy, required: false }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(VerificationError)
      expect((err as VerificationError).code).toBe('ERR_HEADER_INVALID')
    }
  })

  it('refuses a token of another trust domain', async () => {
    await expect(verifyTxnTokenHeader(new Headers({ 'txn-token': token }), { ...policy, trustDomain: 'other.example' })).rejects.toMatchObject({ code: 'ERR_TXN_TOKEN_AUDIENCE' })
  })

  it('refuses a bad policy', async () => {
    await expect(verifyTxnTokenHeader(new Headers(), { ...policy, required: 'yes' } as never)).rejects.toThrow(TypeError)
    await expect(verifyTxnTokenHeader({} as never, policy)).rejects.toThrow(TypeError)
  })
})

describe('processTxnTokenResponse', () => {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  const good = () => ({ access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:txn_token', token_type: 'N_A', expires_in: 300 })

  it('accepts a conforming response', async () => {
    await expect(processTxnTokenResponse(json(good()))).resolves.toEqual({ txnToken: token, expiresIn: 300, scope: undefined })
  })

  it.each([
    ['token_type Bearer', { token_type: 'Bearer' }],
    ['a refresh token', { refresh_token: 'r' }],
    ['another issued token type', { issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }],
    ['no issued token type', { issued_token_type: undefined }],
    ['an opaque token', { access_token: 'opaque' }],
    ['a numeric token', { access_token: 7 }],
  ])('refuses %s', async (_name, patch) => {
    const err = await processTxnTokenResponse(json({ ...good(), ...patch })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toBe('ERR_OAUTH_RESPONSE_INVALID')
  })

  it('surfaces OAuth errors', async () => {
    await expect(processTxnTokenResponse(json({ error: 'invalid_scope' }, 400))).rejects.toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_scope', status: 400 })
  })
})
