/**
 * The WIMSE profile of HTTP Message Signatures (draft-ietf-wimse-http-signature): workloads sign
 * requests — and, on request, responses — with the key bound in their Workload Identity Token.
 * Unlike a WPT, the signature protects the method, the request target with its query, the content
 * type, the body (via `Content-Digest`) and the other credentials sent along.
 *
 * Built on `agentauth/httpsig` (RFC 9421 / RFC 9530). The caller adds the fields returned by
 * {@link signWIMSERequest}; the receiver verifies the caller's WIT (`agentauth/wit`) and then
 * {@link verifyWIMSERequest}; a signed response is produced with {@link signWIMSEResponse} and
 * checked by the caller with {@link verifyWIMSEResponse}.
 *
 * @example
 * ```ts
 * import { signWIMSERequest, verifyWIMSERequest } from 'agentauth/wimse-httpsig'
 *
 * // caller
 * const signed = await signWIMSERequest(request, { wit, signer })
 * for (const [name, value] of Object.entries(signed.headers)) request.headers.set(name, value)
 *
 * // receiver
 * const callerWit = await verifyWIT(request.headers.get('workload-identity-token') ?? '', { trustBundles })
 * const verified = await verifyWIMSERequest(request, { wit: callerWit, audience: 'https://svcb.example.com', replayCache })
 * ```
 *
 * Reachable from `agentauth/wimse-httpsig`.
 *
 * @module wimse-httpsig
 */
export { signWIMSERequest, verifyWIMSERequest } from './request.js'
export { signWIMSEResponse, verifyWIMSEResponse } from './response.js'
export { SPEC, WIMSE_LABEL, WIMSE_TAG, type WIMSEHTTPSigSpec } from './spec.js'
export type {
  SignWIMSEOptions,
  SignWIMSERequestOptions,
  SignWIMSEResponseOptions,
  VerifiedWIMSERequest,
  VerifiedWIMSEResponse,
  VerifiedWIMSESignature,
  VerifyWIMSEOptions,
  VerifyWIMSERequestOptions,
  VerifyWIMSEResponseOptions,
  WIMSESignatureFields,
} from './types.js'
