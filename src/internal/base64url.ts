// base64url helpers. Encoding/decoding is jose's; we add the canonical-form check jose does not do
// (RFC 7515 §2: no padding, no whitespace, no non-alphabet characters, no non-zero trailing bits),
// because tokens are compared and hashed as exact bytes.
import { decode as joseDecode, encode as joseEncode } from 'jose/base64url'
import { VerificationError } from '../errors/index.js'

export const encode: (input: Uint8Array | string) => string = joseEncode

const ALPHABET = /^[A-Za-z0-9_-]*$/

/** Decodes canonical base64url; anything else is a `VerificationError` with `code`. */
export function decodeStrict(input: string, what = 'value', code: 'ERR_BASE64_INVALID' | 'ERR_JWS_INVALID' = 'ERR_BASE64_INVALID'): Uint8Array {
  if (!ALPHABET.test(input) || input.length % 4 === 1) {
    throw new VerificationError(code, `${what} is not canonical base64url`)
  }
  let out: Uint8Array
  try {
    out = joseDecode(input)
  } catch (cause) {
    throw new VerificationError(code, `${what} is not canonical base64url`, { cause })
  }
  // Non-canonical trailing bits: re-encoding must give the same text.
  if (input.length % 4 !== 0 && joseEncode(out) !== input) {
    throw new VerificationError(code, `${what} is not canonical base64url`)
  }
  return out
}
