import { describe, expect, it } from 'vitest'
import { tlsClientAuth } from '../../../src/client-auth/index.js'
import { createTokenCache, createTokenExchangeCache, tokenExchange, TOKEN_TYPE, type TokenExchangeResponse } from '../../../src/token-exchange/index.js'
import { testClock } from '../../helpers/oauth-signer.js'

function response(token: string, expiresIn: number | null = 300, tokenType = 'Bearer'): TokenExchangeResponse {
  return Object.freeze({ accessToken: token, issuedTokenType: TOKEN_TYPE.ACCESS_TOKEN, tokenType, expiresIn: expiresIn ?? undefined, scope: undefined, refreshToken: undefined })
}

describe('createTokenCache', () => {
  it('caches per audience+scope regardless of order and refreshes before expiry', async () => {
    const clock = testClock()
    let n = 0
    const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`), refreshBefore: 30, clock: clock.now })
    const a = await cache.get({ audience: 'https://a', scope: 'x y' })
    const b = await cache.get({ audience: ['https://a'], scope: ['y', 'x'] })
    expect(a.token).toBe('t1')
    expect(b.token).toBe('t1')
    expect((await cache.get({ audience: 'https://b' })).token).toBe('t2')
    clock.advance(269)
    expect((await cache.get({ audience: 'https://a', scope: 'x y' })).token).toBe('t1')
    clock.advance(1)
    expect((await cache.get({ audience: 'https://a', scope: 'x y' })).token).toBe('t3')
  })

  it('is single-flight and does not cache failures', async () => {
    let n = 0
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const cache = createTokenCache({
      fetchToken: async () => {
        n++
        await gate
        if (n === 1) throw new Error('boom')
        return response('ok')
      },
    })
    const p1 = cache.get({ audience: 'a' })
    const p2 = cache.get({ audience: 'a' })
    release()
    await expect(p1).rejects.toThrow('boom')
    await expect(p2).rejects.toThrow('boom')
    expect(n).toBe(1)
    expect((await cache.get({ audience: 'a' })).token).toBe('ok')
    expect(n).toBe(2)
  })

  it('does not cache tokens without a lifetime unless told to, and honours invalidate/abort', async () => {
    let n = 0
    const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`, null) })
    await cache.get({ audience: 'a' })
    await cache.get({ audience: 'a' })
    expect(n).toBe(2)
    const cached = createTokenCache({ fetchToken: async () => response(`u${++n}`), defaultLifetime: 60 })
    const first = await cached.get({ audience: 'a' })
    cached.invalidate({ audience: 'a' })
    expect((await cached.get({ audience: 'a' })).token).not.toBe(first.token)
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    await expect(cached.get({ audience: 'z' }, { signal: ac.signal })).rejects.toThrow('stop')
    expect(() => createTokenCache({ fetchToken: async () => response('x'), refreshBefore: Number.POSITIVE_INFINITY })).toThrow(TypeError)
  })
})

describe('tokenExchange middleware', () => {
  it('attaches the token per destination origin and leaves other origins alone', async () => {
    const seen: Request[] = []
    const next = async (input: Request | URL | string, init?: RequestInit) => {
      const r = new Request(input, init)
      seen.push(r)
      return new Response('ok')
    }
    const cache = createTokenCache({ fetchToken: async (t) => response(`tok-for-${String(t.audience)}`) })
    const f = tokenExchange({ cache, destinations: { 'https://tool.example.com': { audience: 'tool' } } })(next)
    await f('https://tool.example.com/x', { method: 'POST', body: 'hi' })
    await f('https://other.example.com/x', { headers: { authorization: 'Bearer mine' } })
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer tok-for-tool')
    expect(await seen[0]!.text()).toBe('hi')
    expect(seen[1]!.headers.get('authorization')).toBe('Bearer mine')
    expect(() => tokenExchange({ cache, destinations: { 'https://tool.example.com/path': {} } })).toThrow(TypeError)
  })

  it('evicts on 401 invalid_token and refuses non-Bearer tokens', async () => {
    let n = 0
    const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`) })
    const unauthorized = async () => new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
    const f = tokenExchange({ cache, destinations: () => ({ audience: 'a' }) })(unauthorized)
    await f('https://a.example/')
    await f('https://a.example/')
    expect(n).toBe(2)
    const na = tokenExchange({ cache: createTokenCache({ fetchToken: async () => response('x', 60, 'N_A') }), destinations: () => ({}) })(unauthorized)
    await expect(na('https://a.example/')).rejects.toMatchObject({ code: 'ERR_TOKEN_EXCHANGE_FAILED' })
  })

  it('createTokenExchangeCache exchanges the current subject for each target', async () => {
    const bodies: URLSearchParams[] = []
    const fetch = async (input: Request | URL | string, init?: RequestInit) => {
      bodies.push(new URLSearchParams(await new Request(input, init).text()))
      return Response.json({ access_token: `t${bodies.length}`, issued_token_type: TOKEN_TYPE.ACCESS_TOKEN, token_type: 'Bearer', expires_in: 600 })
    }
    const cache = createTokenExchangeCache({
      server: { tokenEndpoint: 'https://sts.example.com/token' },
      client: { clientId: 'broker', auth: tlsClientAuth() },
      subject: () => ({ token: 'user-token', tokenType: TOKEN_TYPE.ACCESS_TOKEN }),
      actor: async () => ({ token: 'agent-token', tokenType: TOKEN_TYPE.JWT }),
      fetch,
    })
    const t = await cache.get({ audience: 'https://tool', scope: 'read' })
    expect(t.token).toBe('t1')
    expect(bodies[0]!.get('subject_token')).toBe('user-token')
    expect(bodies[0]!.get('actor_token')).toBe('agent-token')
    expect(bodies[0]!.get('audience')).toBe('https://tool')
    expect(bodies[0]!.get('scope')).toBe('read')
  })
})

describe('createTokenCache (review)', () => {
  it('abandons an exchange that never answers after `timeout`, so the target is not wedged', async () => {
    let n = 0
    const signals: AbortSignal[] = []
    const cache = createTokenCache({
      timeout: 0.02,
      fetchToken: (_target, { signal }) => {
        signals.push(signal)
        return ++n === 1 ? new Promise<never>(() => undefined) : Promise.resolve(response('t2'))
      },
    })
    await expect(cache.get({ audience: 'a' })).rejects.toMatchObject({ code: 'ERR_TOKEN_EXCHANGE_FAILED' })
    expect(signals[0]!.aborted).toBe(true)
    expect((await cache.get({ audience: 'a' })).token).toBe('t2')
    expect(n).toBe(2)
    expect(() => createTokenCache({ fetchToken: async () => response('x'), timeout: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('exchanges and caches the target as it was when get() was called, even if the caller mutates it', async () => {
    const audiences: string[] = []
    const fetch = async (_input: Request | URL | string, init?: RequestInit) => {
      const audience = new URLSearchParams(String(init?.body)).get('audience')!
      audiences.push(audience)
      return Response.json({ access_token: `for-${audience}`, issued_token_type: TOKEN_TYPE.ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300 })
    }
    const cache = createTokenExchangeCache({
      server: { issuer: 'https://as.example', tokenEndpoint: 'https://as.example/token' },
      client: { clientId: 'c', auth: tlsClientAuth() },
      subject: async () => ({ token: 's', tokenType: TOKEN_TYPE.ACCESS_TOKEN }),
      fetch,
    })
    const target: { audience: string | string[] } = { audience: ['https://a.example'] }
    const pending = cache.get(target)
    ;(target.audience as string[])[0] = 'https://b.example'
    target.audience = 'https://b.example'
    expect((await pending).token).toBe('for-https://a.example')
    expect((await cache.get({ audience: 'https://a.example' })).token).toBe('for-https://a.example')
    expect((await cache.get({ audience: 'https://b.example' })).token).toBe('for-https://b.example')
    expect(audiences).toEqual(['https://a.example', 'https://b.example'])
  })
})

describe('tokenExchange WWW-Authenticate parsing (review)', () => {
  async function evicts(challenge: string): Promise<boolean> {
    let n = 0
    const cache = createTokenCache({ fetchToken: async () => response(`t${++n}`) })
    const f = tokenExchange({ cache, destinations: () => ({ audience: 'a' }) })(async () => new Response('', { status: 401, headers: { 'www-authenticate': challenge } }))
    await f('https://a.example/')
    await f('https://a.example/')
    return n === 2
  }

  it('evicts only on a Bearer challenge whose error auth-param is invalid_token (RFC 9110 §11.6.1, RFC 6750 §3)', async () => {
    for (const yes of [
      'Bearer error="invalid_token"',
      'bearer realm="api", ERROR = invalid_token',
      'Basic realm="x", Bearer error="invalid_token", error_description="expired"',
      'Bearer realm="a,b", error="invalid\\_token"',
      'Negotiate a/b+c==, Bearer error="invalid_token"',
    ]) expect(await evicts(yes), yes).toBe(true)
    for (const no of [
      'Bearer error="insufficient_scope", error_description="error=invalid_token"',
      'Bearer error="invalid_token_type"',
      'DPoP error="invalid_token"',
      'Bearer realm="error=\\"invalid_token\\""',
      'Bearer error="invalid_token',
      '',
    ]) expect(await evicts(no), no).toBe(false)
  })
})
