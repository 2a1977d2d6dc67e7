/**
 * OAuth client authentication without secrets in agent code: `privateKeyJwt` (RFC 7523 §2.2
 * assertion signed by a `Signer` from `agentauth/signer`), `witClientAuth` (a WIMSE Workload
 * Identity Token plus a proof of possession, per draft-ietf-oauth-spiffe-client-auth-02 §3.3 and OAuth 2.0
 * Attestation-Based Client Authentication), `tlsClientAuth` (RFC 8705 mTLS, TLS done by the
 * runtime) and, for legacy servers only, `clientSecretPost` / `clientSecretBasic`. Also the client
 * credentials grant for agents with no user.
 *
 * Every token-endpoint client in agentauth (token exchange, jwt-bearer, Txn-Token and CIBA
 * requests) takes a {@link ClientAuthentication}.
 *
 * @example
 * ```ts
 * import { privateKeyJwt, requestClientCredentials } from 'agentauth/client-auth'
 * const token = await requestClientCredentials(
 *   { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' },
 *   { clientId: 'nightly-report', auth: privateKeyJwt(signer) },
 *   { scope: 'reports:write', resource: 'https://reports.example.com' },
 * )
 * ```
 *
 * Reachable from `agentauth/client-auth`.
 *
 * @module client-auth
 */
export type { ClientAuthentication, ClientAuthenticationContext, OAuthClient, OAuthServer, TokenEndpointRequestOptions } from './types.js'
export { privateKeyJwt, CLIENT_ASSERTION_TYPE_JWT_BEARER, type PrivateKeyJwtOptions } from './private-key-jwt.js'
export {
  witClientAuth,
  CLIENT_ATTESTATION_HEADER,
  CLIENT_ATTESTATION_POP_HEADER,
  CLIENT_ATTESTATION_POP_TYP,
  ATTEST_JWT_CLIENT_AUTH,
  type WITClientAuthOptions,
} from './wit-client-auth.js'
export { tlsClientAuth } from './tls-client-auth.js'
export { clientSecretPost, clientSecretBasic } from './client-secret.js'
export {
  clientCredentialsRequest,
  processTokenResponse,
  requestClientCredentials,
  type ClientCredentialsParameters,
  type ProcessTokenResponseOptions,
  type TokenResponse,
} from './client-credentials.js'
