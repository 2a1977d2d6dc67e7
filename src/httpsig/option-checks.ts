// Checks of the options every entry point of agentauth/httpsig (and agentauth/wimse-httpsig)
// shares: a bad `clock`, `crypto` or `structuredFields` is a coded TypeError before any work, not
// a bare TypeError from deep inside (`clock is not a function`, `Cannot read properties of …`).
import { codedTypeError } from '../errors/index.js'

/** `clock`, when given, is a function. */
export function checkClock(clock: unknown): void {
  if (clock !== undefined && typeof clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
}

/** `crypto`, when given, has a `subtle` object (Web Crypto). */
export function checkCrypto(crypto: unknown): void {
  if (crypto === undefined) return
  const subtle = typeof crypto === 'object' && crypto !== null ? (crypto as { subtle?: unknown }).subtle : undefined
  if (typeof subtle !== 'object' || subtle === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto must be a Web Crypto implementation')
}

/** `structuredFields`, when given, maps field names to 'item', 'list' or 'dictionary'. */
export function checkStructuredFields(fields: unknown): void {
  if (fields === undefined) return
  if (typeof fields !== 'object' || fields === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.structuredFields must be an object')
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue
    const t = (fields as Record<string, unknown>)[name]
    if (t !== 'item' && t !== 'list' && t !== 'dictionary') throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.structuredFields.${name} must be 'item', 'list' or 'dictionary'`)
  }
}

/** Random bytes from `crypto` (a provider given without `getRandomValues` is a coded TypeError). */
export function randomBytes(crypto: Crypto, length: number): Uint8Array {
  if (typeof (crypto as { getRandomValues?: unknown }).getRandomValues !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto must implement getRandomValues to generate a nonce')
  }
  return crypto.getRandomValues(new Uint8Array(length))
}
