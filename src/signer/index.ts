/**
 * Signers: the only way agentauth signs anything. A {@link Signer} returns JOSE-form signatures
 * for a fixed algorithm and publishes its public JWK; the private key may be a non-extractable
 * Web Crypto key ({@link createCryptoKeySigner}, {@link generateSigner}, {@link createJWKSigner}),
 * a KMS or HSM (wrap its DER output with {@link derToJoseSignature}), or a credential broker.
 * Also here: the algorithm table shared by JWS and RFC 9421 signatures, compact JWS assembly
 * and RFC 7638 thumbprints.
 *
 * @example
 * ```ts
 * import { createCompactJWS, generateSigner } from 'agentauth/signer'
 * const signer = await generateSigner('ES256', { kid: 'k1' })
 * const jws = await createCompactJWS({ typ: 'JWT' }, { sub: 'spiffe://example.org/svc' }, signer)
 * ```
 *
 * Reachable from `agentauth/signer`.
 *
 * @module signer
 */
export type { PublicJWK, SignOptions, Signer } from './types.js'
export {
  ALGORITHMS,
  HTTP_SIGNATURE_TO_JOSE,
  JWS_ALGORITHMS,
  isJWSAlgorithm,
  joseToHTTPSignatureAlgorithm,
  type AlgorithmInfo,
  type HTTPSignatureAlgorithm,
  type JWSAlgorithm,
} from './algorithms.js'
export { createCompactJWS, type JWSHeaderParameters } from './jws.js'
export { createCryptoKeySigner, type CryptoKeySignerOptions } from './crypto-key-signer.js'
export { generateSigner, type ExportableSigner, type GenerateSignerOptions } from './generate.js'
export { createJWKSigner, type JWKSignerOptions } from './jwk-signer.js'
export { derToJoseSignature, joseToDerSignature, type ECDSAAlgorithm } from './ecdsa-der.js'
export { jwkThumbprint } from './thumbprint.js'
