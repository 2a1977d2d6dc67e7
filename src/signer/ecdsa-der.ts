// ECDSA signature conversion between the DER `Ecdsa-Sig-Value` that KMS/HSM APIs and OpenSSL
// return (SEQUENCE { r INTEGER, s INTEGER }, SEC 1 / RFC 3279 §2.2.3) and the JOSE form
// (fixed-width big-endian r‖s, RFC 7518 §3.4). DER is parsed strictly (X.690 §10): definite
// minimal lengths, minimal non-negative INTEGERs, no trailing bytes.
import { SignerError, codedTypeError } from '../errors/index.js'

/**
 * ECDSA JOSE algorithms (r and s are 32, 48 and 66 bytes wide).
 *
 * @example
 * ```ts
 * import type { ECDSAAlgorithm } from 'agentauth/signer'
 * const alg: ECDSAAlgorithm = 'ES384'
 * ```
 */
export type ECDSAAlgorithm = 'ES256' | 'ES384' | 'ES512'

const WIDTH: Readonly<Record<ECDSAAlgorithm, number>> = Object.freeze({ ES256: 32, ES384: 48, ES512: 66 })

// The group order n of each curve (SEC 2 §2.4.2, §2.5.1, §2.6.1), big-endian at the JOSE width:
// r and s of a signature lie in [1, n − 1] (SEC 1 §4.1.3), anything else verifies nowhere.
const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16))
const ORDER: Readonly<Record<ECDSAAlgorithm, Uint8Array>> = Object.freeze({
  ES256: hexBytes('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  ES384: hexBytes('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
  ES512: hexBytes(`01ff${'ff'.repeat(28)}fffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409`),
})

/** Whether `value[offset..offset+n.length)` is below `n` (both big-endian, same width). */
function belowOrder(value: Uint8Array, offset: number, n: Uint8Array): boolean {
  for (let i = 0; i < n.length; i++) {
    const a = value[offset + i]!
    if (a !== n[i]) return a < n[i]!
  }
  return false
}

function widthOf(alg: unknown): number {
  if (typeof alg !== 'string' || !Object.hasOwn(WIDTH, alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'alg must be ES256, ES384 or ES512')
  return WIDTH[alg as ECDSAAlgorithm]
}

function fail(message: string): never {
  throw new SignerError('ERR_SIGNER_FAILED', `DER ECDSA signature: ${message}`)
}

/** Reads a DER length at `at`; returns [length, offset after the length]. */
function readLength(der: Uint8Array, at: number): [number, number] {
  if (at >= der.length) fail('truncated length')
  const first = der[at]!
  if (first < 0x80) return [first, at + 1]
  const count = first & 0x7f
  // Our sequences are < 2^16 bytes; 0x80 (indefinite) and 0xff (reserved) are invalid in DER.
  if (count === 0 || count > 2) fail('unsupported length form')
  if (at + 1 + count > der.length) fail('truncated length')
  let length = 0
  for (let i = 0; i < count; i++) length = (length << 8) | der[at + 1 + i]!
  if (length < 0x80 || (count === 2 && length < 0x100)) fail('length is not minimally encoded')
  return [length, at + 1 + count]
}

/** Reads one INTEGER at `at` into `out[offset..offset+width)`; returns the offset after it. */
function readInteger(der: Uint8Array, at: number, out: Uint8Array, offset: number, width: number): number {
  if (der[at] !== 0x02) fail('expected an INTEGER')
  const [length, start] = readLength(der, at + 1)
  const end = start + length
  if (length === 0 || end > der.length) fail('bad INTEGER length')
  let i = start
  if (der[i]! & 0x80) fail('negative INTEGER')
  if (der[i] === 0x00) {
    if (length === 1) fail('zero INTEGER')
    if (!(der[i + 1]! & 0x80)) fail('INTEGER is not minimally encoded')
    i++
  }
  const magnitude = end - i
  if (magnitude > width) fail('INTEGER is longer than the curve order')
  out.set(der.subarray(i, end), offset + width - magnitude)
  return end
}

/**
 * Converts a DER-encoded ECDSA signature (what AWS KMS, GCP KMS, Vault, PKCS#11 and OpenSSL
 * return) into the JOSE form that JWS and RFC 9421 use: `r‖s`, each left-padded to the curve
 * size (32, 48 or 66 bytes).
 *
 * @param der - the `Ecdsa-Sig-Value` DER bytes.
 * @param alg - `ES256`, `ES384` or `ES512`.
 * @returns the 64-, 96- or 132-byte JOSE signature.
 * @throws `SignerError` `ERR_SIGNER_FAILED` for anything that is not strict DER: trailing bytes,
 * non-minimal or inconsistent lengths, negative, zero or over-long integers, or an `r` or `s` not
 * below the curve order (SEC 1 §4.1.3: no verifier accepts such a signature);
 * TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a non-`Uint8Array` or another `alg`.
 *
 * @example
 * ```ts
 * import { derToJoseSignature } from 'agentauth/signer'
 * const der = await kms.sign({ keyId, message: digest }) // DER from your KMS
 * const signature = derToJoseSignature(der, 'ES256')     // 64 bytes r‖s
 * ```
 */
export function derToJoseSignature(der: Uint8Array, alg: ECDSAAlgorithm): Uint8Array {
  const width = widthOf(alg)
  if (!(der instanceof Uint8Array)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'der must be a Uint8Array')
  if (der[0] !== 0x30) fail('expected a SEQUENCE')
  const [length, start] = readLength(der, 1)
  if (start + length !== der.length) fail(start + length > der.length ? 'truncated SEQUENCE' : 'trailing bytes after the SEQUENCE')
  const out = new Uint8Array(width * 2)
  const afterR = readInteger(der, start, out, 0, width)
  const afterS = readInteger(der, afterR, out, width, width)
  if (afterS !== der.length) fail('unexpected bytes inside the SEQUENCE')
  const n = ORDER[alg]
  if (!belowOrder(out, 0, n) || !belowOrder(out, width, n)) fail('INTEGER is not below the curve order')
  return out
}

function encodeLength(length: number): number[] {
  return length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff]
}

function encodeInteger(bytes: Uint8Array): number[] {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  const body = Array.from(bytes.subarray(i))
  if (body[0]! & 0x80) body.unshift(0)
  return [0x02, ...encodeLength(body.length), ...body]
}

/**
 * Converts a JOSE-form ECDSA signature (`r‖s`) into DER, for APIs that verify or store DER
 * (X.509 tooling, `node:crypto` with `dsaEncoding: 'der'`). Inverse of {@link derToJoseSignature}.
 *
 * @param signature - the 64-, 96- or 132-byte JOSE signature.
 * @param alg - `ES256`, `ES384` or `ES512`.
 * @returns the DER `Ecdsa-Sig-Value`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a wrong type, length or `alg`.
 *
 * @example
 * ```ts
 * import { joseToDerSignature } from 'agentauth/signer'
 * const der = joseToDerSignature(await signer.sign(data), 'ES256')
 * ```
 */
export function joseToDerSignature(signature: Uint8Array, alg: ECDSAAlgorithm): Uint8Array {
  const width = widthOf(alg)
  if (!(signature instanceof Uint8Array)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'signature must be a Uint8Array')
  if (signature.length !== width * 2) throw codedTypeError('ERR_INVALID_ARG_VALUE', `an ${alg} signature is ${width * 2} bytes`)
  const body = [...encodeInteger(signature.subarray(0, width)), ...encodeInteger(signature.subarray(width))]
  return Uint8Array.from([0x30, ...encodeLength(body.length), ...body])
}
