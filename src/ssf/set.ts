// RFC 8417 Security Event Tokens, SSF 1.0 §4 profile. Order of checks: size → structure → typ →
// alg → iss (needed to pick keys) → signature → remaining claims → events → replay. So a forged
// token is reported as a key/signature problem, never as a claim problem.
import { VerificationError, codedTypeError } from '../errors/index.js'
import { assertNumber, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import type { JSONObject } from '../internal/json.js'
import { checkAlg, claimAudience, claimNumericDate, claimString, parseCompactJWS, typMatches, verifyJWSSignature, type ParsedJWS } from '../internal/jws.js'
import { replayKey as sharedReplayKey } from '../internal/replay-key.js'
import { nowExactSeconds, type Clock } from '../internal/time.js'
import { isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import { deepFreeze, parseEvent, type SecurityEvent } from './events.js'
import { checkKeysOption, resolveSETKey, type SETKeys } from './keys.js'
import { parseSubjectId, type SubjectId } from './subject-id.js'

/**
 * A verified (or, from {@link decodeSET}, merely decoded) Security Event Token. Frozen.
 *
 * @example
 * ```ts
 * const set: SecurityEventToken = await verifySET(token, options)
 * console.log(set.iss, set.jti, set.event.type, set.subject)
 * ```
 */
export interface SecurityEventToken {
  /** Protected header (`typ` is `secevent+jwt`). */
  readonly header: Readonly<{ alg: string; typ: string; kid?: string }>
  /** All claims as received (frozen). */
  readonly claims: Readonly<JSONObject>
  readonly iss: string
  readonly jti: string
  /** Issued-at, epoch seconds. */
  readonly iat: number
  /** Audience values (empty when the SET has none; only {@link decodeSET} allows that). */
  readonly aud: readonly string[]
  /** Transaction id grouping related SETs (RFC 8417 §2.2). */
  readonly txn: string | undefined
  /** Time of the event (RFC 8417 §2.2), epoch seconds. */
  readonly toe: number | undefined
  /** The primary subject: `sub_id` (SSF 1.0 §3.1). Undefined only for RFC 8417-profile tokens. */
  readonly subject: SubjectId | undefined
  /** Every event in `events` (one, or aliases of one event when allowed). */
  readonly events: readonly SecurityEvent[]
  /** `events[0]`. */
  readonly event: SecurityEvent
}

/**
 * Which rules apply beyond RFC 8417.
 *
 * @example
 * ```ts
 * decodeSET(token, { profile: 'rfc8417' satisfies SETProfile })
 * ```
 */
export type SETProfile = 'ssf' | 'rfc8417'

/**
 * Options of {@link verifySET}.
 *
 * @example
 * ```ts
 * const options: VerifySETOptions = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', keys: jwks, maxTokenAge: 86400 }
 * ```
 */
export interface VerifySETOptions {
  /** Exact expected `iss` (SSF 1.0 §4.1.6: the transmitter's issuer). Required. */
  issuer: string
  /** This receiver's audience value(s); the SET's `aud` must contain one of them. Required. */
  audience: string | readonly string[]
  /** The transmitter's keys. Required. */
  keys: SETKeys
  /** Allowed `alg` values. Default: every asymmetric algorithm agentauth supports (never `none`/HMAC). */
  algorithms?: readonly JWSAlgorithm[]
  /** `ssf` (default): SSF 1.0 profile. `rfc8417`: plain RFC 8417 (`sub`/`exp` allowed, `sub_id` optional, several events). */
  profile?: SETProfile
  /** Accept several `events` members (SSF §4.2.1 aliases of one event). Default false in the `ssf` profile. */
  allowEventAliases?: boolean
  /** Milliseconds clock, like `Date.now`. */
  clock?: Clock
  /** Seconds of tolerance for `iat` in the future. Default 60. */
  clockTolerance?: number
  /** Refuse SETs whose `iat` is older than this many seconds (at most 100 years). Default: no limit (poll delivery may lag). */
  maxTokenAge?: number
  /** Refuse a second SET with the same `iss` + `jti` (key `set:<length of iss>:<iss>:<jti>`). */
  replayCache?: ReplayCache
  /** How long a `jti` stays claimed when `maxTokenAge` is unset. Default 7 days (seconds); at most 100 years. */
  replayWindow?: number
  /** Maximum token length in characters. Default 65536. */
  maxTokenBytes?: number
  /** Web Crypto implementation. Default `globalThis.crypto`. */
  crypto?: Crypto
}

/**
 * Options of {@link decodeSET}.
 *
 * @example
 * ```ts
 * decodeSET(token, { profile: 'ssf', maxTokenBytes: 16384 })
 * ```
 */
export interface DecodeSETOptions {
  /** Default `ssf`. */
  profile?: SETProfile
  /** Default true for decoding: several `events` members are accepted. */
  allowEventAliases?: boolean
  /** Default 65536. */
  maxTokenBytes?: number
}

const DEFAULT_MAX = 65_536
/** 100 years, in seconds: the longest maxTokenAge / replayWindow. */
const MAX_WINDOW = 3_153_600_000
const WHAT = 'SET'

function structure(parsed: ParsedJWS, profile: SETProfile, allowAliases: boolean): SecurityEventToken {
  const { header, payload } = parsed
  if (!typMatches(header.typ, 'secevent+jwt')) throw new VerificationError('ERR_TYP_INVALID', 'SET typ must be secevent+jwt', { claim: 'typ' })
  if (Object.hasOwn(header, 'kid') && (typeof header.kid !== 'string' || header.kid.length === 0)) throw new VerificationError('ERR_SET_INVALID', 'SET kid must be a non-empty string', { claim: 'kid' })
  const iss = claimString(payload, 'iss', 'ERR_SET_INVALID', WHAT, true)
  const jti = claimString(payload, 'jti', 'ERR_SET_INVALID', WHAT, true)
  const iat = claimNumericDate(payload, 'iat', 'ERR_SET_INVALID', WHAT, true)
  const aud = claimAudience(payload, 'ERR_SET_INVALID', WHAT) ?? []
  const txn = claimString(payload, 'txn', 'ERR_SET_INVALID', WHAT)
  const toe = claimNumericDate(payload, 'toe', 'ERR_SET_INVALID', WHAT)
  if (profile === 'ssf') {
    // SSF 1.0 §4.1.2 and §4.1.7: defence against confusion with ID and access tokens.
    if (Object.hasOwn(payload, 'sub')) throw new VerificationError('ERR_SET_INVALID', 'SSF SETs must not carry "sub"', { claim: 'sub' })
    if (Object.hasOwn(payload, 'exp')) throw new VerificationError('ERR_SET_INVALID', 'SSF SETs must not carry "exp"', { claim: 'exp' })
    if (!Object.hasOwn(payload, 'sub_id')) throw new VerificationError('ERR_SET_INVALID', 'SSF SETs must carry "sub_id"', { claim: 'sub_id' })
  } else if (Object.hasOwn(payload, 'sub')) {
    claimString(payload, 'sub', 'ERR_SET_INVALID', WHAT)
  }
  const subject = Object.hasOwn(payload, 'sub_id') ? parseSubjectId(payload.sub_id) : undefined
  const eventsClaim = payload.events
  if (typeof eventsClaim !== 'object' || eventsClaim === null || Array.isArray(eventsClaim)) throw new VerificationError('ERR_SET_INVALID', 'SET "events" must be a JSON object', { claim: 'events' })
  const uris = Object.keys(eventsClaim)
  if (uris.length === 0) throw new VerificationError('ERR_SET_INVALID', 'SET "events" is empty', { claim: 'events' })
  if (uris.length > 1 && !allowAliases) throw new VerificationError('ERR_SET_INVALID', 'SET carries more than one event (SSF 1.0 §4.2.1)', { claim: 'events' })
  if (uris.length > 16) throw new VerificationError('ERR_SET_INVALID', 'SET carries too many events', { claim: 'events' })
  deepFreeze(payload)
  const events = Object.freeze(uris.map((uri) => parseEvent(uri, (eventsClaim as JSONObject)[uri], subject)))
  const h: { alg: string; typ: string; kid?: string } = { alg: String(header.alg), typ: header.typ as string }
  if (typeof header.kid === 'string') h.kid = header.kid
  return Object.freeze({ header: Object.freeze(h), claims: payload, iss, jti, iat, aud: Object.freeze([...aud]), txn, toe, subject, events, event: events[0]! })
}

/**
 * Decodes a SET **without verifying its signature, issuer, audience or age**. Only for logging,
 * debugging and routing a token to the right verifier — never trust what it returns. The
 * structure and the profile (typ, claims, subject, typed events) are still checked.
 *
 * @param token - compact JWS.
 * @param options - {@link DecodeSETOptions}.
 * @returns the decoded, frozen token.
 * @throws VerificationError `ERR_INPUT_TOO_LARGE`, `ERR_SET_INVALID`, `ERR_JWS_INVALID`,
 *   `ERR_TYP_INVALID`, `ERR_SUBJECT_ID_INVALID`; TypeError `ERR_INVALID_ARG_*` for bad options
 *   (`maxTokenBytes` an integer >= 64, `profile` `ssf` or `rfc8417`, `allowEventAliases` a boolean).
 *
 * @example
 * ```ts
 * import { decodeSET } from 'agentauth/ssf'
 * const unverified = decodeSET(body)
 * console.log('SET from', unverified.iss, unverified.event.type) // routing only
 * ```
 */
export function decodeSET(token: string, options: DecodeSETOptions = {}): SecurityEventToken {
  assertObject(options, 'options')
  // NaN compared false with every length (no size limit); an unknown profile applied the relaxed rules.
  const maxBytes = optionalNumber(options.maxTokenBytes, 'options.maxTokenBytes', DEFAULT_MAX, { min: 64, integer: true })
  const profile = options.profile ?? 'ssf'
  if (profile !== 'ssf' && profile !== 'rfc8417') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.profile must be 'ssf' or 'rfc8417'")
  if (options.allowEventAliases !== undefined && typeof options.allowEventAliases !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.allowEventAliases must be a boolean')
  const parsed = parseCompactJWS(token, { maxBytes, code: 'ERR_SET_INVALID', what: WHAT })
  return structure(parsed, profile, options.allowEventAliases ?? true)
}

/** Validated options, so a receiver checks them once at construction. */
export interface CheckedVerifyOptions {
  readonly issuer: string
  readonly audience: readonly string[]
  readonly keys: SETKeys
  readonly algorithms: readonly JWSAlgorithm[] | undefined
  readonly profile: SETProfile
  readonly allowEventAliases: boolean
  readonly clock: Clock | undefined
  readonly clockTolerance: number
  readonly maxTokenAge: number | undefined
  readonly replayCache: ReplayCache | undefined
  readonly replayWindow: number
  readonly maxTokenBytes: number
  readonly crypto: Crypto | undefined
}

/** Validates {@link VerifySETOptions}; throws coded TypeErrors. */
export function checkVerifyOptions(options: VerifySETOptions, name = 'options'): CheckedVerifyOptions {
  assertObject(options, name)
  assertString(options.issuer, `${name}.issuer`)
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience
  if (!Array.isArray(audience) || audience.length === 0 || !audience.every((a) => typeof a === 'string' && a.length > 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.audience must be a non-empty string or array of strings`)
  }
  checkKeysOption(options.keys, `${name}.keys`)
  if (options.algorithms !== undefined) {
    if (!Array.isArray(options.algorithms) || options.algorithms.length === 0 || !options.algorithms.every(isJWSAlgorithm)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.algorithms must be a non-empty array of supported JWS algorithms`)
    }
  }
  const profile = options.profile ?? 'ssf'
  if (profile !== 'ssf' && profile !== 'rfc8417') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.profile must be 'ssf' or 'rfc8417'`)
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.clock must be a function`)
  // At most 100 years: the done marker / replay claim lasts until iat + maxTokenAge (or now +
  // replayWindow), which a store accepts only up to year 9999; longer, no SET was ever marked done.
  if (options.maxTokenAge !== undefined) assertNumber(options.maxTokenAge, `${name}.maxTokenAge`, { min: 1, max: MAX_WINDOW })
  if (options.allowEventAliases !== undefined && typeof options.allowEventAliases !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.allowEventAliases must be a boolean`)
  if (options.replayCache !== undefined && typeof options.replayCache?.claim !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.replayCache must have claim()`)
  return Object.freeze({
    issuer: options.issuer,
    audience: Object.freeze([...audience]),
    keys: options.keys,
    algorithms: options.algorithms,
    profile,
    allowEventAliases: options.allowEventAliases ?? profile === 'rfc8417',
    clock: options.clock,
    clockTolerance: optionalNumber(options.clockTolerance, `${name}.clockTolerance`, 60, { max: 86_400 }),
    maxTokenAge: options.maxTokenAge,
    replayCache: options.replayCache,
    replayWindow: optionalNumber(options.replayWindow, `${name}.replayWindow`, 7 * 86_400, { min: 1, max: MAX_WINDOW }),
    maxTokenBytes: optionalNumber(options.maxTokenBytes, `${name}.maxTokenBytes`, DEFAULT_MAX, { min: 64, integer: true }),
    crypto: options.crypto,
  })
}

/** Verifies with already-checked options (used by the receivers). */
export async function verifyChecked(token: unknown, o: CheckedVerifyOptions): Promise<SecurityEventToken> {
  const parsed = parseCompactJWS(token, { maxBytes: o.maxTokenBytes, code: 'ERR_SET_INVALID', what: WHAT })
  const { header, payload } = parsed
  if (!typMatches(header.typ, 'secevent+jwt')) throw new VerificationError('ERR_TYP_INVALID', 'SET typ must be secevent+jwt', { claim: 'typ' })
  const alg = checkAlg(header, o.algorithms, WHAT)
  const iss = claimString(payload, 'iss', 'ERR_SET_INVALID', WHAT, true)
  if (iss !== o.issuer) throw new VerificationError('ERR_SET_ISSUER', 'SET issuer is not the expected transmitter', { claim: 'iss' })
  const kid = header.kid
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0)) throw new VerificationError('ERR_SET_INVALID', 'SET kid must be a non-empty string', { claim: 'kid' })
  const key = await resolveSETKey(o.keys, { alg, kid, iss }, o.crypto)
  await verifyJWSSignature(parsed, alg, key, { code: 'ERR_JWS_SIGNATURE', what: WHAT, crypto: o.crypto })
  const aud = claimAudience(payload, 'ERR_SET_INVALID', WHAT)
  if (aud === undefined || !aud.some((a) => o.audience.includes(a))) throw new VerificationError('ERR_SET_AUDIENCE', 'SET audience does not name this receiver', { claim: 'aud' })
  // Claims are compared with the exact time (a fractional exp is not extended to the next second);
  // the replay window below is counted in whole seconds.
  const exact = nowExactSeconds(o.clock)
  const now = Math.floor(exact)
  const iat = claimNumericDate(payload, 'iat', 'ERR_SET_INVALID', WHAT, true)
  if (iat > exact + o.clockTolerance) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', 'SET iat is in the future', { claim: 'iat' })
  if (o.maxTokenAge !== undefined && exact - iat > o.maxTokenAge + o.clockTolerance) throw new VerificationError('ERR_TOKEN_EXPIRED', 'SET is older than maxTokenAge', { claim: 'iat' })
  // RFC 7519 §4.1.5: a JWT MUST NOT be accepted before its nbf (neither RFC 8417 nor SSF drops it).
  const nbf = claimNumericDate(payload, 'nbf', 'ERR_SET_INVALID', WHAT)
  if (nbf !== undefined && nbf > exact + o.clockTolerance) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', 'SET is not valid yet (nbf)', { claim: 'nbf' })
  if (o.profile === 'rfc8417') {
    const exp = claimNumericDate(payload, 'exp', 'ERR_SET_INVALID', WHAT)
    if (exp !== undefined && exp <= exact - o.clockTolerance) throw new VerificationError('ERR_TOKEN_EXPIRED', 'SET has expired', { claim: 'exp' })
  }
  const set = structure(parsed, o.profile, o.allowEventAliases)
  if (o.replayCache !== undefined) {
    // + 1: the claim outlives the last whole second in which the token is still accepted.
    const until = o.maxTokenAge !== undefined ? iat + o.maxTokenAge + o.clockTolerance : now + o.replayWindow
    if (!(await o.replayCache.claim(replayKey(set), Math.ceil(until) + 1))) throw new VerificationError('ERR_SET_REPLAYED', 'SET was already accepted', { claim: 'jti' })
  }
  return set
}

/**
 * The replay / dedupe key of a SET: `set:<length of iss>:<iss>:<jti>`. The issuer is
 * length-prefixed because both `iss` and `jti` may contain `:` — unprefixed, transmitter
 * `https://a` with jti `8443:x` and transmitter `https://a:8443` with jti `x` shared one key in a
 * shared cache, and one SET was acknowledged as a duplicate of the other without being processed.
 */
export function replayKey(set: { readonly iss: string; readonly jti: string }): string {
  return sharedReplayKey('set', set.iss, set.jti)
}

/**
 * Verifies a Security Event Token (RFC 8417) under the SSF 1.0 profile (§4): size limit first,
 * compact JWS, `typ` `secevent+jwt`, `alg` on the allow-list (never `none`/HMAC), `iss` exactly the
 * transmitter, signature with the transmitter's keys, `aud` naming this receiver, `iat` present and
 * not in the future (nor older than `maxTokenAge`), `nbf` (when present) not in the future
 * (RFC 7519 §4.1.5), `jti` present, `sub` and `exp` absent,
 * `sub_id` present and well-formed, exactly one event (unless `allowEventAliases`), typed event
 * payloads; then, with a `replayCache`, a first-sighting check of `iss` + `jti`.
 *
 * @param token - the compact SET (push body, or a value of a poll response's `sets`).
 * @param options - {@link VerifySETOptions}; `issuer`, `audience` and `keys` are required.
 * @returns the verified, frozen {@link SecurityEventToken}.
 * @throws VerificationError — `ERR_INPUT_TOO_LARGE`, `ERR_SET_INVALID`, `ERR_JWS_INVALID`,
 *   `ERR_TYP_INVALID`, `ERR_ALG_NOT_ALLOWED`, `ERR_SET_ISSUER`, `ERR_KEY_NOT_FOUND`,
 *   `ERR_KEY_INVALID`, `ERR_JWS_SIGNATURE`, `ERR_SET_AUDIENCE`, `ERR_TOKEN_NOT_YET_VALID`,
 *   `ERR_TOKEN_EXPIRED`, `ERR_SUBJECT_ID_INVALID`, `ERR_SET_REPLAYED`; StoreError from the replay
 *   cache; TypeError `ERR_INVALID_ARG_*` for bad options. Map any of them to an RFC 8935 `err` with
 *   `toDeliveryError` (agentauth/ssf).
 *
 * @example
 * ```ts
 * import { verifySET } from 'agentauth/ssf'
 * const set = await verifySET(body, {
 *   issuer: 'https://idp.example.com/',
 *   audience: 'https://api.example.com/ssf',
 *   keys: { keys: [transmitterJwk] },
 * })
 * if (set.event.type === 'session-revoked') console.log('revoke', set.subject)
 * ```
 */
export async function verifySET(token: string, options: VerifySETOptions): Promise<SecurityEventToken> {
  return verifyChecked(token, checkVerifyOptions(options))
}
