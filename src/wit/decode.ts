import { VerificationError } from '../errors/index.js'
import { claimNumericDate } from '../internal/jws.js'
import { checkConfirmation, checkHeader, checkNoAudience, checkOptionalStrings, checkSubject, deepFreeze, parseWIT } from './claims.js'
import type { StructurePolicy } from './claims.js'
import { normalizeDecodeOptions, type DecodeWITOptions } from './options.js'
import type { WITClaims, WITHeader } from './types.js'

/**
 * The result of {@link decodeWIT}: structurally valid, **not verified**.
 *
 * @example
 * ```ts
 * import { decodeWIT, type DecodedWIT } from 'agentauth/wit'
 * const unverified: DecodedWIT = decodeWIT(token)
 * log.debug({ claimedId: unverified.id })
 * ```
 */
export interface DecodedWIT {
  readonly header: WITHeader
  readonly claims: WITClaims
  /** The workload identifier claimed in `sub` (unverified). */
  readonly id: string
  /** The trust domain of `sub` (unverified). */
  readonly trustDomain: string
}

/**
 * Decodes a WIT **without verifying it**: no signature check, no trust bundle, no clock. Use it to
 * read the expiry of your own WIT, to log, or to route — never to authenticate or authorise
 * anything; use `verifyWIT` for that.
 *
 * It applies every check that needs neither keys nor time: size limit, compact JWS structure,
 * strict UTF-8 JSON objects, no `crit`/`b64`, `typ`, `alg` allow-list, `kid` shape, `sub` as a
 * Workload Identifier, `exp` present as a NumericDate (after `iat` when given), `nbf`/`iat`/`iss`/`jti` types, `cnf.jwk`
 * (public, allowed `alg`, shape), and the spiffe profile rules when asked.
 *
 * @param token - a compact WIT.
 * @param options - profile and allow-lists, as for `verifyWIT` (see {@link DecodeWITOptions}).
 * @returns the deeply frozen header and claims, with the claimed identifier and trust domain.
 * @throws VerificationError `ERR_INPUT_TOO_LARGE`, `ERR_WIT_INVALID`, `ERR_TYP_INVALID`,
 *   `ERR_ALG_NOT_ALLOWED`, `ERR_IDENTIFIER_*` or `ERR_WIT_CNF_INVALID`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { decodeWIT } from 'agentauth/wit'
 * const { claims } = decodeWIT(myOwnWit) // UNVERIFIED
 * const secondsLeft = claims.exp - Math.floor(Date.now() / 1000)
 * ```
 */
export function decodeWIT(token: string, options?: DecodeWITOptions): DecodedWIT {
  return decodeWithPolicy(token, normalizeDecodeOptions(options))
}

/** decodeWIT with options already normalised (used by the WIT sources). */
export function decodeWithPolicy(token: unknown, policy: StructurePolicy): DecodedWIT {
  const { header, payload } = parseWIT(token, policy.maxTokenLength)
  checkHeader(header, policy)
  const identifier = checkSubject(payload, policy.profile)
  checkOptionalStrings(payload)
  const exp = claimNumericDate(payload, 'exp', 'ERR_WIT_INVALID', 'WIT', true)
  claimNumericDate(payload, 'nbf', 'ERR_WIT_INVALID', 'WIT')
  const iat = claimNumericDate(payload, 'iat', 'ERR_WIT_INVALID', 'WIT')
  // Needs no clock, so checked here as by verifyWIT: such a WIT is never valid.
  if (iat !== undefined && exp <= iat) throw new VerificationError('ERR_WIT_INVALID', 'WIT exp is not after iat', { claim: 'exp' })
  checkConfirmation(payload, policy.proofAlgorithms)
  checkNoAudience(payload, policy.profile)
  return Object.freeze({
    header: deepFreeze(header) as unknown as WITHeader,
    claims: deepFreeze(payload) as unknown as WITClaims,
    id: identifier.id,
    trustDomain: identifier.trustDomain,
  })
}
