import { decodeStrict } from '../internal/base64url.js'
import { decodeUtf8Strict } from '../internal/bytes.js'
import { isPlainObject } from '../internal/json.js'
import { typMatches } from '../internal/jws.js'
import { TXN_TOKEN_TYP } from './constants.js'

/**
 * Whether a string looks like a Txn-Token: a compact JWS whose protected header says `typ`
 * `txntoken+jwt`. **Unverified** — a header peek for routing and refusals, never for trust.
 *
 * Token endpoints use it to keep flows from going in circles: the access-token exchange must not
 * accept a Txn-Token as a subject or actor token (a Txn-Token is neither an access token nor an
 * authentication credential, draft §13.11–13.12), and the Txn-Token Service refuses one presented
 * under any subject token type other than `txn_token`.
 *
 * @param token - any string.
 * @returns `true` when the header decodes and its `typ` is `txntoken+jwt`.
 *
 * @example
 * ```ts
 * import { isTxnToken } from 'agentauth/txn-token'
 * if (isTxnToken(form.get('subject_token') ?? '')) return refuse('a Txn-Token cannot be exchanged for an access token')
 * ```
 */
export function isTxnToken(token: string): boolean {
  if (typeof token !== 'string' || token.length > 65_536) return false
  const dot = token.indexOf('.')
  // No separate header cap: a header with an x5c chain runs past 4 KiB, and a Txn-Token missed here
  // would reach the subject-token verifiers of other token types.
  if (dot <= 0) return false
  try {
    const header: unknown = JSON.parse(decodeUtf8Strict(decodeStrict(token.slice(0, dot))))
    return isPlainObject(header) && typMatches(header.typ, TXN_TOKEN_TYP)
  } catch {
    return false
  }
}
