import { SignerError, VerificationError, codedTypeError, isAgentAuthError } from '../errors/index.js'
import { assertObject, optionalNumber } from '../internal/assert.js'
import { encode } from '../internal/base64url.js'
import { targetWithoutQuery } from '../internal/target-audience.js'
import { nowExactSeconds } from '../internal/time.js'
import { peekWIT } from '../internal/wit-peek.js'
import { isJWSAlgorithm } from '../signer/algorithms.js'
import { createCompactJWS } from '../signer/jws.js'
import type { Signer } from '../signer/types.js'
import { assertTokenOption, normaliseOtherTokens, sha256Base64url } from './binding.js'
import { WPT_TYP } from './spec.js'
import type { CreateWPTOptions } from './types.js'

const MAX_TOKEN = 16_384
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function assertSigner(signer: unknown): asserts signer is Signer {
  assertObject(signer, 'options.signer')
  const s = signer as Partial<Signer>
  if (!isJWSAlgorithm(s.alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.signer.alg must be a supported asymmetric JWS algorithm')
  if (typeof s.sign !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signer.sign must be a function')
}

/**
 * Creates a Workload Proof Token (draft-ietf-wimse-wpt §2): a short-lived `wpt+jwt` signed with the
 * workload key from the WIT's `cnf.jwk`, binding the request's target URI (`aud`), the WIT (`wth`)
 * and every other token sent with the request (`ath`, `tth`, `oth`). Send it in
 * `Workload-Proof-Token` next to the WIT in `Workload-Identity-Token`.
 *
 * Claims are emitted in a fixed (alphabetical) order, the header is `{"alg","typ"}` only, so the
 * output is deterministic for deterministic signatures (Ed25519) and fixed `jti` / clock.
 *
 * @param options - see {@link CreateWPTOptions}.
 * @returns the compact WPT.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, including a
 *   signer whose `alg` differs from the WIT's `cnf.jwk.alg`, a WIT that is not a compact JWS, or
 *   non-ASCII tokens.
 * @throws VerificationError `ERR_WIT_EXPIRED` when the WIT's `exp` has passed (draft-ietf-wimse-wpt
 *   §3.2: the workload key is not used after its WIT expires).
 * @throws SignerError when the signer fails: `ERR_SIGNER_FAILED` (the signer's own error as `cause`),
 *   or the agentauth error the signer threw; `ERR_SIGNER_FAILED` too when the crypto provider
 *   cannot hash a token or give random bytes for the `jti`.
 *
 * @example
 * ```ts
 * import { createWPT, WIT_HEADER, WPT_HEADER } from 'agentauth/wpt'
 *
 * const wpt = await createWPT({ wit, signer, uri: 'https://api.example.com/orders?id=7', accessToken })
 * const headers = new Headers({ [WIT_HEADER]: wit, [WPT_HEADER]: wpt, authorization: `Bearer ${accessToken}` })
 * await fetch('https://api.example.com/orders?id=7', { method: 'POST', headers, body })
 * ```
 */
export async function createWPT(options: CreateWPTOptions): Promise<string> {
  assertObject(options, 'options')
  const { wit, signer } = options
  assertTokenOption(wit, 'options.wit', MAX_TOKEN)
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(wit)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.wit must be a compact JWS')
  assertSigner(signer)
  const { alg: proofAlg, exp: witExp } = peekWIT(wit, MAX_TOKEN)
  if (proofAlg !== undefined && proofAlg !== signer.alg) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `signer alg ${signer.alg} does not equal the WIT cnf.jwk.alg ${proofAlg}`)
  }
  const target = targetWithoutQuery(options.uri, 'options.uri')
  let aud = target.href
  if (options.audience !== undefined) {
    assertTokenOption(options.audience, 'options.audience', 2048)
    aud = options.audience
  }
  if (options.method !== undefined && (typeof options.method !== 'string' || !METHOD.test(options.method))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.method must be an HTTP method token')
  }
  if (options.accessToken !== undefined) assertTokenOption(options.accessToken, 'options.accessToken', MAX_TOKEN)
  if (options.txnToken !== undefined) assertTokenOption(options.txnToken, 'options.txnToken', MAX_TOKEN)
  const others = normaliseOtherTokens(options.otherTokens, 'options.otherTokens', MAX_TOKEN)
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 3600, integer: true })
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
    if (typeof options.crypto.getRandomValues !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.crypto.getRandomValues must be a function')
  }
  const crypto = options.crypto ?? globalThis.crypto
  let jti: string
  if (options.jti === undefined) {
    const bytes = new Uint8Array(16)
    try {
      // Filled in place; what the provider returns is not trusted to be the array.
      crypto.getRandomValues(bytes)
    } catch (cause) {
      throw new SignerError('ERR_SIGNER_FAILED', 'the random jti could not be generated', { cause })
    }
    jti = encode(bytes)
  } else {
    if (typeof options.jti !== 'string' || options.jti.length === 0 || options.jti.length > 256) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.jti must be a string of 1..256 characters')
    }
    jti = options.jti
  }
  const now = nowExactSeconds(options.clock)
  // §3.2: the workload key MUST NOT be used after its WIT has expired (a WIT handed out by a
  // source may expire before the proof is made); such a proof would be refused anyway.
  if (witExp !== undefined && now >= witExp) throw new VerificationError('ERR_WIT_EXPIRED', 'the WIT has expired: no proof is made with its key', { claim: 'exp' })
  const exp = Math.floor(now) + lifetime

  const [wth, ath, tth, oth] = await Promise.all([
    sha256Base64url(wit, crypto, hashFailed),
    options.accessToken === undefined ? undefined : sha256Base64url(options.accessToken, crypto, hashFailed),
    options.txnToken === undefined ? undefined : sha256Base64url(options.txnToken, crypto, hashFailed),
    others === undefined ? undefined : hashOthers(others, crypto),
  ])
  // Alphabetical claim order (matches the draft's example token byte for byte).
  const claims: Record<string, unknown> = {}
  if (ath !== undefined) claims.ath = ath
  claims.aud = aud
  claims.exp = exp
  if (options.method !== undefined) claims.htm = options.method
  claims.jti = jti
  if (oth !== undefined) claims.oth = oth
  if (tth !== undefined) claims.tth = tth
  claims.wth = wth
  // The WPT key is identified by the WIT, so no `kid` is sent even when the signer has one.
  const keyless: Signer = { alg: signer.alg, publicJwk: () => signer.publicJwk(), sign: (input, o) => signer.sign(input, o) }
  return createCompactJWS({ typ: WPT_TYP }, claims, keyless, options.signal === undefined ? undefined : { signal: options.signal })
}

// A provider that cannot hash makes the proof impossible to build: a signer-side failure.
function hashFailed(cause: unknown): never {
  if (isAgentAuthError(cause)) throw cause
  throw new SignerError('ERR_SIGNER_FAILED', 'a token hash for the WPT could not be computed', { cause })
}

async function hashOthers(others: ReadonlyMap<string, string>, crypto: Crypto): Promise<Record<string, string>> {
  const names = [...others.keys()].sort()
  const hashes = await Promise.all(names.map((n) => sha256Base64url(others.get(n)!, crypto, hashFailed)))
  // Null prototype: a header named `__proto__` must become an own property, not a prototype write.
  const out = Object.create(null) as Record<string, string>
  names.forEach((n, i) => {
    out[n] = hashes[i]!
  })
  return out
}
