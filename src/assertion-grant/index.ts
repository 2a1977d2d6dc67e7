/**
 * Cross-domain OAuth flows for agents, both sides:
 *
 * - **JWT bearer authorization grant** (RFC 7523 §2.1): `jwtBearerGrantRequest` /
 *   `requestJWTBearerGrant` (client), `verifyJWTAuthorizationGrant` and `createJWTBearerGrantHandler`
 *   (server).
 * - **OAuth identity chaining** (draft-ietf-oauth-identity-chaining -17): token exchange at the home
 *   AS for a JWT authorization grant (`requestJWTAuthorizationGrant`; minted by the token service
 *   with `createJWTAuthorizationGrant`), presented to the foreign AS with the jwt-bearer grant and
 *   validated per §2.4.2.
 * - **Identity Assertion JWT Authorization Grant (ID-JAG)** (draft-ietf-oauth-identity-assertion-authz-grant,
 *   editor's copy → -03): `requestIdJag` at the IdP, `createIdJag` (typ `oauth-id-jag+jwt`),
 *   `verifyIdJag` at the Resource AS with the `client_id` check.
 *
 * @example
 * ```ts
 * import { requestJWTAuthorizationGrant, requestJWTBearerGrant } from 'agentauth/assertion-grant'
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 *
 * const grant = await requestJWTAuthorizationGrant(homeAs, homeClient, {
 *   subjectToken: userToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: 'https://as.partner.example',
 * })
 * const token = await requestJWTBearerGrant(partnerAs, partnerClient, { assertion: grant.accessToken, scope: 'orders:read' })
 * ```
 *
 * Reachable from `agentauth/assertion-grant`.
 *
 * @module assertion-grant
 */
export {
  createIdJag,
  createJWTAuthorizationGrant,
  GRANT_PROFILE_ID_JAG,
  ID_JAG_TYP,
  JWT_GRANT_TYP,
  type CreateGrantOptions,
  type IdJagClaims,
  type JWTAuthorizationGrantClaims,
} from './create.js'
export {
  verifyIdJag,
  verifyJWTAuthorizationGrant,
  type TrustedIssuer,
  type VerifiedAuthorizationGrant,
  type VerifyGrantOptions,
  type VerifyIdJagOptions,
} from './verify.js'
export {
  jwtBearerGrantRequest,
  requestIdJag,
  requestJWTAuthorizationGrant,
  requestJWTBearerGrant,
  type IdJagRequest,
  type JWTAuthorizationGrantRequest,
  type JWTBearerGrantParameters,
} from './client.js'
export { createJWTBearerGrantHandler, type JWTBearerGrantContext, type JWTBearerGrantHandlerOptions, type JWTBearerGrantPolicy } from './handler.js'
export { GRANT_TYPE_JWT_BEARER } from '../token-exchange/token-types.js'
