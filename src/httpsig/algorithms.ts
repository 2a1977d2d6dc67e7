// RFC 9421 §3.3 algorithms on Web Crypto: name mapping (RFC 9421 ↔ JOSE, §3.3.7), key checks and
// import (public JWKs through the shared cache in internal/keys.ts, raw HMAC keys cached by
// identity), signing with a Signer or HMAC key, and verification.
import { codedTypeError, VerificationError } from '../errors/index.js'
import { bs, timingSafeEqual } from '../internal/bytes.js'
import { cryptoKeyProblem, importPublicJWK } from '../internal/keys.js'
import { ALGORITHMS, HTTP_SIGNATURE_TO_JOSE, isJWSAlgorithm, type HTTPSignatureAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'

/**
 * Every RFC 9421 algorithm name.
 *
 * @example
 * ```ts
 * import { HTTP_SIGNATURE_ALGORITHMS } from 'agentauth/httpsig'
 * HTTP_SIGNATURE_ALGORITHMS.includes('ed25519') // true
 * ```
 */
export const HTTP_SIGNATURE_ALGORITHMS: readonly HTTPSignatureAlgorithm[] = Object.freeze([
  'ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256',
] as HTTPSignatureAlgorithm[])

/** True for an RFC 9421 algorithm name. */
export function isHTTPSignatureAlgorithm(alg: unknown): alg is HTTPSignatureAlgorithm {
  return typeof alg === 'string' && (HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg)
}

/**
 * One name per distinct signature scheme: a JOSE algorithm with an RFC 9421 twin (EdDSA, Ed25519,
 * ES256, ES384, PS512, RS256) maps to the RFC 9421 name, because the bytes are identical.
 */
export function canonicalAlgorithm(alg: JWSAlgorithm | HTTPSignatureAlgorithm): string {
  if (isJWSAlgorithm(alg)) return ALGORITHMS[alg].httpSignatureAlgorithm ?? alg
  return alg
}

function joseOf(alg: JWSAlgorithm | HTTPSignatureAlgorithm): JWSAlgorithm | undefined {
  return isJWSAlgorithm(alg) ? alg : HTTP_SIGNATURE_TO_JOSE[alg]
}

const HMAC_IMPORT: HmacImportParams = { name: 'HMAC', hash: 'SHA-256' }
// The bytes are kept with the imported key: an array overwritten in place (a key rotated or wiped
// into the same buffer) must not keep verifying with the key it held before.
const hmacCache = new WeakMap<Uint8Array, { readonly bytes: Uint8Array; readonly key: Promise<CryptoKey> }>()
const MIN_HMAC_BYTES = 32

function isCryptoKey(k: unknown): k is CryptoKey {
  return typeof k === 'object' && k !== null && typeof (k as CryptoKey).type === 'string' && typeof (k as CryptoKey).algorithm === 'object' && Array.isArray((k as CryptoKey).usages)
}

function importHmac(raw: Uint8Array, crypto: Crypto): Promise<CryptoKey> {
  // Cached by array identity and bytes for the default provider (callers reuse one key object); another
  // provider re-imports. The imported key is not extractable.
  if (crypto !== globalThis.crypto) return crypto.subtle.importKey('raw', bs(raw), HMAC_IMPORT, false, ['sign', 'verify'])
  const hit = hmacCache.get(raw)
  if (hit !== undefined && timingSafeEqual(hit.bytes, raw)) return hit.key
  const bytes = raw.slice()
  const key = crypto.subtle.importKey('raw', bs(bytes), HMAC_IMPORT, false, ['sign', 'verify'])
  hmacCache.set(raw, { bytes, key })
  return key
}

/** Bits of an HMAC CryptoKey (Web Crypto reports `algorithm.length`); 0 when unknown. */
function hmacBits(k: CryptoKey): number {
  const n = (k.algorithm as { length?: unknown }).length
  return typeof n === 'number' ? n : 0
}

function hashName(k: CryptoKey): string | undefined {
  const h = (k.algorithm as { hash?: { name?: string } | string }).hash
  return typeof h === 'string' ? h : h?.name
}

/** Resolves `hmacKey` for signing. */
export function hmacSigningKey(key: CryptoKey | Uint8Array, crypto: Crypto): Promise<CryptoKey> {
  if (key instanceof Uint8Array) {
    if (key.length < MIN_HMAC_BYTES) throw codedTypeError('ERR_INVALID_ARG_VALUE', `hmacKey must have at least ${MIN_HMAC_BYTES} bytes`)
    return importHmac(key, crypto)
  }
  if (!isCryptoKey(key) || key.algorithm.name !== 'HMAC' || hashName(key) !== 'SHA-256' || !key.usages.includes('sign')) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'hmacKey must be an HMAC SHA-256 CryptoKey usable for sign, or raw bytes')
  }
  if (hmacBits(key) < MIN_HMAC_BYTES * 8) throw codedTypeError('ERR_INVALID_ARG_VALUE', `hmacKey must have at least ${MIN_HMAC_BYTES} bytes`)
  return Promise.resolve(key)
}

function keyInvalid(message: string): never {
  throw new VerificationError('ERR_KEY_INVALID', message)
}

function checkCryptoKey(key: CryptoKey, alg: JWSAlgorithm | 'hmac-sha256'): void {
  if (!key.usages.includes('verify')) keyInvalid('the key is not usable for verify')
  if (alg === 'hmac-sha256') {
    if (key.algorithm.name !== 'HMAC' || hashName(key) !== 'SHA-256') keyInvalid('the key is not an HMAC SHA-256 key')
    if (hmacBits(key) < MIN_HMAC_BYTES * 8) keyInvalid(`an HMAC key must have at least ${MIN_HMAC_BYTES} bytes`)
    return
  }
  if (key.type !== 'public') keyInvalid('the key is not a public key')
  // Algorithm, curve and hash of `alg`, and an RSA modulus of at least 2048 bits (as for JWKs).
  const problem = cryptoKeyProblem(key, alg)
  if (problem !== undefined) keyInvalid(`the key does not fit ${alg}: it ${problem}`)
}

/** Imports / checks the resolver's key for `algorithm`. */
export function verificationKey(key: CryptoKey | PublicJWK | Uint8Array, algorithm: JWSAlgorithm | HTTPSignatureAlgorithm, crypto: Crypto): Promise<CryptoKey> {
  if (algorithm === 'hmac-sha256') {
    if (key instanceof Uint8Array) {
      if (key.length < MIN_HMAC_BYTES) keyInvalid(`an HMAC key must have at least ${MIN_HMAC_BYTES} bytes`)
      return importHmac(key, crypto)
    }
    if (!isCryptoKey(key)) keyInvalid('an hmac-sha256 key must be raw bytes or a CryptoKey')
    checkCryptoKey(key, 'hmac-sha256')
    return Promise.resolve(key)
  }
  const jose = joseOf(algorithm)
  if (jose === undefined) throw new VerificationError('ERR_ALG_NOT_ALLOWED', `unsupported algorithm ${String(algorithm)}`)
  if (key instanceof Uint8Array) keyInvalid('raw key bytes are only accepted for hmac-sha256')
  if (isCryptoKey(key)) {
    checkCryptoKey(key, jose)
    return Promise.resolve(key)
  }
  if (typeof key !== 'object' || key === null) keyInvalid('the key must be a CryptoKey, a public JWK or HMAC bytes')
  return importPublicJWK(key, jose, crypto)
}

/** Web Crypto verify parameters and fixed signature length for an algorithm. */
export function verifyParams(algorithm: JWSAlgorithm | HTTPSignatureAlgorithm): { params: Algorithm | EcdsaParams | RsaPssParams; length: number | undefined } {
  if (algorithm === 'hmac-sha256') return { params: { name: 'HMAC' }, length: 32 }
  const info = ALGORITHMS[joseOf(algorithm)!]
  return { params: info.signParams, length: info.signatureLength }
}

/** Signs the base with an HMAC CryptoKey. */
export async function hmacSign(key: CryptoKey, data: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, bs(data)))
}
