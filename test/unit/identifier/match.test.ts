import { describe, expect, it } from 'vitest'
import {
  matchAny,
  matchId,
  matchOneOf,
  matchPathPrefix,
  matchPredicate,
  matchTrustDomain,
  parseTrustDomain,
  parseWorkloadIdentifier,
  sameTrustDomain,
  type WorkloadIdentifier,
} from '../../../src/identifier/index.js'
import { outcome, typeErrorCode } from '../../helpers/identifier.js'

const p = (v: string): WorkloadIdentifier => parseWorkloadIdentifier(v)

describe('matchers', () => {
  it('matchAny accepts identifiers only', () => {
    const m = matchAny()
    expect(m(p('spiffe://a/b'))).toBe(true)
    expect(m(null as never)).toBe(false)
    expect(m('spiffe://a/b' as never)).toBe(false)
  })

  it('matchId compares whole strings byte for byte', () => {
    const m = matchId('spiffe://example.org/api', 'wimse://example.com/ledger/')
    expect(m(p('spiffe://example.org/api'))).toBe(true)
    expect(m(p('wimse://example.com/ledger/'))).toBe(true)
    expect(m(p('wimse://example.com/ledger'))).toBe(false)
    expect(m(p('spiffe://example.org/api/x'))).toBe(false)
    expect(m(p('spiffe://example.org/ap'))).toBe(false)
    expect(m(p('wimse://example.org/api'))).toBe(false)
    expect(m({ id: 'spiffe://example.org/api' } as WorkloadIdentifier)).toBe(true)
    expect(m(undefined as never)).toBe(false)
  })

  it('matchId validates its arguments eagerly', () => {
    expect(typeErrorCode(() => matchId())).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchId('spiffe://Example.org/api'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchId('spiffe://example.org/api', ''))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchId(3 as never))).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('matchTrustDomain: bare names match every scheme, origins one scheme', () => {
    const m = matchTrustDomain('example.org', 'wimse://partner.example', parseTrustDomain('third.example'))
    expect(m(p('spiffe://example.org/a'))).toBe(true)
    expect(m(p('wimse://example.org'))).toBe(true)
    expect(m(p('wimse://partner.example/x'))).toBe(true)
    expect(m(p('spiffe://partner.example/x'))).toBe(false)
    expect(m(p('spiffe://third.example/x'))).toBe(true)
    expect(m(p('spiffe://example.org.evil/a'))).toBe(false)
    expect(m(p('spiffe://sub.example.org/a'))).toBe(false)
    expect(m(7 as never)).toBe(false)
  })

  it('matchTrustDomain validates its arguments eagerly', () => {
    expect(typeErrorCode(() => matchTrustDomain())).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchTrustDomain('Example.org'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchTrustDomain(''))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchTrustDomain('spiffe://example.org/a'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchTrustDomain('spiffe://Example.org'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchTrustDomain(null as never))).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('matchOneOf tries each matcher and fails closed on non-boolean results', () => {
    const m = matchOneOf(matchId('spiffe://a/x'), matchTrustDomain('b'), (() => 'yes') as never)
    expect(m(p('spiffe://a/x'))).toBe(true)
    expect(m(p('wimse://b/y'))).toBe(true)
    expect(m(p('spiffe://a/y'))).toBe(false)
    expect(typeErrorCode(() => matchOneOf())).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchOneOf('x' as never))).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('matchPredicate allows only a literal true', () => {
    expect(matchPredicate((id) => id.path === '/a')(p('spiffe://t/a'))).toBe(true)
    expect(matchPredicate((id) => id.path === '/a')(p('spiffe://t/b'))).toBe(false)
    expect(matchPredicate((() => 1) as never)(p('spiffe://t/b'))).toBe(false)
    expect(matchPredicate(() => true)(null as never)).toBe(false)
    expect(typeErrorCode(() => matchPredicate(undefined as never))).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('matchPathPrefix matches whole segments under one origin', () => {
    const m = matchPathPrefix('spiffe://example.org', '/ns/db')
    expect(m(p('spiffe://example.org/ns/db'))).toBe(true)
    expect(m(p('spiffe://example.org/ns/db/replica-1'))).toBe(true)
    expect(m(p('spiffe://example.org/ns/dbx'))).toBe(false)
    expect(m(p('spiffe://example.org/ns'))).toBe(false)
    expect(m(p('wimse://example.org/ns/db'))).toBe(false)
    expect(m(p('spiffe://other.org/ns/db'))).toBe(false)
    const w = matchPathPrefix('wimse://example.com', '/svc')
    expect(w(p('wimse://example.com/svc/'))).toBe(true)
    expect(w(p('wimse://example.com/svc//x'))).toBe(true)
    expect(w(p('wimse://example.com/svc%2Fx'))).toBe(false)
  })

  it('matchPathPrefix validates its arguments eagerly', () => {
    expect(typeErrorCode(() => matchPathPrefix('spiffe://example.org/a', '/b'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => matchPathPrefix('example.org', '/b'))).toBe('ERR_INVALID_ARG_VALUE')
    for (const bad of ['', '/', 'ns', '/ns/', '/ns//db', '/ns/./db', '/n$']) {
      expect(typeErrorCode(() => matchPathPrefix('spiffe://example.org', bad)), bad).toBe('ERR_INVALID_ARG_VALUE')
    }
    expect(typeErrorCode(() => matchPathPrefix('spiffe://example.org', 1 as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(typeErrorCode(() => matchPathPrefix(1 as never, '/a'))).toBe('ERR_INVALID_ARG_TYPE')
  })
})

describe('sameTrustDomain', () => {
  it('compares scheme and trust domain', () => {
    expect(sameTrustDomain('spiffe://example.org/a', 'spiffe://example.org/b')).toBe(true)
    expect(sameTrustDomain(p('spiffe://example.org'), 'spiffe://example.org/b')).toBe(true)
    expect(sameTrustDomain('spiffe://example.org/a', 'wimse://example.org/a')).toBe(false)
    expect(sameTrustDomain('spiffe://example.org/a', 'spiffe://example.com/a')).toBe(false)
  })
  it('rejects invalid identifiers', () => {
    expect(outcome(() => sameTrustDomain('spiffe://example.org/a/', 'spiffe://example.org/b'))).toBe('ERR_IDENTIFIER_TRAILING_SLASH')
    expect(outcome(() => sameTrustDomain({} as never, {} as never))).toBe('ERR_IDENTIFIER_INVALID')
    expect(outcome(() => sameTrustDomain(null as never, 'spiffe://a'))).toBe('ERR_IDENTIFIER_INVALID')
  })
})
