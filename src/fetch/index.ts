/**
 * Outbound authentication for agents and services: wrap `fetch` so every request to an
 * allow-listed origin carries a fresh workload proof (WIMSE WIT + WPT, or the WIMSE HTTP-signature
 * profile), with bodies digested (RFC 9530), redirects owned by the middleware so no credential
 * ever reaches an origin nobody configured, and optional verification of signed responses.
 *
 * The middleware depends on {@link OutboundCredentials} — a capability that returns headers for
 * one request — never on a key or a bearer token. {@link localCredentials} holds the key in this
 * process (trusted services); {@link remoteCredentials} asks a credential broker
 * (`agentauth/broker`) over a Unix socket or loopback, so an LLM-driven agent holds no key at all;
 * {@link createProxyFetch} sends whole requests through the broker when bearer tokens are involved.
 *
 * @example
 * ```ts
 * import { composeFetch, remoteCredentials, workloadAuth } from 'agentauth/fetch'
 *
 * const credentials = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken })
 * const api = composeFetch(fetch, workloadAuth({ credentials, origins: ['https://api.example.com'] }))
 * const response = await api('https://api.example.com/v1/search?q=weather')
 * ```
 *
 * Reachable from `agentauth/fetch`.
 *
 * @module fetch
 */
export { composeFetch } from './compose.js'
export { localCredentials, type LocalCredentialsOptions } from './local-credentials.js'
export { remoteCredentials, type RemoteCredentialsOptions } from './remote-credentials.js'
export { createProxyFetch, type ProxyFetchOptions } from './proxy-fetch.js'
export { workloadAuth, type WorkloadAuthOptions } from './workload-auth.js'
export type { RedirectPolicy } from './redirects.js'
export type { ResponseVerification } from './response-verification.js'
export type { AuthorizeOptions, FetchLike, FetchMiddleware, OutboundCredentials, OutboundRequest } from './types.js'
