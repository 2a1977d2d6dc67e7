// Review round 8 regressions for agentauth/identifier matchers ("matchers never throw; anything
// that is not a WorkloadIdentifier object does not match").
import { describe, expect, it } from 'vitest'
import { matchId, matchOneOf, matchPredicate, parseWorkloadIdentifier, type IdentifierMatcher } from '../../../src/identifier/index.js'

const jobs = matchPredicate((id) => id.path.startsWith('/jobs/'))

describe('matchPredicate and matchOneOf never throw', () => {
  it.each([[{}], [{ id: 'spiffe://example.org/jobs/a' }], [{ id: 1, path: 2 }]])('matchPredicate with %j is false (the documented example threw an uncoded TypeError)', (value) => {
    expect(jobs(value as never)).toBe(false)
  })

  it('a predicate that throws on an identifier does not match', () => {
    const boom = matchPredicate(() => {
      throw new Error('bug')
    })
    expect(boom(parseWorkloadIdentifier('spiffe://example.org/a'))).toBe(false)
  })

  it('matchOneOf skips a matcher that throws and still asks the others', () => {
    const throwing: IdentifierMatcher = () => {
      throw new TypeError('bug')
    }
    const id = parseWorkloadIdentifier('spiffe://example.org/jobs/a')
    expect(matchOneOf(throwing, jobs)(id)).toBe(true)
    expect(matchOneOf(throwing)(id)).toBe(false)
    expect(matchOneOf(throwing, matchId('spiffe://example.org/other'))({} as never)).toBe(false)
  })

  it('an identifier still matches', () => {
    expect(jobs(parseWorkloadIdentifier('spiffe://example.org/jobs/a'))).toBe(true)
    expect(jobs(parseWorkloadIdentifier('spiffe://example.org/other'))).toBe(false)
  })
})
