/**
 * Workload Proof Tokens (draft-ietf-wimse-wpt): per-request proofs of possession of the key in a
 * Workload Identity Token. The caller mints a short-lived `wpt+jwt` with {@link createWPT} and sends
 * it in `Workload-Proof-Token` next to its WIT; the receiver reads both with
 * {@link parseWPTHeaders}, verifies the WIT (`agentauth/wit`) and then the proof with
 * {@link verifyWPT}, which checks the signature with the WIT's `cnf.jwk`, the audience, expiry,
 * the WIT / access-token / Txn-Token / other-token hashes and `jti` replay.
 *
 * A WPT does not protect the method, body or most headers (§3.3); use `agentauth/wimse-httpsig`
 * when those matter (see docs/proof-of-possession.md).
 *
 * @example
 * ```ts
 * import { createWPT, verifyWPT, parseWPTHeaders, WIT_HEADER, WPT_HEADER } from 'agentauth/wpt'
 *
 * // caller
 * const wpt = await createWPT({ wit, signer, uri: 'https://api.example.com/v1/orders' })
 * await fetch('https://api.example.com/v1/orders', { headers: { [WIT_HEADER]: wit, [WPT_HEADER]: wpt } })
 *
 * // receiver
 * const sent = parseWPTHeaders(request)
 * const proof = await verifyWPT(sent.wpt, { wit: await verifyWIT(sent.wit, witOptions), uri: request.url, audience: 'https://api.example.com', replayCache })
 * ```
 *
 * Reachable from `agentauth/wpt`.
 *
 * @module wpt
 */
export { createWPT } from './create.js'
export { verifyWPT } from './verify.js'
export { parseWPTHeaders, type ParseWPTHeadersOptions, type WPTRequestTokens } from './headers.js'
export { SPEC, TXN_TOKEN_HEADER, WIT_HEADER, WPT_HEADER, WPT_TYP, type WPTSpec } from './spec.js'
export type { CreateWPTOptions, VerifiedWPT, VerifyWPTOptions, WPTClaims, WPTHeader } from './types.js'
