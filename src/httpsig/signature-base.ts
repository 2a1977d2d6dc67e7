// The signature base (RFC 9421 §2.5): one line per covered component, then the
// "@signature-params" line without a trailing LF. Built by string concatenation.
import { serializeParameters, Token, type BareItem as SHBareItem } from 'structured-headers'
import { codedTypeError } from '../errors/index.js'
import { assertUnique, componentFromInput, type Component } from './components.js'
import { componentValue, type StructuredMemo, type ValueContext } from './component-values.js'
import { requestView, responseView, type MessageView } from './message.js'
import { checkStructuredFields } from './option-checks.js'
import type { ComponentInput, HTTPRequest, HTTPResponse, ParameterValue, SignatureParameters, StructuredFieldType } from './types.js'

/** Builds the base from validated components and the serialised `@signature-params` value. */
export function buildSignatureBase(view: MessageView, components: readonly Component[], signatureParams: string, ctx: ValueContext): string {
  // Structured parses are shared between the components of this base only (see StructuredMemo).
  let memo: StructuredMemo | undefined
  for (const c of components) if (c.sf || c.key !== undefined) memo ??= new Map()
  let base = ''
  for (const c of components) base += c.id + ': ' + componentValue(view, c, ctx, memo) + '\n'
  return base + '"@signature-params": ' + signatureParams
}

/** Serialises the inner list of component ids and the given parameters (caller input; TypeError on bad values). */
export function serialiseSignatureParams(components: readonly Component[], params: ReadonlyArray<readonly [string, ParameterValue]>): string {
  let out = '('
  for (let i = 0; i < components.length; i++) out += (i === 0 ? '' : ' ') + components[i]!.id
  out += ')'
  if (params.length === 0) return out
  // structured-headers writes NaN and Infinity as such: never a valid Integer or Decimal.
  for (const [k, v] of params) {
    if (typeof v !== 'number') continue
    if (!Number.isFinite(v)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `signature parameter "${k}" must be a finite number`)
    // A Decimal has at most three fractional digits (RFC 8941 §3.3.2); structured-headers rounds
    // 0.0001 or 1.9999 to the invalid "0." / "2." that no parser (ours included) accepts.
    if (!Number.isInteger(v) && Math.round(v * 1000) / 1000 !== v) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `signature parameter "${k}" must be an integer or a decimal with at most three fractional digits`)
    }
  }
  try {
    return out + serializeParameters(new Map(params as Array<[string, SHBareItem]>))
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'a signature parameter cannot be serialised as a structured field', cause)
  }
}

const INTEGER_PARAMS = new Set(['created', 'expires'])
const STRING_PARAMS = new Set(['nonce', 'alg', 'keyid', 'tag'])

// The types a verifier accepts (§2.3, as parseSignatureInput reads them): a Date (an RFC 9651 Date
// item), a negative created or a numeric keyid would give a base that no verifier can rebuild.
function checkParameter(k: string, v: unknown): ParameterValue {
  if (INTEGER_PARAMS.has(k)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `signature parameter "${k}" must be a non-negative integer`)
  } else if (STRING_PARAMS.has(k)) {
    if (typeof v !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `signature parameter "${k}" must be a string`)
  } else if (!(typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || v instanceof Uint8Array || v instanceof Token)) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `signature parameter "${k}" must be a string, number, boolean, Uint8Array or Token`)
  }
  return v as ParameterValue
}

/** True when the message looks like a response (has a numeric status and no method). */
export function isResponseMessage(m: HTTPRequest | HTTPResponse): m is HTTPResponse {
  return typeof (m as HTTPResponse).status === 'number' && typeof (m as HTTPRequest).method !== 'string'
}

/**
 * Options of {@link createSignatureBase}.
 *
 * @example
 * ```ts
 * import { createSignatureBase } from 'agentauth/httpsig'
 * createSignatureBase(response, ['@status', '"@method";req'], { created: 1 }, { request })
 * ```
 */
export interface SignatureBaseOptions {
  /** Related request, when `message` is a response with `;req` components. */
  readonly request?: HTTPRequest | undefined
  /** Field types for `;sf`/`;key` on fields this library does not know. */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>> | undefined
}

/**
 * Creates the RFC 9421 §2.5 signature base of a message — the exact text that is signed — for
 * debugging and tests. Parameters are serialised in the order of the object's keys.
 *
 * @param message - a `Request`/`Response` or plain `{ method, url, headers }` / `{ status, headers }`.
 * @param components - covered components, in order.
 * @param params - signature parameters (`created`, `keyid`, extension parameters …) in order.
 * @param options - related request and structured-field types.
 * @returns the signature base (no trailing newline).
 * @throws VerificationError `ERR_HTTPSIG_COMPONENT_MISSING` when a covered component is absent,
 *   `ERR_HTTPSIG_COMPONENT_INVALID` when it cannot be serialised, `ERR_INPUT_TOO_LARGE` when a
 *   covered `;sf` / `;key` field has more than 1,024 members; TypeError `ERR_INVALID_ARG_VALUE` / `ERR_INVALID_ARG_TYPE`
 *   for bad components, parameters (NaN, Infinity, a Date, a negative or fractional `created` /
 *   `expires`, a `keyid` / `nonce` / `alg` / `tag` that is not a string) or options.
 *
 * @example
 * ```ts
 * import { createSignatureBase } from 'agentauth/httpsig'
 * const base = createSignatureBase(
 *   { method: 'POST', url: 'https://example.com/foo?param=Value&Pet=dog', headers: { date: 'Tue, 20 Apr 2021 02:07:55 GMT' } },
 *   ['date', '@method', '@path', '@authority'],
 *   { created: 1618884473, keyid: 'test-key-ed25519' },
 * )
 * // "date": Tue, 20 Apr 2021 02:07:55 GMT\n"@method": POST\n…\n"@signature-params": ("date" …);created=1618884473;keyid="test-key-ed25519"
 * ```
 */
export function createSignatureBase(
  message: HTTPRequest | HTTPResponse,
  components: readonly ComponentInput[],
  params: SignatureParameters,
  options?: SignatureBaseOptions,
): string {
  if (!Array.isArray(components)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'components must be an array')
  checkStructuredFields(options?.structuredFields)
  const comps = components.map(componentFromInput)
  assertUnique(comps, true)
  const list: Array<readonly [string, ParameterValue]> = []
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined) list.push([k, checkParameter(k, v)])
  const view = isResponseMessage(message) ? responseView(message, options?.request) : requestView(message)
  return buildSignatureBase(view, comps, serialiseSignatureParams(comps, list), { structuredFields: options?.structuredFields })
}
