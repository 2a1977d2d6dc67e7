import { describe, expect, it } from 'vitest'
import { formatSpiffeId, parseTrustDomain, parseWorkloadIdentifier, replacePath } from '../../../src/identifier/index.js'
import { outcome, typeErrorCode } from '../../helpers/identifier.js'

describe('formatSpiffeId', () => {
  it('joins validated segments', () => {
    expect(formatSpiffeId('example.org', 'ns', 'prod', 'sa', 'api')).toBe('spiffe://example.org/ns/prod/sa/api')
    expect(formatSpiffeId(parseTrustDomain('example.org'))).toBe('spiffe://example.org')
    expect(formatSpiffeId('spiffe://example.org/ignored', 'x')).toBe('spiffe://example.org/x')
    expect(formatSpiffeId('example.org', '.a', '..b', '...')).toBe('spiffe://example.org/.a/..b/...')
  })

  it('rejects bad segments with the path codes', () => {
    expect(outcome(() => formatSpiffeId('example.org', 'a', ''))).toBe('ERR_IDENTIFIER_EMPTY_SEGMENT')
    expect(outcome(() => formatSpiffeId('example.org', '..'))).toBe('ERR_IDENTIFIER_DOT_SEGMENT')
    expect(outcome(() => formatSpiffeId('example.org', 'a/b'))).toBe('ERR_IDENTIFIER_PATH_CHAR')
    expect(outcome(() => formatSpiffeId('example.org', 'a%20'))).toBe('ERR_IDENTIFIER_PERCENT_ENCODING')
    expect(outcome(() => formatSpiffeId('example.org', 'a?b'))).toBe('ERR_IDENTIFIER_QUERY')
    expect(outcome(() => formatSpiffeId('example.org', 'a#b'))).toBe('ERR_IDENTIFIER_FRAGMENT')
    expect(outcome(() => formatSpiffeId('example.org', 'x'.repeat(2048)))).toBe('ERR_IDENTIFIER_TOO_LONG')
  })

  it('rejects bad arguments with coded TypeErrors', () => {
    expect(typeErrorCode(() => formatSpiffeId('Example.org', 'a'))).toBe('ERR_INVALID_ARG_VALUE')
    expect(typeErrorCode(() => formatSpiffeId(42 as never))).toBe('ERR_INVALID_ARG_TYPE')
    expect(typeErrorCode(() => formatSpiffeId('example.org', 1 as never))).toBe('ERR_INVALID_ARG_TYPE')
    // A forged TrustDomain-shaped object is re-validated.
    expect(typeErrorCode(() => formatSpiffeId({ name: 'EVIL', idString: () => '', id: () => ({}) } as never))).toBe('ERR_INVALID_ARG_VALUE')
  })
})

describe('replacePath', () => {
  it('keeps the origin and validates the path with the scheme rules', () => {
    expect(replacePath('spiffe://example.org/a', '/b/c').id).toBe('spiffe://example.org/b/c')
    expect(replacePath(parseWorkloadIdentifier('wimse://example.com/a'), '/b/').id).toBe('wimse://example.com/b/')
    expect(replacePath('spiffe://example.org/a', '').id).toBe('spiffe://example.org')
    expect(outcome(() => replacePath('spiffe://example.org/a', '/b/'))).toBe('ERR_IDENTIFIER_TRAILING_SLASH')
    expect(outcome(() => replacePath('spiffe://example.org', 'b'))).toBe('ERR_IDENTIFIER_PATH_RELATIVE')
    expect(outcome(() => replacePath('wimse://example.com', '?x'))).toBe('ERR_IDENTIFIER_PATH_RELATIVE')
    expect(outcome(() => replacePath('wimse://example.com', '/a?x'))).toBe('ERR_IDENTIFIER_QUERY')
    expect(outcome(() => replacePath('spiffe://example.org/', '/a'))).toBe('ERR_IDENTIFIER_TRAILING_SLASH')
    expect(outcome(() => replacePath({} as never, '/a'))).toBe('ERR_IDENTIFIER_INVALID')
    expect(typeErrorCode(() => replacePath('spiffe://example.org', 5 as never))).toBe('ERR_INVALID_ARG_TYPE')
  })
})
