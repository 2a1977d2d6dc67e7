import { SignerError } from '../errors/index.js'
import { assertFunction, assertObject } from '../internal/assert.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { CREDENTIAL_HEADERS, deleteAll } from './headers.js'
import { BROKER_ERROR_HEADER, brokerEndpoint, brokerError, checkCapabilityToken } from './protocol.js'

/**
 * Options of {@link createProxyFetch}.
 *
 * @example
 * ```ts
 * import type { ProxyFetchOptions } from 'agentauth/fetch'
 * const options: ProxyFetchOptions = { endpoint: 'http://127.0.0.1:7070', token: capabilityToken }
 * ```
 */
export interface ProxyFetchOptions {
  /** The broker's base URL (see `remoteCredentials`). */
  endpoint: string | URL
  /** The capability token the broker was configured with. */
  token: string
  /** Fetch used to reach the broker (undici fetch with a `socketPath` Agent for a Unix socket). */
  fetch?: FetchLike
}

/**
 * The agent side of the credential broker's **proxy mode**: a `fetch` that sends each request, body
 * included, to the broker (`<endpoint>/v1/proxy/<encoded target URL>`, same method). The broker
 * applies its policy, attaches every credential — WIT and proof, and bearer access tokens or
 * Txn-Tokens the agent must never see — forwards the request, follows allowed redirects with fresh
 * credentials, and streams the answer back with credential fields removed.
 *
 * Credential fields the agent sets itself (`Authorization`, `Cookie`, `Txn-Token`, proof fields) are
 * dropped: `Authorization` carries the capability token to the broker. A URL fragment is dropped
 * too (it is never sent to the destination). Redirects are the broker's business, so the returned
 * fetch never follows one itself.
 *
 * @param options - see {@link ProxyFetchOptions}.
 * @returns a fetch function. It resolves with the upstream response, or rejects with SignerError
 *   `ERR_BROKER_UNAUTHORIZED`, `ERR_SIGNER_REFUSED` (policy, approval, redirect to a destination the
 *   policy refuses), `ERR_SIGNER_RATE_LIMITED` or `ERR_SIGNER_FAILED` when the broker itself answered, with
 *   `ERR_SIGNER_FAILED` when it cannot be reached, or with the caller's `signal.reason`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { createProxyFetch } from 'agentauth/fetch'
 *
 * const brokered = createProxyFetch({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken })
 * const events = await brokered('https://calendar.example.com/v1/events', { method: 'GET' })
 * ```
 */
export function createProxyFetch(options: ProxyFetchOptions): FetchLike {
  assertObject(options, 'options')
  const endpoint = brokerEndpoint(options.endpoint, 'options.endpoint')
  const authorization = `Bearer ${checkCapabilityToken(options.token, 'options.token')}`
  if (options.fetch !== undefined) assertFunction(options.fetch, 'options.fetch')
  const send: FetchLike = options.fetch ?? ((input, init) => fetch(input, init))

  return async function proxyFetch(input, init) {
    const request = new Request(input, init)
    const headers = new Headers(request.headers)
    deleteAll(headers, CREDENTIAL_HEADERS)
    headers.delete('content-digest')
    headers.set('authorization', authorization)
    const body = request.body
    const forward: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal: request.signal, redirect: 'manual' }
    if (body !== null) {
      forward.body = body
      forward.duplex = 'half'
    }
    const target = new URL(request.url)
    target.hash = '' // never sent on the wire; the broker refuses a target that has one
    let response: Response
    try {
      response = await send(endpoint.proxy(target.href), forward)
    } catch (cause) {
      if (request.signal.aborted) throw request.signal.reason
      throw new SignerError('ERR_SIGNER_FAILED', 'the credential broker is unreachable', { cause })
    }
    if (response.headers.has(BROKER_ERROR_HEADER)) throw await brokerError(response)
    return response
  }
}
