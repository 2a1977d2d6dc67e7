/**
 * RFC 8693 OAuth 2.0 Token Exchange, client side: `tokenExchangeRequest` → `Response` and
 * `processTokenExchangeResponse` (the oauth4webapi split), `exchangeToken` for both at once, the
 * token type URIs, a per-target token cache with single-flight refresh before expiry, and the
 * `tokenExchange` fetch middleware that attaches the right token per destination inside the broker.
 *
 * Client authentication comes from `agentauth/client-auth` (`privateKeyJwt`, `witClientAuth`,
 * `tlsClientAuth`). The server side is `agentauth/token-service`.
 *
 * @example
 * ```ts
 * import { exchangeToken, TOKEN_TYPE } from 'agentauth/token-exchange'
 * import { privateKeyJwt } from 'agentauth/client-auth'
 *
 * const result = await exchangeToken(
 *   { issuer: 'https://sts.example.com', tokenEndpoint: 'https://sts.example.com/token' },
 *   { clientId: 'agent-broker', auth: privateKeyJwt(brokerSigner) },
 *   { subjectToken: userAccessToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://tool.example.com', scope: 'files:read' },
 * )
 * ```
 *
 * Reachable from `agentauth/token-exchange`.
 *
 * @module token-exchange
 */
export { GRANT_TYPE_TOKEN_EXCHANGE, GRANT_TYPE_JWT_BEARER, TOKEN_TYPE, type TokenTypeURI } from './token-types.js'
export { tokenExchangeRequest, type TokenExchangeParameters } from './request.js'
export { processTokenExchangeResponse, type ProcessTokenExchangeResponseOptions, type TokenExchangeResponse } from './process-response.js'
export { exchangeToken, type ExchangeTokenOptions } from './exchange.js'
export {
  createTokenCache,
  createTokenExchangeCache,
  type CachedToken,
  type ExchangeSubject,
  type TokenCache,
  type TokenCacheOptions,
  type TokenExchangeCacheOptions,
  type TokenTarget,
} from './cache.js'
export { tokenExchange, type TokenExchangeMiddlewareOptions } from './middleware.js'
export type { FetchLike, FetchMiddleware } from '../internal/fetch-types.js'
export type { ClientAuthentication, OAuthClient, OAuthServer, TokenEndpointRequestOptions } from '../client-auth/types.js'
