/**
 * What a {@link ClientAuthentication} sees of one token-endpoint request. It authenticates the
 * request by mutating `body` and/or `headers` before the request is sent.
 *
 * @example
 * ```ts
 * import type { ClientAuthentication, ClientAuthenticationContext } from 'agentauth/client-auth'
 * const addTenant: ClientAuthentication = async (context: ClientAuthenticationContext) => { context.headers.set('x-tenant', 'acme') }
 * ```
 */
export interface ClientAuthenticationContext {
  /** The authorization server's issuer identifier (RFC 8414), when known. Preferred as assertion `aud`. */
  readonly issuer?: string | undefined
  /** The absolute URL the request is posted to. */
  readonly tokenEndpoint: string
  /** The client's `client_id` at this authorization server. */
  readonly clientId: string
  /** The form body about to be sent (`application/x-www-form-urlencoded`). */
  readonly body: URLSearchParams
  /** The request headers about to be sent. */
  readonly headers: Headers
  /** Aborts slow signers (remote broker, KMS). */
  readonly signal?: AbortSignal | undefined
}

/**
 * Authenticates an OAuth client on one token-endpoint request (RFC 6749 §2.3) by adding parameters
 * or headers. Built by `privateKeyJwt`, `witClientAuth`, `tlsClientAuth` or, for legacy servers
 * only, `clientSecretPost` / `clientSecretBasic`.
 *
 * @example
 * ```ts
 * import { privateKeyJwt, type ClientAuthentication } from 'agentauth/client-auth'
 * const auth: ClientAuthentication = privateKeyJwt(signer)
 * ```
 */
export type ClientAuthentication = (context: ClientAuthenticationContext) => Promise<void>

/**
 * The client half of every token-endpoint call.
 *
 * @example
 * ```ts
 * import { privateKeyJwt, type OAuthClient } from 'agentauth/client-auth'
 * const client: OAuthClient = { clientId: 'agent-broker', auth: privateKeyJwt(signer) }
 * ```
 */
export interface OAuthClient {
  /** `client_id` at the authorization server. */
  readonly clientId: string
  /** How the client authenticates. */
  readonly auth: ClientAuthentication
}

/**
 * The server half of every token-endpoint call.
 *
 * @example
 * ```ts
 * import type { OAuthServer } from 'agentauth/client-auth'
 * const server: OAuthServer = { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' }
 * ```
 */
export interface OAuthServer {
  /** Issuer identifier (RFC 8414). Used as the `aud` of client assertions when set. */
  readonly issuer?: string | undefined
  /** Token endpoint URL (`https:`, or `http:` on loopback). */
  readonly tokenEndpoint: string
}

/**
 * Transport options shared by the token-endpoint clients.
 *
 * @example
 * ```ts
 * import type { TokenEndpointRequestOptions } from 'agentauth/client-auth'
 * const options: TokenEndpointRequestOptions = { signal: AbortSignal.timeout(5000) }
 * ```
 */
export interface TokenEndpointRequestOptions {
  /** A `fetch` implementation (e.g. undici's with an mTLS `Agent`). Defaults to `globalThis.fetch`. */
  fetch?: import('../internal/fetch-types.js').FetchLike
  /** Aborts the request (and slow signers). */
  signal?: AbortSignal
}
