// WIT structure and claim checks shared by verifyWIT and decodeWIT (workload-creds §5.1, WIT-SVID
// §2–§3). Each check throws a VerificationError with the code the module documents.
import { VerificationError } from '../errors/index.js'
import { parseWorkloadIdentifier, type WorkloadIdentifier } from '../identifier/index.js'
import { checkAlg, claimString, parseCompactJWS, typMatches, type ParsedJWS } from '../internal/jws.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'
import { assertJWKMatchesAlg, assertPublicJWK } from '../internal/keys.js'
import { isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'
import { WIT_LEGACY_TYP, WIT_TYP } from './constants.js'

/**
 * Which rule set a WIT is checked against: the WIMSE draft (`wimse`), or the stricter SPIFFE
 * WIT-SVID profile (`spiffe`).
 *
 * @example
 * ```ts
 * import { verifyWIT, type WITProfile } from 'agentauth/wit'
 * const profile: WITProfile = 'spiffe'
 * await verifyWIT(token, { trustBundles, profile })
 * ```
 */
export type WITProfile = 'wimse' | 'spiffe'

/**
 * WIT-SVID §2.3 / §3.2: the only algorithms a WIT-SVID (and its `cnf.jwk`) may use — RS, ES and PS;
 * no EdDSA. The default allow-list of the `spiffe` profile.
 *
 * @example
 * ```ts
 * import { SPIFFE_ALGORITHMS } from 'agentauth/wit'
 * SPIFFE_ALGORITHMS.includes('EdDSA') // false
 * ```
 */
export const SPIFFE_ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512',
] as const)

/** The parts of a normalised policy the structural checks need. */
export interface StructurePolicy {
  readonly profile: WITProfile
  readonly algorithms: readonly JWSAlgorithm[]
  readonly proofAlgorithms: readonly JWSAlgorithm[]
  readonly acceptLegacyTyp: boolean
  readonly maxTokenLength: number
}

export type ConfirmationKey = PublicJWK & { readonly alg: JWSAlgorithm }

const WHAT = 'WIT'

/** Compact-JWS parse with every structural failure reported as ERR_WIT_INVALID (size stays ERR_INPUT_TOO_LARGE). */
export function parseWIT(token: unknown, maxTokenLength: number): ParsedJWS {
  try {
    return parseCompactJWS(token, { maxBytes: maxTokenLength, code: 'ERR_WIT_INVALID', what: WHAT, shareHeader: true, sharePayload: true })
  } catch (err) {
    if (err instanceof VerificationError && err.code !== 'ERR_WIT_INVALID' && err.code !== 'ERR_INPUT_TOO_LARGE') {
      throw new VerificationError('ERR_WIT_INVALID', err.message, { cause: err })
    }
    throw err
  }
}

/** typ (§5.1, RFC 8725 §3.11), alg allow-list, kid shape; WIT-SVID §2.1 makes kid required. */
export function checkHeader(header: JSONObject, policy: StructurePolicy): { alg: JWSAlgorithm; kid: string | undefined; legacy: boolean } {
  const typ = header.typ
  const current = typMatches(typ, WIT_TYP)
  const legacy = !current && policy.acceptLegacyTyp && policy.profile === 'wimse' && typMatches(typ, WIT_LEGACY_TYP)
  if (!current && !legacy) throw new VerificationError('ERR_TYP_INVALID', 'WIT typ must be wit+jwt', { claim: 'typ' })
  const alg = checkAlg(header, policy.algorithms, WHAT)
  let kid: string | undefined
  if (Object.hasOwn(header, 'kid')) {
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw new VerificationError('ERR_WIT_INVALID', 'WIT kid must be a non-empty string', { claim: 'kid' })
    kid = header.kid
  } else if (policy.profile === 'spiffe') {
    throw new VerificationError('ERR_WIT_INVALID', 'WIT-SVID header must carry a kid', { claim: 'kid' })
  }
  return { alg, kid, legacy }
}

/** `sub` is required and must be a Workload Identifier (a SPIFFE ID in the spiffe profile). */
export function checkSubject(payload: JSONObject, profile: WITProfile): WorkloadIdentifier {
  const sub = claimString(payload, 'sub', 'ERR_WIT_INVALID', WHAT, true)
  try {
    return parseWorkloadIdentifier(sub, { profile: profile === 'spiffe' ? 'spiffe' : 'any' })
  } catch (err) {
    if (err instanceof VerificationError) throw err
    throw new VerificationError('ERR_IDENTIFIER_INVALID', 'WIT sub is not a workload identifier', { cause: err, claim: 'sub' })
  }
}

/** Optional string claims (`iss`, `jti`) must be non-empty strings when present. */
export function checkOptionalStrings(payload: JSONObject): { iss: string | undefined; jti: string | undefined } {
  return {
    iss: claimString(payload, 'iss', 'ERR_WIT_INVALID', WHAT),
    jti: claimString(payload, 'jti', 'ERR_WIT_INVALID', WHAT),
  }
}

/** WIT-SVID §3.8: `aud` MUST NOT be present. */
export function checkNoAudience(payload: JSONObject, profile: WITProfile): void {
  if (profile === 'spiffe' && Object.hasOwn(payload, 'aud')) {
    throw new VerificationError('ERR_WIT_INVALID', 'WIT-SVID must not carry an aud claim', { claim: 'aud' })
  }
}

// Coordinate sizes per curve; RSA moduli below 2048 bits are refused (RFC 8725 §3.5 spirit).
const COORDINATE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, Ed25519: 32 }
const MIN_RSA_MODULUS_BYTES = 256

function cnfError(message: string, cause?: unknown): VerificationError {
  return new VerificationError('ERR_WIT_CNF_INVALID', message, { claim: 'cnf', ...(cause === undefined ? {} : { cause }) })
}

const B64URL = /^[A-Za-z0-9_-]+$/

// Byte length of a base64url member from its text length (no decode: this runs on every request;
// the key is decoded once, by the cached import, when the proof is checked).
function memberLength(jwk: JSONObject, name: string): number {
  const v = jwk[name]
  if (typeof v !== 'string') throw cnfError(`WIT cnf.jwk member "${name}" is missing`)
  if (!B64URL.test(v) || v.length % 4 === 1) throw cnfError(`WIT cnf.jwk member "${name}" is not base64url`)
  return Math.floor((v.length * 3) / 4)
}

/**
 * `cnf.jwk` (RFC 7800 §3.2): a public key with an allowed asymmetric `alg` whose shape fits it.
 * Key material is checked for size (curve coordinates, RSA ≥ 2048 bits) but not imported here:
 * the proof verifier imports it (cached) when it is used.
 */
export function checkConfirmation(payload: JSONObject, proofAlgorithms: readonly JWSAlgorithm[]): ConfirmationKey {
  if (!Object.hasOwn(payload, 'cnf')) throw cnfError('WIT is missing the "cnf" claim')
  const cnf = payload.cnf
  if (!isPlainObject(cnf)) throw cnfError('WIT cnf must be an object')
  const jwk = cnf.jwk
  if (!isPlainObject(jwk)) throw cnfError('WIT cnf must carry a jwk object')
  const alg = jwk.alg
  if (alg === undefined) throw cnfError('WIT cnf.jwk must carry an alg')
  if (!isJWSAlgorithm(alg)) throw cnfError('WIT cnf.jwk alg is not an asymmetric signature algorithm')
  if (!proofAlgorithms.includes(alg)) throw cnfError(`WIT cnf.jwk alg ${alg} is not allowed`)
  try {
    assertPublicJWK(jwk, 'WIT cnf.jwk')
    assertJWKMatchesAlg(jwk, alg, 'WIT cnf.jwk')
  } catch (cause) {
    throw cnfError(cause instanceof Error ? cause.message : 'WIT cnf.jwk is invalid', cause)
  }
  if (jwk.kty === 'RSA') {
    if (memberLength(jwk, 'n') < MIN_RSA_MODULUS_BYTES) throw cnfError('WIT cnf.jwk RSA modulus is shorter than 2048 bits')
    if (memberLength(jwk, 'e') === 0) throw cnfError('WIT cnf.jwk RSA exponent is empty')
  } else {
    const size = COORDINATE_BYTES[jwk.crv as string]
    if (size === undefined || memberLength(jwk, 'x') !== size || (jwk.kty === 'EC' && memberLength(jwk, 'y') !== size)) {
      throw cnfError('WIT cnf.jwk coordinates have the wrong length for the curve')
    }
  }
  return jwk as ConfirmationKey
}

export { deepFreeze } from '../internal/json.js'
