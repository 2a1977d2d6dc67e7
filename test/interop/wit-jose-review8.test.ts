// Review round 8: the same compact JWS / JWT edge cases through verifyWIT and jose.jwtVerify.
// Where they agree the test says so; where they disagree, the expected outcome is the one RFC
// 7515 / 7519 / 8725 (or the WIT profile) supports, with the reason beside the case.
import * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { encode } from '../../src/internal/base64url.js'
import { verifyWIT } from '../../src/wit/index.js'
import { baseClaims, bundlesFor, clockAt, forge, issuer, NOW, TD, workloadJwk, type TestIssuer } from '../helpers/wit.js'

type Outcome = 'accept' | 'refuse'
let iss: TestIssuer
let claims: string
let joseKey: CryptoKey
const HEADER = '{"alg":"ES256","kid":"issuer-1","typ":"wit+jwt"}'

beforeAll(async () => {
  iss = await issuer('ES256')
  claims = JSON.stringify(baseClaims(await workloadJwk('ES256')))
  joseKey = (await jose.importJWK(iss.jwk as never, 'ES256')) as CryptoKey
})

async function both(token: string): Promise<{ ours: Outcome; theirs: Outcome }> {
  const trustBundles = bundlesFor([TD, [iss.jwk]])
  const ours = await verifyWIT(token, { trustBundles, clock: clockAt(NOW) }).then(() => 'accept' as const, () => 'refuse' as const)
  const theirs = await jose.jwtVerify(token, joseKey, { typ: 'wit+jwt', algorithms: ['ES256'], currentDate: new Date(NOW * 1000) }).then(() => 'accept' as const, () => 'refuse' as const)
  return { ours, theirs }
}

// [name, header text, payload text (from the base claims), ours, jose]
const parts: Array<[string, (h: string) => string, (p: string) => string, Outcome, Outcome]> = [
  // RFC 7515 §4 / §5.2: reject duplicates or take the lexically last; both take the last.
  ['duplicate alg, last wins', () => '{"alg":"none","alg":"ES256","kid":"issuer-1","typ":"wit+jwt"}', (p) => p, 'accept', 'accept'],
  ['duplicate exp, last wins', (h) => h, (p) => p.replace('{', '{"exp":1,'), 'accept', 'accept'],
  ['empty crit (RFC 7515 §4.1.11: must not be empty)', (h) => h.replace('}', ',"crit":[]}'), (p) => p, 'refuse', 'refuse'],
  ['b64 false with crit (RFC 7797: no profile of ours uses it)', (h) => h.replace('}', ',"crit":["b64"],"b64":false}'), (p) => p, 'refuse', 'refuse'],
  // RFC 7797 §3: b64 is an extension the WIT profile does not define; refused even when true.
  ['b64 true without crit', (h) => h.replace('}', ',"b64":true}'), (p) => p, 'refuse', 'accept'],
  ['NUL in a string claim', (h) => h, (p) => p.replace('"jti-1"', '"j\\u0000ti"'), 'accept', 'accept'],
  // RFC 7519 §2: a NumericDate is a number; 1e400 parses as Infinity, which is not one.
  ['exp 1e400', (h) => h, (p) => p.replace(/"exp":\d+/, '"exp":1e400'), 'refuse', 'accept'],
  ['exp -0 (expired)', (h) => h, (p) => p.replace(/"exp":\d+/, '"exp":-0'), 'refuse', 'refuse'],
  ['fractional exp', (h) => h, (p) => p.replace(/"exp":(\d+)/, '"exp":$1.5'), 'accept', 'accept'],
  ['exp as a string', (h) => h, (p) => p.replace(/"exp":(\d+)/, '"exp":"$1"'), 'refuse', 'refuse'],
  ['nbf 1e23 (not yet valid)', (h) => h, (p) => p.replace('{', '{"nbf":99999999999999999999999,'), 'refuse', 'refuse'],
  // RFC 8259 §8.1: a parser may ignore a BOM; strict JSON for tokens refuses it.
  ['BOM before the header JSON', (h) => `\ufeff${h}`, (p) => p, 'refuse', 'accept'],
  ['JSON whitespace', (h) => ` ${h} `, (p) => ` ${p}\n`, 'accept', 'accept'],
  ['payload an array', (h) => h, (p) => `[${p}]`, 'refuse', 'refuse'],
  ['alg in lower case', () => '{"alg":"es256","kid":"issuer-1","typ":"wit+jwt"}', (p) => p, 'refuse', 'refuse'],
  ['typ application/WIT+JWT (RFC 7515 §4.1.9)', () => '{"alg":"ES256","kid":"issuer-1","typ":"application/WIT+JWT"}', (p) => p, 'accept', 'accept'],
  ['own __proto__ member', (h) => h, (p) => p.replace('{', '{"__proto__":{"exp":1},'), 'accept', 'accept'],
]

describe('verifyWIT and jose.jwtVerify on JOSE edge cases', () => {
  it.each(parts)('%s', async (_name, header, payload, ours, theirs) => {
    const token = await forge(header(HEADER), payload(claims), iss.signer)
    expect(await both(token)).toEqual({ ours, theirs })
  })

  it('compact serialisation edge cases: RFC 7515 §2/§7.1 base64url has no padding, whitespace or other characters', async () => {
    const good = await forge(HEADER, claims, iss.signer)
    const [h, p, s] = good.split('.') as [string, string, string]
    const last = s.charCodeAt(s.length - 1)
    const cases: Array<[string, Outcome, Outcome]> = [
      [good, 'accept', 'accept'],
      [`${h}.${p}.${s}==`, 'refuse', 'accept'], // jose's decoder tolerates padding
      [`${good}\n`, 'refuse', 'accept'], // and a trailing newline
      [`${h}=.${p}.${s}`, 'refuse', 'refuse'],
      [` ${good}`, 'refuse', 'refuse'],
      [`${good}.`, 'refuse', 'refuse'],
      [`${good}.${s}`, 'refuse', 'refuse'],
      [`${h}..${s}`, 'refuse', 'refuse'],
      [`${h}.${p}.${s.slice(0, -1)}${String.fromCharCode(last ^ 1)}`, 'refuse', 'refuse'],
      [`${h}.${p}.${encode(new Uint8Array(64))}`, 'refuse', 'refuse'],
    ]
    for (const [token, ours, theirs] of cases) expect(await both(token)).toEqual({ ours, theirs })
  })
})
