// base64url (RFC 4648 §5) for tokens, hashes and keys. Decoding accepts the canonical form only
// (RFC 7515 §2: no padding, no whitespace, no non-alphabet characters, no non-zero trailing bits),
// because tokens are compared and hashed as exact bytes.
//
// Table-driven and allocation-light: every verified request decodes a JWS payload and signature and
// encodes at least one hash, and on Node 20 `atob`/`btoa` (which jose uses) validate each character
// with an array search. Large inputs are encoded with jose (string building by concatenation is
// only cheap for small outputs).
import { encode as joseEncode } from 'jose/base64url'
import { VerificationError } from '../errors/index.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** char code (< 128) → 6-bit value, or -1 outside the alphabet. */
const DECODE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i
/** 6-bit value → output character (one-character strings, shared). */
const ENCODE: readonly string[] = Array.from(ALPHABET)
const textEncoder = new TextEncoder()
const SMALL = 4096

/** base64url without padding. Strings are encoded as their UTF-8 bytes. */
export function encode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? textEncoder.encode(input) : input
  if (bytes.length > SMALL) return joseEncode(bytes)
  const n = bytes.length
  const full = n - (n % 3)
  let out = ''
  let i = 0
  for (; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ENCODE[v >> 18]! + ENCODE[(v >> 12) & 63]! + ENCODE[(v >> 6) & 63]! + ENCODE[v & 63]!
  }
  if (n - full === 1) {
    const v = bytes[i]!
    out += ENCODE[v >> 2]! + ENCODE[(v & 3) << 4]!
  } else if (n - full === 2) {
    const v = (bytes[i]! << 8) | bytes[i + 1]!
    out += ENCODE[v >> 10]! + ENCODE[(v >> 4) & 63]! + ENCODE[(v & 15) << 2]!
  }
  return out
}

/**
 * Result of {@link decodeCanonical} for input that is not canonical base64url: `ALPHABET` when a
 * character is outside the base64url alphabet, `FORM` for a bad length or non-zero trailing bits.
 */
export type Base64urlFault = 'ALPHABET' | 'FORM'

/**
 * Decodes `input[start, end)` as canonical base64url, or returns which rule it breaks (no throw,
 * so callers choose their error codes). Alphabet faults take precedence over form faults.
 */
export function decodeCanonical(input: string, start = 0, end: number = input.length): Uint8Array | Base64urlFault {
  const out = new Uint8Array(decodedLength(end - start))
  const fault = decodeCanonicalInto(out, input, start, end)
  return fault === undefined ? out : fault
}

/** Bytes that `n` characters of unpadded base64url decode to (for rem 1, which is never valid, one less). */
export function decodedLength(n: number): number {
  const rem = n & 3
  return (n >> 2) * 3 + (rem === 0 ? 0 : rem - 1)
}

/**
 * {@link decodeCanonical} into `out` (at least {@link decodedLength} bytes), e.g. a scratch buffer
 * the caller consumes at once. Returns undefined on success.
 */
export function decodeCanonicalInto(out: Uint8Array, input: string, start: number, end: number): Base64urlFault | undefined {
  const n = end - start
  const rem = n & 3
  const full = end - rem
  let high = 0 // OR of all char codes: > 127 means a non-ASCII character
  let neg = 0 // OR of all group values: negative means a character outside the alphabet
  let o = 0
  let i = start
  for (; i < full; i += 4) {
    const c0 = input.charCodeAt(i)
    const c1 = input.charCodeAt(i + 1)
    const c2 = input.charCodeAt(i + 2)
    const c3 = input.charCodeAt(i + 3)
    high |= c0 | c1 | c2 | c3
    const v = (DECODE[c0 & 127]! << 18) | (DECODE[c1 & 127]! << 12) | (DECODE[c2 & 127]! << 6) | DECODE[c3 & 127]!
    neg |= v
    out[o] = v >> 16
    out[o + 1] = v >> 8
    out[o + 2] = v
    o += 3
  }
  let trailing = 0
  if (rem >= 2) {
    const c0 = input.charCodeAt(i)
    const c1 = input.charCodeAt(i + 1)
    high |= c0 | c1
    if (rem === 2) {
      const v = (DECODE[c0 & 127]! << 6) | DECODE[c1 & 127]!
      neg |= v
      trailing = v & 15
      out[o] = v >> 4
    } else {
      const c2 = input.charCodeAt(i + 2)
      high |= c2
      const v = (DECODE[c0 & 127]! << 12) | (DECODE[c1 & 127]! << 6) | DECODE[c2 & 127]!
      neg |= v
      trailing = v & 3
      out[o] = v >> 10
      out[o + 1] = v >> 2
    }
  } else if (rem === 1) {
    const c0 = input.charCodeAt(i)
    high |= c0
    neg |= DECODE[c0 & 127]!
  }
  if (high > 127 || neg < 0) return 'ALPHABET'
  // rem 1 cannot be produced by any byte string; non-zero unused low bits (RFC 4648 §3.5) would let
  // two different strings decode to the same bytes.
  if (rem === 1 || trailing !== 0) return 'FORM'
  return undefined
}

/** Decodes canonical base64url; anything else is a `VerificationError` with `code`. */
export function decodeStrict(input: string, what = 'value', code: 'ERR_BASE64_INVALID' | 'ERR_JWS_INVALID' = 'ERR_BASE64_INVALID'): Uint8Array {
  const out = typeof input === 'string' ? decodeCanonical(input) : 'ALPHABET'
  if (typeof out === 'string') throw new VerificationError(code, `${what} is not canonical base64url`)
  return out
}
