import { TOKEN_TYPE } from '../token-exchange/token-types.js'

/**
 * The specification revision this module implements: draft-ietf-oauth-transaction-tokens, editor's
 * copy after -08 (heading for -09), commit dbdf43e of oauth-wg/oauth-transaction-tokens.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/txn-token'
 * console.log(`${SPEC.name} (${SPEC.revision})`)
 * ```
 */
export const SPEC: Readonly<{ name: string; revision: string; commit: string; url: string }> = Object.freeze({
  name: 'draft-ietf-oauth-transaction-tokens',
  revision: 'editor\'s copy after -08',
  commit: 'dbdf43eb0feb9d6ea27c0052819517ece67e0e50',
  url: 'https://github.com/oauth-wg/oauth-transaction-tokens',
})

/**
 * The HTTP header that carries exactly one Txn-Token (draft §12.1). `Authorization` is never used
 * for it.
 *
 * @example
 * ```ts
 * import { TXN_TOKEN_HEADER } from 'agentauth/txn-token'
 * const txnToken = request.headers.get(TXN_TOKEN_HEADER)
 * ```
 */
export const TXN_TOKEN_HEADER = 'Txn-Token'

/**
 * JOSE `typ` of a Txn-Token (draft §9.1). Verification also accepts `application/txntoken+jwt`.
 *
 * @example
 * ```ts
 * import { TXN_TOKEN_TYP } from 'agentauth/txn-token'
 * if (header.typ === TXN_TOKEN_TYP) console.log('a Txn-Token')
 * ```
 */
export const TXN_TOKEN_TYP = 'txntoken+jwt'

/**
 * Token type URIs of the Txn-Token profile of RFC 8693 (draft §11, §16.1): the issued token type
 * and the two subject token types the draft adds. Same values as `TOKEN_TYPE` of
 * `agentauth/token-exchange`.
 *
 * @example
 * ```ts
 * import { TXN_TOKEN_TYPES } from 'agentauth/txn-token'
 * const params = { subjectToken: selfSignedJwt, subjectTokenType: TXN_TOKEN_TYPES.SELF_SIGNED }
 * ```
 */
export const TXN_TOKEN_TYPES: Readonly<{
  readonly TXN_TOKEN: 'urn:ietf:params:oauth:token-type:txn_token'
  readonly SELF_SIGNED: 'urn:ietf:params:oauth:token-type:self_signed'
  readonly UNSIGNED_JSON: 'urn:ietf:params:oauth:token-type:unsigned_json'
}> = Object.freeze({
  /** A Transaction Token: requested type, and the subject type of a replacement request. */
  TXN_TOKEN: TOKEN_TYPE.TXN_TOKEN,
  /** A JWT signed by the requesting workload itself (§11.2.1). */
  SELF_SIGNED: TOKEN_TYPE.SELF_SIGNED,
  /** An unsigned JSON object naming the subject (§11.2.2). */
  UNSIGNED_JSON: TOKEN_TYPE.UNSIGNED_JSON,
})

/** Longest token accepted anywhere in this module (characters). */
export const MAX_TXN_TOKEN_BYTES: number = 16 * 1024
/** Default cap on `request_context` / `request_details` JSON (bytes). */
export const MAX_CONTEXT_BYTES: number = 8 * 1024
