// The wire protocol between the agent side (remoteCredentials, createProxyFetch) and the
// credential broker (agentauth/broker). Both sides import it from here; the agent side never
// imports the broker.
import { SignerError, codedTypeError } from '../errors/index.js'
import { decodeUtf8Strict, joinChunks } from '../internal/bytes.js'
import { isPlainObject } from '../internal/json.js'

export const PROOF_PATH = '/v1/proof'
export const PROXY_PATH = '/v1/proxy/'
/** Set on every answer the broker produces itself (refusals, failures), never on upstream answers. */
export const BROKER_ERROR_HEADER = 'agentauth-broker-error'
/** The only request fields an agent sends to the broker in proof mode (those a proof may cover). */
export const PROOF_REQUEST_HEADERS: readonly string[] = ['content-type', 'authorization', 'txn-token']
export const MAX_PROOF_REQUEST_BYTES: number = 16 * 1024
export const MAX_BROKER_ANSWER_BYTES: number = 64 * 1024

/** Reasons the broker gives (safe to show; they name a policy rule, never a secret). */
export type BrokerReason =
  | 'unauthorized'
  | 'not_found'
  | 'invalid_request'
  | 'origin_not_allowed'
  | 'mode_not_allowed'
  | 'path_not_allowed'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'rate_limited'
  | 'approval_denied'
  | 'approval_timeout'
  | 'approval_failed'
  | 'redirect_not_allowed'
  | 'audit_failed'
  | 'credentials_failed'
  | 'upstream_failed'

/** JSON body of a broker refusal or failure. */
export interface BrokerErrorBody {
  readonly error: { readonly code: string; readonly reason: BrokerReason; readonly message: string }
}

export interface BrokerEndpoint {
  readonly proof: URL
  proxy(target: string): URL
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Validates a broker endpoint: https anywhere, plain http only on loopback (or a Unix socket via the fetch option). */
export function brokerEndpoint(value: unknown, name: string): BrokerEndpoint {
  if (typeof value !== 'string' && !(value instanceof URL)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string or URL`)
  let url: URL
  try {
    url = new URL(value instanceof URL ? value.href : value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an absolute URL`, cause)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be https, or http on a loopback host (use http://localhost with a Unix socket)`)
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not carry credentials, a query or a fragment`)
  }
  const base = url.href.replace(/\/+$/, '')
  return Object.freeze({
    proof: new URL(base + PROOF_PATH),
    proxy: (target: string) => new URL(base + PROXY_PATH + encodeURIComponent(target)),
  })
}

/** Validates a capability token option (opaque, at least 32 visible ASCII characters). */
export function checkCapabilityToken(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length < 32 || value.length > 1024 || !/^[\x21-\x7e]+$/.test(value)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be 32..1024 visible ASCII characters (e.g. 32 random bytes, base64url)`)
  }
  return value
}

/** Reads at most `max` bytes of a response body. */
export async function readAnswer(response: Response, max: number): Promise<Uint8Array | undefined> {
  if (response.body === null) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > max) {
        await reader.cancel().catch(() => undefined)
        return undefined
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return joinChunks(chunks, total)
}

/** Parses a JSON object answer; undefined when it is not one. */
export function parseAnswer(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined
  try {
    const value: unknown = JSON.parse(decodeUtf8Strict(bytes))
    return isPlainObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

const REASON = /^[a-z_]{1,40}$/

/** Turns a broker refusal into the typed error the agent sees. */
export async function brokerError(response: Response): Promise<SignerError> {
  const body = parseAnswer(await readAnswer(response, MAX_BROKER_ANSWER_BYTES).catch(() => undefined))
  const error = body?.error as { reason?: unknown } | undefined
  const raw = typeof error === 'object' && error !== null ? error.reason : undefined
  const reason = typeof raw === 'string' && REASON.test(raw) ? raw : `status ${response.status}`
  switch (response.status) {
    case 401:
      return new SignerError('ERR_BROKER_UNAUTHORIZED', 'the credential broker refused the capability token')
    case 403:
    case 413:
      return new SignerError('ERR_SIGNER_REFUSED', `the credential broker refused the request (${reason})`)
    case 429:
      return new SignerError('ERR_SIGNER_RATE_LIMITED', `the credential broker rate limit was hit (retry after ${response.headers.get('retry-after') ?? '?'} s)`)
    default:
      return new SignerError('ERR_SIGNER_FAILED', `the credential broker failed (${reason})`)
  }
}
