// Verification of the OAuth JWTs agentauth consumes (RFC 9068 access tokens, RFC 7523 assertions
// and grants, subject/actor tokens, ID-JAGs): strict compact parse with a size cap, alg allow-list,
// typ, key resolution (JWKS, trust bundle, resolver, CryptoKey), signature, then registered claims.
import type { TrustBundle } from '../bundle/types.js'
import { selectKey } from '../bundle/select.js'
import { codedTypeError, VerificationError, type ChallengeParameters, type VerificationErrorCode } from '../errors/index.js'
import { JWS_ALGORITHMS, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'
import { looseInstanceOf } from './assert.js'
import { checkAlg, claimAudience, claimNumericDate, claimString, parseCompactJWS, typMatches, verifyJWSSignature, type ParsedJWS } from './jws.js'
import type { JSONObject } from './json.js'
import { cryptoKeyProblem, importPublicJWK } from './keys.js'
import { nowExactSeconds, type Clock } from './time.js'

import type { JWKSet, KeyInput } from '../access-token/keys.js'

export type { BundleKeys, JWKSet, KeyInput, KeyResolver } from '../access-token/keys.js'

export interface VerifyJWTOptions {
  keys: KeyInput
  algorithms?: readonly JWSAlgorithm[] | undefined
  /** Required `typ` (any of); undefined = not checked. */
  typ?: readonly string[] | undefined
  issuer?: string | readonly string[] | undefined
  audience?: string | readonly string[] | undefined
  clock?: Clock | undefined
  clockTolerance?: number | undefined
  /** Registered claims that must be present. */
  required: readonly ('iss' | 'sub' | 'aud' | 'exp' | 'iat' | 'jti' | 'nbf')[]
  /** Max age in seconds measured from `iat`. */
  maxTokenAge?: number | undefined
  /** Max `exp - now` in seconds. */
  maxLifetime?: number | undefined
  maxBytes: number
  code: VerificationErrorCode
  what: string
  /** HTTP status and challenge applied to every error (e.g. 401 + invalid_token). */
  status?: 400 | 401 | 403 | undefined
  challenge?: ChallengeParameters | undefined
  crypto?: Crypto | undefined
  /** The key is fixed by context (a WIT's cnf key): a `kid` header does not select it. */
  ignoreKid?: boolean | undefined
}

export interface VerifiedJWT {
  readonly header: JSONObject
  readonly payload: JSONObject
  readonly alg: JWSAlgorithm
  readonly audience: readonly string[] | undefined
}

/** Checks a KeyInput option at construction time. */
export function checkKeyInput(value: unknown, name: string): void {
  if (typeof value === 'function') return
  if (Array.isArray(value)) return
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.keys)) return
    if (typeof v.bundles === 'object' && v.bundles !== null && typeof v.trustDomain === 'string') return
  }
  throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a JWKS, a key list, a key resolver or { bundles, trustDomain }`)
}

/** Normalises an algorithms option (default: every supported asymmetric algorithm). */
export function algorithmsOption(value: unknown, name: string): readonly JWSAlgorithm[] {
  if (value === undefined) return JWS_ALGORITHMS
  if (!Array.isArray(value) || value.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a non-empty array`)
  for (const a of value) if (!JWS_ALGORITHMS.includes(a as JWSAlgorithm)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} holds an unsupported algorithm ${String(a)}`)
  return value as JWSAlgorithm[]
}

function bundleOf(keys: readonly PublicJWK[]): TrustBundle {
  return { trustDomain: 'configured keys', keys }
}

// The bundle of `trustDomain`: a source answering with another trust domain's bundle would let
// that domain's keys vouch for this one (as verifyWIT refuses too).
function ownBundle(b: TrustBundle | undefined | null, trustDomain: string): TrustBundle {
  if (b === undefined || b === null) throw new VerificationError('ERR_KEY_NOT_FOUND', `trust domain ${trustDomain} has no bundle`, { claim: 'kid' })
  if (b.trustDomain !== trustDomain) throw new VerificationError('ERR_KEY_NOT_FOUND', `the bundle source answered for another trust domain than ${trustDomain}`, { claim: 'kid' })
  return b
}

async function resolveKey(parsed: ParsedJWS, alg: JWSAlgorithm, input: KeyInput, crypto: Crypto | undefined, ignoreKid: boolean): Promise<CryptoKey> {
  const kid = !ignoreKid && typeof parsed.header.kid === 'string' && parsed.header.kid.length > 0 ? parsed.header.kid : undefined
  let bundle: TrustBundle
  if (typeof input === 'function') {
    const [h, p, s] = parsed.token.split('.') as [string, string, string]
    let got: CryptoKey | PublicJWK | JWKSet
    try {
      got = await input(parsed.header as { alg: string }, { protected: h, payload: p, signature: s })
    } catch (cause) {
      throw new VerificationError('ERR_KEY_NOT_FOUND', 'no key resolved for the token', { cause, claim: 'kid' })
    }
    if (looseInstanceOf(got, CryptoKey)) {
      const problem = cryptoKeyProblem(got, alg)
      if (problem !== undefined) throw new VerificationError('ERR_KEY_INVALID', `the resolved key ${problem}`, { claim: 'alg' })
      return got
    }
    if (typeof got !== 'object' || got === null) throw new VerificationError('ERR_KEY_NOT_FOUND', 'no key resolved for the token', { claim: 'kid' })
    bundle = bundleOf(Array.isArray((got as JWKSet).keys) ? (got as JWKSet).keys : [got as PublicJWK])
  } else if (Array.isArray(input)) {
    bundle = bundleOf(input as readonly PublicJWK[])
  } else if ('bundles' in input) {
    bundle = ownBundle(await input.bundles.getBundle(input.trustDomain), input.trustDomain)
    try {
      return await importPublicJWK(selectKey(bundle, { kid, alg }), alg, crypto)
    } catch (err) {
      if (!(err instanceof VerificationError) || err.code !== 'ERR_KEY_NOT_FOUND' || input.bundles.refresh === undefined) throw err
      const fresh = await input.bundles.refresh(input.trustDomain)
      if (fresh === undefined || fresh === null) throw err
      bundle = ownBundle(fresh, input.trustDomain)
    }
  } else {
    bundle = bundleOf((input as JWKSet).keys)
  }
  return importPublicJWK(selectKey(bundle, { kid, alg }), alg, crypto)
}

function restatus(err: unknown, options: VerifyJWTOptions): unknown {
  if (!(err instanceof VerificationError) || (options.status === undefined && options.challenge === undefined)) return err
  return new VerificationError(err.code, err.message, {
    status: options.status ?? err.status,
    reason: err.reason,
    ...(err.claim === undefined ? {} : { claim: err.claim }),
    ...(options.challenge === undefined ? {} : { challenge: options.challenge }),
    ...(err.cause === undefined ? {} : { cause: err.cause }),
  })
}

/** Verifies one JWT. Every failure is a VerificationError with a stable code. */
export async function verifyJWT(token: unknown, options: VerifyJWTOptions): Promise<VerifiedJWT> {
  try {
    return await verifyJWTInner(token, options)
  } catch (err) {
    throw restatus(err, options)
  }
}

async function verifyJWTInner(token: unknown, options: VerifyJWTOptions): Promise<VerifiedJWT> {
  const { code, what } = options
  const parsed = parseCompactJWS(token, { maxBytes: options.maxBytes, code, what })
  const alg = checkAlg(parsed.header, options.algorithms ?? JWS_ALGORITHMS, what)
  if (options.typ !== undefined && !options.typ.some((t) => typMatches(parsed.header.typ, t))) {
    throw new VerificationError('ERR_TYP_INVALID', `${what} typ is not ${options.typ.join(' or ')}`, { claim: 'typ' })
  }
  const key = await resolveKey(parsed, alg, options.keys, options.crypto, options.ignoreKid === true)
  await verifyJWSSignature(parsed, alg, key, { code, what, ...(options.crypto === undefined ? {} : { crypto: options.crypto }) })
  const p = parsed.payload
  const req = (n: string): boolean => options.required.includes(n as never)
  const now = nowExactSeconds(options.clock)
  const tol = options.clockTolerance ?? 0
  const str = (n: string): string | undefined => (req(n) ? claimString(p, n, code, what, true) : claimString(p, n, code, what))
  const date = (n: string): number | undefined => (req(n) ? claimNumericDate(p, n, code, what, true) : claimNumericDate(p, n, code, what))
  const iss = str('iss')
  str('sub')
  str('jti')
  const exp = date('exp')
  const nbf = date('nbf')
  const iat = date('iat')
  const aud = claimAudience(p, code, what)
  if (req('aud') && aud === undefined) throw new VerificationError(code, `${what} is missing the "aud" claim`, { claim: 'aud' })
  if (exp !== undefined && now - tol >= exp) throw new VerificationError('ERR_TOKEN_EXPIRED', `${what} has expired`, { claim: 'exp' })
  if (nbf !== undefined && now + tol < nbf) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', `${what} is not valid yet`, { claim: 'nbf' })
  if (iat !== undefined && iat > now + tol) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', `${what} was issued in the future`, { claim: 'iat' })
  if (options.maxTokenAge !== undefined) {
    if (iat === undefined) throw new VerificationError(code, `${what} is missing the "iat" claim`, { claim: 'iat' })
    if (now - tol > iat + options.maxTokenAge) throw new VerificationError('ERR_TOKEN_LIFETIME', `${what} is too old`, { claim: 'iat' })
  }
  if (options.maxLifetime !== undefined && exp !== undefined && exp - now > options.maxLifetime + tol) {
    throw new VerificationError('ERR_TOKEN_LIFETIME', `${what} expires too far in the future`, { claim: 'exp' })
  }
  if (options.issuer !== undefined) {
    const allowed = typeof options.issuer === 'string' ? [options.issuer] : options.issuer
    if (iss === undefined || !allowed.includes(iss)) throw new VerificationError(code, `${what} issuer is not trusted`, { claim: 'iss' })
  }
  if (options.audience !== undefined) {
    const expected = typeof options.audience === 'string' ? [options.audience] : options.audience
    if (aud === undefined || !aud.some((a) => expected.includes(a))) throw new VerificationError(code, `${what} audience does not name this service`, { claim: 'aud' })
  }
  return { header: parsed.header, payload: p, alg, audience: aud }
}
