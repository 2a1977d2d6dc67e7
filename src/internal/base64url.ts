// base64url helpers. Encoding/decoding is jose's; we add the canonical-form check jose does not do
// (RFC 7515 §2: no padding, no whitespace, no non-alphabet characters, no non-zero trailing bits),
// because tokens are compared and hashed as exact bytes.
import { decode as joseDecode, encode as joseEncode } from 'jose/base64url'
import { VerificationError } from '../errors/index.js'

export const encode: (input: Uint8Array | string) => string = joseEncode

const ALPHABET = /^[A-Za-z0-9_-]*$/
const ALPHABET_INDEX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

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
  // Non-canonical trailing bits (RFC 4648 §3.5): the unused low bits of the last character must be
  // zero, otherwise two different strings decode to the same bytes.
  const rem = input.length % 4
  if (rem !== 0) {
    const last = ALPHABET_INDEX.indexOf(input[input.length - 1]!)
    if ((rem === 2 && (last & 0x0f) !== 0) || (rem === 3 && (last & 0x03) !== 0)) {
      throw new VerificationError(code, `${what} is not canonical base64url`)
    }
  }
  return out
}
