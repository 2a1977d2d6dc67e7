// src/internal/target-audience.ts: shared by the WPT aud claim and the WIMSE wimse-aud parameter.
import { describe, expect, it } from 'vitest'
import { audienceMatches, compileAudience, targetWithoutQuery } from '../../../src/internal/target-audience.js'

const target = targetWithoutQuery('https://Api.Example.com:443/a/b?q=1#f', 'uri')

describe('target audience', () => {
  it('strips query and fragment and normalises the target URI', () => {
    expect(target).toEqual({ href: 'https://api.example.com/a/b', pathname: '/a/b' })
    expect(targetWithoutQuery(new URL('http://x.example:8080/?a'), 'uri').href).toBe('http://x.example:8080/')
    expect(() => targetWithoutQuery('/relative', 'uri')).toThrow(TypeError)
    expect(() => targetWithoutQuery(1, 'uri')).toThrow(TypeError)
  })

  it('without a policy, the value must be the target URI (normalised)', () => {
    expect(audienceMatches('https://api.example.com/a/b', target, undefined)).toBe(true)
    expect(audienceMatches('https://API.example.com:443/a/b', target, undefined)).toBe(true)
    expect(audienceMatches('https://api.example.com/a/b?q=1', target, undefined)).toBe(false)
    expect(audienceMatches('https://api.example.com/a/b?', target, undefined)).toBe(false)
    expect(audienceMatches('https://api.example.com/a', target, undefined)).toBe(false)
    expect(audienceMatches('', target, undefined)).toBe(false)
  })

  it('a configured origin accepts origin + request path only', () => {
    const policy = compileAudience(['https://api.example.com', 'https://alias.example.com/'], 'aud')!
    expect(policy.origins).toEqual(['https://api.example.com', 'https://alias.example.com'])
    const evil = targetWithoutQuery('https://evil.example/a/b', 'uri')
    expect(audienceMatches('https://api.example.com/a/b', evil, policy)).toBe(true)
    expect(audienceMatches('https://alias.example.com/a/b', evil, policy)).toBe(true)
    expect(audienceMatches('https://evil.example/a/b', evil, policy)).toBe(false)
    expect(audienceMatches('https://api.example.com/other', evil, policy)).toBe(false)
    expect(audienceMatches('http://api.example.com/a/b', evil, policy)).toBe(false)
  })

  it('a configured value with a path, or a non-URL value, must match exactly', () => {
    const policy = compileAudience(['https://api.example.com/fixed', 'urn:svc:orders', 'spiffe://example.org/svc'], 'aud')!
    expect(policy.origins).toEqual([])
    expect(audienceMatches('https://api.example.com/fixed', target, policy)).toBe(true)
    expect(audienceMatches('urn:svc:orders', target, policy)).toBe(true)
    expect(audienceMatches('spiffe://example.org/svc', target, policy)).toBe(true)
    expect(audienceMatches('https://api.example.com/a/b', target, policy)).toBe(false)
  })

  it('caches compiled policies but recompiles a configuration array that changed', () => {
    const config = ['https://api.example.com']
    const first = compileAudience(config, 'aud')
    expect(compileAudience(config, 'aud')).toBe(first)
    expect(compileAudience('https://api.example.com', 'aud')).toBe(compileAudience('https://api.example.com', 'aud'))
    config[0] = 'https://other.example.com'
    const second = compileAudience(config, 'aud')!
    expect(second).not.toBe(first)
    expect(audienceMatches('https://api.example.com/a/b', target, second)).toBe(false)
    config.push(5 as never)
    expect(() => compileAudience(config, 'aud')).toThrow(TypeError)
  })

  it('refuses unusable configuration', () => {
    expect(compileAudience(undefined, 'aud')).toBeUndefined()
    expect(() => compileAudience([], 'aud')).toThrow(TypeError)
    expect(() => compileAudience([''], 'aud')).toThrow(TypeError)
    expect(() => compileAudience(5, 'aud')).toThrow(TypeError)
    expect(() => compileAudience(['https://user:pw@api.example.com'], 'aud')).toThrow(TypeError)
  })
})
