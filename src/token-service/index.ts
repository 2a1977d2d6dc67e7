/**
 * Building blocks for a token service (an RFC 8693 security token service for agents):
 * `createTokenExchangeHandler` — a `(Request) => Promise<Response>` token endpoint that
 * authenticates the client, verifies subject and actor tokens, enforces `may_act`, builds the nested
 * `act` chain, refuses cycles and over-deep chains, narrows scope and audience, applies
 * cross-trust-domain policy hooks and mints RFC 9068 access tokens (or identity-chaining JWT grants
 * and ID-JAGs); `createClientAuthenticator` (private_key_jwt, WIT + PoP, mTLS — no secrets);
 * `createJWTTokenVerifier` for subject/actor tokens; `createAccessToken` to mint `at+jwt` tokens;
 * `createClientCredentialsHandler` for agents with no user.
 *
 * @example
 * ```ts
 * import { createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from 'agentauth/token-service'
 * import { createMemoryReplayCache } from 'agentauth/stores'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * const issuer = 'https://sts.example.com'
 * const handler = createTokenExchangeHandler({
 *   issuer,
 *   signer: stsSigner,
 *   clientAuthentication: createClientAuthenticator({ issuer, clients, replayCache: createMemoryReplayCache() }),
 *   subjectTokenVerifiers: {
 *     [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer, keys: { keys: [stsPublicJwk] }, typ: 'at+jwt',
 *       audience: ({ client }) => [issuer, client.clientId, client.workloadId] }),
 *   },
 *   policy: { targets: ['https://calendar.example.com'], maxDepth: 3 },
 * })
 * ```
 *
 * Reachable from `agentauth/token-service`.
 *
 * @module token-service
 */
export {
  createClientAuthenticator,
  type AuthenticatedClient,
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  type RegisteredClient,
} from './client-authenticator.js'
export { createJWTTokenVerifier, type JWTTokenVerifierOptions, type TokenVerifier, type TokenVerifierContext, type VerifiedToken } from './token-verifier.js'
export { createAccessToken, type AccessTokenClaims, type CreateAccessTokenOptions } from './create-access-token.js'
export type { ExchangeContext, TokenExchangePolicy } from './policy.js'
export { createTokenExchangeHandler, type TokenExchangeHandlerOptions } from './handler.js'
export { createClientCredentialsHandler, type ClientCredentialsHandlerOptions, type ClientCredentialsPolicy } from './client-credentials-handler.js'
export type { Actor } from '../access-token/actor.js'
export type { KeyInput } from '../access-token/keys.js'
