import { SignerError, codedTypeError } from '../errors/index.js'
import { assertOptionalString } from '../internal/assert.js'
import { algorithmInfo, type JWSAlgorithm } from './algorithms.js'
import { createCryptoKeySigner } from './crypto-key-signer.js'
import type { Signer } from './types.js'

/**
 * Options of {@link generateSigner}.
 *
 * @example
 * ```ts
 * const signer = await generateSigner('EdDSA', { kid: 'dev-1', extractable: false })
 * ```
 */
export interface GenerateSignerOptions {
  /** Key id for the signer and its public JWK. */
  kid?: string
  /**
   * Generate an extractable private key so it can be saved with `exportPrivateJwk()` (tests,
   * development issuers, `agentauth keygen`). Default `false`: the key cannot leave the provider.
   */
  extractable?: boolean
  /** Web Crypto provider (defaults to `globalThis.crypto`). */
  crypto?: Crypto
}

/**
 * A signer whose freshly generated private key may be exported (only from `generateSigner(alg, { extractable: true })`).
 *
 * @example
 * ```ts
 * const signer: ExportableSigner = await generateSigner('ES256', { extractable: true })
 * await writeFile('issuer.jwk.json', JSON.stringify(await signer.exportPrivateJwk()), { mode: 0o600 })
 * ```
 */
export interface ExportableSigner extends Signer {
  /**
   * The private key as a JWK, with `alg` (and `kid` when set). Handle as a secret: store it in a
   * secret manager or a file only the issuing process can read. Rejects with `SignerError`
   * `ERR_SIGNER_FAILED` when the provider cannot export it.
   */
  exportPrivateJwk(): Promise<JsonWebKey>
}

const RSA_GENERATE = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }

/**
 * Generates a key pair in Web Crypto and wraps it in a {@link Signer} — for development, tests and
 * small self-hosted issuers. Production keys usually live in a KMS or HSM (see `derToJoseSignature`)
 * or a credential broker. RSA keys are 2048 bits.
 *
 * By default the private key is non-extractable. With `extractable: true` the result also has
 * `exportPrivateJwk()`.
 *
 * @param alg - the JOSE algorithm of the new key.
 * @param options - `kid`, `extractable`, `crypto`.
 * @returns the new signer.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` / `ERR_INVALID_ARG_TYPE` for an unsupported algorithm or bad options;
 * `SignerError` `ERR_SIGNER_FAILED` when the provider cannot generate the key.
 *
 * @example
 * ```ts
 * import { generateSigner } from 'agentauth/signer'
 * const signer = await generateSigner('ES256', { kid: 'dev-1' })
 * console.log(await signer.publicJwk())
 *
 * const exportable = await generateSigner('Ed25519', { extractable: true })
 * const privateJwk = await exportable.exportPrivateJwk() // keep secret
 * ```
 */
export function generateSigner(alg: JWSAlgorithm, options: GenerateSignerOptions & { extractable: true }): Promise<ExportableSigner>
export function generateSigner(alg: JWSAlgorithm, options?: GenerateSignerOptions): Promise<Signer>
export async function generateSigner(alg: JWSAlgorithm, options: GenerateSignerOptions = {}): Promise<Signer | ExportableSigner> {
  const info = algorithmInfo(alg)
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const { kid, extractable = false } = options
  assertOptionalString(kid, 'options.kid')
  if (typeof extractable !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.extractable must be a boolean')
  const crypto = options.crypto ?? globalThis.crypto
  if (typeof crypto?.subtle?.generateKey !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto must be a Web Crypto implementation')
  const params = info.kty === 'RSA' ? { ...info.importParams, ...RSA_GENERATE } : info.importParams
  let pair: CryptoKeyPair
  try {
    pair = await crypto.subtle.generateKey(params as RsaHashedKeyGenParams | EcKeyGenParams, extractable, ['sign', 'verify']) as CryptoKeyPair
  } catch (cause) {
    throw new SignerError('ERR_SIGNER_FAILED', `${info.alg} key generation failed`, { cause })
  }
  const signer = createCryptoKeySigner({
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    alg: info.alg,
    allowExtractable: extractable,
    crypto,
    ...(kid !== undefined ? { kid } : {}),
  })
  if (!extractable) return signer
  const exportable: ExportableSigner = {
    alg: signer.alg,
    kid: signer.kid,
    publicJwk: signer.publicJwk,
    sign: signer.sign,
    async exportPrivateJwk(): Promise<JsonWebKey> {
      let jwk: JsonWebKey
      try {
        jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
      } catch (cause) {
        throw new SignerError('ERR_SIGNER_FAILED', 'the private key could not be exported', { cause })
      }
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string') throw new SignerError('ERR_SIGNER_FAILED', 'the provider did not export a private JWK')
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(jwk)) if (k !== 'key_ops' && k !== 'ext') out[k] = v
      out.alg = info.alg
      if (kid !== undefined) out.kid = kid
      return out as JsonWebKey
    },
  }
  return Object.freeze(exportable)
}
