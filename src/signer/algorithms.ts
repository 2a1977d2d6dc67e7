// The algorithm table: JOSE name → Web Crypto import/sign parameters, key shape, signature size
// and the RFC 9421 §3.3 name where one exists. One table so JWS, WPT and HTTP signatures agree.
import { codedTypeError } from '../errors/index.js'

/**
 * Asymmetric JWS algorithms agentauth signs and verifies with. `Ed25519` is RFC 9864's
 * fully-specified name for EdDSA over Ed25519. `none` and HMAC are never supported.
 *
 * @example
 * ```ts
 * import type { JWSAlgorithm } from 'agentauth/signer'
 * const algorithms: JWSAlgorithm[] = ['ES256', 'EdDSA']
 * ```
 */
export type JWSAlgorithm =
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA' | 'Ed25519'
  | 'PS256' | 'PS384' | 'PS512'
  | 'RS256' | 'RS384' | 'RS512'

/**
 * RFC 9421 §3.3 algorithm names.
 *
 * @example
 * ```ts
 * import { joseToHTTPSignatureAlgorithm, type HTTPSignatureAlgorithm } from 'agentauth/signer'
 * const name: HTTPSignatureAlgorithm | undefined = joseToHTTPSignatureAlgorithm('ES256') // 'ecdsa-p256-sha256'
 * ```
 */
export type HTTPSignatureAlgorithm =
  | 'ed25519' | 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384'
  | 'rsa-pss-sha512' | 'rsa-v1_5-sha256' | 'hmac-sha256'

/**
 * Everything needed to use one JOSE algorithm with Web Crypto.
 *
 * @example
 * ```ts
 * import { ALGORITHMS } from 'agentauth/signer'
 * const { importParams, signParams, signatureLength } = ALGORITHMS.ES256
 * ```
 */
export interface AlgorithmInfo {
  readonly alg: JWSAlgorithm
  readonly kty: 'EC' | 'OKP' | 'RSA'
  readonly crv?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519'
  /** Parameters for `crypto.subtle.importKey` / `generateKey`. */
  readonly importParams: EcKeyImportParams | RsaHashedImportParams | Algorithm
  /** Parameters for `crypto.subtle.sign` / `verify`. */
  readonly signParams: EcdsaParams | RsaPssParams | Algorithm
  /** Fixed signature length in bytes (JOSE form), or undefined for RSA (modulus-dependent). */
  readonly signatureLength?: number
  /** The matching RFC 9421 algorithm name, when one exists. */
  readonly httpSignatureAlgorithm?: HTTPSignatureAlgorithm
}

// Every level is frozen: verifiers and signers pass these objects to Web Crypto as they are, so a
// caller changing `ALGORITHMS.RS256.importParams.hash` would change how every RS256 key is imported.
const ec = (alg: JWSAlgorithm, crv: 'P-256' | 'P-384' | 'P-521', hash: string, len: number, http?: HTTPSignatureAlgorithm): AlgorithmInfo =>
  Object.freeze({ alg, kty: 'EC', crv, importParams: Object.freeze({ name: 'ECDSA', namedCurve: crv }), signParams: Object.freeze({ name: 'ECDSA', hash }), signatureLength: len, ...(http ? { httpSignatureAlgorithm: http } : {}) })
const pss = (alg: JWSAlgorithm, hash: string, salt: number, http?: HTTPSignatureAlgorithm): AlgorithmInfo =>
  Object.freeze({ alg, kty: 'RSA', importParams: Object.freeze({ name: 'RSA-PSS', hash }), signParams: Object.freeze({ name: 'RSA-PSS', saltLength: salt }), ...(http ? { httpSignatureAlgorithm: http } : {}) })
const pkcs1 = (alg: JWSAlgorithm, hash: string, http?: HTTPSignatureAlgorithm): AlgorithmInfo =>
  Object.freeze({ alg, kty: 'RSA', importParams: Object.freeze({ name: 'RSASSA-PKCS1-v1_5', hash }), signParams: Object.freeze({ name: 'RSASSA-PKCS1-v1_5' }), ...(http ? { httpSignatureAlgorithm: http } : {}) })
const ed = (alg: JWSAlgorithm): AlgorithmInfo =>
  Object.freeze({ alg, kty: 'OKP', crv: 'Ed25519', importParams: Object.freeze({ name: 'Ed25519' }), signParams: Object.freeze({ name: 'Ed25519' }), signatureLength: 64, httpSignatureAlgorithm: 'ed25519' })

/**
 * The algorithm table, keyed by JOSE name: key type, curve, Web Crypto parameters, JOSE signature
 * length and RFC 9421 name.
 *
 * @example
 * ```ts
 * import { ALGORITHMS } from 'agentauth/signer'
 * ALGORITHMS.PS512.httpSignatureAlgorithm // 'rsa-pss-sha512'
 * ALGORITHMS.ES384.signatureLength        // 96
 * ```
 */
export const ALGORITHMS: Readonly<Record<JWSAlgorithm, AlgorithmInfo>> = Object.freeze({
  // No prototype: looking up an untrusted name (`constructor`, `__proto__`, `toString`) gives
  // undefined, not an Object.prototype member. Likewise HTTP_SIGNATURE_TO_JOSE.
  __proto__: null,
  ES256: ec('ES256', 'P-256', 'SHA-256', 64, 'ecdsa-p256-sha256'),
  ES384: ec('ES384', 'P-384', 'SHA-384', 96, 'ecdsa-p384-sha384'),
  ES512: ec('ES512', 'P-521', 'SHA-512', 132),
  EdDSA: ed('EdDSA'),
  Ed25519: ed('Ed25519'),
  PS256: pss('PS256', 'SHA-256', 32),
  PS384: pss('PS384', 'SHA-384', 48),
  PS512: pss('PS512', 'SHA-512', 64, 'rsa-pss-sha512'),
  RS256: pkcs1('RS256', 'SHA-256', 'rsa-v1_5-sha256'),
  RS384: pkcs1('RS384', 'SHA-384'),
  RS512: pkcs1('RS512', 'SHA-512'),
})

/**
 * Every supported JOSE algorithm name.
 *
 * @example
 * ```ts
 * import { JWS_ALGORITHMS } from 'agentauth/signer'
 * JWS_ALGORITHMS.includes('ES256') // true
 * ```
 */
export const JWS_ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze(Object.keys(ALGORITHMS) as JWSAlgorithm[])

/**
 * RFC 9421 algorithm name → JOSE algorithm, for the asymmetric ones (`hmac-sha256` has no JOSE
 * counterpart here: JWS with shared secrets is never accepted for workload credentials).
 *
 * @example
 * ```ts
 * import { HTTP_SIGNATURE_TO_JOSE } from 'agentauth/signer'
 * HTTP_SIGNATURE_TO_JOSE['ecdsa-p256-sha256'] // 'ES256'
 * ```
 */
export const HTTP_SIGNATURE_TO_JOSE: Readonly<Partial<Record<HTTPSignatureAlgorithm, JWSAlgorithm>>> = Object.freeze({
  __proto__: null,
  'ed25519': 'EdDSA',
  'ecdsa-p256-sha256': 'ES256',
  'ecdsa-p384-sha384': 'ES384',
  'rsa-pss-sha512': 'PS512',
  'rsa-v1_5-sha256': 'RS256',
})

/**
 * True when `alg` is a JOSE algorithm agentauth supports (not `none`, not HMAC).
 *
 * @param alg - any value, e.g. a JOSE header's `alg`.
 * @returns whether it names a supported asymmetric algorithm.
 *
 * @example
 * ```ts
 * import { isJWSAlgorithm } from 'agentauth/signer'
 * isJWSAlgorithm('RS256') // true
 * isJWSAlgorithm('HS256') // false
 * ```
 */
export function isJWSAlgorithm(alg: unknown): alg is JWSAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg)
}

/**
 * Looks up an algorithm or throws a coded TypeError (configuration error).
 *
 * @param alg - a JOSE algorithm name.
 * @returns its table entry.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for an unsupported name.
 *
 * @example
 * ```ts
 * const info = algorithmInfo('ES256') // internal helper
 * ```
 */
export function algorithmInfo(alg: string): AlgorithmInfo {
  if (!isJWSAlgorithm(alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `unsupported JWS algorithm: ${String(alg)}`)
  return ALGORITHMS[alg]
}

/**
 * The RFC 9421 name of a JOSE algorithm, if RFC 9421 defines one.
 *
 * @param alg - a supported JOSE algorithm.
 * @returns the RFC 9421 §3.3 name, or `undefined` (e.g. for ES512 or RS384).
 * @throws TypeError `ERR_INVALID_ARG_VALUE` when `alg` is not a supported JOSE algorithm (`none`, HMAC, …).
 *
 * @example
 * ```ts
 * import { joseToHTTPSignatureAlgorithm } from 'agentauth/signer'
 * joseToHTTPSignatureAlgorithm('EdDSA') // 'ed25519'
 * ```
 */
export function joseToHTTPSignatureAlgorithm(alg: JWSAlgorithm): HTTPSignatureAlgorithm | undefined {
  return algorithmInfo(alg).httpSignatureAlgorithm
}
