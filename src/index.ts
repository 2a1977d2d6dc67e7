/**
 * agentauth: standard, verifiable identity for AI agents and the APIs they call.
 *
 * This root entry re-exports the main functions and types of the runtime-agnostic core (it never
 * loads adapters, X.509 support or Redis stores). Every module also has its own subpath
 * (`agentauth/wit`, `agentauth/server`, …) with its complete API, constants and `SPEC`; prefer those
 * in libraries so bundles stay small.
 *
 * @example
 * ```ts
 * import { createRequestVerifier, errorResponse, staticTrustBundles, matchTrustDomain } from 'agentauth'
 *
 * const verify = createRequestVerifier({
 *   trustBundles: staticTrustBundles({ 'example.org': [issuerJwk] }),
 *   origin: 'https://api.example.com',
 *   proof: 'either',
 *   authorize: matchTrustDomain('example.org'),
 * })
 * ```
 *
 * @module agentauth
 */
export {
  AgentAuthError,
  VerificationError,
  ProtocolError,
  StoreError,
  SignerError,
  isAgentAuthError,
  type AnyAgentAuthError,
  type ErrorCode,
} from './errors/index.js'
export {
  parseWorkloadIdentifier,
  parseSpiffeId,
  parseTrustDomain,
  isWorkloadIdentifier,
  matchAny,
  matchId,
  matchTrustDomain,
  matchOneOf,
  matchPredicate,
  matchPathPrefix,
  sameTrustDomain,
  type WorkloadIdentifier,
  type IdentifierMatcher,
} from './identifier/index.js'
export { createCryptoKeySigner, createJWKSigner, generateSigner, createCompactJWS, derToJoseSignature, jwkThumbprint, type Signer, type PublicJWK, type JWSAlgorithm } from './signer/index.js'
export { staticTrustBundles, remoteTrustBundle, type TrustBundle, type TrustBundleSource } from './bundle/index.js'
export { createWIT, verifyWIT, createWITVerifier, decodeWIT, staticWITSource, refreshingWITSource, type VerifiedWIT, type WITSource } from './wit/index.js'
export { createWPT, verifyWPT, type VerifiedWPT } from './wpt/index.js'
export { signRequest, verifyRequestSignature, signResponse, verifyResponseSignature, createContentDigest, verifyContentDigest, type VerifiedSignature } from './httpsig/index.js'
export { signWIMSERequest, verifyWIMSERequest, signWIMSEResponse, verifyWIMSEResponse } from './wimse-httpsig/index.js'
export { createMemoryReplayCache, createMemoryRevocationStore, type ReplayCache, type RevocationStore, type RevocationEntry } from './stores/index.js'
export { createRequestVerifier, verifyRequest, errorResponse, createResponseSigner, type RequestVerifierPolicy, type VerifiedRequest } from './server/index.js'
export { composeFetch, workloadAuth, localCredentials, remoteCredentials, type FetchLike, type FetchMiddleware, type OutboundCredentials } from './fetch/index.js'
export { createCredentialBroker } from './broker/index.js'
export { privateKeyJwt, witClientAuth } from './client-auth/index.js'
export { tokenExchangeRequest, processTokenExchangeResponse, exchangeToken, tokenExchange, TOKEN_TYPE } from './token-exchange/index.js'
export { verifyAccessToken, delegationChain, verifyDelegation, type VerifiedAccessToken, type Actor } from './access-token/index.js'
export { createTokenExchangeHandler } from './token-service/index.js'
export { createTxnToken, verifyTxnToken, requestTxnToken, createTxnTokenService, txnTokenPropagation, type VerifiedTxnToken } from './txn-token/index.js'
export { cibaApproval, pollCibaToken } from './ciba/index.js'
export { verifySET, decodeSET, createPushReceiver, createPollReceiver, revocationsFromEvent, applyToStore, type SecurityEventToken } from './ssf/index.js'
export { createIdentityRegistry } from './lifecycle/index.js'
export type { Clock } from './internal/time.js'
export type { JSONObject } from './internal/json.js'
