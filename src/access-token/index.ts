/**
 * RFC 9068 JWT access tokens on the resource-server side: `verifyAccessToken` (typ `at+jwt`,
 * issuer, audience, expiry, scope, `cnf` binding to the caller's key), `createAccessTokenVerifier`
 * / `verifyAuthorizationHeader` for `Authorization: Bearer` values, and the RFC 8693 delegation
 * chain: `delegationChain(claims)` (current actor first) with `verifyDelegation` policy helpers
 * (max depth, allowed actors per hop, allowed trust domains, no cycles).
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier } from 'agentauth/access-token'
 *
 * const verifyBearer = createAccessTokenVerifier({
 *   issuer: 'https://sts.example.com',
 *   audience: 'https://calendar.example.com',
 *   keys: { keys: stsPublicJwks },
 *   requiredScopes: ['calendar:read'],
 *   delegation: { maxDepth: 3, allowedTrustDomains: ['example.com', 'partner.example'] },
 * })
 * const token = await verifyBearer(request.headers.get('authorization'))
 * console.log(token.subject, token.actors.map((a) => a.sub))
 * ```
 *
 * Reachable from `agentauth/access-token`.
 *
 * @module access-token
 */
export { actorTrustDomain, delegationChain, MAX_ACT_NESTING, type Actor } from './actor.js'
export { verifyDelegation, type ActorMatcher, type DelegationPolicy } from './delegation.js'
export {
  ACCESS_TOKEN_TYP,
  DEFAULT_MAX_ACCESS_TOKEN_BYTES,
  verifyAccessToken,
  type AccessTokenConfirmation,
  type VerifiedAccessToken,
  type VerifyAccessTokenOptions,
} from './verify.js'
export { createAccessTokenVerifier, verifyAuthorizationHeader, type AuthorizationHeaderVerifier } from './authorization-header.js'
export type { JWKSet, KeyInput, KeyResolver, BundleKeys } from './keys.js'
