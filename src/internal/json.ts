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
  // Text handed over as a string skipped the strict UTF-8 decoder, so it may hold a raw lone
  // surrogate (not only an escaped one): refused as for bytes that are not UTF-8.
  if (typeof input === 'string' && hasLoneSurrogate(text)) throw new VerificationError(code, `${options.what} is not well-formed Unicode (a lone surrogate)`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new VerificationError(code, `${options.what} is not valid JSON`, { cause })
  }
  if (!isPlainObject(value)) throw new VerificationError(code, `${options.what} is not a JSON object`)
  refuseLoneSurrogates(text, value, code, options.what)
  return value
}

// Strict UTF-8 cannot carry a surrogate, but a JSON escape can (`"\ud800"`): such a string is not
// Unicode (I-JSON, RFC 7493 §2.1, forbids it), stores and other parsers disagree on it (Redis
// turns it into U+FFFD, so two distinct values collide), and it cannot be printed faithfully.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
// With the `u` flag a well-formed pair is one code point outside the class and matching never
// starts inside a pair, so only lone surrogates match. One linear scan.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/** Whether `s` holds a lone surrogate (is not well-formed UTF-16, so not Unicode text). */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s)
}

/**
 * Whether JSON text (as `JSON.stringify` writes it: lone surrogates escaped, pairs raw) holds a key
 * or string with a lone surrogate. Cheap when it does not: the text is parsed again only when it
 * has a surrogate escape at all.
 */
export function jsonHasLoneSurrogate(text: string): boolean {
  if (!text.includes('\\u') || !SURROGATE_ESCAPE.test(text)) return false
  try {
    refuseLoneSurrogates(text, JSON.parse(text), 'ERR_JSON_INVALID', 'JSON')
  } catch {
    return true
  }
  return false
}

/**
 * Refuses a parsed JSON value holding a lone surrogate in any key or string. Cheap on the common
 * path: the value is walked only when the text has a surrogate escape at all.
 */
export function refuseLoneSurrogates(text: string, value: unknown, code: VerificationErrorCode, what: string): void {
  if (!text.includes('\\u') || !SURROGATE_ESCAPE.test(text)) return
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const v = pending.pop()
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) throw new VerificationError(code, `${what} has a string that is not well-formed Unicode (a lone surrogate)`)
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) pending.push(k, item)
    }
  }
}

/**
 * Freezes a parsed JSON value in place, all the way down (parsed JSON has no cycles). Recursive for
 * the usual shallow claims; deeper than 64 levels it continues with an explicit stack, so a hostile
 * token nested thousands deep cannot overflow the call stack (it is frozen before its signature is
 * checked when its parse is shared).
 */
export function deepFreeze<T>(value: T): T {
  freezeFrom(value, 0)
  return value
}

const MAX_RECURSION = 64

function freezeFrom(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  if (depth >= MAX_RECURSION) return freezeIteratively(value)
  Object.freeze(value)
  for (const k in value) if (Object.hasOwn(value, k)) freezeFrom((value as Record<string, unknown>)[k], depth + 1)
}

function freezeIteratively(root: object): void {
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const v = pending.pop()
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue
    Object.freeze(v)
    for (const k in v) if (Object.hasOwn(v, k)) pending.push((v as Record<string, unknown>)[k])
  }
}
