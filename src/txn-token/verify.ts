import type { TrustBundleSource } from '../bundle/types.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { assertString } from '../internal/assert.js'
import { deepFreeze } from '../internal/json.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import type { Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import { readTxnClaims } from './claims.js'
import { MAX_TXN_TOKEN_BYTES, TXN_TOKEN_TYP } from './constants.js'
import type { VerifiedTxnToken } from './types.js'
import { replayKey } from '../internal/replay-key.js'

/**
 * Options of {@link verifyTxnToken} and {@link createTxnTokenVerifier}.
 *
 * @example
 * ```ts
 * const options: VerifyTxnTokenOptions = { trustDomain: 'bank.example', keys: trustBundles, issuer: 'https://tts.bank.example', maxLifetime: 600 }
 * ```
 */
export interface VerifyTxnTokenOptions {
  /** This workload's trust domain; `aud` must equal it exactly (§12.2). */
  trustDomain: string
  /**
   * The Txn-Token Service keys: a JWKS (`{ keys }`), a key list, a resolver such as jose's
   * `createRemoteJWKSet(url)`, `{ bundles, trustDomain }`, or a `TrustBundleSource` (read for
   * `trustDomain`).
   */
  keys: KeyInput | TrustBundleSource
  /** Allowed `alg` values (default: every supported asymmetric algorithm). */
  algorithms?: readonly JWSAlgorithm[]
  /** When set, `iss` must be one of these. */
  issuer?: string | readonly string[]
  clock?: Clock
  /** Seconds of clock skew for `exp`/`iat` (default 0, at most 300). */
  clockTolerance?: number
  /** Longest accepted lifetime `exp - iat` in seconds (default 900, at most 86400). */
  maxLifetime?: number
  /**
   * Enforce single use of each `txn` in this workload (§13.2). A replayed `txn` is refused with
   * `ERR_TXN_TOKEN_REPLAYED`. Off by default: a call chain may legitimately call one workload twice.
   */
  replayCache?: ReplayCache
  /** Max token length in characters (default 16 KiB). */
  maxTokenBytes?: number
  crypto?: Crypto
}

/**
 * A verifier with options validated once (see {@link createTxnTokenVerifier}).
 *
 * @example
 * ```ts
 * const verifyTxn: TxnTokenVerifier = createTxnTokenVerifier({ trustDomain: 'bank.example', keys: ttsJwks })
 * const txn = await verifyTxn(headerValue)
 * ```
 */
export type TxnTokenVerifier = (token: string) => Promise<VerifiedTxnToken>

const CHALLENGE = Object.freeze({ error: 'invalid_token' })

function isBundleSource(value: unknown): value is TrustBundleSource {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as TrustBundleSource).getBundle === 'function' && !('keys' in value)
}

function range(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.${name} must be a finite number in [0, ${max}]`)
  return value
}

/**
 * Validates verification options once and returns a verifier for the hot path (one per trust
 * domain / key set). See {@link verifyTxnToken} for what is checked.
 *
 * @param options - see {@link VerifyTxnTokenOptions}.
 * @returns a {@link TxnTokenVerifier}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (empty trust
 *   domain, unknown algorithm, NaN or negative limits, a replay cache without `claim`).
 *
 * @example
 * ```ts
 * import { createTxnTokenVerifier } from 'agentauth/txn-token'
 * const verifyTxn = createTxnTokenVerifier({ trustDomain: 'bank.example', keys: { keys: [ttsPublicJwk] } })
 * const txn = await verifyTxn(request.headers.get('txn-token') ?? '')
 * ```
 */
export function createTxnTokenVerifier(options: VerifyTxnTokenOptions): TxnTokenVerifier {
  checkObject(options, 'options')
  assertString(options.trustDomain, 'options.trustDomain')
  const trustDomain = options.trustDomain
  const keys: KeyInput = isBundleSource(options.keys) ? { bundles: options.keys, trustDomain } : options.keys
  checkKeyInput(keys, 'options.keys')
  const algorithms = algorithmsOption(options.algorithms, 'options.algorithms')
  let issuer: readonly string[] | undefined
  if (options.issuer !== undefined) {
    issuer = typeof options.issuer === 'string' ? [options.issuer] : options.issuer
    if (!Array.isArray(issuer) || issuer.length === 0 || issuer.some((i) => typeof i !== 'string' || i.length === 0)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string or array of strings')
    }
  }
  const clockTolerance = range(options.clockTolerance, 'clockTolerance', 0, 300)
  const maxLifetime = range(options.maxLifetime, 'maxLifetime', 900, 86_400)
  const maxBytes = range(options.maxTokenBytes, 'maxTokenBytes', MAX_TXN_TOKEN_BYTES, 1 << 20)
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  const replayCache = options.replayCache
  if (replayCache !== undefined) {
    checkObject(replayCache, 'options.replayCache')
    checkFunction(replayCache.claim, 'options.replayCache.claim')
  }
  const jwtOptions = {
    keys,
    algorithms,
    typ: [TXN_TOKEN_TYP],
    issuer,
    clock: options.clock,
    clockTolerance,
    required: ['aud', 'exp', 'iat', 'sub'] as const,
    maxBytes,
    code: 'ERR_TXN_TOKEN_INVALID' as const,
    what: 'Txn-Token',
    status: 401 as const,
    challenge: CHALLENGE,
    crypto: options.crypto,
  }

  return async function verifyTxn(token) {
    const verified = await verifyJWT(token, jwtOptions)
    const p = verified.payload
    const aud = verified.audience!
    // A Txn-Token is valid in exactly one trust domain: a list naming several is refused too.
    if (aud.length !== 1 || aud[0] !== trustDomain) {
      throw new VerificationError('ERR_TXN_TOKEN_AUDIENCE', 'Txn-Token is not valid in this trust domain', { claim: 'aud', status: 401, challenge: CHALLENGE })
    }
    const iat = p.iat as number
    const exp = p.exp as number
    if (exp - iat > maxLifetime) {
      throw new VerificationError('ERR_TOKEN_LIFETIME', 'Txn-Token lives longer than allowed', { claim: 'exp', status: 401, challenge: CHALLENGE })
    }
    const fields = readTxnClaims(p)
    if (replayCache !== undefined && !(await replayCache.claim(replayKey('txn-token', trustDomain, fields.txn), Math.ceil(exp + clockTolerance)))) {
      throw new VerificationError('ERR_TXN_TOKEN_REPLAYED', 'Txn-Token transaction was already seen', { claim: 'txn', status: 401, challenge: CHALLENGE })
    }
    return Object.freeze({
      header: deepFreeze({ ...verified.header }),
      claims: deepFreeze(p),
      ...fields,
      trustDomain,
      issuer: typeof p.iss === 'string' ? p.iss : undefined,
      issuedAt: iat,
      expiresAt: exp,
      algorithm: verified.alg,
    })
  }
}

/**
 * Verifies a Txn-Token as a receiving workload must (draft §12.2), plus the SDK's profile checks:
 * compact JWS within the size cap, `alg` allow-listed, `typ` `txntoken+jwt` (required), signature
 * with the Txn-Token Service keys, `aud` equal to this trust domain (a single value), `exp` not
 * passed, `iat` not in the future, lifetime at most `maxLifetime`, `txn`/`sub`/`req_wl` strings,
 * `scope` a non-empty scope string (`purp` read when `scope` is absent), `tctx` (or `azd`) and
 * `rctx` JSON objects. Optionally single use of `txn`.
 *
 * For many requests build the verifier once with {@link createTxnTokenVerifier}.
 *
 * @param token - the value of the `Txn-Token` header.
 * @param options - see {@link VerifyTxnTokenOptions}.
 * @returns a frozen {@link VerifiedTxnToken}.
 * @throws VerificationError (status 401) `ERR_TXN_TOKEN_INVALID` (structure, claims, signature),
 *   `ERR_TXN_TOKEN_AUDIENCE` (another trust domain), `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_NOT_YET_VALID`,
 *   `ERR_TOKEN_LIFETIME`, `ERR_TYP_INVALID`, `ERR_ALG_NOT_ALLOWED`, `ERR_KEY_NOT_FOUND`,
 *   `ERR_KEY_INVALID`, `ERR_JWS_INVALID`, `ERR_INPUT_TOO_LARGE`, `ERR_TXN_TOKEN_REPLAYED`;
 *   StoreError when the replay cache is down; TypeError for bad options.
 *
 * @example
 * ```ts
 * import { verifyTxnToken } from 'agentauth/txn-token'
 * const txn = await verifyTxnToken(request.headers.get('txn-token') ?? '', {
 *   trustDomain: 'bank.example',
 *   keys: trustBundles, // or { keys: [ttsPublicJwk] } or createRemoteJWKSet(new URL(jwksUri))
 * })
 * if (!txn.scopes.includes('trade.stocks')) throw new Error('wrong purpose')
 * ```
 */
export function verifyTxnToken(token: string, options: VerifyTxnTokenOptions): Promise<VerifiedTxnToken> {
  let verifier: TxnTokenVerifier
  try {
    verifier = createTxnTokenVerifier(options)
  } catch (err) {
    return Promise.reject(err)
  }
  return verifier(token)
}
