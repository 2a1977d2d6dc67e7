import type { ClientAuthentication } from './types.js'

/**
 * Mutual-TLS client authentication (RFC 8705 §2, `tls_client_auth` / `self_signed_tls_client_auth`;
 * for X.509-SVIDs, draft-ietf-oauth-spiffe-client-auth §3.2). It only sets `client_id`: the TLS
 * client certificate is the runtime's job. On Node, pass a `fetch` whose dispatcher presents the
 * certificate, e.g. undici's:
 *
 * ```ts
 * import { Agent, fetch } from 'undici'
 * const dispatcher = new Agent({ connect: { cert: svidPem, key: svidKeyPem, ca: asCaPem } })
 * const mtlsFetch = (input, init) => fetch(input, { ...init, dispatcher })
 * ```
 *
 * The key in `connect.key` is held by the broker process, never by the agent.
 *
 * @returns a {@link ClientAuthentication} that adds `client_id`.
 *
 * @throws nothing.
 * @example
 * ```ts
 * import { tlsClientAuth } from 'agentauth/client-auth'
 * import { exchangeToken } from 'agentauth/token-exchange'
 * await exchangeToken(server, { clientId: 'spiffe://example.org/broker', auth: tlsClientAuth() }, params, { fetch: mtlsFetch })
 * ```
 */
export function tlsClientAuth(): ClientAuthentication {
  return async function tlsClientAuthentication(context) {
    context.body.set('client_id', context.clientId)
  }
}
