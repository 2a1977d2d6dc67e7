import type { JWSAlgorithm } from './algorithms.js'

/**
 * A public JSON Web Key. Never holds private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`).
 *
 * @example
 * ```ts
 * import type { PublicJWK } from 'agentauth/signer'
 * const jwk: PublicJWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', alg: 'EdDSA' }
 * ```
 */
export interface PublicJWK {
  readonly kty: 'EC' | 'OKP' | 'RSA' | (string & {})
  readonly crv?: string
  readonly x?: string
  readonly y?: string
  readonly n?: string
  readonly e?: string
  readonly alg?: string
  readonly kid?: string
  readonly use?: string
  readonly key_ops?: readonly string[]
  readonly x5c?: readonly string[]
  readonly [extra: string]: unknown
}

/**
 * Options of {@link Signer.sign}.
 *
 * @example
 * ```ts
 * const signature = await signer.sign(data, { signal: AbortSignal.timeout(2000) })
 * ```
 */
export interface SignOptions {
  /** Aborts a slow signer (remote broker, KMS). */
  signal?: AbortSignal
}

/**
 * The only way agentauth signs anything. A signer may hold a non-extractable `CryptoKey`, call a
 * KMS or HSM, or ask a credential broker in another process: callers never see key material.
 *
 * Contract: `sign` returns the signature in **JOSE form** (raw `r‖s` for ECDSA, 64 bytes for
 * Ed25519, the plain RSA signature) — the same bytes RFC 9421 wants. Use `derToJoseSignature` to
 * convert DER-encoded ECDSA output from a KMS.
 *
 * @example
 * ```ts
 * import { derToJoseSignature, type Signer } from 'agentauth/signer'
 * const kmsSigner: Signer = {
 *   alg: 'ES256',
 *   kid: 'kms-key-1',
 *   publicJwk: async () => publicJwk,
 *   sign: async (input) => derToJoseSignature(await kms.sign(input), 'ES256'),
 * }
 * ```
 */
export interface Signer {
  /** The JOSE algorithm this signer produces. */
  readonly alg: JWSAlgorithm
  /** Key id, copied into JWS headers when set. */
  readonly kid?: string | undefined
  /** The public key as a JWK (with `alg`, without private members). */
  publicJwk(): Promise<PublicJWK>
  /** Signs `input` and returns the JOSE-form signature. */
  sign(input: Uint8Array, options?: SignOptions): Promise<Uint8Array>
}
