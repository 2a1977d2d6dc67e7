import { SignerError, codedTypeError, isAgentAuthError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { encode } from '../internal/base64url.js'
import { ascii, utf8 } from '../internal/bytes.js'
import { jsonHasLoneSurrogate } from '../internal/json.js'
import { algorithmInfo } from './algorithms.js'
import type { SignOptions, Signer } from './types.js'

/**
 * JOSE protected header of a JWS created by agentauth. `alg` (and `kid` if the signer has one) are
 * set from the signer.
 *
 * @example
 * ```ts
 * import type { JWSHeaderParameters } from 'agentauth/signer'
 * const header: JWSHeaderParameters = { typ: 'wit+jwt' }
 * ```
 */
export interface JWSHeaderParameters {
  typ?: string
  kid?: string
  [name: string]: unknown
}

/**
 * Assembles a compact JWS (RFC 7515 §7.1) around any {@link Signer}: base64url(header) "."
 * base64url(payload) is handed to `signer.sign`, whose JOSE-form signature is appended. The key can
 * live in a KMS, an HSM or another process.
 *
 * @param header - protected header; `alg` always comes from the signer, `kid` from the signer unless given.
 * @param payload - a JSON object (serialised with `JSON.stringify`) or pre-encoded bytes.
 * @returns the compact serialisation `header.payload.signature`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `header` is not an object, `payload` neither an
 * object nor a `Uint8Array` (an array, a string or `null` is no JWT claims set), or `signer` has no
 * `sign` function; `ERR_INVALID_ARG_VALUE` when the header tries to set `alg` to something else,
 * the signer's `alg` is not a supported asymmetric algorithm, or a header or payload key or string
 * holds a lone surrogate (every agentauth verifier refuses those), or the header or payload cannot
 * be serialised as JSON (a BigInt, a cycle); `SignerError` `ERR_SIGNER_FAILED` when
 * the signer returns something other than a non-empty `Uint8Array` of its algorithm's JOSE length
 * (e.g. a DER-encoded ECDSA signature, or an `ArrayBuffer`) or throws an error of its own (kept as
 * `cause`) or is still pending when `options.signal` aborts (the signal's reason as `cause`); an
 * agentauth error or coded `TypeError` the signer throws is passed on unchanged.
 *
 * @example
 * ```ts
 * import { createCompactJWS, generateSigner } from 'agentauth/signer'
 * const signer = await generateSigner('ES256')
 * const jwt = await createCompactJWS({ typ: 'JWT' }, { sub: 'spiffe://example.org/agent' }, signer)
 * ```
 */
export async function createCompactJWS(
  header: JWSHeaderParameters,
  payload: Record<string, unknown> | Uint8Array,
  signer: Signer,
  options?: SignOptions,
): Promise<string> {
  // Bad arguments are coded TypeErrors, never a crash on null or a token whose payload is not a JSON
  // object (every JWT verifier refuses those).
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'header must be an object')
  if (!(payload instanceof Uint8Array) && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'payload must be a JSON object or a Uint8Array')
  }
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'signer must be a Signer')
  const info = algorithmInfo(signer.alg)
  if (header.alg !== undefined && header.alg !== signer.alg) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'header.alg must match the signer algorithm')
  }
  const full: Record<string, unknown> = { alg: signer.alg }
  if (signer.kid !== undefined) full.kid = signer.kid
  for (const [k, v] of Object.entries(header)) if (v !== undefined) full[k] = v
  const headerJSON = serialise(full, 'header')
  const payloadJSON = payload instanceof Uint8Array ? undefined : serialise(payload, 'payload')
  // Every agentauth verifier refuses a lone surrogate (not Unicode, I-JSON §2.1): never mint one.
  if (jsonHasLoneSurrogate(headerJSON) || (payloadJSON !== undefined && jsonHasLoneSurrogate(payloadJSON))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the JWS header or payload holds a string that is not well-formed Unicode (a lone surrogate)')
  }
  const h = encode(utf8(headerJSON))
  const p = encode(payloadJSON === undefined ? (payload as Uint8Array) : utf8(payloadJSON))
  const input = `${h}.${p}`
  let signature: unknown
  try {
    // A signer that ignores the signal (a hung KMS call, a custom signer) must not outlive it.
    signature = await untilAborted(signer.sign(ascii(input), options), options?.signal)
  } catch (cause) {
    // A KMS SDK, a socket or a custom signer failing with its own error is a signer failure (coded),
    // as for HTTP signatures; agentauth errors and coded TypeErrors keep their code.
    if (isAgentAuthError(cause) || (cause instanceof TypeError && typeof (cause as { code?: unknown }).code === 'string')) throw cause
    throw new SignerError('ERR_SIGNER_FAILED', `the ${info.alg} signer failed`, { cause })
  }
  // Any Signer (KMS, broker, your own) is held to the contract here, not only the built-in ones:
  // DER instead of r‖s, or an ArrayBuffer (encoded as an empty segment), makes a token nobody can verify.
  const bytes = isUint8Array(signature) ? signature : undefined
  if (bytes === undefined || bytes.length === 0 || (info.signatureLength !== undefined && bytes.length !== info.signatureLength)) {
    const what = bytes === undefined ? 'not a Uint8Array' : `${bytes.length} bytes`
    throw new SignerError('ERR_SIGNER_FAILED', `the ${info.alg} signer returned ${what}, not a JOSE-form signature${info.signatureLength === undefined ? '' : ` of ${info.signatureLength} bytes`}`)
  }
  return `${input}.${encode(bytes)}`
}

// JSON.stringify throws a plain TypeError for a BigInt or a cycle (and a RangeError when nested too
// deep): bad input is a coded TypeError, as documented.
function serialise(value: Record<string, unknown>, what: string): string {
  try {
    return JSON.stringify(value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `the JWS ${what} cannot be serialised as JSON`, cause)
  }
}

// Also a Uint8Array (or Buffer) from another realm.
function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]'
}
