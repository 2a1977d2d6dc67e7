// RFC 9530 Content-Digest and Want-Content-Digest. Bodies are read with a byte limit (streams are
// cancelled as soon as the limit is passed); each algorithm is one digest call; digests are
// compared in constant time.
import { codedTypeError, isAgentAuthError, SignerError, VerificationError } from '../errors/index.js'
import { assertNumber } from '../internal/assert.js'
import { bs, timingSafeEqual, utf8, joinChunks } from '../internal/bytes.js'
import { combinedField, fieldSection } from './message.js'
import { checkCrypto } from './option-checks.js'
import { encodeBase64, hasForgivenBytes, parseDictionaryStrict } from './structured-fields.js'
import type { HTTPRequest, HTTPResponse } from './types.js'

/**
 * Digest algorithms this library computes (RFC 9530 §5, the non-deprecated ones).
 *
 * @example
 * ```ts
 * import { createContentDigest, type DigestAlgorithm } from 'agentauth/httpsig'
 * const algorithms: DigestAlgorithm[] = ['sha-512']
 * await createContentDigest(body, { algorithms })
 * ```
 */
export type DigestAlgorithm = 'sha-256' | 'sha-512'

/**
 * A message body in any supported form; `null`/`undefined` is the empty body.
 *
 * @example
 * ```ts
 * import { createContentDigest, type DigestBody } from 'agentauth/httpsig'
 * const body: DigestBody = new TextEncoder().encode('{}')
 * await createContentDigest(body)
 * ```
 */
export type DigestBody = Uint8Array | ArrayBuffer | string | ReadableStream<Uint8Array> | null | undefined

const HASHES: Readonly<Record<DigestAlgorithm, { name: string; length: number }>> = {
  'sha-256': { name: 'SHA-256', length: 32 },
  'sha-512': { name: 'SHA-512', length: 64 },
}
const DEFAULT_MAX_BYTES = 1024 * 1024
const SF_KEY = /^[a-z*][a-z0-9_\-.*]*$/

function isDigestAlgorithm(a: unknown): a is DigestAlgorithm {
  return a === 'sha-256' || a === 'sha-512'
}

function maxBytesOf(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_BYTES
  assertNumber(v, 'options.maxBytes', { integer: true, min: 0 })
  return v
}

function tooLarge(max: number): never {
  throw new VerificationError('ERR_BODY_TOO_LARGE', `the body exceeds ${max} bytes`, { status: 413 })
}

/** Reads a body into bytes, refusing more than `max` bytes (a stream is cancelled at the limit). */
export async function readBody(body: DigestBody, max: number): Promise<Uint8Array> {
  if (body === null || body === undefined) return new Uint8Array(0)
  if (typeof body === 'string') {
    if (body.length > max) tooLarge(max) // UTF-8 is never shorter than the UTF-16 length
    const bytes = utf8(body)
    if (bytes.length > max) tooLarge(max)
    return bytes
  }
  if (body instanceof Uint8Array) {
    if (body.length > max) tooLarge(max)
    return body
  }
  if (body instanceof ArrayBuffer) {
    if (body.byteLength > max) tooLarge(max)
    return new Uint8Array(body)
  }
  if (typeof (body as ReadableStream).getReader !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'body must be a Uint8Array, ArrayBuffer, string, ReadableStream or null')
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      } catch (cause) {
        // An aborted or reset body (a stream that errors) is not a bug of the caller's: coded.
        // A coded TypeError is a configuration error (a body a framework's parser already read,
        // documented as a 500), not a client's broken upload: it passes unchanged.
        if (isAgentAuthError(cause) || (cause instanceof TypeError && typeof (cause as { code?: unknown }).code === 'string')) throw cause
        throw new VerificationError('ERR_BODY_INCOMPLETE', 'the body could not be read to its end', { status: 400, cause })
      }
      const { done, value } = chunk
      if (done) break
      if (!(value instanceof Uint8Array)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'body stream chunks must be Uint8Array')
      total += value.length
      if (total > max) {
        // Not awaited: cancelling one branch of a tee'd (cloned) body settles only once the other
        // branch is cancelled too, so awaiting here would hang the verifier.
        void reader.cancel().catch(() => undefined)
        tooLarge(max)
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return joinChunks(chunks, total)
}

async function digest(alg: DigestAlgorithm, data: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(HASHES[alg].name, bs(data)))
}

// A crypto provider that fails to hash: signing fails as a signer does, verification fails closed.
function digestForSigning(alg: DigestAlgorithm, data: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  return digest(alg, data, crypto).catch((cause: unknown) => {
    if (isAgentAuthError(cause)) throw cause
    throw new SignerError('ERR_SIGNER_FAILED', `the ${alg} digest could not be computed`, { cause })
  })
}

function digestForVerifying(alg: DigestAlgorithm, data: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  return digest(alg, data, crypto).catch((cause: unknown) => {
    if (isAgentAuthError(cause)) throw cause
    throw new VerificationError('ERR_DIGEST_MISMATCH', `the ${alg} digest of the content could not be computed`, { cause })
  })
}

function algorithmsOf(v: unknown): readonly DigestAlgorithm[] {
  if (v === undefined) return ['sha-256']
  if (!Array.isArray(v) || v.length === 0 || !v.every(isDigestAlgorithm) || new Set(v).size !== v.length) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.algorithms must be a non-empty list of distinct 'sha-256' / 'sha-512'")
  }
  return v
}

/**
 * Options of {@link createContentDigest}.
 *
 * @example
 * ```ts
 * import { createContentDigest } from 'agentauth/httpsig'
 * await createContentDigest(stream, { algorithms: ['sha-256', 'sha-512'], maxBytes: 65536 })
 * ```
 */
export interface CreateContentDigestOptions {
  /** Algorithms to include, in order. Default `['sha-256']`. */
  readonly algorithms?: readonly DigestAlgorithm[] | undefined
  /** Body size limit in bytes. Default 1 MiB. */
  readonly maxBytes?: number | undefined
  /** Web Crypto provider. */
  readonly crypto?: Crypto | undefined
}

/**
 * Computes a `Content-Digest` field value (RFC 9530 §2) over the content bytes as sent.
 *
 * @param body - the content (a stream is read to the end, up to `maxBytes`).
 * @param options - algorithms and size limit.
 * @returns e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`.
 * @throws VerificationError `ERR_BODY_TOO_LARGE`, `ERR_BODY_INCOMPLETE` (the stream errored);
 *   SignerError `ERR_SIGNER_FAILED` (the crypto provider could not hash); TypeError for bad options.
 *
 * @example
 * ```ts
 * import { createContentDigest } from 'agentauth/httpsig'
 * await createContentDigest('{"hello": "world"}') // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 * ```
 */
export async function createContentDigest(body: DigestBody, options?: CreateContentDigestOptions): Promise<string> {
  const algorithms = algorithmsOf(options?.algorithms)
  checkCrypto(options?.crypto)
  const crypto = options?.crypto ?? globalThis.crypto
  const data = await readBody(body, maxBytesOf(options?.maxBytes))
  let out = ''
  for (const alg of algorithms) out += (out === '' ? '' : ', ') + alg + '=:' + encodeBase64(await digestForSigning(alg, data, crypto)) + ':'
  return out
}

/**
 * Options of {@link verifyContentDigest}.
 *
 * @example
 * ```ts
 * import { verifyContentDigest } from 'agentauth/httpsig'
 * await verifyContentDigest(field, body, { require: ['sha-256'], maxBytes: 65536 })
 * ```
 */
export interface VerifyContentDigestOptions {
  /** Body size limit in bytes. Default 1 MiB. */
  readonly maxBytes?: number | undefined
  /** Algorithms that must be present (and match). Default: any one supported algorithm. */
  readonly require?: readonly DigestAlgorithm[] | undefined
  /** Field size limit in bytes. Default 4096. */
  readonly maxFieldBytes?: number | undefined
  /** Web Crypto provider. */
  readonly crypto?: Crypto | undefined
}

/**
 * Result of a Content-Digest check (frozen).
 *
 * @example
 * ```ts
 * import { verifyContentDigest } from 'agentauth/httpsig'
 * const { algorithms, bytes } = await verifyContentDigest(field, body)
 * ```
 */
export interface VerifiedContentDigest {
  /** Supported algorithms that were present and matched. */
  readonly algorithms: readonly DigestAlgorithm[]
  /** Size of the content in bytes. */
  readonly bytes: number
}

/**
 * Checks a `Content-Digest` field value against the content (RFC 9530 §2). Unknown algorithms are
 * ignored; at least one supported one (and every `require`d one) must be present; every supported
 * one present must match.
 *
 * @param fieldValue - the Content-Digest value (`null` when the field is absent).
 * @param body - the content as received.
 * @param options - limits and required algorithms.
 * @returns frozen `{ algorithms, bytes }`.
 * @throws VerificationError `ERR_DIGEST_MISSING` (absent, or no supported / required algorithm),
 *   `ERR_DIGEST_INVALID` (malformed), `ERR_DIGEST_MISMATCH` (also when the crypto provider cannot
 *   hash: fails closed), `ERR_BODY_TOO_LARGE`, `ERR_BODY_INCOMPLETE` (the body stream errored),
 *   `ERR_INPUT_TOO_LARGE` (field too long).
 *
 * @example
 * ```ts
 * import { verifyContentDigest } from 'agentauth/httpsig'
 * await verifyContentDigest(request.headers.get('content-digest'), await request.clone().arrayBuffer(), { require: ['sha-256'] })
 * ```
 */
export async function verifyContentDigest(fieldValue: string | null | undefined, body: DigestBody, options?: VerifyContentDigestOptions): Promise<VerifiedContentDigest> {
  const max = maxBytesOf(options?.maxBytes)
  const required = options?.require === undefined ? [] : algorithmsOf(options.require)
  checkCrypto(options?.crypto)
  const maxField = options?.maxFieldBytes ?? 4096
  assertNumber(maxField, 'options.maxFieldBytes', { integer: true, min: 1 })
  if (fieldValue === null || fieldValue === undefined) throw new VerificationError('ERR_DIGEST_MISSING', 'Content-Digest is missing')
  if (typeof fieldValue !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'fieldValue must be a string or null')
  if (fieldValue.length > maxField) throw new VerificationError('ERR_INPUT_TOO_LARGE', `Content-Digest exceeds ${maxField} bytes`)
  // RFC 8941 §4.2.7 leniency for the members this library ignores (another algorithm's digest
  // without padding must not fail the field); the digests checked stay canonical base64.
  const members = parseDictionaryStrict(fieldValue, { code: 'ERR_DIGEST_INVALID', what: 'Content-Digest', maxMembers: 16, lenientBase64: true })
  const expected: Array<[DigestAlgorithm, Uint8Array]> = []
  for (const [key, m] of members) {
    if (!isDigestAlgorithm(key)) continue
    if (m.type !== 'item' || !(m.value instanceof Uint8Array) || m.value.length !== HASHES[key].length || hasForgivenBytes(m)) {
      throw new VerificationError('ERR_DIGEST_INVALID', `Content-Digest ${key} is not a ${HASHES[key].length}-byte Byte Sequence`)
    }
    expected.push([key, m.value])
  }
  if (expected.length === 0) throw new VerificationError('ERR_DIGEST_MISSING', 'Content-Digest has no supported algorithm')
  for (const r of required) if (!expected.some((e) => e[0] === r)) throw new VerificationError('ERR_DIGEST_MISSING', `Content-Digest has no ${r} digest`)
  const data = await readBody(body, max)
  const crypto = options?.crypto ?? globalThis.crypto
  let ok = true
  for (const [alg, value] of expected) ok = timingSafeEqual(await digestForVerifying(alg, data, crypto), value) && ok
  if (!ok) throw new VerificationError('ERR_DIGEST_MISMATCH', 'Content-Digest does not match the content')
  return Object.freeze({ algorithms: Object.freeze(expected.map((e) => e[0])), bytes: data.length })
}

function isFetchMessage(m: object): m is Request | Response {
  return typeof (m as Request).clone === 'function' && typeof (m as Request).bodyUsed === 'boolean'
}

/** Internal (agentauth/server): the body to digest — a clone's stream for a fetch message, bounded by a declared length. */
export function messageBody(message: HTTPRequest | HTTPResponse, max: number): DigestBody {
  if (typeof message !== 'object' || message === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'message must be a Request, Response or plain message')
  if (isFetchMessage(message)) {
    // A body already read, or locked by a reader someone holds, cannot be cloned.
    if (message.bodyUsed || message.body?.locked === true) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the message body was already read')
    const declared = message.headers.get('content-length')
    if (declared !== null && /^\d+$/.test(declared) && Number(declared) > max) tooLarge(max)
    if (message.body === null) return null
    try {
      return message.clone().body
    } catch (cause) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the message body cannot be read from a clone', cause)
    }
  }
  return (message as { body?: DigestBody }).body
}

/**
 * Computes `Content-Digest` for a message's body, reading a clone of a `Request`/`Response` so the
 * original stays readable.
 *
 * @param message - a `Request`/`Response`, or a plain message with `body`.
 * @param options - as {@link createContentDigest}.
 * @returns the field value.
 * @throws VerificationError `ERR_BODY_TOO_LARGE`, `ERR_BODY_INCOMPLETE`; SignerError
 *   `ERR_SIGNER_FAILED` (the crypto provider could not hash); TypeError when the body was already consumed.
 *
 * @example
 * ```ts
 * import { createMessageContentDigest } from 'agentauth/httpsig'
 * request.headers.set('Content-Digest', await createMessageContentDigest(request))
 * ```
 */
export async function createMessageContentDigest(message: HTTPRequest | HTTPResponse, options?: CreateContentDigestOptions): Promise<string> {
  checkCrypto(options?.crypto)
  return createContentDigest(messageBody(message, maxBytesOf(options?.maxBytes)), options)
}

/**
 * Checks a message's `Content-Digest` against its body (read from a clone, bounded). A message
 * without a body and without the field passes with no algorithms; a body without the field fails.
 *
 * @param message - a `Request`/`Response`, or a plain message with `headers` and `body`.
 * @param options - as {@link verifyContentDigest}.
 * @returns frozen `{ algorithms, bytes }`.
 * @throws the errors of {@link verifyContentDigest}.
 *
 * @example
 * ```ts
 * import { verifyMessageContentDigest } from 'agentauth/httpsig'
 * await verifyMessageContentDigest(request, { maxBytes: 64 * 1024 })
 * ```
 */
export async function verifyMessageContentDigest(message: HTTPRequest | HTTPResponse, options?: VerifyContentDigestOptions): Promise<VerifiedContentDigest> {
  const max = maxBytesOf(options?.maxBytes)
  checkCrypto(options?.crypto)
  const body = messageBody(message, max)
  const field = combinedField(fieldSection(message.headers), 'content-digest')
  if (field === undefined && (body === null || body === undefined)) return Object.freeze({ algorithms: Object.freeze([]), bytes: 0 })
  return verifyContentDigest(field ?? null, body, options)
}

/**
 * One Want-Content-Digest preference (RFC 9530 §4).
 *
 * @example
 * ```ts
 * import { parseWantContentDigest } from 'agentauth/httpsig'
 * const best = [...parseWantContentDigest('sha-256=3, sha-512=10')].sort((a, b) => b.preference - a.preference)[0]
 * ```
 */
export interface WantContentDigestEntry {
  readonly algorithm: string
  /** 1 (least) to 10 (most preferred); 0 = not acceptable. */
  readonly preference: number
}

/**
 * Parses a `Want-Content-Digest` (or `Want-Repr-Digest`) value: algorithm → preference 0–10.
 *
 * @param value - the field value.
 * @returns frozen entries in field order (unknown algorithms included).
 * @throws VerificationError `ERR_DIGEST_INVALID` (malformed, preference not an Integer 0–10),
 *   `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * import { parseWantContentDigest } from 'agentauth/httpsig'
 * parseWantContentDigest('sha-256=10, sha-512=3') // [{ algorithm: 'sha-256', preference: 10 }, { algorithm: 'sha-512', preference: 3 }]
 * ```
 */
export function parseWantContentDigest(value: string): readonly WantContentDigestEntry[] {
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'value must be a string')
  if (value.length > 4096) throw new VerificationError('ERR_INPUT_TOO_LARGE', 'Want-Content-Digest exceeds 4096 bytes')
  const members = parseDictionaryStrict(value, { code: 'ERR_DIGEST_INVALID', what: 'Want-Content-Digest', maxMembers: 32 })
  return Object.freeze(members.map(([algorithm, m]) => {
    if (m.type !== 'item' || typeof m.value !== 'number' || m.text.includes('.') || m.value < 0 || m.value > 10 || m.params.length > 0) {
      throw new VerificationError('ERR_DIGEST_INVALID', `Want-Content-Digest ${algorithm} must be an Integer from 0 to 10`)
    }
    return Object.freeze({ algorithm, preference: m.value })
  }))
}

/**
 * Serialises `Want-Content-Digest` preferences.
 *
 * @param preferences - `{ 'sha-256': 10, 'sha-512': 3 }` or a list of entries.
 * @returns e.g. `sha-256=10, sha-512=3`.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for a bad algorithm key or preference.
 *
 * @example
 * ```ts
 * import { createWantContentDigest } from 'agentauth/httpsig'
 * createWantContentDigest({ 'sha-512': 10, 'sha-256': 5 }) // 'sha-512=10, sha-256=5'
 * ```
 */
export function createWantContentDigest(preferences: Readonly<Record<string, number>> | readonly WantContentDigestEntry[]): string {
  const entries: Array<[string, unknown]> = Array.isArray(preferences)
    ? (preferences as readonly WantContentDigestEntry[]).map((e) => [e.algorithm, e.preference])
    : Object.entries(preferences as Record<string, number>)
  if (entries.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'preferences must not be empty')
  const seen = new Set<string>()
  return entries.map(([alg, pref]) => {
    if (typeof alg !== 'string' || !SF_KEY.test(alg) || seen.has(alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `invalid or repeated algorithm key ${String(alg)}`)
    seen.add(alg)
    assertNumber(pref, `preference of ${alg}`, { integer: true, min: 0, max: 10 })
    return `${alg}=${pref}`
  }).join(', ')
}
