// Compact JWS parsing and signature verification for untrusted tokens (WIT, WPT, SET, access and
// transaction tokens). Hand-written rather than jose.jwtVerify because (a) every verified request
// pays for it and jose's generic pipeline costs ~2x (see docs/benchmarks.md), and (b) each token
// profile needs its own error codes and claim rules. Key import shapes are checked in keys.ts.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { ALGORITHMS, isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import { decodeCanonical, decodeCanonicalInto, decodedLength, type Base64urlFault } from './base64url.js'
import { copyToSignatureScratch, decodeUtf8Strict, isAscii, scratchBuffer, utf8, utf8Scratch } from './bytes.js'
import { deepFreeze, isPlainObject, parseJSONObject, refuseLoneSurrogates, type JSONObject } from './json.js'
import { rsaSignatureLength } from './keys.js'
import { syncOperations, verifySignature } from './sync-crypto.js'

export interface ParsedJWS {
  readonly header: JSONObject
  readonly payload: JSONObject
  /** ASCII bytes of `header.payload` (the JWS signing input), a fresh array on each read. */
  readonly signingInput: Uint8Array
  /** Length of the signing input: `token.slice(0, signedLength)` is `header.payload`. */
  readonly signedLength: number
  readonly signature: Uint8Array
  readonly token: string
}

export interface ParseJWSOptions {
  /** Maximum token length in characters (checked before anything else). */
  maxBytes: number
  /** Error code for malformed structure (per token profile, e.g. ERR_WIT_INVALID). */
  code: VerificationErrorCode
  what: string
  /**
   * Return the header deep-frozen and shared between tokens with the same encoded header (a
   * sender's headers repeat on every request, so they are decoded and parsed once). Only for
   * callers that never mutate the header. Headers longer than 8192 characters are never shared.
   */
  shareHeader?: boolean
  /**
   * Likewise for the payload (deep-frozen, shared between tokens with the same encoded payload):
   * for long-lived tokens that are sent again and again (WITs). Parsing only — every claim and the
   * signature are still checked by the caller on every call. Payloads longer than 8192 encoded
   * characters are never shared (the table is filled before signatures are checked).
   */
  sharePayload?: boolean
}

// Parsed, checked and deep-frozen headers by their exact encoded text (see `shareHeader`).
const MAX_SHARED_HEADERS = 256
const sharedHeaders = new Map<string, JSONObject>()
const MAX_SHARED_PAYLOADS = 256
const sharedPayloads = new Map<string, JSONObject>()
// Longest encoded header or payload that is shared. Entries are kept before the signature is
// checked, so anyone can fill the tables: without this bound 256 payloads of a 1 MiB token limit
// (parsed JSON takes several times its text in memory) pinned gigabytes of heap. Real headers and
// WIT payloads are well under 1 KiB; longer parts are parsed on every call instead.
const MAX_SHARED_PART = 8192

function notCanonical(what: string, part: string): never {
  throw new VerificationError('ERR_JWS_INVALID', `${what} ${part} is not canonical base64url`)
}

/** Header parameters this library understands; any of them listed in `crit` is still refused
 * because none of our profiles defines critical extensions. */
export function parseCompactJWS(token: unknown, options: ParseJWSOptions): ParsedJWS {
  const { code, what } = options
  if (typeof token !== 'string') throw new VerificationError(code, `${what} is not a string`)
  if (token.length > options.maxBytes) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${what} exceeds ${options.maxBytes} bytes`)
  // Three non-empty segments of the base64url alphabet separated by two dots; every segment is
  // decoded (and its alphabet checked) before any other fault is reported.
  const first = token.indexOf('.')
  const second = first <= 0 ? -1 : token.indexOf('.', first + 1)
  if (second <= first + 1 || second === token.length - 1 || token.indexOf('.', second + 1) !== -1) {
    throw new VerificationError(code, `${what} is not a compact JWS`)
  }
  const shareHeader = options.shareHeader === true && first <= MAX_SHARED_PART
  const sharePayload = options.sharePayload === true && second - first - 1 <= MAX_SHARED_PART
  const shared = shareHeader ? sharedHeaders.get(token.slice(0, first)) : undefined
  const h: Uint8Array | Base64urlFault | undefined = shared === undefined ? decodeCanonical(token, 0, first) : undefined
  const sharedPayload = sharePayload ? sharedPayloads.get(token.slice(first + 1, second)) : undefined
  // The payload is decoded into the shared scratch buffer: it is turned into text at once.
  let p: Uint8Array | Base64urlFault | undefined
  if (sharedPayload === undefined) {
    const payloadLength = decodedLength(second - first - 1)
    const payloadBytes = scratchBuffer(payloadLength)
    p = decodeCanonicalInto(payloadBytes, token, first + 1, second) ?? payloadBytes.subarray(0, payloadLength)
  }
  const s = decodeCanonical(token, second + 1, token.length)
  if (h === 'ALPHABET' || p === 'ALPHABET' || s === 'ALPHABET') throw new VerificationError(code, `${what} is not a compact JWS`)
  let header: JSONObject
  if (shared !== undefined) {
    header = shared
  } else {
    if (h === 'FORM') notCanonical(what, 'header')
    header = parseJSONObject(h!, { maxBytes: options.maxBytes, what: `${what} header`, code })
    if (Object.hasOwn(header, 'crit')) throw new VerificationError(code, `${what} header has unsupported crit parameters`)
    if (header.b64 !== undefined) throw new VerificationError(code, `${what} header b64 is not supported`)
    if (shareHeader) {
      deepFreeze(header)
      if (sharedHeaders.size >= MAX_SHARED_HEADERS) sharedHeaders.delete(sharedHeaders.keys().next().value as string)
      sharedHeaders.set(token.slice(0, first), header)
    }
  }
  let payload: JSONObject
  if (sharedPayload !== undefined) {
    payload = sharedPayload
  } else {
    if (p === 'FORM') notCanonical(what, 'payload')
    payload = parsePayload(p!, options)
    if (sharePayload) {
      deepFreeze(payload)
      if (sharedPayloads.size >= MAX_SHARED_PAYLOADS) sharedPayloads.delete(sharedPayloads.keys().next().value as string)
      sharedPayloads.set(token.slice(first + 1, second), payload)
    }
  }
  if (s === 'FORM') notCanonical(what, 'signature')
  // The token is ASCII here (every segment passed the alphabet check), so UTF-8 = ASCII bytes.
  return new Parsed(header, payload, second, s, token)
}

class Parsed implements ParsedJWS {
  readonly header: JSONObject
  readonly payload: JSONObject
  readonly signedLength: number
  readonly signature: Uint8Array
  readonly token: string
  constructor(header: JSONObject, payload: JSONObject, signedLength: number, signature: Uint8Array, token: string) {
    this.header = header
    this.payload = payload
    this.signedLength = signedLength
    this.signature = signature
    this.token = token
  }
  get signingInput(): Uint8Array {
    return utf8(this.token.slice(0, this.signedLength))
  }
}

// parseJSONObject for the payload, with the error texts built only on the error paths (which get
// a copy of the bytes: `bytes` may be the scratch buffer).
function parsePayload(bytes: Uint8Array, options: ParseJWSOptions): JSONObject {
  if (bytes.byteLength > options.maxBytes) return parseJSONObject(bytes.slice(), { maxBytes: options.maxBytes, what: `${options.what} payload`, code: options.code })
  let value: unknown
  let text: string
  try {
    text = decodeUtf8Strict(bytes)
    value = JSON.parse(text)
  } catch {
    return parseJSONObject(bytes.slice(), { maxBytes: options.maxBytes, what: `${options.what} payload`, code: options.code })
  }
  if (!isPlainObject(value)) throw new VerificationError(options.code, `${options.what} payload is not a JSON object`)
  refuseLoneSurrogates(text, value, options.code, `${options.what} payload`)
  return value
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

/**
 * Case-insensitive `typ` check accepting the optional `application/` prefix (RFC 7515 §4.1.9).
 * Media types are case-insensitive in ASCII only: `toLowerCase` alone would also turn U+212A
 * KELVIN SIGN into `k` (`txntoKen+jwt` with that sign would pass as `txntoken+jwt`).
 */
export function typMatches(typ: unknown, expected: string): boolean {
  if (typeof typ !== 'string') return false
  if (typ === expected) return true
  if (!isAscii(typ)) return false
  const t = typ.toLowerCase()
  return t === expected || t === `application/${expected}`
}

/**
 * Verifies the JOSE-form signature of a parsed JWS with a public CryptoKey. Returns `undefined`
 * when the provider verified synchronously (see sync-crypto.ts), else a promise: hot paths skip
 * the `await` in the first case.
 */
export function checkJWSSignature(
  parsed: ParsedJWS,
  alg: JWSAlgorithm,
  key: CryptoKey,
  options: { code: VerificationErrorCode; what: string; crypto?: Crypto | undefined },
): void | Promise<void> {
  const info = ALGORITHMS[alg]
  // RSA: exactly the modulus length (RSA-PSS verify in OpenSSL also takes the signature without its
  // leading zero bytes, a second spelling of the same token).
  const length = info.signatureLength ?? rsaSignatureLength(key)
  if (length !== undefined && parsed.signature.length !== length) {
    throw new VerificationError(options.code, `${options.what} signature has the wrong length`)
  }
  const crypto = options.crypto ?? globalThis.crypto
  let ok: boolean | Promise<boolean> | undefined
  try {
    // A synchronous provider consumes the data before returning: the scratch buffer will do.
    const sync = syncOperations(crypto)
    if (sync !== undefined) {
      ok = sync.verify(info.signParams, key, copyToSignatureScratch(parsed.signature), utf8Scratch(parsed.token.slice(0, parsed.signedLength)))
      // Anything but an answer now (a promise) may read the shared buffers after another token
      // has been written into them, and so vouch for that token's signature: fail closed.
      if (ok !== undefined && typeof ok !== 'boolean') {
        Promise.resolve(ok).catch(() => undefined)
        throw new TypeError('the synchronous verify of the crypto provider did not return a boolean')
      }
    }
    if (ok === undefined) ok = verifySignature(crypto, info.signParams, key, parsed.signature, parsed.signingInput)
  } catch (cause) {
    throw new VerificationError(options.code, `${options.what} signature could not be verified`, { cause })
  }
  if (ok === true) return undefined
  if (ok === false) throw new VerificationError(options.code, `${options.what} signature is invalid`)
  return ok.then(
    (valid) => {
      if (!valid) throw new VerificationError(options.code, `${options.what} signature is invalid`)
    },
    (cause: unknown) => {
      throw new VerificationError(options.code, `${options.what} signature could not be verified`, { cause })
    },
  )
}

/** Verifies the JOSE-form signature of a parsed JWS with a public CryptoKey. */
export async function verifyJWSSignature(
  parsed: ParsedJWS,
  alg: JWSAlgorithm,
  key: CryptoKey,
  options: { code: VerificationErrorCode; what: string; crypto?: Crypto },
): Promise<void> {
  await checkJWSSignature(parsed, alg, key, options)
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
