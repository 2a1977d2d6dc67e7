import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { parseWPTHeaders } from '../../../src/wpt/index.js'

const WIT = 'aaa.bbb.ccc'
const WPT = 'ddd.eee.fff'

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(VerificationError)
    return (e as VerificationError).code
  }
  return undefined
}

describe('parseWPTHeaders', () => {
  it('reads WIT, WPT, Bearer/DPoP access token, Txn-Token and configured other tokens', () => {
    const headers = new Headers({
      'workload-identity-token': WIT,
      'WORKLOAD-PROOF-TOKEN': WPT,
      authorization: 'bearer abc.def-_~+/==',
      'txn-token': 'txn',
      'X-Session': ' s1 ',
    })
    const out = parseWPTHeaders(new Request('https://a.example/', { headers }), { otherTokenHeaders: ['X-Session', 'X-Absent'] })
    expect(out).toEqual({ wit: WIT, wpt: WPT, accessToken: 'abc.def-_~+/==', txnToken: 'txn', otherTokens: { 'x-session': 's1' } })
    expect(Object.isFrozen(out)).toBe(true)
    expect(parseWPTHeaders(new Headers({ 'workload-identity-token': WIT, 'workload-proof-token': WPT, authorization: 'DPoP tok' })).accessToken).toBe('tok')
  })

  it('leaves non-OAuth Authorization schemes alone', () => {
    const out = parseWPTHeaders(new Headers({ 'workload-identity-token': WIT, 'workload-proof-token': WPT, authorization: 'Basic dXNlcjpwYXNz' }))
    expect(out.accessToken).toBeUndefined()
    const digest = parseWPTHeaders(new Headers({ 'workload-identity-token': WIT, 'workload-proof-token': WPT, authorization: 'Digest username="a", realm="b"' }))
    expect(digest.accessToken).toBeUndefined()
    expect(out.otherTokens).toBeUndefined()
  })

  it('refuses a missing, empty or repeated WIT / WPT', () => {
    expect(code(() => parseWPTHeaders(new Headers({ 'workload-proof-token': WPT })))).toBe('ERR_WIT_MISSING')
    expect(code(() => parseWPTHeaders(new Headers({ 'workload-identity-token': WIT })))).toBe('ERR_WPT_MISSING')
    expect(code(() => parseWPTHeaders(new Headers({ 'workload-identity-token': WIT, 'workload-proof-token': '' })))).toBe('ERR_WPT_MISSING')
    const twice = new Headers({ 'workload-identity-token': WIT })
    twice.append('workload-proof-token', WPT)
    twice.append('workload-proof-token', WPT)
    expect(code(() => parseWPTHeaders(twice))).toBe('ERR_WPT_MISSING')
    expect(code(() => parseWPTHeaders(new Headers({ 'workload-identity-token': `${WIT},${WIT}`, 'workload-proof-token': WPT })))).toBe('ERR_WIT_MISSING')
  })

  it('refuses repeated or malformed token headers and oversized values', () => {
    const base = { 'workload-identity-token': WIT, 'workload-proof-token': WPT }
    expect(code(() => parseWPTHeaders(new Headers({ ...base, authorization: 'Bearer a, Bearer b' })))).toBe('ERR_HEADER_INVALID')
    expect(code(() => parseWPTHeaders(new Headers({ ...base, authorization: 'Bearer' })))).toBe('ERR_HEADER_INVALID')
    expect(code(() => parseWPTHeaders(new Headers({ ...base, authorization: 'Bearer a b' })))).toBe('ERR_HEADER_INVALID')
    expect(code(() => parseWPTHeaders(new Headers({ ...base, 'txn-token': 'a, b' })))).toBe('ERR_HEADER_INVALID')
    expect(code(() => parseWPTHeaders(new Headers({ ...base, 'x-s': 'a, b' }), { otherTokenHeaders: ['x-s'] }))).toBe('ERR_HEADER_INVALID')
    expect(code(() => parseWPTHeaders(new Headers({ ...base, 'workload-proof-token': 'x'.repeat(20_000) })))).toBe('ERR_INPUT_TOO_LARGE')
  })

  it('refuses bad arguments with coded TypeErrors', () => {
    expect(() => parseWPTHeaders({} as never)).toThrow(TypeError)
    expect(() => parseWPTHeaders(new Headers(), { otherTokenHeaders: ['Authorization'] })).toThrow(TypeError)
    expect(() => parseWPTHeaders(new Headers(), { otherTokenHeaders: ['bad name'] })).toThrow(TypeError)
    expect(() => parseWPTHeaders(new Headers(), { otherTokenHeaders: 'x' as never })).toThrow(TypeError)
  })
})
