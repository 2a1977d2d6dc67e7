/**
 * OAuth Transaction Tokens (draft-ietf-oauth-transaction-tokens, see {@link SPEC}): short-lived
 * signed JWTs that carry the subject, purpose (`scope`) and immutable context (`tctx`, `rctx`) of
 * one transaction through a call chain inside one trust domain.
 *
 * - Obtain: `requestTxnToken` (the RFC 8693 profile, client side) against a Txn-Token Service built
 *   with `createTxnTokenService` (subject token verifiers per type, `selfSignedSubjectToken`,
 *   `unsignedJsonSubjectToken`, policy hook, replacement tokens that only narrow), or
 *   `createTxnToken` without HTTP (a local Txn-Token Service).
 * - Propagate: `txnTokenPropagation` fetch middleware forwards the inbound token unmodified to
 *   origins of the same trust domain, never elsewhere.
 * - Verify: `verifyTxnToken` / `createTxnTokenVerifier`, and `verifyTxnTokenHeader` for the
 *   inbound request verifier.
 *
 * A Txn-Token is neither an access token nor an authentication credential: it never crosses a
 * trust domain (use identity chaining for that) and is never exchanged for an access token
 * (`isTxnToken` lets token endpoints refuse it).
 *
 * @example
 * ```ts
 * import { requestTxnToken, verifyTxnToken, txnTokenPropagation } from 'agentauth/txn-token'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * // API gateway: swap the inbound access token for a Txn-Token
 * const { txnToken } = await requestTxnToken(tts, gatewayClient, {
 *   subjectToken: accessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'bank.example', scope: 'trade.stocks',
 * })
 * // internal workload: verify it, then call the next one with it
 * const txn = await verifyTxnToken(txnToken, { trustDomain: 'bank.example', keys: ttsJwks })
 * const internalFetch = txnTokenPropagation({ getTxnToken: () => txnToken, origins: ['https://ledger.bank.example'] })(fetch)
 * ```
 *
 * Reachable from `agentauth/txn-token`.
 *
 * @module txn-token
 */
export { SPEC, TXN_TOKEN_HEADER, TXN_TOKEN_TYP, TXN_TOKEN_TYPES } from './constants.js'
export type { TxnContext, TxnTokenClaims, VerifiedTxnToken } from './types.js'
export { createTxnToken, type CreateTxnTokenClaims, type CreateTxnTokenOptions } from './create.js'
export { createTxnTokenVerifier, verifyTxnToken, type TxnTokenVerifier, type VerifyTxnTokenOptions } from './verify.js'
export { verifyTxnTokenHeader, type TxnTokenHeaderPolicy } from './header.js'
export { isTxnToken } from './is-txn-token.js'
export { txnTokenPropagation, type TxnTokenPropagationOptions } from './propagation.js'
export {
  processTxnTokenResponse,
  requestTxnToken,
  txnTokenRequest,
  type ProcessTxnTokenResponseOptions,
  type TxnTokenRequestParameters,
  type TxnTokenResponse,
} from './request.js'
export {
  selfSignedSubjectToken,
  unsignedJsonSubjectToken,
  type SelfSignedSubjectTokenOptions,
  type SubjectScopes,
  type SubjectTokenContext,
  type SubjectTokenInfo,
  type SubjectTokenVerifier,
  type TxnServiceClient,
  type UnsignedJsonSubjectTokenOptions,
} from './subject-tokens.js'
export { createTxnTokenService } from './service.js'
export type { TxnIssuanceContext, TxnIssuanceDecision, TxnIssuancePolicy, TxnReplacementOptions, TxnTokenServiceOptions } from './service-types.js'
export type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
export type { BundleKeys, JWKSet, KeyInput, KeyResolver } from '../internal/oauth-jwt.js'
