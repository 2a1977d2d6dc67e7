// One token-endpoint POST for every grant: validates the server/client halves, lets the client
// authentication mutate body and headers, then posts the form (redirects never followed).
import type { ClientAuthentication } from '../client-auth/types.js'
import { checkObject, checkFunction } from './oauth-assert.js'
import { assertString } from './assert.js'
import { codedTypeError } from '../errors/index.js'
import type { FetchLike } from './fetch-types.js'
import { endpointURL, postForm } from './oauth-http.js'

export interface ServerHalf {
  readonly issuer?: string | undefined
  readonly tokenEndpoint: string
}
export interface ClientHalf {
  readonly clientId: string
  readonly auth: ClientAuthentication
}
export interface TransportOptions {
  fetch?: FetchLike | undefined
  signal?: AbortSignal | undefined
}

/** Adds `extra` parameters, refusing to override any parameter the grant already set or reserves. */
export function addExtraParams(body: URLSearchParams, extra: unknown, reserved: readonly string[]): void {
  if (extra === undefined) return
  checkObject(extra, 'params.extra')
  for (const [name, value] of Object.entries(extra as Record<string, unknown>)) {
    if (reserved.includes(name) || body.has(name) || name.startsWith('client_')) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `params.extra must not set the reserved parameter "${name}"`)
    }
    const values: unknown[] = Array.isArray(value) ? value : [value]
    for (const v of values) {
      if (typeof v !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `params.extra.${name} must be a string or an array of strings`)
      body.append(name, v)
    }
  }
}

export async function sendTokenRequest(server: ServerHalf, client: ClientHalf, body: URLSearchParams, options: TransportOptions | undefined): Promise<Response> {
  checkObject(server, 'server')
  checkObject(client, 'client')
  const url = endpointURL(server.tokenEndpoint, 'server.tokenEndpoint')
  if (server.issuer !== undefined) assertString(server.issuer, 'server.issuer')
  assertString(client.clientId, 'client.clientId')
  checkFunction(client.auth, 'client.auth')
  if (options !== undefined) checkObject(options, 'options')
  const headers = new Headers()
  await client.auth({
    issuer: server.issuer,
    tokenEndpoint: url.href,
    clientId: client.clientId,
    body,
    headers,
    signal: options?.signal,
  })
  return postForm(url, body, headers, { fetch: options?.fetch, signal: options?.signal })
}
