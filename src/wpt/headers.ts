import { VerificationError, codedTypeError, type VerificationErrorCode } from '../errors/index.js'
import { assertStringArray, looseInstanceOf } from '../internal/assert.js'
import { FIELD_NAME, RESERVED_OTH } from './binding.js'
import { TXN_TOKEN_HEADER, WIT_HEADER, WPT_HEADER } from './spec.js'

const MAX_VALUE = 16_384
const AUTHORIZATION = /^(Bearer|DPoP)[ ]+([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * Tokens read from a request by {@link parseWPTHeaders}.
 *
 * @example
 * ```ts
 * import { parseWPTHeaders, type WPTRequestTokens } from 'agentauth/wpt'
 * const sent: WPTRequestTokens = parseWPTHeaders(request)
 * if (sent.accessToken !== undefined) console.log('an access token must be bound by ath')
 * ```
 */
export interface WPTRequestTokens {
  /** `Workload-Identity-Token` value. */
  readonly wit: string
  /** `Workload-Proof-Token` value. */
  readonly wpt: string
  /** The OAuth access token from `Authorization: Bearer|DPoP <token>`, if any. */
  readonly accessToken: string | undefined
  /** The `Txn-Token` value, if any. */
  readonly txnToken: string | undefined
  /** Values of the configured `otherTokenHeaders` that are present, keyed by lower-cased name. */
  readonly otherTokens: Readonly<Record<string, string>> | undefined
}

/**
 * Options of {@link parseWPTHeaders}.
 *
 * @example
 * ```ts
 * import { parseWPTHeaders, type ParseWPTHeadersOptions } from 'agentauth/wpt'
 * const options: ParseWPTHeadersOptions = { otherTokenHeaders: ['X-User-Assertion'] }
 * const { otherTokens } = parseWPTHeaders(request, options)
 * ```
 */
export interface ParseWPTHeadersOptions {
  /** Headers carrying other identity / authorization-context tokens that must be bound via `oth`. */
  otherTokenHeaders?: readonly string[]
}

function single(value: string | null, name: string, code: VerificationErrorCode, required: boolean): string | undefined {
  if (value === null || value === '') {
    if (required) throw new VerificationError(code, `missing ${name} header`)
    return undefined
  }
  if (value.length > MAX_VALUE) throw new VerificationError('ERR_INPUT_TOO_LARGE', `${name} header exceeds ${MAX_VALUE} bytes`)
  // Headers joins repeated fields with ", "; no token these headers carry contains a comma.
  if (value.includes(',')) throw new VerificationError(code, `more than one ${name} header`)
  return value
}

const OAUTH_SCHEME = /^(Bearer|DPoP)(\s|$)/i

/**
 * Internal (agentauth/server): the checks of {@link parseWPTHeaders} on field values already read
 * (each the combined value `Headers.get` returns, or null), without other token headers.
 */
export function readWPTTokens(wit: string | null, wpt: string | null, authorization: string | null, txnToken: string | null): { wit: string; wpt: string; accessToken: string | undefined; txnToken: string | undefined } {
  const w = single(wit, WIT_HEADER, 'ERR_WIT_MISSING', true)!
  const p = single(wpt, WPT_HEADER, 'ERR_WPT_MISSING', true)!
  // Only OAuth schemes carry an access token bound by ath; other schemes (Basic, Digest …) are
  // left alone, commas included.
  let accessToken: string | undefined
  if (authorization !== null && OAUTH_SCHEME.test(authorization)) {
    if (authorization.length > MAX_VALUE) throw new VerificationError('ERR_INPUT_TOO_LARGE', `Authorization header exceeds ${MAX_VALUE} bytes`)
    const m = AUTHORIZATION.exec(authorization)
    if (m === null) throw new VerificationError('ERR_HEADER_INVALID', 'malformed or repeated Authorization header')
    accessToken = m[2]
  }
  return { wit: w, wpt: p, accessToken, txnToken: single(txnToken, TXN_TOKEN_HEADER, 'ERR_HEADER_INVALID', false) }
}

/**
 * Reads the WIT, the WPT and the tokens the WPT must bind from a request, enforcing exactly one
 * `Workload-Identity-Token` and one `Workload-Proof-Token` field (draft-ietf-wimse-wpt §2 step 1):
 * repeated or comma-joined values are refused. Syntax only — nothing is verified here.
 *
 * The header names are the same in every WIMSE draft that defined them
 * (draft-ietf-wimse-s2s-protocol -00 … draft-ietf-wimse-wpt); only `typ` changed, see {@link SPEC}.
 *
 * @param input - a `Request` or its `Headers`.
 * @param options - see {@link ParseWPTHeadersOptions}.
 * @returns the frozen {@link WPTRequestTokens}.
 * @throws VerificationError `ERR_WIT_MISSING`, `ERR_WPT_MISSING` (absent, empty or repeated),
 *   `ERR_HEADER_INVALID` (repeated or malformed `Authorization`, `Txn-Token` or other token header),
 *   `ERR_INPUT_TOO_LARGE`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad arguments.
 *
 * @example
 * ```ts
 * import { parseWPTHeaders } from 'agentauth/wpt'
 * const { wit, wpt, accessToken, txnToken } = parseWPTHeaders(request)
 * ```
 */
export function parseWPTHeaders(input: Request | Headers, options?: ParseWPTHeadersOptions): WPTRequestTokens {
  let headers: Headers
  if (looseInstanceOf(input, Headers)) headers = input
  else if (looseInstanceOf(input, Request)) headers = input.headers
  else throw codedTypeError('ERR_INVALID_ARG_TYPE', 'input must be a Request or Headers')
  const extra = options?.otherTokenHeaders
  if (extra !== undefined) {
    assertStringArray(extra, 'options.otherTokenHeaders', { allowEmpty: true })
    for (const name of extra) {
      if (!FIELD_NAME.test(name) || RESERVED_OTH.has(name.toLowerCase())) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.otherTokenHeaders: "${name}" cannot be bound through oth`)
    }
  }
  const { wit, wpt, accessToken, txnToken } = readWPTTokens(headers.get(WIT_HEADER), headers.get(WPT_HEADER), headers.get('authorization'), headers.get(TXN_TOKEN_HEADER))
  let otherTokens: Record<string, string> | undefined
  if (extra !== undefined) {
    for (const name of extra) {
      const value = single(headers.get(name), name, 'ERR_HEADER_INVALID', false)
      if (value === undefined) continue
      otherTokens ??= Object.create(null) as Record<string, string>
      otherTokens[name.toLowerCase()] = value
    }
  }
  return Object.freeze({ wit, wpt, accessToken, txnToken, otherTokens: otherTokens === undefined ? undefined : Object.freeze(otherTokens) })
}
