// Public-key import with a small bounded cache, so a key reused across requests (a WIT's cnf.jwk,
// a trust-bundle key) is imported once. The cache key is the JWK's public members plus the alg,
// so two JWK objects with the same key share one CryptoKey.
import { VerificationError } from '../errors/index.js'
import { decodeCanonical } from './base64url.js'
import { ALGORITHMS, isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/** Throws ERR_KEY_INVALID when a JWK carries private or symmetric material. */
export function assertPublicJWK(jwk: Record<string, unknown>, what = 'JWK'): void {
  for (const m of PRIVATE_MEMBERS) {
    if (Object.hasOwn(jwk, m)) throw new VerificationError('ERR_KEY_INVALID', `${what} contains private member "${m}"`)
  }
}

/** Checks the JWK's shape fits `alg` (kty, crv, members are strings). */
export function assertJWKMatchesAlg(jwk: Record<string, unknown>, alg: JWSAlgorithm, what = 'JWK'): void {
  const info = ALGORITHMS[alg]
  if (jwk.kty !== info.kty) throw new VerificationError('ERR_KEY_INVALID', `${what} kty does not match ${alg}`)
  if (info.crv !== undefined && jwk.crv !== info.crv) throw new VerificationError('ERR_KEY_INVALID', `${what} crv does not match ${alg}`)
  const members = info.kty === 'RSA' ? ['n', 'e'] : info.kty === 'EC' ? ['x', 'y'] : ['x']
  for (const m of members) {
    if (typeof jwk[m] !== 'string' || (jwk[m] as string).length === 0) throw new VerificationError('ERR_KEY_INVALID', `${what} member "${m}" is missing`)
  }
  const problem = info.kty === 'RSA' ? rsaKeyProblem(jwk.n as string, jwk.e as string) : coordinateProblem(jwk, members, KEY_MEMBER_BYTES[info.crv!]!)
  if (problem !== undefined) throw new VerificationError('ERR_KEY_INVALID', `${what} ${problem}`)
  if (info.crv === 'Ed25519' && isSmallOrderEd25519(decodeCanonical(jwk.x as string) as Uint8Array)) {
    throw new VerificationError('ERR_KEY_INVALID', `${what} is a small-order Ed25519 point (any signature verifies under it)`)
  }
  if (jwk.alg !== undefined && jwk.alg !== alg && !(isEdDSA(jwk.alg) && isEdDSA(alg))) {
    throw new VerificationError('ERR_KEY_INVALID', `${what} alg does not match ${alg}`)
  }
  if (jwk.use !== undefined && typeof jwk.use !== 'string') throw new VerificationError('ERR_KEY_INVALID', `${what} use is not a string`)
  // RFC 7517 §4.2/§4.3, as for trust-bundle keys (docs/specs.md): a key marked for encryption or
  // for X.509-SVIDs, or whose key_ops lack "verify", never verifies a JWS. Web Crypto's own JWK
  // import refuses these, but only the public members are handed to it.
  if (jwk.use === 'enc' || jwk.use === 'x509-svid') throw new VerificationError('ERR_KEY_INVALID', `${what} use "${jwk.use}" is not for signatures`)
  if (jwk.key_ops !== undefined && !keyOpsAllowVerify(jwk.key_ops)) {
    throw new VerificationError('ERR_KEY_INVALID', `${what} key_ops do not include "verify"`)
  }
}

function keyOpsAllowVerify(ops: unknown): boolean {
  return Array.isArray(ops) && Array.prototype.includes.call(ops, 'verify')
}

// Ed25519 public keys of small order (the eight torsion points, RFC 8032 §5.1.7 leaves them to
// the verifier): Web Crypto on Node accepts R = identity, S = 0 as a signature of every message
// under them, so a WIT carrying one lets anyone who sees it forge that workload's proofs. Listed by
// y (the sign bit does not matter; y = p and p + 1 are the non-canonical spellings of 0 and 1).
const ED25519_P = 2n ** 255n - 19n
const ED25519_Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n
const SMALL_ORDER_Y: readonly Uint8Array[] = [0n, 1n, ED25519_Y8, ED25519_P - ED25519_Y8, ED25519_P - 1n, ED25519_P, ED25519_P + 1n].map((y) => {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn)
  return out
})

/** Whether a 32-byte Ed25519 public key encodes a point of small order (order 1, 2, 4 or 8). */
export function isSmallOrderEd25519(x: Uint8Array): boolean {
  if (x.length !== 32) return false
  for (const y of SMALL_ORDER_Y) {
    let diff = (x[31]! & 0x7f) ^ y[31]!
    for (let i = 0; i < 31; i++) diff |= x[i]! ^ y[i]!
    if (diff === 0) return true
  }
  return false
}

/** Smallest and largest RSA modulus accepted, in bits (RFC 7518 §3.3/§3.5: 2048 or larger). */
export const MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 16_384

/**
 * Why an RSA public key (`n`, `e` as base64url) is unusable, or undefined when it is fine: both
 * canonical base64url without leading zero bytes; the modulus 2048–16384 bits, counted from its
 * decoded bytes (a small modulus padded with zeros does not pass); the exponent odd, at least 3 and
 * shorter than the modulus (RFC 8017 §3.1). With e = 1 a "signature" is the padded hash itself, so
 * anyone could forge one.
 */
export function rsaKeyProblem(nText: string, eText: string): string | undefined {
  const n = decodeCanonical(nText)
  const e = decodeCanonical(eText)
  if (typeof n === 'string' || typeof e === 'string' || n.length === 0 || e.length === 0) return 'RSA members are not canonical base64url'
  if (n[0] === 0 || e[0] === 0) return 'RSA members have leading zero bytes'
  const bits = (n.length - 1) * 8 + (32 - Math.clz32(n[0]!))
  if (bits < MIN_RSA_BITS) return `RSA modulus has ${bits} bits (at least ${MIN_RSA_BITS} required)`
  if (bits > MAX_RSA_BITS) return `RSA modulus has more than ${MAX_RSA_BITS} bits`
  if ((e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3) || e.length >= n.length) return 'RSA exponent must be odd, at least 3 and smaller than the modulus'
  return undefined
}

/**
 * The exact length in bytes of an RSA signature made with `key` (RFC 8017 §8.1.2 and §8.2.2 step 1:
 * a signature is exactly as long as the modulus), or undefined for a key without a modulus length.
 * OpenSSL's RSA-PSS verify accepts a signature whose leading zero bytes were dropped, which would
 * give a token a second spelling; verifiers compare lengths first.
 */
export function rsaSignatureLength(key: CryptoKey): number | undefined {
  const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength
  return typeof bits === 'number' && bits > 0 ? (bits + 7) >> 3 : undefined
}

/**
 * Why a CryptoKey given by the caller (a key resolver's answer) cannot verify `alg`, or undefined
 * when it can: the Web Crypto algorithm, curve and hash must be those of `alg` (RFC 8725 §3.1: the
 * header names the algorithm actually used; Web Crypto takes an RSA key's hash from the key, so an
 * RS256 token would otherwise be checked with whatever hash the key was imported for), and an RSA
 * modulus at least {@link MIN_RSA_BITS} bits, as for imported JWKs.
 */
export function cryptoKeyProblem(key: CryptoKey, alg: JWSAlgorithm): string | undefined {
  const want = ALGORITHMS[alg].importParams as { name: string; namedCurve?: string; hash?: string }
  const got = key.algorithm as { name?: unknown; namedCurve?: unknown; hash?: unknown; modulusLength?: unknown }
  if (got.name !== want.name) return `is a ${String(got.name)} key, ${alg} needs ${want.name}`
  if (want.namedCurve !== undefined && got.namedCurve !== want.namedCurve) return `is not a ${want.namedCurve} key (${alg})`
  if (want.hash !== undefined) {
    const hash = typeof got.hash === 'string' ? got.hash : (got.hash as { name?: unknown } | undefined)?.name
    if (hash !== want.hash) return `was imported for ${String(hash)}, ${alg} needs ${want.hash}`
    if (typeof got.modulusLength !== 'number' || got.modulusLength < MIN_RSA_BITS) return `RSA modulus is shorter than ${MIN_RSA_BITS} bits`
  }
  return undefined
}

/**
 * Octets of a fixed-size key member by curve: EC `x`/`y` (RFC 7518 §6.2.1.2–3: the full field size,
 * leading zeros kept) and OKP `x` (RFC 8037 §2).
 */
export const KEY_MEMBER_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, secp256k1: 32, Ed25519: 32, Ed448: 57, X25519: 32, X448: 56 }

/**
 * Why a key member is not the one canonical spelling of its bytes, or undefined when it is:
 * canonical base64url (no padding, zero spare bits), of `size` bytes when given, without a leading
 * zero byte when `minimal` (RSA integers, RFC 7518 §6.3.1). Web Crypto imports the other spellings
 * too, so without this one key would have several texts (and several RFC 7638 thumbprints).
 */
export function keyMemberProblem(text: string, size: number | undefined, minimal: boolean): string | undefined {
  const bytes = decodeCanonical(text)
  if (typeof bytes === 'string') return 'is not canonical base64url'
  if (size !== undefined && bytes.length !== size) return `is ${bytes.length} bytes, not ${size}`
  if (minimal && bytes[0] === 0) return 'has a leading zero byte'
  return undefined
}

function coordinateProblem(jwk: Record<string, unknown>, members: readonly string[], size: number): string | undefined {
  for (const m of members) {
    const problem = keyMemberProblem(jwk[m] as string, size, false)
    if (problem !== undefined) return `member "${m}" ${problem}`
  }
  return undefined
}

function isEdDSA(alg: unknown): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519'
}

const MAX_CACHE = 1024
const cache = new Map<string, Promise<CryptoKey>>()
const cacheByCrypto = new WeakMap<Crypto, Map<string, Promise<CryptoKey>>>()

// Imported keys by JWK object identity (a verified WIT's cnf.jwk, a trust bundle's keys, a key a
// resolver returns on every request): a hit skips validation, the string cache key and the promise.
// The entry keeps the member values that were validated and imported; a hit requires every one to
// be the identical value still (and no private member added), so mutating the object afterwards
// can never keep serving the key it used to describe.
interface Snapshot {
  readonly key: CryptoKey
  readonly kty: unknown
  readonly crv: unknown
  readonly x: unknown
  readonly y: unknown
  readonly n: unknown
  readonly e: unknown
  readonly alg: unknown
  readonly use: unknown
  readonly keyOps: unknown
  /** The object (and its key_ops array) was frozen when these values were read: it still holds them, no need to compare. */
  readonly frozen: boolean
}
type ByAlg = Partial<Record<JWSAlgorithm, Snapshot>>
const byObject = new WeakMap<object, ByAlg>()
const byObjectByCrypto = new WeakMap<Crypto, WeakMap<object, ByAlg>>()

function objectCache(crypto: Crypto): WeakMap<object, ByAlg> {
  if (crypto === globalThis.crypto) return byObject
  let m = byObjectByCrypto.get(crypto)
  if (m === undefined) {
    m = new WeakMap()
    byObjectByCrypto.set(crypto, m)
  }
  return m
}

function unchanged(jwk: Record<string, unknown>, s: Snapshot): boolean {
  if (jwk.kty !== s.kty || jwk.crv !== s.crv || jwk.x !== s.x || jwk.y !== s.y || jwk.n !== s.n || jwk.e !== s.e || jwk.alg !== s.alg || jwk.use !== s.use || jwk.key_ops !== s.keyOps) return false
  for (const m of PRIVATE_MEMBERS) if (Object.hasOwn(jwk, m)) return false
  // The same key_ops array may have been changed in place: it must still allow "verify".
  return s.keyOps === undefined || keyOpsAllowVerify(s.keyOps)
}

/**
 * The CryptoKey already imported for this JWK object and `alg` when the object still holds the
 * values it was validated with, or undefined (then use {@link importPublicJWK}, which fills this
 * cache once the import has resolved).
 */
export function cachedPublicKey(jwk: PublicJWK | Record<string, unknown>, alg: JWSAlgorithm, crypto: Crypto = globalThis.crypto): CryptoKey | undefined {
  const s = objectCache(crypto).get(jwk)?.[alg]
  return s !== undefined && (s.frozen || unchanged(jwk as Record<string, unknown>, s)) ? s.key : undefined
}

function cacheKey(jwk: Record<string, unknown>, alg: JWSAlgorithm): string {
  return `${alg}|${String(jwk.kty)}|${String(jwk.crv ?? '')}|${String(jwk.x ?? '')}|${String(jwk.y ?? '')}|${String(jwk.n ?? '')}|${String(jwk.e ?? '')}`
}

/**
 * Imports a public JWK for verification with `alg`, validating shape first. Cached per crypto
 * provider; a failed import is not cached.
 */
export function importPublicJWK(jwk: PublicJWK | Record<string, unknown>, alg: JWSAlgorithm, crypto: Crypto = globalThis.crypto): Promise<CryptoKey> {
  const record = jwk as Record<string, unknown>
  if (!isJWSAlgorithm(alg)) return Promise.reject(new VerificationError('ERR_ALG_NOT_ALLOWED', `unsupported algorithm ${String(alg)}`))
  const known = cachedPublicKey(record, alg, crypto)
  if (known !== undefined) return Promise.resolve(known)
  try {
    assertPublicJWK(record)
    assertJWKMatchesAlg(record, alg)
  } catch (err) {
    return Promise.reject(err)
  }
  let map = crypto === globalThis.crypto ? cache : cacheByCrypto.get(crypto)
  if (map === undefined) {
    map = new Map()
    cacheByCrypto.set(crypto, map)
  }
  const key = cacheKey(record, alg)
  let p = map.get(key)
  if (p === undefined) {
    const info = ALGORITHMS[alg]
    const clean: JsonWebKey = { kty: record.kty as string, ext: true }
    for (const m of ['crv', 'x', 'y', 'n', 'e'] as const) if (typeof record[m] === 'string') (clean as Record<string, unknown>)[m] = record[m]
    let imported: Promise<CryptoKey>
    try {
      imported = Promise.resolve(crypto.subtle.importKey('jwk', clean, info.importParams, true, ['verify']))
    } catch (cause) {
      // A provider that throws instead of rejecting (or answers with no promise) fails the same way.
      imported = Promise.reject(cause)
    }
    // Only on a miss: a provider answering with something that is not a key fails here, coded,
    // instead of in the signature check that reads its algorithm.
    p = imported.then((k) => {
      if (typeof k !== 'object' || k === null || typeof (k as { algorithm?: unknown }).algorithm !== 'object' || (k as { algorithm?: unknown }).algorithm === null) {
        throw new TypeError('the crypto provider did not return a CryptoKey')
      }
      return k
    }).catch((cause: unknown) => {
      map!.delete(key)
      throw new VerificationError('ERR_KEY_INVALID', 'public key could not be imported', { cause })
    })
    if (map.size >= MAX_CACHE) map.delete(map.keys().next().value as string)
    map.set(key, p)
  }
  // Remember the values validated above (read now: the object may change before the import ends).
  const objects = objectCache(crypto)
  const { kty, crv, x, y, n, e, alg: jwkAlg, use, key_ops: keyOps } = record
  // A verified WIT's cnf.jwk is deep-frozen: its hits then skip the comparison (key_ops is an
  // array that can change in place, so it must be frozen too).
  const frozen = Object.isFrozen(record) && (keyOps === undefined || Object.isFrozen(keyOps))
  void p.then((k) => {
    const entry = objects.get(record) ?? {}
    entry[alg] = { key: k, kty, crv, x, y, n, e, alg: jwkAlg, use, keyOps, frozen }
    objects.set(record, entry)
  }, () => {})
  return p
}
