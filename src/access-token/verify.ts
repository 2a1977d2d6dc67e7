import { markBearerError } from '../internal/bearer-errors.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { timingSafeEqualString } from '../internal/bytes.js'
import { deepFreeze, isPlainObject, type JSONObject } from '../internal/json.js'
import { checkObject } from '../internal/oauth-assert.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import { parseScope } from '../internal/oauth-scope.js'
import type { Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import { jwkThumbprint } from '../signer/thumbprint.js'
import type { PublicJWK } from '../signer/types.js'
import { delegationChain, type Actor } from './actor.js'
import { checkDelegationPolicy, verifyDelegation, type DelegationPolicy } from './delegation.js'

/**
 * JOSE `typ` of RFC 9068 JWT access tokens.
 *
 * @example
 * ```ts
 * import { ACCESS_TOKEN_TYP } from 'agentauth/access-token'
 * ACCESS_TOKEN_TYP // 'at+jwt'
 * ```
 */
export const ACCESS_TOKEN_TYP = 'at+jwt'
/**
 * Default cap on an access token's length (characters).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_ACCESS_TOKEN_BYTES, verifyAccessToken } from 'agentauth/access-token'
 * await verifyAccessToken(jwt, { issuer, audience, keys, maxTokenBytes: DEFAULT_MAX_ACCESS_TOKEN_BYTES / 2 })
 * ```
 */
export const DEFAULT_MAX_ACCESS_TOKEN_BYTES: number = 16 * 1024

/**
 * The key a sender-constrained token must be bound to: the caller's proven key.
 *
 * @example
 * ```ts
 * import { verifyAccessToken, type AccessTokenConfirmation } from 'agentauth/access-token'
 * const confirmation: AccessTokenConfirmation = { jwk: verifiedWit.key }
 * await verifyAccessToken(jwt, { issuer, audience, keys, confirmation })
 * ```
 */
export interface AccessTokenConfirmation {
  /** RFC 7638 thumbprint of the caller's key (e.g. computed once per WIT). */
  jkt?: string
  /** The caller's public key (e.g. the verified WIT's `cnf.jwk`); its thumbprint is compared. */
  jwk?: PublicJWK
}

/**
 * Options of {@link verifyAccessToken}.
 *
 * @example
 * ```ts
 * import type { VerifyAccessTokenOptions } from 'agentauth/access-token'
 * const options: VerifyAccessTokenOptions = { issuer: 'https://sts.example.com', audience: 'https://tool.example.com', keys: { keys: stsJwks }, requiredScopes: ['files:read'] }
 * ```
 */
export interface VerifyAccessTokenOptions {
  /** The authorization server's issuer identifier; `iss` must equal it exactly (RFC 9068 §4). */
  issuer: string
  /** This resource server's identifier(s); `aud` must contain one. */
  audience: string | readonly string[]
  /** The AS signing keys: a JWKS, a key list, `{ bundles, trustDomain }`, or a resolver such as jose's `createRemoteJWKSet(url)`. */
  keys: KeyInput
  /** Allowed `alg` values (default: every supported asymmetric algorithm; RFC 9068 requires RS256 support). */
  algorithms?: readonly JWSAlgorithm[]
  clock?: Clock
  /** Seconds of clock skew tolerated for `exp`/`nbf`/`iat` (default 0). */
  clockTolerance?: number
  /** Refuse tokens older than this many seconds (from `iat`). */
  maxTokenAge?: number
  /** Scopes the token must all carry (else `ERR_INSUFFICIENT_SCOPE`, 403). */
  requiredScopes?: readonly string[]
  /**
   * The caller's proven key. A token with `cnf` is refused unless this matches its `cnf.jkt`
   * (a sender-constrained token is never accepted as a bearer token).
   */
  confirmation?: AccessTokenConfirmation
  /** Delegation chain policy (depth, actors per hop, trust domains). */
  delegation?: DelegationPolicy
  /** Max token length (default 16 KiB). */
  maxTokenBytes?: number
  crypto?: Crypto
}

/**
 * A verified RFC 9068 access token. Frozen; carries claims, never the raw token.
 *
 * @example
 * ```ts
 * import { verifyAccessToken, type VerifiedAccessToken } from 'agentauth/access-token'
 * const token: VerifiedAccessToken = await verifyAccessToken(jwt, options)
 * console.log(token.subject, token.actors.map((a) => a.sub), token.scopes)
 * ```
 */
export interface VerifiedAccessToken {
  readonly header: Readonly<Record<string, unknown>>
  /** All claims, frozen. */
  readonly claims: Readonly<Record<string, unknown>>
  readonly issuer: string
  /** The resource owner (or the client itself for client credentials). */
  readonly subject: string
  readonly clientId: string
  readonly audience: readonly string[]
  readonly scopes: readonly string[]
  readonly issuedAt: number
  readonly expiresAt: number
  readonly jti: string
  /** The delegation chain, current actor first (see `delegationChain`). Empty without `act`. */
  readonly actors: readonly Actor[]
  /** The `cnf.jkt` binding, when the token is sender-constrained. */
  readonly confirmation: { readonly jkt: string } | undefined
  readonly algorithm: JWSAlgorithm
}

const CHALLENGE_INVALID = Object.freeze({ error: 'invalid_token' })
const CHALLENGE_DELEGATION = Object.freeze({ error: 'insufficient_scope' })

function invalid(message: string, claim?: string): VerificationError {
  return new VerificationError('ERR_ACCESS_TOKEN_INVALID', message, { status: 401, challenge: CHALLENGE_INVALID, ...(claim === undefined ? {} : { claim }) })
}

/**
 * Validates the options once; shared with the header verifier.
 * @internal
 */
export function checkAccessTokenOptions(options: VerifyAccessTokenOptions): void {
  checkObject(options, 'options')
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string')
  const aud = options.audience
  if (!(typeof aud === 'string' && aud.length > 0) && !(Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a.length > 0))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be a non-empty string or array of strings')
  }
  checkKeyInput(options.keys, 'options.keys')
  algorithmsOption(options.algorithms, 'options.algorithms')
  for (const [name, max] of [['clockTolerance', 3600], ['maxTokenAge', 86_400 * 366], ['maxTokenBytes', 1 << 20]] as const) {
    const v = options[name]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.${name} must be a finite number in [0, ${max}]`)
  }
  if (options.requiredScopes !== undefined && (!Array.isArray(options.requiredScopes) || options.requiredScopes.some((s) => typeof s !== 'string' || parseScope(s)?.length !== 1))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.requiredScopes must be an array of scope tokens')
  }
  if (options.confirmation !== undefined) {
    checkObject(options.confirmation, 'options.confirmation')
    const { jkt, jwk } = options.confirmation
    if (jkt === undefined && jwk === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.confirmation needs jkt or jwk')
    // A number or empty jkt, or a jwk that is not an object, is a caller bug: say so now, not as a
    // key mismatch on every bound token.
    if (jkt !== undefined && (typeof jkt !== 'string' || jkt.length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.confirmation.jkt must be a non-empty string')
    if (jkt === undefined && (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.confirmation.jwk must be a JWK object')
  }
  if (options.delegation !== undefined) checkDelegationPolicy(options.delegation, 'options.delegation')
}

function readScopes(claims: JSONObject): string[] {
  if (!Object.hasOwn(claims, 'scope')) return []
  const s = claims.scope
  const parsed = typeof s === 'string' ? parseScope(s) : undefined
  if (parsed === undefined) throw invalid('access token "scope" claim is malformed', 'scope')
  return parsed
}

async function checkConfirmation(claims: JSONObject, expected: AccessTokenConfirmation | undefined, crypto: Crypto | undefined): Promise<{ jkt: string } | undefined> {
  if (!Object.hasOwn(claims, 'cnf')) return undefined
  const cnf = claims.cnf
  if (!isPlainObject(cnf)) throw invalid('access token "cnf" claim must be an object', 'cnf')
  const jkt = cnf.jkt
  if (typeof jkt !== 'string' || jkt.length === 0) {
    throw new VerificationError('ERR_CONFIRMATION_MISMATCH', 'access token is bound with a confirmation method other than jkt', { claim: 'cnf', challenge: CHALLENGE_INVALID })
  }
  if (expected === undefined) {
    throw new VerificationError('ERR_CONFIRMATION_MISMATCH', 'sender-constrained access token presented without a proven key', { claim: 'cnf', challenge: CHALLENGE_INVALID })
  }
  const want = expected.jkt ?? (await jwkThumbprint(expected.jwk!, crypto))
  if (!timingSafeEqualString(want, jkt)) throw new VerificationError('ERR_CONFIRMATION_MISMATCH', 'access token is bound to another key', { claim: 'cnf', challenge: CHALLENGE_INVALID })
  return Object.freeze({ jkt })
}

/**
 * Verifies an RFC 9068 JWT access token as a resource server (§4): `typ` `at+jwt` (or
 * `application/at+jwt`), `alg` in the allow-list and never `none`/HMAC, signature with the AS keys,
 * `iss` equal to `options.issuer`, `aud` containing one of `options.audience`, `exp` in the future
 * (`nbf`/`iat` not in the future), the required claims `sub`, `client_id`, `iat`, `jti` present;
 * then `scope` ⊇ `requiredScopes`, the `cnf.jkt` binding against the caller's key, and the
 * delegation policy over the `act` chain.
 *
 * @param token - the compact JWT (without the `Bearer ` prefix).
 * @param options - see {@link VerifyAccessTokenOptions}.
 * @returns a frozen {@link VerifiedAccessToken}.
 * @throws VerificationError (401 with `challenge.error = "invalid_token"` unless noted):
 *   `ERR_ACCESS_TOKEN_INVALID`, `ERR_INPUT_TOO_LARGE`, `ERR_JWS_INVALID`, `ERR_TYP_INVALID`,
 *   `ERR_ALG_NOT_ALLOWED`, `ERR_KEY_NOT_FOUND`, `ERR_KEY_INVALID`, `ERR_TOKEN_EXPIRED`,
 *   `ERR_TOKEN_NOT_YET_VALID`, `ERR_TOKEN_LIFETIME`, `ERR_CONFIRMATION_MISMATCH`,
 *   `ERR_DELEGATION_INVALID`; 403 with `challenge.error = "insufficient_scope"` (RFC 6750 §3.1):
 *   `ERR_INSUFFICIENT_SCOPE` (plus `scope`), `ERR_DELEGATION_DEPTH`, `ERR_DELEGATION_CYCLE`,
 *   `ERR_ACTOR_NOT_ALLOWED`. TypeError for bad options.
 *
 * @example
 * ```ts
 * import { verifyAccessToken } from 'agentauth/access-token'
 * import { createRemoteJWKSet } from 'jose'
 *
 * const token = await verifyAccessToken(jwt, {
 *   issuer: 'https://as.example.com',
 *   audience: 'https://calendar.example.com',
 *   keys: createRemoteJWKSet(new URL('https://as.example.com/jwks')),
 *   requiredScopes: ['calendar:read'],
 *   delegation: { maxDepth: 3 },
 * })
 * token.subject // 'alice'
 * token.actors[0]?.sub // the agent acting for alice right now
 * ```
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  checkAccessTokenOptions(options)
  return verifyChecked(token, options)
}

/**
 * verifyAccessToken without re-checking options (the header verifier checks them once).
 * @internal
 */
export async function verifyChecked(token: string, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  try {
    return await verifyUnmarked(token, options)
  } catch (err) {
    // Every refusal here concerns the Bearer token: errorResponse answers with a Bearer challenge.
    throw err instanceof VerificationError ? markBearerError(err) : err
  }
}

async function verifyUnmarked(token: string, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  const verified = await verifyJWT(token, {
    keys: options.keys,
    algorithms: options.algorithms,
    typ: [ACCESS_TOKEN_TYP],
    issuer: options.issuer,
    audience: options.audience,
    clock: options.clock,
    clockTolerance: options.clockTolerance,
    maxTokenAge: options.maxTokenAge,
    required: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
    maxBytes: options.maxTokenBytes ?? DEFAULT_MAX_ACCESS_TOKEN_BYTES,
    code: 'ERR_ACCESS_TOKEN_INVALID',
    what: 'access token',
    status: 401,
    challenge: CHALLENGE_INVALID,
    crypto: options.crypto,
  })
  const claims = verified.payload
  const clientId = claims.client_id
  if (typeof clientId !== 'string' || clientId.length === 0) throw invalid('access token is missing the "client_id" claim', 'client_id')
  const scopes = readScopes(claims)
  const confirmation = await checkConfirmation(claims, options.confirmation, options.crypto)
  let actors: readonly Actor[]
  try {
    actors = delegationChain(claims)
  } catch (err) {
    if (err instanceof VerificationError) throw new VerificationError(err.code, err.message, { status: 401, claim: 'act', challenge: CHALLENGE_INVALID })
    throw err
  }
  if (options.delegation !== undefined) {
    try {
      verifyDelegation(actors, options.delegation)
    } catch (err) {
      // 403 refusals of a valid token: RFC 6750 §3.1 pairs 403 with insufficient_scope (invalid_token
      // is a 401 and tells the client to get a new token, which would not help).
      if (err instanceof VerificationError) throw new VerificationError(err.code, err.message, { status: err.status, claim: 'act', challenge: CHALLENGE_DELEGATION })
      throw err
    }
  }
  if (options.requiredScopes !== undefined) {
    const missing = options.requiredScopes.filter((s) => !scopes.includes(s))
    if (missing.length > 0) {
      throw new VerificationError('ERR_INSUFFICIENT_SCOPE', 'access token lacks a required scope', {
        claim: 'scope',
        challenge: Object.freeze({ error: 'insufficient_scope', scope: options.requiredScopes.join(' ') }),
      })
    }
  }
  return Object.freeze({
    header: Object.freeze({ ...verified.header }),
    claims: deepFreeze(claims),
    issuer: claims.iss as string,
    subject: claims.sub as string,
    clientId,
    audience: Object.freeze([...verified.audience!]),
    scopes: Object.freeze(scopes),
    issuedAt: claims.iat as number,
    expiresAt: claims.exp as number,
    jti: claims.jti as string,
    actors,
    confirmation,
    algorithm: verified.alg,
  })
}

