/**
 * Inbound request verification for APIs and tools: one policy, validated once, and a function
 * `(Request) => Promise<VerifiedRequest>` that runs the whole WIMSE pipeline — WIT, proof of
 * possession (WPT or WIMSE HTTP signature), Content-Digest, replay, revocation, optional OAuth
 * access token and Txn-Token, authorisation — plus `errorResponse` to answer refusals and
 * `createResponseSigner` so a service can prove who answered.
 *
 * Works on any runtime with `Request`/`Response`; framework adapters (`agentauth/adapters/*`) are
 * thin wrappers around it.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, errorResponse } from 'agentauth/server'
 * import { matchId } from 'agentauth/identifier'
 *
 * const verify = createRequestVerifier({
 *   trustBundles,
 *   origin: 'https://tools.example.com',
 *   proof: 'httpsig',
 *   authorize: matchId('spiffe://example.org/agents/support-bot'),
 * })
 * const caller = await verify(request).catch((err) => { throw errorResponse(err) })
 * ```
 *
 * Reachable from `agentauth/server`.
 *
 * @module server
 */
export { createRequestVerifier, verifyRequest, type RequestVerifier, type VerifiedRequest } from './create-verifier.js'
export { errorResponse, type ErrorResponseOptions } from './error-response.js'
export { createResponseSigner, type ResponseSigner, type ResponseSignerOptions } from './response-signer.js'
export type {
  AccessTokenStep,
  AuthorizationContext,
  Authorizer,
  ProofKind,
  RequestLimits,
  RequestVerifierPolicy,
  TxnTokenStep,
  VerifiedProof,
} from './policy.js'
