// Parsing of the Signature-Input and Signature fields (RFC 9421 §4.1, §4.2) into typed, unverified
// forms. Strict: duplicate labels and parameters, odd base64 and RFC 9651-only types are refused
// (the verifiers require the chosen label in both fields, RFC 9421 §3.2 step 1.2).
import { codedTypeError, VerificationError } from '../errors/index.js'
import { assertNumber } from '../internal/assert.js'
import { assertUnique, componentFromItem, type Component } from './components.js'
import { hasForgivenBytes, parseDictionaryStrict, type BareItem, type SFInnerList, type SFMember } from './structured-fields.js'
import type { SignatureParameters } from './types.js'

/**
 * One member of Signature-Input, parsed but not verified.
 *
 * @example
 * ```ts
 * import { parseSignatureInput, type ParsedSignatureInput } from 'agentauth/httpsig'
 * const all: readonly ParsedSignatureInput[] = parseSignatureInput(request.headers.get('signature-input') ?? '')
 * ```
 */
export interface ParsedSignatureInput {
  readonly label: string
  /** Covered component identifiers as serialised. */
  readonly components: readonly string[]
  /** Signature parameters, typed (created/expires Integers; nonce/alg/keyid/tag Strings). */
  readonly params: SignatureParameters
  /** The `@signature-params` value: strict serialisation of the inner list and parameters. */
  readonly value: string
}

/**
 * One member of Signature, parsed but not verified.
 *
 * @example
 * ```ts
 * import { parseSignature, type ParsedSignature } from 'agentauth/httpsig'
 * const sigs: readonly ParsedSignature[] = parseSignature('sig1=:AQID:')
 * ```
 */
export interface ParsedSignature {
  readonly label: string
  readonly signature: Uint8Array
}

/**
 * Limits applied while parsing.
 *
 * @example
 * ```ts
 * import { parseSignatureInput } from 'agentauth/httpsig'
 * parseSignatureInput(value, { maxHeaderBytes: 4096, maxSignatures: 2, maxComponents: 16 })
 * ```
 */
export interface SignatureFieldLimits {
  /** Maximum field size in bytes. Default 8192. */
  readonly maxHeaderBytes?: number | undefined
  /** Maximum number of members. Default 8. */
  readonly maxSignatures?: number | undefined
  /** Maximum covered components per signature. Default 64. */
  readonly maxComponents?: number | undefined
}

export interface InternalInput extends ParsedSignatureInput {
  readonly covered: readonly Component[]
}

const INTEGER_PARAMS = new Set(['created', 'expires'])
const STRING_PARAMS = new Set(['nonce', 'alg', 'keyid', 'tag'])

function invalid(message: string, claim?: string): never {
  throw new VerificationError('ERR_HTTPSIG_INVALID', message, claim === undefined ? undefined : { claim })
}

/** Validates caller-given limits: NaN, Infinity, 0 or a string would turn a limit off or make it meaningless. */
function checkLimits(limits: SignatureFieldLimits | undefined): void {
  if (limits === undefined) return
  if (typeof limits !== 'object' || limits === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'limits must be an object')
  for (const name of ['maxHeaderBytes', 'maxSignatures', 'maxComponents'] as const) {
    const v = limits[name]
    if (v !== undefined) assertNumber(v, `limits.${name}`, { min: 1, integer: true })
  }
}

function checkSize(value: string, limits: SignatureFieldLimits | undefined, what: string): void {
  const max = limits?.maxHeaderBytes ?? 8192
  if (value.length > max) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${what} exceeds ${max} bytes`)
}

function toParams(list: SFInnerList): SignatureParameters {
  const out: Record<string, BareItem> = {}
  for (const [k, v, text] of list.params) {
    if (INTEGER_PARAMS.has(k)) {
      if (typeof v !== 'number' || text.includes('.') || v < 0) invalid(`signature parameter "${k}" must be a non-negative Integer`, k)
    } else if (STRING_PARAMS.has(k)) {
      if (typeof v !== 'string') invalid(`signature parameter "${k}" must be a String`, k)
    }
    out[k] = v
  }
  return Object.freeze(out) as SignatureParameters
}

// The fields are parsed with RFC 8941 §4.2.7's base64 leniency so that another party's member
// without padding cannot break the verification of ours; the member interpreted (toInternalInput,
// signatureBytes) is then held to canonical base64.

/** Internal: size check and strict Dictionary parse of Signature-Input (members not interpreted). */
export function parseInputMembers(value: string, limits?: SignatureFieldLimits): Array<readonly [string, SFMember]> {
  checkSize(value, limits, 'Signature-Input')
  return parseDictionaryStrict(value, { code: 'ERR_HTTPSIG_INVALID', what: 'Signature-Input', maxMembers: limits?.maxSignatures ?? 8, lenientBase64: true })
}

/** Internal: interprets one Signature-Input member (components validated, parameters typed). */
export function toInternalInput(label: string, m: SFMember, limits?: SignatureFieldLimits): InternalInput {
  if (m.type !== 'inner-list') invalid(`Signature-Input member "${label}" is not an inner list`)
  if (hasForgivenBytes(m)) invalid(`Signature-Input member "${label}" holds a byte sequence that is not canonical padded base64`)
  const maxComponents = limits?.maxComponents ?? 64
  if (m.items.length > maxComponents) throw new VerificationError('ERR_INPUT_TOO_LARGE', `signature "${label}" covers more than ${maxComponents} components`)
  const covered = m.items.map(componentFromItem)
  assertUnique(covered, false)
  return { label, covered, components: Object.freeze(covered.map((c) => c.id)), params: toParams(m), value: m.text }
}

/** Internal: the `tag` parameter of a member, when it is a String. */
export function memberTag(m: SFMember): string | undefined {
  const p = m.params.find((e) => e[0] === 'tag')
  return p !== undefined && typeof p[1] === 'string' ? p[1] : undefined
}

/** Internal: parses Signature-Input with every member interpreted. */
export function parseInputInternal(value: string, limits?: SignatureFieldLimits): InternalInput[] {
  return parseInputMembers(value, limits).map(([label, m]) => toInternalInput(label, m, limits))
}

/** Internal: size check and strict Dictionary parse of Signature (members not interpreted). */
export function parseSignatureMembers(value: string, limits?: SignatureFieldLimits): Array<readonly [string, SFMember]> {
  checkSize(value, limits, 'Signature')
  return parseDictionaryStrict(value, { code: 'ERR_HTTPSIG_INVALID', what: 'Signature', maxMembers: limits?.maxSignatures ?? 8, lenientBase64: true })
}

/** Internal: the signature bytes of one Signature member. */
export function signatureBytes(label: string, m: SFMember): Uint8Array {
  if (m.type !== 'item' || !(m.value instanceof Uint8Array)) invalid(`Signature member "${label}" is not a Byte Sequence`)
  if (hasForgivenBytes(m)) invalid(`Signature member "${label}" is not canonical padded base64`)
  return m.value as Uint8Array
}

/** Internal: parses the Signature field. */
export function parseSignatureInternal(value: string, limits?: SignatureFieldLimits): ParsedSignature[] {
  return parseSignatureMembers(value, limits).map(([label, m]) => ({ label, signature: signatureBytes(label, m) }))
}

/**
 * Parses a `Signature-Input` field value (RFC 9421 §4.1) into typed members — syntax and types
 * only, nothing is verified.
 *
 * @param value - the field value (several field lines joined with ", ").
 * @param limits - size limits.
 * @returns frozen members in field order.
 * @throws VerificationError `ERR_HTTPSIG_INVALID` (malformed, duplicate label or parameter, wrong
 *   parameter type), `ERR_HTTPSIG_COMPONENT_INVALID` (bad or duplicate component identifier),
 *   `ERR_INPUT_TOO_LARGE` (limits); TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a
 *   limit that is not a positive integer.
 *
 * @example
 * ```ts
 * import { parseSignatureInput } from 'agentauth/httpsig'
 * const [sig] = parseSignatureInput('sig1=("@method" "@authority");created=1618884473;keyid="k1"')
 * sig.components // ['"@method"', '"@authority"']
 * sig.params.created // 1618884473
 * ```
 */
export function parseSignatureInput(value: string, limits?: SignatureFieldLimits): readonly ParsedSignatureInput[] {
  if (typeof value !== 'string') invalid('Signature-Input must be a string')
  checkLimits(limits)
  return Object.freeze(parseInputInternal(value, limits).map(({ label, components, params, value: v }) => Object.freeze({ label, components, params, value: v })))
}

/**
 * Parses a `Signature` field value (RFC 9421 §4.2): label → signature bytes. Nothing is verified.
 *
 * @param value - the field value.
 * @param limits - size limits.
 * @returns frozen members in field order.
 * @throws VerificationError `ERR_HTTPSIG_INVALID` (malformed, duplicate label, not a Byte Sequence,
 *   non-canonical base64), `ERR_INPUT_TOO_LARGE`; TypeError `ERR_INVALID_ARG_TYPE` /
 *   `ERR_INVALID_ARG_VALUE` for a limit that is not a positive integer.
 *
 * @example
 * ```ts
 * import { parseSignature } from 'agentauth/httpsig'
 * const [sig] = parseSignature('sig1=:dGVzdA==:')
 * sig.signature // Uint8Array [116, 101, 115, 116]
 * ```
 */
export function parseSignature(value: string, limits?: SignatureFieldLimits): readonly ParsedSignature[] {
  if (typeof value !== 'string') invalid('Signature must be a string')
  checkLimits(limits)
  return Object.freeze(parseSignatureInternal(value, limits).map((s) => Object.freeze(s)))
}
