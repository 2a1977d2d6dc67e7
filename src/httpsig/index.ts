/**
 * RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest: sign and verify requests and
 * responses (all derived components, `sf`/`key`/`bs`/`req`/`tr` field parameters, multiple
 * signatures, every RFC 9421 algorithm plus JOSE algorithms per §3.3.7), strict Signature-Input /
 * Signature parsing, and Content-Digest / Want-Content-Digest with bounded body reads.
 *
 * @example
 * ```ts
 * import { signRequest, verifyRequestSignature } from 'agentauth/httpsig'
 * const fields = await signRequest(request, { signer, components: ['@method', '@target-uri'], lifetime: 60 })
 * request.headers.set('Signature-Input', fields.signatureInput)
 * request.headers.set('Signature', fields.signature)
 * const verified = await verifyRequestSignature(request, {
 *   algorithms: ['ed25519'], key: () => ({ key: publicJwk, algorithm: 'ed25519' }),
 *   requiredComponents: ['@method', '@target-uri'], requireExpires: true,
 * })
 * ```
 *
 * Reachable from `agentauth/httpsig`.
 *
 * @module httpsig
 */
export { SPEC } from './spec.js'
export { signRequest, signResponse } from './sign.js'
export { verifyRequestSignature, verifyResponseSignature } from './verify.js'
export { createSignatureBase, type SignatureBaseOptions } from './signature-base.js'
export {
  parseSignatureInput,
  parseSignature,
  type ParsedSignatureInput,
  type ParsedSignature,
  type SignatureFieldLimits,
} from './signature-fields.js'
export { HTTP_SIGNATURE_ALGORITHMS } from './algorithms.js'
export { KNOWN_STRUCTURED_FIELDS } from './component-values.js'
export {
  createContentDigest,
  verifyContentDigest,
  createMessageContentDigest,
  verifyMessageContentDigest,
  parseWantContentDigest,
  createWantContentDigest,
  type DigestAlgorithm,
  type DigestBody,
  type CreateContentDigestOptions,
  type VerifyContentDigestOptions,
  type VerifiedContentDigest,
  type WantContentDigestEntry,
} from './content-digest.js'
export type {
  ComponentInput,
  ComponentParameters,
  HeaderInput,
  HTTPRequest,
  HTTPResponse,
  ParameterValue,
  RequestLike,
  ResolvedKey,
  ResponseLike,
  SignatureCandidate,
  SignatureHeaders,
  SignatureParameters,
  SignOptions,
  SignResponseOptions,
  StructuredFieldType,
  VerifiedSignature,
  VerifyOptions,
  VerifyResponseOptions,
} from './types.js'
export type { HTTPSignatureAlgorithm, JWSAlgorithm } from '../signer/algorithms.js'
