import { describe, expect, it } from 'vitest'
import { matchPath, normalisePolicy } from '../../../src/broker/policy.js'
import { redactURL } from '../../../src/broker/index.js'

const O = 'https://api.example.com'

describe('broker policy', () => {
  it('matches path prefixes on whole segments', () => {
    expect(matchPath('/v1/orders', '/v1/orders')).toBe(true)
    expect(matchPath('/v1/orders/7', '/v1/orders')).toBe(true)
    expect(matchPath('/v1/orders-admin', '/v1/orders')).toBe(false)
    expect(matchPath('/v1/ordersx/1', '/v1/orders')).toBe(false)
    expect(matchPath('/v1/', '/v1/')).toBe(true)
    expect(matchPath('/v1/a', '/v1/')).toBe(true)
    expect(matchPath('/v1', '/v1/')).toBe(false)
    expect(matchPath('/anything', '/')).toBe(true)
  })

  it('decides on origin, mode, path and method', () => {
    const p = normalisePolicy({ destinations: { [O]: { paths: ['/v1/orders'], methods: ['GET'], modes: ['proof'] } } }, Date.now)
    const d = (url: string, method = 'GET', mode: 'proof' | 'proxy' = 'proof') => {
      const r = p.decide(new URL(url), method, mode)
      return r.allowed ? 'allowed' : r.reason
    }
    expect(d(`${O}/v1/orders/7?x=1`)).toBe('allowed')
    expect(d('https://api.example.com:8443/v1/orders')).toBe('origin_not_allowed')
    expect(d('http://api.example.com/v1/orders')).toBe('origin_not_allowed')
    expect(d(`${O}/v1/orders`, 'GET', 'proxy')).toBe('mode_not_allowed')
    expect(d(`${O}/v1/admin`)).toBe('path_not_allowed')
    expect(d(`${O}/v1/orders/../admin`)).toBe('path_not_allowed')
    expect(d(`${O}/v1/orders/%2e%2e/admin`)).toBe('path_not_allowed')
    expect(d(`${O}/v1/orders/..%2Fadmin`)).toBe('path_not_allowed')
    expect(d(`${O}/v1/orders%5C..%5Cadmin`)).toBe('path_not_allowed')
    expect(d(`${O}/v1/orders`, 'DELETE')).toBe('method_not_allowed')
    expect(d(`${O}/v1/orders`, 'get')).toBe('method_not_allowed')
  })

  it('refuses dot segments and separators encoded twice (%252e, %252f), which an upstream decoding twice resolves', () => {
    const p = normalisePolicy({ destinations: { [O]: { paths: ['/api'], methods: ['GET'] } } }, Date.now)
    const d = (path: string) => {
      const r = p.decide(new URL(`${O}${path}`), 'GET', 'proof')
      return r.allowed ? 'allowed' : r.reason
    }
    for (const path of ['/api/%252e%252e/admin', '/api/%25252E%25252e/admin', '/api/..%252fadmin', '/api/x%255c..%255cadmin', '/api/%252e%252e;/admin']) {
      expect([path, d(path)]).toEqual([path, 'path_not_allowed'])
    }
    expect(d('/api/100%25')).toBe('allowed') // a literal percent in a segment
    expect(d('/api/%2525')).toBe('allowed')
    expect(() => normalisePolicy({ destinations: { [O]: { paths: ['/api/%252e%252e'], methods: ['GET'] } } }, Date.now)).toThrow(TypeError)
  })

  it('refuses dot segments hidden behind path parameters (..;), which servers that strip ;params resolve', () => {
    const p = normalisePolicy({ destinations: { [O]: { paths: ['/api', '/v1/orders'], methods: ['GET'] } } }, Date.now)
    const d = (path: string) => {
      const r = p.decide(new URL(`${O}${path}`), 'GET', 'proof')
      return r.allowed ? 'allowed' : r.reason
    }
    for (const path of ['/api/..;/admin', '/api/..;jsessionid=1/admin', '/api/%2e%2e;/admin', '/api/%2E.;x/admin', '/api/.%2e;/admin', '/api/.;/x', '/api/..%3b/admin', '/api/%2e%2e%3Bx/admin', '/api/x/..;']) {
      expect([path, d(path)]).toEqual([path, 'path_not_allowed'])
    }
    for (const path of ['/api', '/api/x;v=1', '/api/7;rev=2/items', '/api/...;/x', '/api/..x;/y', '/api/;/x', '/v1/orders/.well;x']) {
      expect([path, d(path)]).toEqual([path, 'allowed'])
    }
    expect(() => normalisePolicy({ destinations: { [O]: { paths: ['/api/..;/admin'], methods: ['GET'] } } }, Date.now)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => normalisePolicy({ destinations: { [O]: { paths: ['/api/%2e%2e/admin'], methods: ['GET'] } } }, Date.now)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('rate-limits per origin with a token bucket on the injected clock', () => {
    let now = 1_000_000
    const p = normalisePolicy({ destinations: { [O]: { paths: ['/'], methods: ['GET'], rateLimit: { requests: 2, interval: 10 } } } }, () => now)
    const take = () => p.decide(new URL(`${O}/x`), 'GET', 'proof')
    expect(take().allowed).toBe(true)
    expect(take().allowed).toBe(true)
    expect(take()).toEqual({ allowed: false, reason: 'rate_limited', retryAfter: 5 })
    now += 5000
    expect(take().allowed).toBe(true)
    expect(take()).toMatchObject({ allowed: false, retryAfter: 5 })
    now += 60_000
    expect(take().allowed).toBe(true)
    expect(take().allowed).toBe(true)
    expect(take().allowed).toBe(false)
  })

  it('refuses unusable policies', () => {
    const bad = (destinations: unknown) => () => normalisePolicy({ destinations } as never, Date.now)
    const ok = { paths: ['/'], methods: ['GET'] }
    const code = expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' })
    expect(bad({})).toThrow(code)
    expect(bad({ 'https://api.example.com/v1': ok })).toThrow(code)
    expect(bad({ 'https://*.example.com': ok })).toThrow(code)
    expect(bad({ [O]: { ...ok, paths: [] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, paths: ['v1'] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, paths: ['/v1/../admin'] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, paths: ['/v1?x'] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, methods: [] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, methods: ['G T'] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, modes: ['push'] } })).toThrow(code)
    expect(bad({ [O]: { ...ok, proof: 'jwt' } })).toThrow(code)
    expect(bad({ [O]: { ...ok, rateLimit: { requests: Number.NaN, interval: 1 } } })).toThrow(code)
    expect(bad({ [O]: { ...ok, rateLimit: { requests: 1 } } })).toThrow(TypeError)
    expect(bad({ [O]: { ...ok, maxBodyBytes: -1 } })).toThrow(code)
    expect(bad({ [O]: ok, 'https://API.example.com': ok })).toThrow(code)
  })

  it('redacts query values, userinfo and fragments for the audit log', () => {
    expect(redactURL(new URL('https://u:p@api.example.com/v1/search?q=secret&flag&page=2#frag'))).toBe('https://api.example.com/v1/search?q=REDACTED&REDACTED&page=REDACTED')
    // A bare part or an unusual name may itself be the secret: redacted whole.
    expect(redactURL(new URL('https://api.example.com/x?sk_live_51Hxyz&api_key%3Dhunter2&ids[]=1&a.b-c=2'))).toBe('https://api.example.com/x?REDACTED&REDACTED&ids[]=REDACTED&a.b-c=REDACTED')
    expect(redactURL(new URL('https://api.example.com/'))).toBe('https://api.example.com/')
  })
})
