// Typed reading of Txn-Token claims (draft §9.2) from a verified payload, shared by the verifier
// and the service's replacement path. Older claim names: `purp` → `scope` (renamed in -07) and
// `azd` → `tctx`; they are read only when the current name is absent.
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'
import { parseScope } from '../internal/oauth-scope.js'
import type { TxnContext } from './types.js'

/** Deepest nesting accepted in `tctx` / `rctx` (objects and arrays). */
export const MAX_CONTEXT_DEPTH = 32
/** Most entries accepted in `req_wl_chain`. */
export const MAX_CHAIN = 32
const CHALLENGE = Object.freeze({ error: 'invalid_token' })
/** Longest `txn`, `sub`, `req_wl` (and `req_wl_chain` entry) accepted, in characters. */
export const MAX_ID = 1024

/**
 * Checks a context object (nesting depth, JSON types only) and deep-freezes it. Iterative, so
 * hostile nesting cannot exhaust the stack. Returns undefined when the value is not acceptable.
 */
export function freezeContext(value: unknown): TxnContext | undefined {
  if (!isPlainObject(value)) return undefined
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined
      continue
    }
    if (depth > MAX_CONTEXT_DEPTH) return undefined
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1])
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) stack.push([v[k], depth + 1])
    } else {
      return undefined
    }
    Object.freeze(v)
  }
  return value
}

/**
 * Whether `text` takes more than `maxBytes` bytes as UTF-8. Counts only when the length in UTF-16
 * code units cannot decide it (a code unit is 1 to 3 bytes; a surrogate pair is 4 bytes).
 */
export function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true
  if (text.length * 3 <= maxBytes) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3
  }
  return bytes > maxBytes
}

/** Structural equality of two JSON values (used to keep replacement context immutable). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (!Object.hasOwn(b, k) || !jsonEqual((a as JSONObject)[k], (b as JSONObject)[k])) return false
  return true
}

function bad(code: VerificationErrorCode, claim: string, message: string): VerificationError {
  return new VerificationError(code, `Txn-Token ${message}`, { claim, status: 401, challenge: CHALLENGE })
}

function identifier(payload: JSONObject, name: string, code: VerificationErrorCode): string {
  const v = payload[name]
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID) throw bad(code, name, `"${name}" claim must be a non-empty string`)
  return v
}

export interface TxnClaimFields {
  readonly txn: string
  readonly subject: string
  readonly scopes: readonly string[]
  readonly tctx: TxnContext | undefined
  readonly rctx: TxnContext | undefined
  readonly requestingWorkload: string
  readonly requesterChain: readonly string[]
  readonly legacyClaims: boolean
}

/**
 * Reads the Txn-Token specific claims of an already signature-checked payload: `txn`, `sub`,
 * `req_wl` (strings), `scope` (or `purp`), `tctx` (or `azd`), `rctx`, `req_wl_chain`.
 */
export function readTxnClaims(payload: JSONObject, code: VerificationErrorCode = 'ERR_TXN_TOKEN_INVALID'): TxnClaimFields {
  const txn = identifier(payload, 'txn', code)
  const subject = identifier(payload, 'sub', code)
  const requestingWorkload = identifier(payload, 'req_wl', code)
  let legacy = false
  let scopeName = 'scope'
  if (!Object.hasOwn(payload, 'scope') && Object.hasOwn(payload, 'purp')) {
    scopeName = 'purp'
    legacy = true
  }
  const rawScope = payload[scopeName]
  if (rawScope === undefined) throw bad(code, 'scope', 'is missing the "scope" claim')
  const scopes = typeof rawScope === 'string' ? parseScope(rawScope) : undefined
  if (scopes === undefined || scopes.length === 0) throw bad(code, scopeName, `"${scopeName}" claim must be a non-empty scope string`)
  let tctxName = 'tctx'
  if (!Object.hasOwn(payload, 'tctx') && Object.hasOwn(payload, 'azd')) {
    tctxName = 'azd'
    legacy = true
  }
  let tctx: TxnContext | undefined
  if (Object.hasOwn(payload, tctxName)) {
    tctx = freezeContext(payload[tctxName])
    if (tctx === undefined) throw bad(code, tctxName, `"${tctxName}" claim must be a JSON object (at most ${MAX_CONTEXT_DEPTH} levels deep)`)
  }
  let rctx: TxnContext | undefined
  if (Object.hasOwn(payload, 'rctx')) {
    rctx = freezeContext(payload.rctx)
    if (rctx === undefined) throw bad(code, 'rctx', `"rctx" claim must be a JSON object (at most ${MAX_CONTEXT_DEPTH} levels deep)`)
  }
  let chain: string[] = []
  if (Object.hasOwn(payload, 'req_wl_chain')) {
    const v = payload.req_wl_chain
    if (!Array.isArray(v) || v.length > MAX_CHAIN || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= MAX_ID)) {
      throw bad(code, 'req_wl_chain', `"req_wl_chain" claim must be an array of at most ${MAX_CHAIN} strings`)
    }
    chain = [...(v as string[])]
  }
  chain.push(requestingWorkload)
  return {
    txn,
    subject,
    scopes: Object.freeze(scopes),
    tctx,
    rctx,
    requestingWorkload,
    requesterChain: Object.freeze(chain),
    legacyClaims: legacy,
  }
}
