import { codedTypeError } from '../errors/index.js'
import { assertObject, assertOptionalString } from '../internal/assert.js'
import { algorithmInfo, isJWSAlgorithm, type JWSAlgorithm } from './algorithms.js'
import { createCryptoKeySigner } from './crypto-key-signer.js'
import type { Signer } from './types.js'

/**
 * Options of {@link createJWKSigner}.
 *
 * @example
 * ```ts
 * const signer = await createJWKSigner({ privateJwk: JSON.parse(await readFile('issuer.jwk.json', 'utf8')), kid: 'issuer-2026' })
 * ```
 */
export interface JWKSignerOptions {
  /** A private JWK (with `d`), e.g. from `exportPrivateJwk()` or `agentauth keygen`. */
  privateJwk: JsonWebKey
  /** The algorithm; defaults to the JWK's `alg`. When both are set they must agree. */
  alg?: JWSAlgorithm
  /** Key id; defaults to the JWK's `kid`. */
  kid?: string
  /** Web Crypto provider (defaults to `globalThis.crypto`). */
  crypto?: Crypto
}

const PRIVATE_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'x', 'y', 'd'], OKP: ['crv', 'x', 'd'], RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] }
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] }

/**
 * Imports a private JWK into Web Crypto as a **non-extractable** key and wraps it in a
 * {@link Signer}. The public key is rebuilt from the JWK's public members. Meant for development
 * issuers and keys loaded from a secret store; the JWK object itself is not kept.
 *
 * @param options - the private JWK, optional `alg`, `kid` and crypto provider.
 * @returns a signer; its `publicJwk()` never contains private members.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when the JWK is not a private
 * key of a supported type, `alg` is missing, unsupported or contradicts the JWK, or the key does not
 * fit `alg`, or the provider refuses to import it (asynchronously, as a rejected promise).
 *
 * @example
 * ```ts
 * import { createJWKSigner, generateSigner } from 'agentauth/signer'
 * const dev = await generateSigner('ES256', { kid: 'dev', extractable: true })
 * const saved = await dev.exportPrivateJwk()
 * // … later, in the issuing process:
 * const signer = await createJWKSigner({ privateJwk: saved })
 * ```
 */
export async function createJWKSigner(options: JWKSignerOptions): Promise<Signer> {
  assertObject(options, 'options')
  const jwk = options.privateJwk as Record<string, unknown>
  assertObject(jwk, 'options.privateJwk')
  assertOptionalString(options.kid, 'options.kid')
  const jwkAlg = jwk.alg
  if (jwkAlg !== undefined && !isJWSAlgorithm(jwkAlg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.privateJwk.alg is not a supported JWS algorithm')
  const alg = options.alg ?? jwkAlg
  if (alg === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.alg is required when the JWK has no alg')
  const info = algorithmInfo(alg)
  const sameAlg = jwkAlg === undefined || jwkAlg === info.alg || (info.kty === 'OKP' && (jwkAlg === 'EdDSA' || jwkAlg === 'Ed25519'))
  if (!sameAlg) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.alg ${info.alg} contradicts options.privateJwk.alg ${String(jwkAlg)}`)
  if (jwk.kty !== info.kty) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.privateJwk kty ${String(jwk.kty)} does not fit ${info.alg}`)
  if (info.crv !== undefined && jwk.crv !== info.crv) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.privateJwk crv ${String(jwk.crv)} does not fit ${info.alg}`)
  const privateMembers = PRIVATE_MEMBERS[info.kty]!
  const priv: Record<string, unknown> = { kty: info.kty }
  for (const m of privateMembers) {
    if (typeof jwk[m] !== 'string') {
      if (m === 'd' || info.kty !== 'RSA' || ['n', 'e'].includes(m)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.privateJwk member "${m}" is missing (a private JWK is required)`)
      continue
    }
    priv[m] = jwk[m]
  }
  const pub: Record<string, unknown> = { kty: info.kty }
  for (const m of PUBLIC_MEMBERS[info.kty]!) pub[m] = jwk[m]
  const kidValue = options.kid ?? jwk.kid
  if (kidValue !== undefined && (typeof kidValue !== 'string' || kidValue.length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.privateJwk.kid must be a non-empty string')
  const crypto = options.crypto ?? globalThis.crypto
  if (typeof crypto?.subtle?.importKey !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto must be a Web Crypto implementation')
  let privateKey: CryptoKey
  let publicKey: CryptoKey
  try {
    ;[privateKey, publicKey] = await Promise.all([
      crypto.subtle.importKey('jwk', priv as JsonWebKey, info.importParams, false, ['sign']),
      crypto.subtle.importKey('jwk', pub as JsonWebKey, info.importParams, true, ['verify']),
    ])
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.privateJwk could not be imported as an ${info.alg} key`, cause)
  }
  return createCryptoKeySigner({ privateKey, publicKey, alg: info.alg, crypto, ...(kidValue !== undefined ? { kid: kidValue } : {}) })
}
