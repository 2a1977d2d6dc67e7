// Compact JWS parsing and signature verification for untrusted tokens (WIT, WPT, SET, access and
// transaction tokens). Hand-written rather than jose.jwtVerify because (a) every verified request
// pays for it and jose's generic pipeline costs ~2x (see docs/benchmarks.md), and (b) each token
// profile needs its own error codes and claim rules. jose still does base64url and key import
// shapes are checked in keys.ts.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { ALGORITHMS, isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import { decodeStrict } from './base64url.js'
import { ascii, bs } from './bytes.js'
import { isPlainObject, parseJSONObject, type JSONObject } from './json.js'

export interface ParsedJWS {
  readonly header: JSONObject
  readonly payload: JSONObject
  /** ASCII bytes of `header.payload` (the JWS signing input). */
  readonly signingInput: Uint8Array
  readonly signature: Uint8Array
  readonly token: string
}

export interface ParseJWSOptions {
  /** Maximum token length in characters (checked before anything else). */
  maxBytes: number
  /** Error code for malformed structure (per token profile, e.g. ERR_WIT_INVALID). */
  code: VerificationErrorCode
  what: string
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Header parameters this library understands; any of them listed in `crit` is still refused
 * because none of our profiles defines critical extensions. */
export function parseCompactJWS(token: unknown, options: ParseJWSOptions): ParsedJWS {
  const { code, what } = options
  if (typeof token !== 'string') throw new VerificationError(code, `${what} is not a string`)
  if (token.length > options.maxBytes) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${what} exceeds ${options.maxBytes} bytes`)
  if (!COMPACT.test(token)) throw new VerificationError(code, `${what} is not a compact JWS`)
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  const h = token.slice(0, first)
  const p = token.slice(first + 1, second)
  const s = token.slice(second + 1)
  const header = parseJSONObject(decodeStrict(h, `${what} header`, 'ERR_JWS_INVALID'), { maxBytes: options.maxBytes, what: `${what} header`, code })
  if (Object.hasOwn(header, 'crit')) throw new VerificationError(code, `${what} header has unsupported crit parameters`)
  if (header.b64 !== undefined) throw new VerificationError(code, `${what} header b64 is not supported`)
  const payload = parseJSONObject(decodeStrict(p, `${what} payload`, 'ERR_JWS_INVALID'), { maxBytes: options.maxBytes, what: `${what} payload`, code })
  const signature = decodeStrict(s, `${what} signature`, 'ERR_JWS_INVALID')
  return { header, payload, signingInput: ascii(token.slice(0, second)), signature, token }
}

/**
 * Checks `header.alg` against the allow-list and returns it. `none`, HMAC and anything not in the
 * table are refused with ERR_ALG_NOT_ALLOWED.
 */
export function checkAlg(header: JSONObject, allowed: readonly JWSAlgorithm[] | undefined, what: string): JWSAlgorithm {
  const alg = header.alg
  if (!isJWSAlgorithm(alg)) throw new VerificationError('ERR_ALG_NOT_ALLOWED', `${what} alg is not an allowed asymmetric algorithm`, { claim: 'alg' })
  if (allowed !== undefined && !allowed.includes(alg)) throw new VerificationError('ERR_ALG_NOT_ALLOWED', `${what} alg ${alg} is not allowed`, { claim: 'alg' })
  return alg
}

/** Case-insensitive `typ` check accepting the optional `application/` prefix (RFC 7515 §4.1.9). */
export function typMatches(typ: unknown, expected: string): boolean {
  if (typeof typ !== 'string') return false
  const t = typ.toLowerCase()
  return t === expected || t === `application/${expected}`
}

/** Verifies the JOSE-form signature of a parsed JWS with a public CryptoKey. */
export async function verifyJWSSignature(
  parsed: ParsedJWS,
  alg: JWSAlgorithm,
  key: CryptoKey,
  options: { code: VerificationErrorCode; what: string; crypto?: Crypto },
): Promise<void> {
  const info = ALGORITHMS[alg]
  if (info.signatureLength !== undefined && parsed.signature.length !== info.signatureLength) {
    throw new VerificationError(options.code, `${options.what} signature has the wrong length`)
  }
  let ok: boolean
  try {
    ok = await (options.crypto ?? globalThis.crypto).subtle.verify(info.signParams, key, bs(parsed.signature), bs(parsed.signingInput))
  } catch (cause) {
    throw new VerificationError(options.code, `${options.what} signature could not be verified`, { cause })
  }
  if (!ok) throw new VerificationError(options.code, `${options.what} signature is invalid`)
}

/** Reads an optional claim of a given JSON type, throwing `code` on a type mismatch. */
export function claimString(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required: true): string
export function claimString(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required?: false): string | undefined
export function claimString(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required = false): string | undefined {
  if (!Object.hasOwn(payload, name)) {
    if (required) throw new VerificationError(code, `${what} is missing the "${name}" claim`, { claim: name })
    return undefined
  }
  const v = payload[name]
  if (typeof v !== 'string' || v.length === 0) throw new VerificationError(code, `${what} "${name}" claim must be a non-empty string`, { claim: name })
  return v
}

export function claimNumericDate(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required: true): number
export function claimNumericDate(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required?: false): number | undefined
export function claimNumericDate(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required = false): number | undefined {
  if (!Object.hasOwn(payload, name)) {
    if (required) throw new VerificationError(code, `${what} is missing the "${name}" claim`, { claim: name })
    return undefined
  }
  const v = payload[name]
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new VerificationError(code, `${what} "${name}" claim must be a NumericDate`, { claim: name })
  return v
}

export function claimObject(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required: true): JSONObject
export function claimObject(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required?: false): JSONObject | undefined
export function claimObject(payload: JSONObject, name: string, code: VerificationErrorCode, what: string, required = false): JSONObject | undefined {
  if (!Object.hasOwn(payload, name)) {
    if (required) throw new VerificationError(code, `${what} is missing the "${name}" claim`, { claim: name })
    return undefined
  }
  const v = payload[name]
  if (!isPlainObject(v)) throw new VerificationError(code, `${what} "${name}" claim must be an object`, { claim: name })
  return v
}

/** `aud` as string or array of strings (RFC 7519 §4.1.3). */
export function claimAudience(payload: JSONObject, code: VerificationErrorCode, what: string): readonly string[] | undefined {
  if (!Object.hasOwn(payload, 'aud')) return undefined
  const v = payload.aud
  if (typeof v === 'string' && v.length > 0) return [v]
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)) return v as string[]
  throw new VerificationError(code, `${what} "aud" claim must be a string or an array of strings`, { claim: 'aud' })
}
