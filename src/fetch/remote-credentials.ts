import { SignerError, isAgentAuthError } from '../errors/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { FIELD_NAME, isSafeFieldValue } from './headers.js'
import { checkOutboundRequest } from './local-credentials.js'
import { MAX_BROKER_ANSWER_BYTES, PROOF_REQUEST_HEADERS, brokerEndpoint, brokerError, checkCapabilityToken, parseAnswer, readAnswer } from './protocol.js'
import type { AuthorizeOptions, OutboundCredentials, OutboundRequest } from './types.js'

/**
 * Options of {@link remoteCredentials}.
 *
 * @example
 * ```ts
 * import type { RemoteCredentialsOptions } from 'agentauth/fetch'
 * const options: RemoteCredentialsOptions = { endpoint: 'http://127.0.0.1:7070', token: capabilityToken }
 * ```
 */
export interface RemoteCredentialsOptions {
  /**
   * The broker's base URL: `http://127.0.0.1:<port>` (loopback), `http://localhost` with a Unix
   * socket given through `fetch`, or any `https` URL. Plain http is refused for other hosts.
   */
  endpoint: string | URL
  /** The capability token the broker was configured with (not a key, not an upstream token). */
  token: string
  /**
   * Fetch used to reach the broker. For a Unix domain socket pass undici's fetch with an `Agent`
   * whose `connect.socketPath` is the socket:
   * `(input, init) => undici.fetch(input as never, { ...init, dispatcher } as never) as unknown as Promise<Response>`
   * with `dispatcher = new Agent({ connect: { socketPath } })` made once (npm undici's fetch types
   * are not the platform's, hence the casts; see the agent guide).
   */
  fetch?: FetchLike
  /**
   * Seconds to wait for the broker. Default 150: longer than the broker's default approval timeout
   * (120 s), so a held request ends with the broker's answer rather than a client timeout.
   */
  timeout?: number
}

/**
 * The agent side of the credential broker's **proof mode**: `authorize` sends the method, URL,
 * body digest and the few fields a proof may cover (`content-type`, `authorization`, `txn-token`)
 * to the broker, which applies its policy and returns the proof headers for exactly that request.
 * The URL is sent without its fragment (never part of a request on the wire). The body never
 * leaves the agent. The object holds no key and no upstream token — only the broker
 * address and the capability token, both kept out of `JSON.stringify` and `util.inspect`.
 *
 * @param options - see {@link RemoteCredentialsOptions}.
 * @returns frozen {@link OutboundCredentials}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. `authorize`
 *   rejects with SignerError `ERR_BROKER_UNAUTHORIZED` (wrong capability token),
 *   `ERR_SIGNER_REFUSED` (policy, approval), `ERR_SIGNER_RATE_LIMITED`, `ERR_SIGNER_FAILED`
 *   (broker unreachable, timed out or answered garbage), or the caller's `signal.reason`.
 *
 * @example
 * ```ts
 * import { composeFetch, remoteCredentials, workloadAuth } from 'agentauth/fetch'
 *
 * const credentials = remoteCredentials({ endpoint: 'http://127.0.0.1:7070', token: capabilityToken })
 * const api = composeFetch(fetch, workloadAuth({ credentials, origins: ['https://api.example.com'] }))
 * await api('https://api.example.com/v1/search?q=weather')
 * ```
 */
export function remoteCredentials(options: RemoteCredentialsOptions): OutboundCredentials {
  assertObject(options, 'options')
  const endpoint = brokerEndpoint(options.endpoint, 'options.endpoint')
  const authorization = `Bearer ${checkCapabilityToken(options.token, 'options.token')}`
  if (options.fetch !== undefined) assertFunction(options.fetch, 'options.fetch')
  const send: FetchLike = options.fetch ?? ((input, init) => fetch(input, init))
  const timeoutMs = optionalNumber(options.timeout, 'options.timeout', 150, { min: 0.001, max: 3600 }) * 1000

  async function authorize(request: OutboundRequest, opts?: AuthorizeOptions): Promise<Headers> {
    const url = checkOutboundRequest(request)
    url.hash = '' // never sent on the wire; the broker refuses a URL that has one
    const headers: Record<string, string> = {}
    for (const name of PROOF_REQUEST_HEADERS) {
      const value = request.headers.get(name)
      if (value !== null) headers[name] = value
    }
    const body = JSON.stringify({ method: request.method, url: url.href, ...(request.contentDigest !== undefined ? { contentDigest: request.contentDigest } : {}), headers })
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = opts?.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout])
    let response: Response
    try {
      response = await send(endpoint.proof, { method: 'POST', headers: { authorization, 'content-type': 'application/json', accept: 'application/json' }, body, signal, redirect: 'error' })
    } catch (cause) {
      if (opts?.signal?.aborted === true) throw opts.signal.reason
      throw new SignerError('ERR_SIGNER_FAILED', timeout.aborted ? 'the credential broker did not answer in time' : 'the credential broker is unreachable', { cause })
    }
    if (response.status !== 200) throw await brokerError(response)
    return grantedHeaders(parseAnswer(await readAnswer(response, MAX_BROKER_ANSWER_BYTES).catch(() => undefined)))
  }

  return Object.freeze({
    authorize: (request: OutboundRequest, opts?: AuthorizeOptions) =>
      authorize(request, opts).catch((err: unknown) => {
        if (isAgentAuthError(err) || err instanceof TypeError || opts?.signal?.reason === err) throw err
        throw new SignerError('ERR_SIGNER_FAILED', 'the credential broker request failed', { cause: err })
      }),
    toJSON: () => ({ type: 'remoteCredentials' }),
    toString: () => 'RemoteCredentials {}',
    [Symbol.for('nodejs.util.inspect.custom')]: () => 'RemoteCredentials {}',
  })
}

function grantedHeaders(body: Record<string, unknown> | undefined): Headers {
  const fields = body?.headers
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new SignerError('ERR_SIGNER_FAILED', 'the credential broker answered with a malformed body')
  const out = new Headers()
  let count = 0
  for (const [name, value] of Object.entries(fields)) {
    if (++count > 16 || typeof value !== 'string' || !FIELD_NAME.test(name) || !isSafeFieldValue(value)) {
      throw new SignerError('ERR_SIGNER_FAILED', 'the credential broker answered with an invalid header field')
    }
    out.set(name, value)
  }
  if (count === 0) throw new SignerError('ERR_SIGNER_FAILED', 'the credential broker returned no credential fields')
  return out
}

