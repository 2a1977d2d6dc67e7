// Which fields are credentials, which travel to whom, and the checks on fields we emit (undici
// does not sanitise header values for us).
import { SignerError, codedTypeError } from '../errors/index.js'
import { looseInstanceOf } from '../internal/assert.js'

/** Proof fields minted per request: never copied from the caller, never carried to the next hop. */
export const PROOF_HEADERS: readonly string[] = ['workload-identity-token', 'workload-proof-token', 'signature', 'signature-input']

/** Everything that may carry a credential: removed before a request goes to an origin nobody allow-listed. */
export const CREDENTIAL_HEADERS: readonly string[] = [...PROOF_HEADERS, 'authorization', 'proxy-authorization', 'txn-token', 'cookie']

/** Left out of the {@link OutboundRequest} copy handed to credentials. */
const HIDDEN_FROM_CREDENTIALS: readonly string[] = [...PROOF_HEADERS, 'cookie', 'proxy-authorization']

/** Fields credentials may never set (framing, routing, our own digest). */
const FORBIDDEN_GRANTS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'content-digest', 'cookie'])

/** Fields describing a body; dropped with the body when a redirect turns a request into a GET. */
export const BODY_HEADERS: readonly string[] = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'content-digest']

const HOSTNAME = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/

export const FIELD_NAME: RegExp = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Visible ASCII, space and tab inside; Headers already trims the ends.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const MAX_VALUE = 16_384

/** True for a field value without CR, LF, NUL or other control characters. */
export function isSafeFieldValue(value: string): boolean {
  return value.length <= MAX_VALUE && FIELD_VALUE.test(value)
}

/** A copy of `headers` without the fields credentials must not see. */
export function credentialView(headers: Headers): Headers {
  const out = new Headers(headers)
  for (const name of HIDDEN_FROM_CREDENTIALS) out.delete(name)
  return out
}

/** Removes every field in `names` from `headers` (in place). */
export function deleteAll(headers: Headers, names: readonly string[]): void {
  for (const name of names) headers.delete(name)
}

/**
 * Validates what credentials returned and sets it on `target`. A bad field is the credentials'
 * fault (a broker or custom implementation misbehaving), so it is a `SignerError`.
 */
export function mergeGranted(target: Headers, granted: unknown): void {
  if (!looseInstanceOf(granted, Headers)) throw new SignerError('ERR_SIGNER_FAILED', 'credentials.authorize did not resolve to a Headers object')
  const seen: Array<[string, string]> = []
  granted.forEach((value, name) => {
    if (!FIELD_NAME.test(name) || !isSafeFieldValue(value)) throw new SignerError('ERR_SIGNER_FAILED', 'credentials returned an invalid header field')
    if (FORBIDDEN_GRANTS.has(name.toLowerCase())) throw new SignerError('ERR_SIGNER_FAILED', `credentials may not set the ${name} field`)
    seen.push([name, value])
  })
  for (const [name, value] of seen) target.set(name, value)
}

/** Exact http(s) origins, normalised; anything else is a configuration error. */
export function normaliseOrigins(value: unknown, name: string): Set<string> {
  if (!Array.isArray(value) || value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a non-empty array of origins`)
  const out = new Set<string>()
  for (const entry of value as unknown[]) out.add(normaliseOrigin(entry, `${name}[]`))
  return out
}

export function normaliseOrigin(value: unknown, name: string): string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} "${value}" is not an absolute URL`, cause)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/, '') || !HOSTNAME.test(url.hostname)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} "${value}" must be an exact http(s) origin (scheme://host[:port], no path, wildcard or credentials)`)
  }
  return url.origin
}
