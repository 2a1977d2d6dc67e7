import { SignerError, codedTypeError } from '../errors/index.js'
import { parseWorkloadIdentifier } from '../identifier/index.js'
import { assertFunction, assertNumber, assertObject, assertOptionalString, assertString, optionalNumber } from '../internal/assert.js'
import { encode } from '../internal/base64url.js'
import { isPlainObject } from '../internal/json.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { isJWSAlgorithm, JWS_ALGORITHMS, type JWSAlgorithm } from '../signer/algorithms.js'
import { createCompactJWS } from '../signer/jws.js'
import type { PublicJWK, Signer } from '../signer/types.js'
import { checkConfirmation, SPIFFE_ALGORITHMS, type WITProfile } from './claims.js'
import { DEFAULT_WIT_LIFETIME, WIT_TYP } from './constants.js'

/**
 * Claims of a WIT to mint. Give the workload key as `cnf: { jwk }` or as `publicJwk`, not both.
 *
 * @example
 * ```ts
 * import type { CreateWITClaims } from 'agentauth/wit'
 * const claims: CreateWITClaims = { sub: 'wimse://example.org/svc', publicJwk: workloadJwk, iss: 'https://id.example.org', lifetime: 900 }
 * ```
 */
export interface CreateWITClaims {
  /** The Workload Identifier (`wimse://…`, `spiffe://…`, …). */
  sub: string
  /** The workload's public key, RFC 7800 style. */
  cnf?: { readonly jwk: PublicJWK }
  /** The workload's public key (shorthand for `cnf: { jwk }`). */
  publicJwk?: PublicJWK
  /** Issuer URI (RECOMMENDED by the draft; required by verifiers that allow-list issuers). */
  iss?: string
  /** Token id. Default: 128 random bits, base64url. `false` omits the claim (it is OPTIONAL). */
  jti?: string | false
  /** Issued-at, epoch seconds. Default: now. */
  iat?: number
  /** Not-before, epoch seconds (before `exp`). Omitted by default. */
  nbf?: number
  /** Absolute expiry, epoch seconds. Mutually exclusive with `lifetime`. */
  exp?: number
  /** Lifetime in seconds from `iat`. Default: `options.lifetime`, else 3600. */
  lifetime?: number
  /** Additional claims (collision-resistant names, §5.1.2). May not override registered WIT claims or set `aud`. */
  extra?: Readonly<Record<string, unknown>>
}

/**
 * Options of {@link createWIT}.
 *
 * @example
 * ```ts
 * import type { CreateWITOptions } from 'agentauth/wit'
 * const options: CreateWITOptions = { signer: issuerSigner, lifetime: 1800, profile: 'spiffe' }
 * ```
 */
export interface CreateWITOptions {
  /** The Identity Server's signer (any {@link Signer}: CryptoKey, KMS, broker). Its `kid` goes in the header. */
  signer: Signer
  /** Source of the current time (ms). Default `Date.now`. */
  clock?: Clock
  /** Default lifetime in seconds when the claims give neither `exp` nor `lifetime`. Default 3600. */
  lifetime?: number
  /** `spiffe` mints a WIT-SVID: `kid` required, RS/ES/PS algorithms, `sub` a SPIFFE ID. Default `wimse`. */
  profile?: WITProfile
  /** Web Crypto provider for the random `jti`. Default `globalThis.crypto`. */
  crypto?: Crypto
  /** Aborts a slow signer. */
  signal?: AbortSignal
}

const REGISTERED = ['iss', 'sub', 'iat', 'nbf', 'exp', 'jti', 'cnf', 'aud'] as const
const MAX_LIFETIME = 366 * 86_400
const INFERRED_ALG: Readonly<Record<string, JWSAlgorithm>> = { 'EC:P-256': 'ES256', 'EC:P-384': 'ES384', 'EC:P-521': 'ES512', 'OKP:Ed25519': 'EdDSA' }

/**
 * Mints a Workload Identity Token (draft-ietf-wimse-workload-creds §5.1) with any {@link Signer}:
 * header `{ alg, kid, typ: "wit+jwt" }`, claims `sub`, `cnf.jwk`, `exp`, `iat`, optional `iss`,
 * `nbf`, a random `jti`, and `extra`. Identity-Server side.
 *
 * `cnf.jwk` must be public. When it has no `alg`, one is inferred where the key leaves no choice
 * (P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA); RSA keys must say whether they
 * are RS* or PS*. Only the public members (`kty`, `crv`, `x`, `y`, `n`, `e`, `kid`) and `alg` are
 * copied into the token.
 *
 * @param claims - the claims to mint; see {@link CreateWITClaims}.
 * @param options - signer, clock, default lifetime, profile; see {@link CreateWITOptions}.
 * @returns the compact WIT.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a bad `sub`, a private,
 *   malformed or algorithm-less RSA `cnf` key, a bad time (an `nbf` not before `exp` included), a reserved or `aud` claim in `extra`,
 *   or a signer unfit for the profile.
 * @throws SignerError when the signer fails (`ERR_SIGNER_FAILED`, `ERR_SIGNER_REFUSED`, …), or
 *   `ERR_SIGNER_FAILED` when the crypto provider cannot give random bytes for the `jti`.
 *
 * @example
 * ```ts
 * import { createWIT } from 'agentauth/wit'
 * import { generateSigner } from 'agentauth/signer'
 *
 * const issuer = await generateSigner('ES256', { kid: '2026-11' })
 * const workload = await generateSigner('EdDSA')
 * const wit = await createWIT(
 *   { sub: 'wimse://example.org/payments', iss: 'https://id.example.org', publicJwk: await workload.publicJwk(), lifetime: 3600 },
 *   { signer: issuer },
 * )
 * ```
 */
export async function createWIT(claims: CreateWITClaims, options: CreateWITOptions): Promise<string> {
  assertObject(claims, 'claims')
  assertObject(options, 'options')
  const profile = options.profile ?? 'wimse'
  if (profile !== 'wimse' && profile !== 'spiffe') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.profile must be 'wimse' or 'spiffe'")
  const signer = options.signer
  assertObject(signer, 'options.signer')
  assertFunction(signer.sign, 'options.signer.sign')
  if (!isJWSAlgorithm(signer.alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.signer.alg is not a supported asymmetric JWS algorithm')
  assertOptionalString(signer.kid, 'options.signer.kid')
  if (profile === 'spiffe') {
    if (!SPIFFE_ALGORITHMS.includes(signer.alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `a WIT-SVID cannot be signed with ${signer.alg}`)
    if (signer.kid === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'a WIT-SVID needs a signer with a kid')
  }
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertFunction(options.crypto.getRandomValues, 'options.crypto.getRandomValues')
  }

  assertString(claims.sub, 'claims.sub')
  try {
    parseWorkloadIdentifier(claims.sub, { profile: profile === 'spiffe' ? 'spiffe' : 'any' })
  } catch (err) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.sub is not a valid workload identifier: ${err instanceof Error ? err.message : String(err)}`, err)
  }
  const jwk = confirmationKey(claims, profile)
  assertOptionalString(claims.iss, 'claims.iss')

  const now = nowSeconds(options.clock)
  const iat = claims.iat ?? now
  assertNumber(iat, 'claims.iat', { integer: true })
  if (claims.exp !== undefined && claims.lifetime !== undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'give claims.exp or claims.lifetime, not both')
  let exp: number
  if (claims.exp !== undefined) {
    assertNumber(claims.exp, 'claims.exp', { integer: true })
    exp = claims.exp
  } else {
    const fallback = optionalNumber(options.lifetime, 'options.lifetime', DEFAULT_WIT_LIFETIME, { min: 1, max: MAX_LIFETIME, integer: true })
    exp = iat + optionalNumber(claims.lifetime, 'claims.lifetime', fallback, { min: 1, max: MAX_LIFETIME, integer: true })
  }
  if (exp <= iat || exp - iat > MAX_LIFETIME) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'claims.exp must be after iat and within 366 days of it')
  if (claims.nbf !== undefined) {
    assertNumber(claims.nbf, 'claims.nbf', { integer: true })
    // A WIT valid from its exp on is never valid: every verifier refuses it.
    if (claims.nbf >= exp) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'claims.nbf must be before exp')
  }

  let jti: string | undefined
  if (claims.jti === undefined) jti = randomId(options.crypto)
  else if (claims.jti !== false) {
    assertString(claims.jti, 'claims.jti')
    jti = claims.jti
  }

  const payload: Record<string, unknown> = {}
  if (claims.extra !== undefined) {
    if (!isPlainObject(claims.extra)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'claims.extra must be a plain object')
    for (const name of REGISTERED) {
      if (Object.hasOwn(claims.extra, name)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.extra must not set "${name}"${name === 'aud' ? ' (a WIT has no audience)' : ''}`)
    }
    Object.assign(payload, claims.extra)
  }
  if (claims.iss !== undefined) payload.iss = claims.iss
  payload.sub = claims.sub
  payload.iat = iat
  if (claims.nbf !== undefined) payload.nbf = claims.nbf
  payload.exp = exp
  if (jti !== undefined) payload.jti = jti
  payload.cnf = { jwk }
  return createCompactJWS({ typ: WIT_TYP }, payload, signer, options.signal ? { signal: options.signal } : undefined)
}

function confirmationKey(claims: CreateWITClaims, profile: WITProfile): PublicJWK & { alg: JWSAlgorithm } {
  if ((claims.cnf === undefined) === (claims.publicJwk === undefined)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'give exactly one of claims.cnf or claims.publicJwk')
  if (claims.cnf !== undefined) assertObject(claims.cnf, 'claims.cnf')
  const source = claims.cnf !== undefined ? claims.cnf.jwk : claims.publicJwk
  assertObject(source, 'claims.cnf.jwk')
  assertOptionalString(source.kid, 'claims.cnf.jwk.kid')
  let alg = source.alg
  if (alg === undefined) {
    alg = INFERRED_ALG[`${String(source.kty)}:${String(source.crv)}`]
    if (alg === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'claims.cnf.jwk needs an alg (it cannot be inferred for this key type)')
  }
  const jwk: Record<string, unknown> = {}
  for (const m of ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const) {
    if (source[m] !== undefined) jwk[m] = source[m]
  }
  jwk.alg = alg
  // `use` and `key_ops` are not copied, but a key marked as not for signatures (RFC 7517 §4.2–4.3)
  // is refused as verifyWIT refuses it: dropping the mark would certify the key for proofs.
  const marks: Record<string, unknown> = {}
  if (source.use !== undefined) marks.use = source.use
  if (source.key_ops !== undefined) marks.key_ops = source.key_ops
  try {
    // The same check verifyWIT applies, so a minted WIT never fails it on the cnf key.
    checkConfirmation({ cnf: { jwk: { ...jwk, ...marks } } }, profile === 'spiffe' ? SPIFFE_ALGORITHMS : JWS_ALGORITHMS)
  } catch (err) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.cnf.jwk: ${err instanceof Error ? err.message : String(err)}`, err)
  }
  return jwk as PublicJWK & { alg: JWSAlgorithm }
}

function randomId(crypto: Crypto | undefined): string {
  const bytes = new Uint8Array(16)
  try {
    // The array is filled in place; what the provider returns is not trusted to be it.
    ;(crypto ?? globalThis.crypto).getRandomValues(bytes)
  } catch (cause) {
    throw new SignerError('ERR_SIGNER_FAILED', 'the random jti could not be generated', { cause })
  }
  return encode(bytes)
}
