// Token hashes bound into a WPT (draft-ietf-wimse-wpt §2): wth, ath, tth and the oth object are
// base64url(SHA-256(ASCII(token))). oth keys are lower-cased header names; values are trimmed.
import { VerificationError, codedTypeError, isAgentAuthError } from '../errors/index.js'
import { encode } from '../internal/base64url.js'
import { ascii, isAscii } from '../internal/bytes.js'
import { sha256 } from '../internal/sync-crypto.js'
import type { VerifiedWIT } from '../wit/types.js'

/** RFC 9110 §5.1 field-name (token). */
export const FIELD_NAME: RegExp = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Header fields whose token bindings have their own claims or that are the proof itself. */
export const RESERVED_OTH: ReadonlySet<string> = new Set(['authorization', 'txn-token', 'workload-identity-token', 'workload-proof-token'])

/** base64url(SHA-256(ASCII(value))): a string when the provider hashes synchronously, else a promise. */
export function sha256Base64url(value: string, crypto: Crypto, fail: (cause: unknown) => never = hashFailed): string | Promise<string> {
  let digest: Uint8Array | Promise<Uint8Array>
  try {
    digest = sha256(crypto, ascii(value))
  } catch (cause) {
    fail(cause)
  }
  return digest instanceof Uint8Array ? encode(digest) : digest.then(encode, fail)
}

/**
 * A crypto provider that cannot hash (throws or rejects) fails the proof check closed with a coded
 * error instead of letting its own error out.
 */
function hashFailed(cause: unknown): never {
  if (isAgentAuthError(cause)) throw cause
  throw new VerificationError('ERR_WPT_BINDING_MISMATCH', 'a token hash could not be computed', { cause })
}

// The WIT hash is computed once per VerifiedWIT object: a server that caches verified WITs pays
// for it once per WIT, not once per request. A failed hash is forgotten, not cached.
const witHashes = new WeakMap<object, string | Promise<string>>()

export function witHash(wit: VerifiedWIT, crypto: Crypto): string | Promise<string> {
  let hit = witHashes.get(wit)
  if (hit === undefined) {
    hit = sha256Base64url(wit.token, crypto)
    witHashes.set(wit, hit)
    if (typeof hit !== 'string') {
      hit.then(
        (h) => witHashes.set(wit, h),
        () => witHashes.delete(wit),
      )
    }
  }
  return hit
}

/** Trims optional whitespace (SP / HTAB) the way HTTP field values are trimmed. */
export function trimOWS(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--
  return value.slice(start, end)
}

/** A token value that can be hashed: a non-empty ASCII string of bounded size (programmer input). */
export function assertTokenOption(value: unknown, name: string, maxBytes: number): asserts value is string {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0 || value.length > maxBytes) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be 1..${maxBytes} characters`)
  if (!isAscii(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be ASCII`)
}

/**
 * Normalises `otherTokens` (header name → token) to lower-cased names and trimmed values, refusing
 * duplicates after lower-casing, names that are not field names, and the headers that have their
 * own binding (`Authorization` → ath, `Txn-Token` → tth, the WIT and the WPT themselves).
 */
export function normaliseOtherTokens(input: unknown, name: string, maxBytes: number): ReadonlyMap<string, string> | undefined {
  if (input === undefined) return undefined
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object of header name → token`)
  const out = new Map<string, string>()
  for (const [key, raw] of Object.entries(input)) {
    if (!FIELD_NAME.test(key)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} has an invalid header name`)
    const lower = key.toLowerCase()
    if (RESERVED_OTH.has(lower)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}["${lower}"] has its own binding and cannot be listed in oth`)
    if (out.has(lower)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} lists "${lower}" twice`)
    if (typeof raw !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}["${lower}"] must be a string`)
    const value = trimOWS(raw)
    assertTokenOption(value, `${name}["${lower}"]`, maxBytes)
    out.set(lower, value)
  }
  return out.size === 0 ? undefined : out
}
