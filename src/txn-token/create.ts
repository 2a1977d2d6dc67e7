import { codedTypeError } from '../errors/index.js'
import { assertString, optionalNumber } from '../internal/assert.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { scopeOption } from '../internal/oauth-scope.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { createCompactJWS } from '../signer/jws.js'
import type { Signer } from '../signer/types.js'
import { freezeContext, MAX_CHAIN, MAX_CONTEXT_DEPTH, MAX_ID } from './claims.js'
import { TXN_TOKEN_TYP } from './constants.js'

/**
 * Claims given to {@link createTxnToken}. `iat`, `exp` and `aud` are set by the minter.
 *
 * @example
 * ```ts
 * const claims: CreateTxnTokenClaims = { sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway', tctx: { action: 'BUY' } }
 * ```
 */
export interface CreateTxnTokenClaims {
  /** The principal of the transaction. */
  sub: string
  /** The purpose: scope tokens as a space-delimited string or a list (at least one). */
  scope: string | readonly string[]
  /** The workload that requested the token. */
  req_wl: string
  /** Transaction id; a random UUID when omitted. A replacement keeps the original one. */
  txn?: string
  /** Transaction context (immutable through the call chain). */
  tctx?: Readonly<Record<string, unknown>>
  /** Request context (environment of the original request). */
  rctx?: Readonly<Record<string, unknown>>
  /** Requesters of the tokens this one replaces, oldest first (agentauth extension). */
  req_wl_chain?: readonly string[]
  /** Further claims (e.g. `iss`). */
  [name: string]: unknown
}

/**
 * Options of {@link createTxnToken}.
 *
 * @example
 * ```ts
 * const options: CreateTxnTokenOptions = { signer: ttsSigner, trustDomain: 'bank.example', lifetime: 120 }
 * ```
 */
export interface CreateTxnTokenOptions {
  /** The Txn-Token Service key (a KMS, HSM or in-process signer). */
  signer: Signer
  /** The trust domain the token is valid in; becomes `aud`. */
  trustDomain: string
  /** Lifetime in seconds (default 300, at most 3600: Txn-Tokens live minutes, §6). */
  lifetime?: number
  /** Latest acceptable `exp` (epoch seconds), e.g. the replaced token's. */
  notAfter?: number
  clock?: Clock
}

const SET_BY_MINTER = ['iat', 'exp', 'aud', 'nbf']

function checkCreateOptions(options: CreateTxnTokenOptions): number {
  checkObject(options, 'options')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.signer.sign, 'options.signer.sign')
  assertString(options.trustDomain, 'options.trustDomain')
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  optionalNumber(options.notAfter, 'options.notAfter', 0, { min: 0 })
  return optionalNumber(options.lifetime, 'options.lifetime', 300, { min: 1, max: 3600, integer: true })
}

// Verifiers refuse longer identifiers: never mint a token nobody accepts.
function identifierLength(value: string, name: string): void {
  if (value.length > MAX_ID) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be at most ${MAX_ID} characters`)
}

function contextOption(value: unknown, name: string): Readonly<Record<string, unknown>> {
  // Round-trip through JSON so the signed value is exactly what verifiers will read back.
  let copy: unknown
  try {
    copy = JSON.parse(JSON.stringify(value))
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.${name} must be JSON-serialisable`, cause)
  }
  const frozen = freezeContext(copy)
  if (frozen === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.${name} must be a plain JSON object at most ${MAX_CONTEXT_DEPTH} levels deep`)
  return frozen
}

/**
 * Mints a Txn-Token (draft §9): `typ` `txntoken+jwt`, `kid` from the signer, and the claims `iat`,
 * `exp` (short: default 5 minutes), `aud` = the trust domain, `txn` (random UUID unless given),
 * `sub`, `scope`, `req_wl`, optional `tctx`, `rctx`, `iss`. Used by `createTxnTokenService`;
 * call it directly when the Txn-Token Service is in-process (a "local interface", §5.1).
 *
 * It never copies an inbound access token into the token (§13.4): pass only the context you mean
 * to assert.
 *
 * @param claims - see {@link CreateTxnTokenClaims}.
 * @param options - `signer`, `trustDomain`, `lifetime`, `notAfter`, `clock`.
 * @returns the compact JWS.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad claims or options
 *   (missing `sub`/`scope`/`req_wl`, a `sub`/`req_wl`/`txn` over 1024 characters, an `iss`/`jti`
 *   that is not a non-empty string, `aud`/`iat`/`exp` given, a lifetime over 3600 s, a token that
 *   would already be expired); SignerError from the signer.
 *
 * @example
 * ```ts
 * import { createTxnToken } from 'agentauth/txn-token'
 * import { generateSigner } from 'agentauth/signer'
 *
 * const signer = await generateSigner('ES256', { kid: 'tts-1' })
 * const txnToken = await createTxnToken(
 *   { sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway', tctx: { action: 'BUY', ticker: 'MSFT' } },
 *   { signer, trustDomain: 'bank.example', lifetime: 120 },
 * )
 * ```
 */
export async function createTxnToken(claims: CreateTxnTokenClaims, options: CreateTxnTokenOptions): Promise<string> {
  const lifetime = checkCreateOptions(options)
  checkObject(claims, 'claims')
  for (const name of SET_BY_MINTER) if (Object.hasOwn(claims, name)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.${name} is set by createTxnToken`)
  assertString(claims.sub, 'claims.sub')
  assertString(claims.req_wl, 'claims.req_wl')
  identifierLength(claims.sub, 'claims.sub')
  identifierLength(claims.req_wl, 'claims.req_wl')
  const scope = scopeOption(claims.scope, 'claims.scope')
  if (scope.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'claims.scope must name at least one scope')
  const txn = claims.txn ?? crypto.randomUUID()
  assertString(txn, 'claims.txn')
  identifierLength(txn, 'claims.txn')
  // Verifiers read these as non-empty strings when present.
  for (const name of ['iss', 'jti']) if (claims[name] !== undefined) assertString(claims[name], `claims.${name}`)
  const payload: Record<string, unknown> = {}
  // Defined, not assigned: `payload.__proto__ = v` would set the prototype and drop the claim.
  for (const [k, v] of Object.entries(claims)) if (v !== undefined) Object.defineProperty(payload, k, { value: v, enumerable: true, writable: true, configurable: true })
  const iat = nowSeconds(options.clock)
  let exp = iat + lifetime
  if (options.notAfter !== undefined) exp = Math.min(exp, Math.floor(options.notAfter))
  if (exp <= iat) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the Txn-Token would already be expired (options.notAfter)')
  payload.iat = iat
  payload.exp = exp
  payload.aud = options.trustDomain
  payload.txn = txn
  payload.scope = scope.join(' ')
  if (claims.tctx !== undefined) payload.tctx = contextOption(claims.tctx, 'tctx')
  if (claims.rctx !== undefined) payload.rctx = contextOption(claims.rctx, 'rctx')
  if (claims.req_wl_chain !== undefined) {
    const chain = claims.req_wl_chain
    if (!Array.isArray(chain) || chain.length > MAX_CHAIN || chain.some((w) => typeof w !== 'string' || w.length === 0 || w.length > MAX_ID)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `claims.req_wl_chain must be an array of at most ${MAX_CHAIN} non-empty strings of at most ${MAX_ID} characters`)
    }
  }
  return createCompactJWS({ typ: TXN_TOKEN_TYP }, payload, options.signer)
}
