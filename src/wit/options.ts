// Eager validation of verifyWIT options: every trust-deciding option is type- and range-checked
// so NaN, Infinity, empty arrays or unknown algorithms can never weaken a check.
import type { TrustBundleSource } from '../bundle/types.js'
import { codedTypeError } from '../errors/index.js'
import { assertFunction, assertObject, assertStringArray, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import { isJWSAlgorithm, JWS_ALGORITHMS, type JWSAlgorithm } from '../signer/algorithms.js'
import { SPIFFE_ALGORITHMS, type StructurePolicy, type WITProfile } from './claims.js'
import { DEFAULT_CLOCK_TOLERANCE, DEFAULT_MAX_WIT_LENGTH, DEFAULT_MAX_WIT_LIFETIME } from './constants.js'

/**
 * Options of `decodeWIT` (structure checks only); also the structural part of `verifyWIT`'s options.
 *
 * @example
 * ```ts
 * import { decodeWIT, type DecodeWITOptions } from 'agentauth/wit'
 * const options: DecodeWITOptions = { profile: 'spiffe' }
 * decodeWIT(token, options)
 * ```
 */
export interface DecodeWITOptions {
  /** `wimse` (default) or `spiffe` (WIT-SVID rules: kid, RS/ES/PS algorithms, SPIFFE ID `sub`, no `aud`). */
  profile?: WITProfile
  /** Header `alg` allow-list. Default: every supported asymmetric algorithm (RS/ES/PS only in the spiffe profile). */
  algorithms?: readonly JWSAlgorithm[]
  /** `cnf.jwk.alg` allow-list. Default as for `algorithms`. */
  proofAlgorithms?: readonly JWSAlgorithm[]
  /** Accept the pre-split s2s-protocol `typ` `wimse-id+jwt` (wimse profile only). Default `true`. */
  acceptLegacyTyp?: boolean
  /** Maximum token length in characters, checked before parsing. Default 8192. */
  maxTokenLength?: number
}

/**
 * Options of `verifyWIT` / `createWITVerifier`. Only `trustBundles` is required; every other
 * option tightens or tunes a check and is validated (NaN, Infinity, empty lists are refused).
 *
 * @example
 * ```ts
 * import { verifyWIT, type VerifyWITOptions } from 'agentauth/wit'
 * const options: VerifyWITOptions = { trustBundles, algorithms: ['ES256'], proofAlgorithms: ['ES256', 'EdDSA'], maxLifetime: 3600 }
 * await verifyWIT(token, options)
 * ```
 */
export interface VerifyWITOptions extends DecodeWITOptions {
  /** Trusted keys per trust domain (required). Keys are looked up by the trust domain of `sub`, never by `iss`. */
  trustBundles: TrustBundleSource
  /**
   * Issuer allow-list applied to every trust domain (workload-creds §9.1). When set — here or in
   * the trust bundle — `iss` is required and must be listed (in both lists when both are set).
   */
  issuers?: readonly string[]
  /** Source of the current time (ms). Default `Date.now`. */
  clock?: Clock
  /** Allowed clock skew in seconds, 0–300. Default 30. A WIT is accepted while `now < exp + clockTolerance`. */
  clockTolerance?: number
  /** Longest accepted lifetime in seconds (`exp − iat`; without `iat`, `exp − now` up to `maxLifetime + clockTolerance`), 1 s – 366 days. Default 86400. */
  maxLifetime?: number
  /** `use` a bundle key must have; default `wit-svid` in the spiffe profile (WIT-SVID §6), none otherwise. */
  keyUse?: string
  /** Web Crypto provider. Default `globalThis.crypto`. */
  crypto?: Crypto
  /** Aborts a trust-bundle fetch; verification stops waiting for the source then, even one that ignores it (`ProtocolError` `ERR_BUNDLE_FETCH`). */
  signal?: AbortSignal
}

export interface VerifyPolicy extends StructurePolicy {
  readonly trustBundles: TrustBundleSource
  readonly issuers: readonly string[] | undefined
  readonly clock: Clock | undefined
  readonly clockTolerance: number
  readonly maxLifetime: number
  readonly keyUse: string | undefined
  readonly crypto: Crypto | undefined
  readonly signal: AbortSignal | undefined
}

function algorithmList(value: unknown, name: string, profile: WITProfile): readonly JWSAlgorithm[] {
  const allowed = profile === 'spiffe' ? SPIFFE_ALGORITHMS : JWS_ALGORITHMS
  if (value === undefined) return allowed
  if (!Array.isArray(value)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an array of JWS algorithms`)
  if (value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not be empty`)
  for (const alg of value) {
    if (!isJWSAlgorithm(alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} contains an unsupported algorithm: ${String(alg)}`)
    if (!allowed.includes(alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}: ${alg} is not allowed in the ${profile} profile`)
  }
  return Object.freeze([...value] as JWSAlgorithm[])
}

export function normalizeDecodeOptions(options: DecodeWITOptions | undefined): StructurePolicy {
  if (options !== undefined) assertObject(options, 'options')
  const o = options ?? {}
  const profile = o.profile ?? 'wimse'
  if (profile !== 'wimse' && profile !== 'spiffe') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.profile must be 'wimse' or 'spiffe'")
  if (o.acceptLegacyTyp !== undefined && typeof o.acceptLegacyTyp !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.acceptLegacyTyp must be a boolean')
  return Object.freeze({
    profile,
    algorithms: algorithmList(o.algorithms, 'options.algorithms', profile),
    proofAlgorithms: algorithmList(o.proofAlgorithms, 'options.proofAlgorithms', profile),
    acceptLegacyTyp: o.acceptLegacyTyp ?? true,
    maxTokenLength: optionalNumber(o.maxTokenLength, 'options.maxTokenLength', DEFAULT_MAX_WIT_LENGTH, { min: 64, max: 1_048_576, integer: true }),
  })
}

export function normalizeVerifyOptions(options: VerifyWITOptions): VerifyPolicy {
  assertObject(options, 'options')
  const structure = normalizeDecodeOptions(options)
  const source = options.trustBundles
  assertObject(source, 'options.trustBundles')
  assertFunction(source.getBundle, 'options.trustBundles.getBundle')
  if (source.refresh !== undefined) assertFunction(source.refresh, 'options.trustBundles.refresh')
  let issuers: readonly string[] | undefined
  if (options.issuers !== undefined) {
    assertStringArray(options.issuers, 'options.issuers')
    issuers = Object.freeze([...options.issuers])
  }
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  if (options.keyUse !== undefined && (typeof options.keyUse !== 'string' || options.keyUse.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.keyUse must be a non-empty string')
  }
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  if (options.signal !== undefined) assertObject(options.signal, 'options.signal')
  return Object.freeze({
    ...structure,
    trustBundles: source,
    issuers,
    clock: options.clock,
    clockTolerance: optionalNumber(options.clockTolerance, 'options.clockTolerance', DEFAULT_CLOCK_TOLERANCE, { min: 0, max: 300 }),
    maxLifetime: optionalNumber(options.maxLifetime, 'options.maxLifetime', DEFAULT_MAX_WIT_LIFETIME, { min: 1, max: 366 * 86_400 }),
    keyUse: options.keyUse ?? (structure.profile === 'spiffe' ? 'wit-svid' : undefined),
    crypto: options.crypto,
    signal: options.signal,
  })
}
