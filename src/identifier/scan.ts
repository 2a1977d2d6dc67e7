// Byte tables and the shared error helper of the identifier scanners. Internal: not exported from
// index.ts. Every rule has its own code; the code names the FIRST byte (left to right) that breaks
// a rule, the way go-spiffe reports the first bad byte.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'

/** Byte-length cap for a whole identifier (SPIFFE-ID §2.3, draft-ietf-wimse-identifier §4.1). */
export const MAX_IDENTIFIER_BYTES = 2048
/** Byte-length cap for a trust domain (SPIFFE-ID §2.3, RFC 3986 §3.2.2 host). */
export const MAX_TRUST_DOMAIN_BYTES = 255

// Bit flags per ASCII byte.
export const SCHEME_CHAR = 1 // a-z 0-9 + - . (first byte a-z only; checked by the caller)
export const TRUST_DOMAIN_CHAR = 2 // a-z 0-9 . - _ (both profiles)
export const SEG_SPIFFE = 8 // A-Z a-z 0-9 . - _
export const PCHAR_WIMSE = 16 // unreserved + sub-delims + : @ (RFC 3986 pchar minus pct-encoded)
export const UNRESERVED = 32 // A-Z a-z 0-9 - . _ ~

export const CLASS: Uint8Array = (() => {
  const t = new Uint8Array(128)
  const add = (chars: string, flag: number): void => {
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)]! |= flag
  }
  const lower = 'abcdefghijklmnopqrstuvwxyz'
  const upper = lower.toUpperCase()
  const digits = '0123456789'
  add(lower + digits + '+-.', SCHEME_CHAR)
  add(lower + digits + '.-_', TRUST_DOMAIN_CHAR)
  add(lower + upper + digits + '.-_', SEG_SPIFFE)
  add(lower + upper + digits + '-._~', UNRESERVED | PCHAR_WIMSE)
  add("!$&'()*+,;=:@", PCHAR_WIMSE)
  return t
})()

/** Flags of a UTF-16 code unit; 0 for anything outside ASCII. */
export function classOf(c: number): number {
  return c < 128 ? CLASS[c]! : 0
}

export const MESSAGES: Readonly<Record<string, string>> = {
  ERR_IDENTIFIER_INVALID: 'workload identifier must be a string',
  ERR_IDENTIFIER_EMPTY: 'workload identifier is empty',
  ERR_IDENTIFIER_TOO_LONG: `workload identifier is longer than ${MAX_IDENTIFIER_BYTES} bytes`,
  ERR_IDENTIFIER_SCHEME: 'scheme is missing, malformed, not lower case, or not allowed by the profile',
  ERR_IDENTIFIER_TRUST_DOMAIN_MISSING: 'trust domain is missing',
  ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG: `trust domain is longer than ${MAX_TRUST_DOMAIN_BYTES} bytes`,
  ERR_IDENTIFIER_TRUST_DOMAIN_CHAR: 'trust domain may only hold lower-case letters, digits, dot, dash and underscore',
  ERR_IDENTIFIER_PATH_CHAR: 'path holds a character the profile does not allow',
  ERR_IDENTIFIER_PATH_RELATIVE: 'path must start with /',
  ERR_IDENTIFIER_EMPTY_SEGMENT: 'path has an empty segment',
  ERR_IDENTIFIER_DOT_SEGMENT: 'path has a . or .. segment',
  ERR_IDENTIFIER_TRAILING_SLASH: 'path ends with /',
  ERR_IDENTIFIER_QUERY: 'workload identifier must not have a query',
  ERR_IDENTIFIER_FRAGMENT: 'workload identifier must not have a fragment',
  ERR_IDENTIFIER_USERINFO: 'workload identifier must not have userinfo',
  ERR_IDENTIFIER_PORT: 'workload identifier must not have a port',
  ERR_IDENTIFIER_PERCENT_ENCODING: 'percent-encoding is not allowed here (or is not canonical)',
}

/** Builds the VerificationError for a rule; `at` is the offending offset, when there is one. */
export function identifierError(code: VerificationErrorCode, at?: number): VerificationError {
  const base = MESSAGES[code] ?? 'invalid workload identifier'
  const message = at === undefined ? base : `${base} (at offset ${at})`
  return new VerificationError(code, message, { reason: base })
}

/**
 * Code for a byte that is not allowed in a trust domain: the URI delimiters get the code of the
 * component they would start (RFC 3986 §3), everything else is a charset error.
 */
export function trustDomainByteCode(c: number): VerificationErrorCode {
  switch (c) {
    case 0x3f: return 'ERR_IDENTIFIER_QUERY' // ?
    case 0x23: return 'ERR_IDENTIFIER_FRAGMENT' // #
    case 0x40: return 'ERR_IDENTIFIER_USERINFO' // @
    case 0x3a: return 'ERR_IDENTIFIER_PORT' // :
    case 0x25: return 'ERR_IDENTIFIER_PERCENT_ENCODING' // %
    default: return 'ERR_IDENTIFIER_TRUST_DOMAIN_CHAR'
  }
}

/** Code for a byte that is not allowed in a path segment. */
export function pathByteCode(c: number): VerificationErrorCode {
  switch (c) {
    case 0x3f: return 'ERR_IDENTIFIER_QUERY'
    case 0x23: return 'ERR_IDENTIFIER_FRAGMENT'
    case 0x25: return 'ERR_IDENTIFIER_PERCENT_ENCODING'
    default: return 'ERR_IDENTIFIER_PATH_CHAR'
  }
}

/**
 * UTF-8 byte length of `value`, computed only when it could exceed `limit` (a UTF-16 unit encodes
 * to at most 3 bytes; a surrogate pair to 4).
 */
export function exceedsBytes(value: string, limit: number): boolean {
  const n = value.length
  if (n > limit) return true
  if (n * 3 <= limit) return false
  let bytes = 0
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes > limit
}

/**
 * Scans a trust domain in `value` from `start` up to the first `/` or the end and returns the end
 * offset. Both profiles use the SPIFFE-ID §2.1 charset. `stopAtSlash` is false for a bare
 * trust-domain name, where `/` is just a bad byte.
 */
export function scanTrustDomain(value: string, start: number, stopAtSlash: boolean): number {
  let i = start
  const n = value.length
  for (; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x2f && stopAtSlash) break
    if ((classOf(c) & TRUST_DOMAIN_CHAR) === 0) throw identifierError(trustDomainByteCode(c), i)
  }
  if (i === start) throw identifierError('ERR_IDENTIFIER_TRUST_DOMAIN_MISSING', start)
  if (i - start > MAX_TRUST_DOMAIN_BYTES) throw identifierError('ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG', start)
  return i
}
