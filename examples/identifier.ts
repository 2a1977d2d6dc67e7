// Workload identifiers: parse, inspect, build and authorise WIMSE and SPIFFE identifiers.
// Run: npx tsx examples/identifier.ts
import { VerificationError } from '../src/errors/index.js'
import {
  formatSpiffeId,
  isWorkloadIdentifier,
  matchId,
  matchOneOf,
  matchPathPrefix,
  matchTrustDomain,
  parseSpiffeId,
  parseTrustDomain,
  parseWorkloadIdentifier,
  replacePath,
  sameTrustDomain,
} from '../src/identifier/index.js'

// --- Parse: byte-exact, one error code per broken rule ----------------------------------------
const caller = parseWorkloadIdentifier('wimse://example.com/service/payment') // e.g. a verified WIT `sub`
console.log(caller.scheme, caller.trustDomain, caller.path, caller.origin)
// wimse example.com /service/payment wimse://example.com

const svid = parseSpiffeId('spiffe://example.org/ns/prod/sa/api')
console.log(svid.trustDomain) // example.org

for (const bad of ['wimse://example.com/a?x=1', 'spiffe://example.org/a/', 'WIMSE://example.com/a', 'wimse://user@example.com']) {
  try {
    parseWorkloadIdentifier(bad)
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    console.log(bad, '→', err.code) // ERR_IDENTIFIER_QUERY, _TRAILING_SLASH, _SCHEME, _USERINFO
  }
}
console.log(isWorkloadIdentifier('spiffe://example.org/a', { profile: 'wimse' })) // false: only wimse:

// --- Build ------------------------------------------------------------------------------------
const td = parseTrustDomain('example.org')
console.log(formatSpiffeId(td, 'ns', 'prod', 'sa', 'worker')) // spiffe://example.org/ns/prod/sa/worker
console.log(td.idString('wimse')) // wimse://example.org
console.log(replacePath(svid, '/ns/staging/sa/api').id) // spiffe://example.org/ns/staging/sa/api

// --- Authorise: whole-string comparison by default, prefixes only when you ask ------------------
const authorize = matchOneOf(
  matchId('wimse://example.com/service/payment'),
  matchPathPrefix('spiffe://example.org', '/ns/prod'), // /ns/prod and below, never /ns/production
  matchTrustDomain('wimse://partner.example'), // the whole partner trust domain, wimse: only
)
console.log(authorize(caller)) // true
console.log(authorize(svid)) // true
console.log(authorize(parseSpiffeId('spiffe://example.org/ns/production/sa/api'))) // false
console.log(sameTrustDomain(svid, 'spiffe://example.org/other')) // true
