// Shared validation of bundle contents, used for static configuration (errors become coded
// TypeErrors) and for fetched documents (errors become ProtocolErrors). `fail` decides which.
import { isPlainObject } from '../internal/json.js'
import { decodeCanonical } from '../internal/base64url.js'
import { isSmallOrderEd25519, rsaKeyProblem } from '../internal/keys.js'
import type { PublicJWK } from '../signer/types.js'
import type { TrustBundle } from './types.js'

export type Fail = (message: string) => never

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const STRING_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'kid', 'use'] as const
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/
// Key types this library (and JOSE, RFC 7518 §6, RFC 8037 §2) knows. An entry of any other type is
// ignored whole, unchecked: SPIFFE Trust Domain and Bundle §4.2.1 (MUST), RFC 7517 §5 (SHOULD).
const KNOWN_KTY = new Set(['EC', 'RSA', 'OKP', 'oct'])

/**
 * Trust domain names as SPIFFE-ID §2.1 spells them (lower-case letters, digits, `.`, `-`, `_`;
 * at most 255 bytes). WIMSE trust domains are DNS-like names and fit the same rule.
 */
export function isTrustDomainName(name: unknown): name is string {
  return typeof name === 'string' && TRUST_DOMAIN.test(name)
}

/** Validates one key and returns a frozen shallow copy (arrays copied and frozen too). */
function validateKey(value: unknown, where: string, fail: Fail): PublicJWK {
  if (!isPlainObject(value)) fail(`${where} is not a JSON object`)
  for (const m of PRIVATE_MEMBERS) if (Object.hasOwn(value, m)) fail(`${where} has private or symmetric member "${m}"`)
  if (typeof value.kty !== 'string' || value.kty.length === 0) fail(`${where} has no kty`)
  for (const m of STRING_MEMBERS) {
    if (Object.hasOwn(value, m) && (typeof value[m] !== 'string' || (value[m] as string).length === 0)) fail(`${where} member "${m}" must be a non-empty string`)
  }
  if (Object.hasOwn(value, 'key_ops') && !Array.isArray(value.key_ops)) fail(`${where} member "key_ops" must be an array`)
  if (value.kty === 'RSA') {
    // A weak issuer key (under 2048 bits, e = 1) would let anyone mint WITs for the whole domain:
    // the bundle is refused when it is configured or fetched, not only when the key is used.
    if (typeof value.n !== 'string' || typeof value.e !== 'string') fail(`${where} RSA key needs n and e`)
    const problem = rsaKeyProblem(value.n as string, value.e as string)
    if (problem !== undefined) fail(`${where} ${problem}`)
  }
  if (value.kty === 'OKP' && value.crv === 'Ed25519' && typeof value.x === 'string') {
    // Any signature verifies under a small-order key: like a weak RSA key, refused up front.
    const x = decodeCanonical(value.x)
    if (x instanceof Uint8Array && isSmallOrderEd25519(x)) fail(`${where} is a small-order Ed25519 point (any signature verifies under it)`)
  }
  const copy: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'string')) fail(`${where} member "${k}" must be an array of strings`)
      copy[k] = Object.freeze([...v])
    } else if (typeof v === 'object' && v !== null) {
      fail(`${where} member "${k}" must not be an object`)
    } else {
      copy[k] = v
    }
  }
  return Object.freeze(copy) as PublicJWK
}

/**
 * Validates the keys of one trust domain: plain objects, public only, typed members, `kid` unique
 * within the bundle (SPIFFE WIT-SVID §6). Returns frozen copies; entries with a `kty` string of an
 * unknown key type are left out unchecked (SPIFFE Trust Domain and Bundle §4.2.1).
 */
export function validateKeys(keys: unknown, where: string, fail: Fail, maxKeys: number): readonly PublicJWK[] {
  if (!Array.isArray(keys)) fail(`${where} keys must be an array`)
  if (keys.length > maxKeys) fail(`${where} has more than ${maxKeys} keys`)
  const seen = new Set<string>()
  const out: PublicJWK[] = []
  keys.forEach((key, i) => {
    if (isPlainObject(key) && typeof key.kty === 'string' && key.kty.length > 0 && !KNOWN_KTY.has(key.kty)) return
    const jwk = validateKey(key, `${where} key ${i}`, fail)
    if (jwk.kid !== undefined) {
      if (seen.has(jwk.kid)) fail(`${where} has two keys with kid "${jwk.kid}"`)
      seen.add(jwk.kid)
    }
    out.push(jwk)
  })
  return Object.freeze(out)
}

export function validateIssuers(issuers: unknown, where: string, fail: Fail): readonly string[] | undefined {
  if (issuers === undefined) return undefined
  if (!Array.isArray(issuers) || issuers.length === 0) fail(`${where} issuers must be a non-empty array of strings`)
  for (const i of issuers) if (typeof i !== 'string' || i.length === 0) fail(`${where} issuers must be non-empty strings`)
  return Object.freeze([...issuers] as string[])
}

export function freezeBundle(trustDomain: string, keys: readonly PublicJWK[], issuers: readonly string[] | undefined): TrustBundle {
  return Object.freeze(issuers === undefined ? { trustDomain, keys } : { trustDomain, keys, issuers })
}
