// Certificate input forms → DER byte arrays, with size limits before any decoding: concatenated
// DER, PEM text (RFC 7468 CERTIFICATE blocks; other text outside blocks ignored, other block types
// rejected), standard base64 (JWK x5c, RFC 7517 §4.7), or a list of those.
import { decodeStrict } from '../internal/base64url.js'
import { splitSequences, DERError } from './der.js'

/** Largest single certificate accepted (DER bytes). */
export const MAX_CERTIFICATE_BYTES: number = 64 * 1024
/** Largest input accepted in one call (DER bytes or PEM characters). */
export const MAX_INPUT_BYTES: number = 512 * 1024

/** Input that is not certificates; the message is the reason. */
export class InputProblem extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Strict standard base64 (canonical, padded or not) → bytes. */
export function decodeBase64(input: string, what: string): Uint8Array {
  if (!BASE64.test(input)) throw new InputProblem(`${what} is not base64`)
  const unpadded = input.replace(/=+$/, '')
  if (input.length !== unpadded.length && input.length % 4 !== 0) throw new InputProblem(`${what} has wrong base64 padding`)
  try {
    return decodeStrict(unpadded.replaceAll('+', '-').replaceAll('/', '_'), what)
  } catch (cause) {
    throw new InputProblem(`${what} is not canonical base64`, { cause })
  }
}

function fromPEM(text: string): Uint8Array[] {
  const out: Uint8Array[] = []
  let blocks = 0
  for (const m of text.matchAll(PEM_BLOCK)) {
    const [, begin, body, end] = m
    if (begin !== end) throw new InputProblem(`PEM block BEGIN ${begin} ends with END ${end}`)
    if (begin !== 'CERTIFICATE') throw new InputProblem(`PEM holds a ${begin} block, only CERTIFICATE blocks are accepted`)
    blocks++
    const ders = fromDER(decodeBase64(body!.replace(/[ \t\r\n]+/g, ''), 'PEM CERTIFICATE body'))
    if (ders.length !== 1) throw new InputProblem('a PEM CERTIFICATE block holds more than one certificate')
    out.push(ders[0]!)
  }
  if (out.length === 0) throw new InputProblem('PEM text holds no CERTIFICATE block')
  // A BEGIN line without a matching END would otherwise pass as ignorable text.
  if (text.split('-----BEGIN ').length - 1 !== blocks) throw new InputProblem('PEM text has an unterminated block')
  return out
}

function fromDER(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0) throw new InputProblem('certificate bytes are empty')
  let certs: Uint8Array[]
  try {
    certs = splitSequences(bytes)
  } catch (cause) {
    throw new InputProblem(`certificate bytes are not DER (${cause instanceof DERError ? cause.message : 'malformed'})`, { cause })
  }
  for (const c of certs) if (c.length > MAX_CERTIFICATE_BYTES) throw new InputProblem(`a certificate exceeds ${MAX_CERTIFICATE_BYTES} bytes`)
  return certs
}

function one(item: unknown): Uint8Array[] {
  if (typeof item === 'string') {
    if (item.length > MAX_INPUT_BYTES) throw new InputProblem(`certificate input exceeds ${MAX_INPUT_BYTES} characters`)
    return fromPEM(item)
  }
  if (item instanceof Uint8Array) {
    if (item.byteLength > MAX_INPUT_BYTES) throw new InputProblem(`certificate input exceeds ${MAX_INPUT_BYTES} bytes`)
    return fromDER(item)
  }
  throw new InputProblem('certificates must be DER bytes (Uint8Array) or PEM text')
}

/**
 * Decodes certificate input into DER byte arrays (views into the input; callers copy). At most
 * `maxCount` certificates.
 */
export function decodeCertificates(input: unknown, maxCount: number): Uint8Array[] {
  const items = Array.isArray(input) ? input : [input]
  if (items.length > maxCount) throw new InputProblem(`more than ${maxCount} certificates`)
  const out: Uint8Array[] = []
  let total = 0
  for (const item of items) {
    for (const der of one(item)) {
      total += der.length
      out.push(der)
      if (out.length > maxCount) throw new InputProblem(`more than ${maxCount} certificates`)
      if (total > MAX_INPUT_BYTES) throw new InputProblem(`certificate input exceeds ${MAX_INPUT_BYTES} bytes`)
    }
  }
  if (out.length === 0) throw new InputProblem('no certificate given')
  return out
}
