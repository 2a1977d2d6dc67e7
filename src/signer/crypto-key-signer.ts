import { SignerError, codedTypeError } from '../errors/index.js'
import { assertObject, assertOptionalString } from '../internal/assert.js'
import { bs, utf8 } from '../internal/bytes.js'
import { assertPublicJWK } from '../internal/keys.js'
import { ALGORITHMS, algorithmInfo, type AlgorithmInfo, type JWSAlgorithm } from './algorithms.js'
import type { PublicJWK, SignOptions, Signer } from './types.js'

/**
 * Options of {@link createCryptoKeySigner}.
 *
 * @example
 * ```ts
 * const options: CryptoKeySignerOptions = { privateKey, publicKey, alg: 'ES256', kid: 'k1' }
 * ```
 */
export interface CryptoKeySignerOptions {
  /** The private key (`type: 'private'`, usages include `sign`). Should be non-extractable. */
  privateKey: CryptoKey
  /**
   * The matching public key; must be extractable (its JWK is published). Required when the private
   * key is not extractable, because the public half cannot be derived from it then.
   */
  publicKey?: CryptoKey
  /** The JOSE algorithm to sign with; must fit the key (kty, curve, hash). */
  alg: JWSAlgorithm
  /** Key id copied into JWS headers and the public JWK. */
  kid?: string
  /** Accept an extractable private key. Off by default: a non-extractable key cannot be leaked by code in this process. */
  allowExtractable?: boolean
  /** Web Crypto provider (defaults to `globalThis.crypto`), e.g. `@peculiar/webcrypto`. */
  crypto?: Crypto
}

const MIN_RSA_BITS = 2048
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

// CryptoKeys from another provider (@peculiar/webcrypto) are not instances of the global class,
// so keys are checked by shape.
function isCryptoKeyLike(value: unknown): value is CryptoKey {
  if (typeof value !== 'object' || value === null) return false
  const k = value as Partial<CryptoKey>
  return (k.type === 'private' || k.type === 'public' || k.type === 'secret')
    && typeof k.extractable === 'boolean' && typeof k.algorithm === 'object' && k.algorithm !== null && Array.isArray(k.usages)
}

// Throws a coded TypeError unless `key` is a `type` key usable with `info`.
function assertKeyFitsAlg(key: unknown, type: 'private' | 'public', info: AlgorithmInfo, name: string): asserts key is CryptoKey {
  if (!isCryptoKeyLike(key)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a CryptoKey`)
  if (key.type !== type) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a ${type} key, got a ${key.type} key`)
  const usage = type === 'private' ? 'sign' : 'verify'
  if (type === 'private' && !key.usages.includes(usage)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} usages must include "${usage}"`)
  const expected = info.importParams as { name: string; namedCurve?: string; hash?: string }
  const algorithm = key.algorithm as { name?: string; namedCurve?: string; hash?: { name?: string }; modulusLength?: number }
  if (algorithm.name !== expected.name) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} is a ${String(algorithm.name)} key, ${info.alg} needs ${expected.name}`)
  if (expected.namedCurve !== undefined && algorithm.namedCurve !== expected.namedCurve) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} curve ${String(algorithm.namedCurve)} does not fit ${info.alg} (${expected.namedCurve})`)
  }
  if (expected.hash !== undefined) {
    if (algorithm.hash?.name !== expected.hash) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} hash ${String(algorithm.hash?.name)} does not fit ${info.alg} (${expected.hash})`)
    if (typeof algorithm.modulusLength !== 'number' || algorithm.modulusLength < MIN_RSA_BITS) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} RSA modulus must be at least ${MIN_RSA_BITS} bits`)
    }
  }
}

/** Keeps only the public members of an exported JWK, adds `alg`/`kid`, and double-checks nothing private slipped through. */
function toPublicJWK(exported: JsonWebKey, alg: JWSAlgorithm, kid: string | undefined): PublicJWK {
  const source = exported as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const m of PUBLIC_MEMBERS) if (typeof source[m] === 'string') out[m] = source[m]
  out.alg = alg
  if (kid !== undefined) out.kid = kid
  assertPublicJWK(out, 'public JWK')
  return Object.freeze(out) as PublicJWK
}

const PROBE = utf8('agentauth key pair check')

/**
 * Creates a {@link Signer} over a Web Crypto private key. The key stays inside the crypto provider:
 * an extractable private key is refused unless `allowExtractable` is set, so not even code running
 * in this process can export it. Key and algorithm are checked when the signer is created; the
 * first `publicJwk()` call also checks that the public key belongs to the private key.
 *
 * @param options - the key pair, algorithm, optional `kid` and crypto provider.
 * @returns a signer producing JOSE-form signatures.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a missing or wrong key,
 * an extractable private key without `allowExtractable`, a key that does not fit `alg` (kty, curve,
 * hash, RSA < 2048 bits), or a non-extractable private key without `publicKey`.
 * `sign` rejects with `SignerError` `ERR_SIGNER_FAILED` when the provider fails or is aborted;
 * `publicJwk` rejects with `SignerError` `ERR_SIGNER_FAILED` when the public key does not match or
 * the provider cannot export it as a complete JWK.
 *
 * @example
 * ```ts
 * import { createCryptoKeySigner } from 'agentauth/signer'
 * const { privateKey, publicKey } = await crypto.subtle.generateKey(
 *   { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
 * const signer = createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256', kid: 'key-1' })
 * const jwk = await signer.publicJwk() // { kty: 'EC', crv: 'P-256', x, y, alg: 'ES256', kid: 'key-1' }
 * ```
 */
export function createCryptoKeySigner(options: CryptoKeySignerOptions): Signer {
  assertObject(options, 'options')
  const { privateKey, publicKey, kid, allowExtractable = false } = options
  const info = algorithmInfo(options.alg)
  const alg = info.alg
  assertOptionalString(kid, 'options.kid')
  if (typeof allowExtractable !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.allowExtractable must be a boolean')
  const crypto = options.crypto ?? globalThis.crypto
  if (typeof crypto?.subtle?.sign !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto must be a Web Crypto implementation')
  assertKeyFitsAlg(privateKey, 'private', info, 'options.privateKey')
  if (privateKey.extractable && !allowExtractable) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.privateKey is extractable; create it with extractable: false, or pass allowExtractable: true (development only)')
  }
  if (publicKey !== undefined) {
    assertKeyFitsAlg(publicKey, 'public', info, 'options.publicKey')
    if (!publicKey.extractable) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.publicKey must be extractable (its JWK is published)')
  } else if (!privateKey.extractable) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.publicKey is required when options.privateKey is not extractable (the public key cannot be derived from it)')
  }
  const signParams = ALGORITHMS[alg].signParams
  const fixedLength = info.signatureLength

  async function sign(input: Uint8Array, signOptions?: SignOptions): Promise<Uint8Array> {
    if (!(input instanceof Uint8Array)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'input must be a Uint8Array')
    const signal = signOptions?.signal
    if (signal?.aborted) throw new SignerError('ERR_SIGNER_FAILED', 'signing was aborted', { cause: signal.reason })
    let signature: ArrayBuffer
    try {
      signature = await crypto.subtle.sign(signParams, privateKey, bs(input))
    } catch (cause) {
      throw new SignerError('ERR_SIGNER_FAILED', `${alg} signing failed`, { cause })
    }
    const out = new Uint8Array(signature)
    if (fixedLength !== undefined && out.length !== fixedLength) throw new SignerError('ERR_SIGNER_FAILED', `${alg} signature has length ${out.length}, expected ${fixedLength}`)
    return out
  }

  let jwk: Promise<PublicJWK> | undefined
  async function derivePublicJWK(): Promise<PublicJWK> {
    let exported: JsonWebKey
    try {
      exported = await crypto.subtle.exportKey('jwk', publicKey ?? privateKey)
    } catch (cause) {
      throw new SignerError('ERR_SIGNER_FAILED', 'the public key could not be exported', { cause })
    }
    // A provider answering with no JWK, or one missing a key member, would publish a key nobody
    // can verify with (or crash reading it): a failed signer, coded.
    const members = ALGORITHMS[alg].kty === 'RSA' ? ['n', 'e'] : ALGORITHMS[alg].kty === 'EC' ? ['crv', 'x', 'y'] : ['crv', 'x']
    const got = exported as Record<string, unknown> | null | undefined
    if (typeof got !== 'object' || got === null || got.kty !== ALGORITHMS[alg].kty || members.some((m) => typeof got[m] !== 'string' || (got[m] as string).length === 0)) {
      throw new SignerError('ERR_SIGNER_FAILED', 'the crypto provider did not export a complete public JWK')
    }
    const result = toPublicJWK(exported, alg, kid)
    if (publicKey !== undefined) {
      // A mismatched pair would produce signatures nobody can verify; catch it once, here.
      const signature = await sign(PROBE)
      let ok = false
      try {
        ok = await crypto.subtle.verify(signParams, publicKey, bs(signature), bs(PROBE))
      } catch (cause) {
        throw new SignerError('ERR_SIGNER_FAILED', 'the key pair could not be checked', { cause })
      }
      if (!ok) throw new SignerError('ERR_SIGNER_FAILED', 'options.publicKey does not belong to options.privateKey')
    }
    return result
  }

  const signer: Signer = {
    alg,
    kid,
    publicJwk(): Promise<PublicJWK> {
      jwk ??= derivePublicJWK().catch((err: unknown) => {
        jwk = undefined
        throw err
      })
      return jwk
    },
    sign,
  }
  return Object.freeze(signer)
}
