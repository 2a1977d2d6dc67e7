// WIMSE Workload Identifier examples: the table of /work/shared/specs/wimse-identifier.md §4
// (draft-ietf-wimse-identifier §4, SPIFFE-ID §2) and the `sub` claims of the WIMSE draft examples
// (test/vectors/data/wimse-draft-examples.json). Expected results per profile; codes are ours.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseWorkloadIdentifier, type IdentifierProfile } from '../../src/identifier/index.js'
import { outcome } from '../helpers/identifier.js'

const OK = 'OK'
// [identifier, any, wimse, spiffe, why]
const TABLE: [string, string, string, string, string][] = [
  ['wimse://example.com/specific-workload', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIT example sub'],
  ['wimse://trust.example.com/service/payment/instance/1234', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'draft §4.4 example'],
  ['spiffe://prod.trust.domain/ns/prod-01/sa/foo-service', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'draft §4.2 example'],
  ['spiffe://incubation.example.org/ns/experimental/analytics/ingest', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'draft example'],
  ['spiffe://trustdomain', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'path is optional'],
  ['wimse://trustdomain', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'path is optional'],
  ['spiffe://trustdomain/.path', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'not a dot segment'],
  ['spiffe://trustdomain/...', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'not a dot segment'],
  ['wimse:///path', 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING', 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING', 'ERR_IDENTIFIER_SCHEME', 'empty authority'],
  ['spiffe:///path', 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRUST_DOMAIN_MISSING', 'empty trust domain'],
  ['wimse://example.com/a?x=1', 'ERR_IDENTIFIER_QUERY', 'ERR_IDENTIFIER_QUERY', 'ERR_IDENTIFIER_SCHEME', 'query'],
  ['wimse://example.com/a#f', 'ERR_IDENTIFIER_FRAGMENT', 'ERR_IDENTIFIER_FRAGMENT', 'ERR_IDENTIFIER_SCHEME', 'fragment'],
  ['wimse://user@example.com/a', 'ERR_IDENTIFIER_USERINFO', 'ERR_IDENTIFIER_USERINFO', 'ERR_IDENTIFIER_SCHEME', 'userinfo'],
  ['wimse://example.com:8443/a', 'ERR_IDENTIFIER_PORT', 'ERR_IDENTIFIER_PORT', 'ERR_IDENTIFIER_SCHEME', 'port'],
  ['spiffe://example.com/a?x=1', 'ERR_IDENTIFIER_QUERY', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_QUERY', 'query'],
  ['spiffe://example.com/a#f', 'ERR_IDENTIFIER_FRAGMENT', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_FRAGMENT', 'fragment'],
  ['spiffe://user@example.com/a', 'ERR_IDENTIFIER_USERINFO', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_USERINFO', 'userinfo'],
  ['spiffe://example.com:8443/a', 'ERR_IDENTIFIER_PORT', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_PORT', 'port'],
  ['/relative/path', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'not an absolute URI'],
  ['example.com/a', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'not an absolute URI'],
  ['wimse://192.0.2.1/a', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'IPv4 trust domain: legacy only, syntax accepted'],
  ['spiffe://192.0.2.1/a', OK, 'ERR_IDENTIFIER_SCHEME', OK, 'IPv4 trust domain'],
  ['spiffe://Example.com/a', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'upper-case trust domain'],
  ['wimse://Example.com/a', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_SCHEME', 'upper-case trust domain (decision: reject)'],
  ['Spiffe://example.com/a', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'scheme case'],
  ['WIMSE://example.com/a', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'scheme case (decision: reject)'],
  ['spiffe://trustdomain/', 'ERR_IDENTIFIER_TRAILING_SLASH', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRAILING_SLASH', 'trailing slash'],
  ['spiffe://trustdomain/path/', 'ERR_IDENTIFIER_TRAILING_SLASH', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRAILING_SLASH', 'trailing slash'],
  ['wimse://trustdomain/path/', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIMSE allows a trailing slash'],
  ['spiffe://trustdomain//path', 'ERR_IDENTIFIER_EMPTY_SEGMENT', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_EMPTY_SEGMENT', 'empty segment'],
  ['wimse://trustdomain//path', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIMSE allows empty segments'],
  ['spiffe://trustdomain/../path', 'ERR_IDENTIFIER_DOT_SEGMENT', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_DOT_SEGMENT', 'dot segment'],
  ['spiffe://trustdomain/./path', 'ERR_IDENTIFIER_DOT_SEGMENT', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_DOT_SEGMENT', 'dot segment'],
  ['wimse://trustdomain/a/../b', 'ERR_IDENTIFIER_DOT_SEGMENT', 'ERR_IDENTIFIER_DOT_SEGMENT', 'ERR_IDENTIFIER_SCHEME', 'dot segment (decision: reject)'],
  ['spiffe://trustdomain/%62%61%64', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'percent-encoding'],
  ['wimse://trustdomain/%62%61%64', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_SCHEME', 'encoded unreserved bytes (decision: reject)'],
  ['wimse://trustdomain/a%20b', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIMSE: canonical %HH of a reserved byte'],
  ['wimse://trustdomain/a%2fb', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_SCHEME', 'lower-case hex (decision: reject)'],
  ['wimse://trust%64omain/a', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_PERCENT_ENCODING', 'ERR_IDENTIFIER_SCHEME', 'percent-encoded trust domain'],
  ['spiffe://trust$domain', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'trust-domain charset'],
  ['spiffe://trustdomain/path$', 'ERR_IDENTIFIER_PATH_CHAR', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_PATH_CHAR', 'path charset'],
  ['wimse://trustdomain/path$', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIMSE: $ is a sub-delim pchar'],
  ['wimse://trustdomain/a:b@c', OK, OK, 'ERR_IDENTIFIER_SCHEME', 'WIMSE: : and @ are pchars in the path'],
  ['spiffe://[::1]/a', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'IPv6 literal'],
  ['wimse://[::1]/a', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR', 'ERR_IDENTIFIER_SCHEME', 'IPv6 literal (decision: reject)'],
  ['https://example.com/a', OK, 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'other schemes: WIMSE generic rules'],
  ['urn:example:a', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'no authority'],
  ['wimse:/example.com/a', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'ERR_IDENTIFIER_SCHEME', 'no authority'],
]
const PROFILES: IdentifierProfile[] = ['any', 'wimse', 'spiffe']

describe('WIMSE / SPIFFE identifier examples (digest §4)', () => {
  for (const [input, ...expected] of TABLE) {
    const why = expected.pop()
    it(`${input} (${why})`, () => {
      const got = PROFILES.map((profile) => outcome(() => parseWorkloadIdentifier(input, { profile })))
      expect(got).toEqual(expected)
    })
  }
})

describe('sub claims of the WIMSE draft examples', () => {
  const data = JSON.parse(readFileSync(new URL('./data/wimse-draft-examples.json', import.meta.url), 'utf8'))
  const subs: string[] = [
    data.wit_wpt_example.wit_claims_decoded.sub,
    data.http_signature_example.request_wit_claims_decoded.sub,
    data.http_signature_example.response_wit_claims_decoded.sub,
  ]
  it.each(subs)('%s parses with the wimse profile', (sub) => {
    const id = parseWorkloadIdentifier(sub, { profile: 'wimse' })
    expect(id.id).toBe(sub)
    expect(id.origin).toBe('wimse://example.com')
    expect(id.scheme).toBe('wimse')
    expect(id.trustDomain).toBe('example.com')
  })
})
