// Strict JSON for untrusted input: size limit first, fatal UTF-8, JSON.parse, then a plain-object
// check (no arrays, no null, no class instances). Claim presence uses Object.hasOwn elsewhere.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { decodeUtf8Strict } from './bytes.js'

/**
 * A parsed JSON object (plain object, string keys, values still `unknown`): the shape of decoded
 * claims and headers before each field is checked.
 *
 * @example
 * ```ts
 * import type { JSONObject } from 'agentauth'
 *
 * function tenantOf(claims: JSONObject): string | undefined {
 *   return typeof claims.tenant === 'string' ? claims.tenant : undefined
 * }
 * ```
 */
export type JSONObject = { [key: string]: unknown }

export function isPlainObject(value: unknown): value is JSONObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function parseJSONObject(
  input: Uint8Array | string,
  options: { maxBytes: number; what: string; code?: VerificationErrorCode },
): JSONObject {
  const code = options.code ?? 'ERR_JSON_INVALID'
  const size = typeof input === 'string' ? input.length : input.byteLength
  if (size > options.maxBytes) {
    throw new VerificationError('ERR_INPUT_TOO_LARGE', `${options.what} exceeds ${options.maxBytes} bytes`)
  }
  let text: string
  try {
    text = typeof input === 'string' ? input : decodeUtf8Strict(input)
  } catch (cause) {
    throw new VerificationError(code, `${options.what} is not valid UTF-8`, { cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new VerificationError(code, `${options.what} is not valid JSON`, { cause })
  }
  if (!isPlainObject(value)) throw new VerificationError(code, `${options.what} is not a JSON object`)
  return value
}
