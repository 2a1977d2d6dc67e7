import { codedTypeError, VerificationError } from '../errors/index.js'
import { looseInstanceOf } from '../internal/assert.js'
import { checkObject } from '../internal/oauth-assert.js'
import { TXN_TOKEN_HEADER } from './constants.js'
import type { VerifiedTxnToken } from './types.js'
import { createTxnTokenVerifier, type TxnTokenVerifier, type VerifyTxnTokenOptions } from './verify.js'

/**
 * Inbound Txn-Token policy of a workload: verification options plus whether the header must be
 * present. Build it once and reuse the same object: its verifier is created on first use and
 * cached per policy object.
 *
 * @example
 * ```ts
 * const txnPolicy: TxnTokenHeaderPolicy = { required: true, trustDomain: 'bank.example', keys: trustBundles }
 * ```
 */
export interface TxnTokenHeaderPolicy extends VerifyTxnTokenOptions {
  /** `true`: a request without a Txn-Token is refused (`ERR_TXN_TOKEN_MISSING`). `false`: it is optional. */
  required: boolean
}

const verifiers = new WeakMap<TxnTokenHeaderPolicy, TxnTokenVerifier>()
const CHALLENGE = Object.freeze({ error: 'invalid_token' })

function verifierFor(policy: TxnTokenHeaderPolicy): TxnTokenVerifier {
  let v = verifiers.get(policy)
  if (v === undefined) {
    checkObject(policy, 'policy')
    if (typeof policy.required !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'policy.required must be a boolean')
    v = createTxnTokenVerifier(policy)
    verifiers.set(policy, v)
  }
  return v
}

/**
 * Reads and verifies the `Txn-Token` request header (draft §12) for the inbound request verifier.
 * The header must hold exactly one Txn-Token: repeated header lines (which `Headers` joins with
 * commas) or any whitespace are refused. An absent header gives `undefined` when the policy makes
 * it optional.
 *
 * Bind it to the caller's proof as well: a WPT over a request carrying a Txn-Token must have
 * `tth` = SHA-256 of this header value, and a WIMSE HTTP signature must cover `txn-token`.
 *
 * @param headers - the request headers.
 * @param policy - {@link TxnTokenHeaderPolicy}; reuse one object (its verifier is cached).
 * @returns the verified token, or `undefined` when absent and optional.
 * @throws VerificationError `ERR_TXN_TOKEN_MISSING` (required and absent), `ERR_HEADER_INVALID`
 *   (several values, whitespace), every code of `verifyTxnToken`; TypeError for a bad policy.
 *
 * @example
 * ```ts
 * import { verifyTxnTokenHeader } from 'agentauth/txn-token'
 * const txnPolicy = { required: true, trustDomain: 'bank.example', keys: trustBundles }
 * const txn = await verifyTxnTokenHeader(request.headers, txnPolicy)
 * console.log(txn?.subject, txn?.scopes)
 * ```
 */
export async function verifyTxnTokenHeader(headers: Headers, policy: TxnTokenHeaderPolicy): Promise<VerifiedTxnToken | undefined> {
  const verify = verifierFor(policy)
  if (!looseInstanceOf(headers, Headers)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'headers must be a Headers object')
  return verifyTxnTokenField(headers.get(TXN_TOKEN_HEADER), policy, verify)
}

/** Internal (agentauth/server): {@link verifyTxnTokenHeader} on the field's combined value. */
export async function verifyTxnTokenField(value: string | null, policy: TxnTokenHeaderPolicy, verify: TxnTokenVerifier = verifierFor(policy)): Promise<VerifiedTxnToken | undefined> {
  if (value === null) {
    if (!policy.required) return undefined
    throw new VerificationError('ERR_TXN_TOKEN_MISSING', 'the request carries no Txn-Token', { claim: TXN_TOKEN_HEADER, status: 401, challenge: CHALLENGE })
  }
  if (value.length === 0 || /[\s,]/.test(value)) {
    throw new VerificationError('ERR_HEADER_INVALID', 'the Txn-Token header must hold exactly one token', { claim: TXN_TOKEN_HEADER, status: 400 })
  }
  return verify(value)
}
