// Where verifySET finds the transmitter's keys (SSF 1.0 §4.1.4: the transmitter's jwks_uri):
// a static JWKS or TrustBundle, a TrustBundleSource (e.g. remoteTrustBundle over jwks_uri), or a
// resolver function. Keys are imported once and cached by internal/keys.ts.
import { selectKey } from '../bundle/select.js'
import type { TrustBundle, TrustBundleSource } from '../bundle/types.js'
import { VerificationError, codedTypeError } from '../errors/index.js'
import { importPublicJWK } from '../internal/keys.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'

/**
 * A JSON Web Key Set (RFC 7517 §5).
 *
 * @example
 * ```ts
 * const keys: JWKS = { keys: [transmitterJwk] }
 * await verifySET(token, { issuer, audience, keys })
 * ```
 */
export interface JWKS {
  readonly keys: readonly PublicJWK[]
}

/**
 * What a {@link SETKeyResolver} is told about the SET being verified.
 *
 * @example
 * ```ts
 * const keys: SETKeyResolver = ({ kid, alg, iss }: SETKeyContext) => keyStore.get(`${iss}#${kid}`)
 * ```
 */
export interface SETKeyContext {
  readonly alg: JWSAlgorithm
  readonly kid: string | undefined
  /** The SET's `iss`, already checked against the expected issuer. */
  readonly iss: string
}

/**
 * Returns the public key(s) that may verify a SET: one JWK, a JWKS, or `undefined` when none is
 * trusted. With several keys, the `kid` (or the only fitting key) chooses.
  *
  * @example
  * ```ts
  * const keys: SETKeyResolver = async ({ kid }) => (await loadJwks()).keys.find((k) => k.kid === kid)
  * ```
  */
export type SETKeyResolver = (context: SETKeyContext) => Promise<PublicJWK | JWKS | undefined> | PublicJWK | JWKS | undefined

/**
 * The transmitter's keys: a static JWKS or `TrustBundle`, a `TrustBundleSource` (asked for the
 * bundle named by the issuer's host name, e.g. `remoteTrustBundle({ urls: { [host]: jwks_uri } })`),
 * or a {@link SETKeyResolver}.
  *
  * @example
  * ```ts
  * const keys: SETKeys = remoteTrustBundle({ urls: { 'idp.example.com': metadata.jwks_uri! } })
  * ```
  */
export type SETKeys = JWKS | TrustBundle | TrustBundleSource | SETKeyResolver

/** Validates the `keys` option shape at construction time. */
export function checkKeysOption(keys: unknown, name: string): asserts keys is SETKeys {
  if (typeof keys === 'function') return
  if (typeof keys !== 'object' || keys === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a JWKS, a TrustBundle, a TrustBundleSource or a resolver function`)
  const k = keys as Record<string, unknown>
  if (typeof k.getBundle === 'function') return
  if (!Array.isArray(k.keys)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.keys must be an array of JWKs`)
}

function isSource(keys: SETKeys): keys is TrustBundleSource {
  return typeof (keys as TrustBundleSource).getBundle === 'function'
}

function asBundle(value: PublicJWK | JWKS | TrustBundle, name: string): TrustBundle {
  if (Array.isArray((value as JWKS).keys)) return { trustDomain: name, keys: (value as JWKS).keys }
  return { trustDomain: name, keys: [value as PublicJWK] }
}

/**
 * selectKey, except that a kid the key set holds under a key that does not fit the SET's alg (no
 * key with that kid fits) is ERR_KEY_INVALID: the key is known and unacceptable, so receivers
 * refuse the SET (invalid_key) instead of leaving it unacknowledged for good as a key "not known
 * yet" (ERR_KEY_NOT_FOUND).
 */
function selectSETKey(bundle: TrustBundle, context: SETKeyContext): PublicJWK {
  try {
    return selectKey(bundle, { kid: context.kid, alg: context.alg })
  } catch (err) {
    const kid = context.kid
    if (kid !== undefined && err instanceof VerificationError && err.code === 'ERR_KEY_NOT_FOUND' && err.reason === 'no matching trusted key'
      && Array.isArray(bundle.keys) && bundle.keys.some((k) => typeof k === 'object' && k !== null && k.kid === kid)) {
      throw new VerificationError('ERR_KEY_INVALID', `the key of ${context.iss} named by the SET's kid does not fit its alg ${context.alg}`, { reason: 'the key named by kid does not fit the algorithm', claim: 'kid', cause: err })
    }
    throw err
  }
}

/** Resolves and imports the verification key for a SET; throws ERR_KEY_NOT_FOUND / ERR_KEY_INVALID. */
export async function resolveSETKey(keys: SETKeys, context: SETKeyContext, crypto: Crypto | undefined): Promise<CryptoKey> {
  const where = `transmitter ${context.iss}`
  let bundle: TrustBundle | undefined
  let jwk: PublicJWK
  if (typeof keys === 'function') {
    const found = await keys(context)
    if (found === undefined || found === null) throw new VerificationError('ERR_KEY_NOT_FOUND', `no key for ${where}`, { claim: 'kid' })
    bundle = asBundle(found, where)
    jwk = selectSETKey(bundle, context)
  } else if (isSource(keys)) {
    let host: string
    try {
      host = new URL(context.iss).hostname
    } catch {
      throw new VerificationError('ERR_KEY_NOT_FOUND', 'issuer is not a URL; cannot pick a trust bundle', { claim: 'iss' })
    }
    bundle = await keys.getBundle(host)
    if (bundle === undefined) throw new VerificationError('ERR_KEY_NOT_FOUND', `no trust bundle for ${host}`, { claim: 'iss' })
    try {
      jwk = selectKey(bundle, { kid: context.kid, alg: context.alg })
    } catch (err) {
      // A source that can refresh is asked for a fresh set first (the key behind the kid may have changed).
      if (keys.refresh === undefined || context.kid === undefined) jwk = selectSETKey(bundle, context)
      else {
        const fresh = await keys.refresh(host)
        if (fresh === undefined) throw err
        jwk = selectSETKey(fresh, context)
      }
    }
  } else {
    jwk = selectSETKey(asBundle(keys as JWKS, where), context)
  }
  return importPublicJWK(jwk, context.alg, crypto)
}
