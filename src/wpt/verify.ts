import { StoreError, VerificationError, codedTypeError } from '../errors/index.js'
import { assertObject, optionalNumber } from '../internal/assert.js'
import { isAscii, timingSafeEqualString } from '../internal/bytes.js'
import { checkJWSSignature, claimAudience, claimNumericDate, claimObject, claimString, parseCompactJWS, typMatches, type ParseJWSOptions } from '../internal/jws.js'
import { deepFreeze, type JSONObject } from '../internal/json.js'
import { cachedPublicKey, importPublicJWK } from '../internal/keys.js'
import { audienceMatches, compileAudience, targetWithoutQuery, type AudiencePolicy, type RequestTarget } from '../internal/target-audience.js'
import { nowExactSeconds, type Clock } from '../internal/time.js'
import { isJWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'
import { FIELD_NAME, RESERVED_OTH, sha256Base64url, trimOWS, witHash } from './binding.js'
import { SPEC, WPT_TYP } from './spec.js'
import type { VerifiedWPT, VerifyWPTOptions, WPTClaims, WPTHeader } from './types.js'
import { replayKey } from '../internal/replay-key.js'

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HASH = /^[A-Za-z0-9_-]{43}$/
const MAX_BOUND_TOKEN = 16_384
const MAX_OTH = 32
const MAX_AUD = 16

function fail(code: 'ERR_WPT_INVALID' | 'ERR_WPT_BINDING_MISMATCH' | 'ERR_WPT_AUDIENCE' | 'ERR_TYP_INVALID', message: string, claim?: string): never {
  throw new VerificationError(code, message, claim === undefined ? undefined : { claim })
}

function assertVerifiedWIT(wit: unknown): asserts wit is VerifiedWIT {
  assertObject(wit, 'options.wit')
  const w = wit as Partial<VerifiedWIT>
  if (typeof w.token !== 'string' || typeof w.id !== 'string' || typeof w.key !== 'object' || w.key === null || !isJWSAlgorithm(w.proofAlgorithm)) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.wit must be a VerifiedWIT (the result of verifyWIT)')
  }
}

/** A token the server read from the request: a string (programmer contract) holding hostile bytes. */
function boundToken(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a string`)
  if (value.length === 0 || value.length > MAX_BOUND_TOKEN || !isAscii(value)) {
    throw new VerificationError('ERR_HEADER_INVALID', `${name.replace('options.', '')} is empty, too large or not ASCII`)
  }
  return value
}

function otherTokens(input: unknown): Map<string, string> | undefined {
  if (input === undefined) return undefined
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.otherTokens must be an object of header name → token')
  const out = new Map<string, string>()
  for (const [key, raw] of Object.entries(input)) {
    if (!FIELD_NAME.test(key)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.otherTokens has an invalid header name')
    const lower = key.toLowerCase()
    if (RESERVED_OTH.has(lower)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.otherTokens["${lower}"] has its own binding`)
    if (out.has(lower)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.otherTokens lists "${lower}" twice`)
    if (typeof raw !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `options.otherTokens["${lower}"] must be a string`)
    out.set(lower, boundToken(trimOWS(raw), `options.otherTokens["${lower}"]`)!)
  }
  return out.size === 0 ? undefined : out
}

function hashClaim(payload: JSONObject, name: string): string | undefined {
  if (!Object.hasOwn(payload, name)) return undefined
  const v = payload[name]
  if (typeof v !== 'string' || !HASH.test(v)) fail('ERR_WPT_INVALID', `WPT "${name}" claim must be a base64url SHA-256 hash`, name)
  return v
}

function checkHash(expected: string, received: string | undefined, claim: string, what: string): void {
  if (received === undefined) fail('ERR_WPT_BINDING_MISMATCH', `the request carries ${what} but the WPT has no "${claim}" claim`, claim)
  if (!timingSafeEqualString(expected, received)) fail('ERR_WPT_BINDING_MISMATCH', `WPT "${claim}" does not match the ${what}`, claim)
}

async function claimReplay(cache: ReplayCache, key: string, expiresAt: number): Promise<void> {
  let first: boolean
  try {
    first = await cache.claim(key, expiresAt)
  } catch (cause) {
    if (cause instanceof StoreError) throw cause
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'replay cache failed', { cause })
  }
  if (first !== true) throw new VerificationError('ERR_PROOF_REPLAYED', 'WPT jti was seen before', { claim: 'jti' })
}

/**
 * Verifies a Workload Proof Token against the sender's verified WIT and the request it arrived
 * with, following draft-ietf-wimse-wpt §2 (validation list):
 * well-formed compact JWS → `alg` string-equals the WIT's `cnf.jwk.alg` → signature under
 * `cnf.jwk` → `typ` `wpt+jwt` → `aud` names this service → `exp` present, not passed, not too far
 * ahead → `wth` equals the WIT hash → `ath` / `tth` / `oth` bind exactly the tokens the request
 * carries (a present token needs its hash; a hash without its token, or an `oth` entry for a
 * token not passed, is refused) → `jti` claimed in the replay cache, namespaced per sender.
 * The replay claim runs last because it is the only step with a side effect: a proof rejected for
 * another reason does not burn its `jti`.
 *
 * The WIT must already be verified (`verifyWIT`); the key comes only from `wit.key`. Pass every
 * token the request carries (`accessToken`, `txnToken`, `otherTokens`) or its binding is not
 * checked — `parseWPTHeaders` (agentauth/wpt) reads them from a `Request`.
 *
 * @param token - the `Workload-Proof-Token` header value.
 * @param options - see {@link VerifyWPTOptions}.
 * @returns the frozen {@link VerifiedWPT}.
 * @throws VerificationError `ERR_WPT_INVALID`, `ERR_INPUT_TOO_LARGE`, `ERR_JWS_INVALID`,
 *   `ERR_ALG_NOT_ALLOWED`, `ERR_KEY_INVALID`, `ERR_WPT_SIGNATURE`, `ERR_TYP_INVALID`,
 *   `ERR_WPT_AUDIENCE`, `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_LIFETIME`, `ERR_TOKEN_NOT_YET_VALID`,
 *   `ERR_WIT_EXPIRED`, `ERR_WPT_BINDING_MISMATCH`, `ERR_HEADER_INVALID`, `ERR_PROOF_REPLAYED`.
 * @throws StoreError `ERR_STORE_UNAVAILABLE` (or the cache's own code) when the replay cache fails.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { parseWPTHeaders, verifyWPT } from 'agentauth/wpt'
 * import { verifyWIT } from 'agentauth/wit'
 *
 * const sent = parseWPTHeaders(request)
 * const wit = await verifyWIT(sent.wit, { trustBundles })
 * const proof = await verifyWPT(sent.wpt, {
 *   wit,
 *   uri: request.url,
 *   audience: 'https://api.example.com', // trusted origin; the request's Host is not trusted
 *   accessToken: sent.accessToken,
 *   txnToken: sent.txnToken,
 *   replayCache,
 * })
 * console.log(proof.id, 'proved possession for', proof.audience)
 * ```
 */
export async function verifyWPT(token: string, options: VerifyWPTOptions): Promise<VerifiedWPT> {
  assertObject(options, 'options')
  const { wit } = options
  assertVerifiedWIT(wit)
  const target = targetWithoutQuery(options.uri, 'options.uri')
  const audience = compileAudience(options.audience, 'options.audience')
  const maxLifetime = optionalNumber(options.maxLifetime, 'options.maxLifetime', 300, { min: 1, max: 86_400 })
  const tolerance = optionalNumber(options.clockTolerance, 'options.clockTolerance', 30, { min: 0, max: 300 })
  const maxBytes = optionalNumber(options.maxTokenBytes, 'options.maxTokenBytes', 8192, { min: 256, max: 65_536, integer: true })
  const { method, replayCache } = options
  checkClockAndCrypto(options)
  checkMethod(method)
  if (options.requireMethod !== undefined && typeof options.requireMethod !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.requireMethod must be a boolean')
  if (options.requireMethod === true && method === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.requireMethod needs options.method')
  checkReplayCache(replayCache)
  if (options.acceptLegacyTyp !== undefined && typeof options.acceptLegacyTyp !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.acceptLegacyTyp must be a boolean')
  const accessToken = boundToken(options.accessToken, 'options.accessToken')
  const txnToken = boundToken(options.txnToken, 'options.txnToken')
  const others = otherTokens(options.otherTokens)
  const policy: WPTPolicy = {
    audience, maxLifetime, tolerance, requireMethod: options.requireMethod === true, replayCache,
    acceptLegacyTyp: options.acceptLegacyTyp !== false, clock: options.clock,
    crypto: options.crypto ?? globalThis.crypto, parse: parseOptions(maxBytes),
  }
  const now = nowExactSeconds(options.clock)
  return checkWPT(token, policy, { wit, target, method, accessToken, txnToken, others }, now)
}

/** The parts of {@link VerifyWPTOptions} that do not change between requests, validated. */
export interface WPTPolicy {
  readonly audience: AudiencePolicy | undefined
  readonly maxLifetime: number
  readonly tolerance: number
  readonly requireMethod: boolean
  readonly replayCache: ReplayCache | undefined
  readonly acceptLegacyTyp: boolean
  readonly clock: Clock | undefined
  readonly crypto: Crypto
  readonly parse: ParseJWSOptions
}

/** What one request supplies: its sender's verified WIT, its target and the tokens it carries. */
export interface WPTRequestInput {
  readonly wit: VerifiedWIT
  readonly target: RequestTarget
  readonly method: string | undefined
  readonly accessToken?: string | undefined
  readonly txnToken?: string | undefined
  readonly otherTokens?: Readonly<Record<string, string>> | undefined
  /**
   * Runs after every other check and before the `jti` is claimed (agentauth/server's Content-Digest
   * check), so a request refused by it does not burn its proof.
   */
  readonly beforeReplay?: (() => Promise<unknown>) | undefined
}

/** The per-request part of {@link verifyWPT} against a policy validated once: `(token, request) => VerifiedWPT`. */
export type CompiledWPTVerifier = (token: string, request: WPTRequestInput) => Promise<VerifiedWPT>

function parseOptions(maxBytes: number): ParseJWSOptions {
  return Object.freeze({ maxBytes, code: 'ERR_WPT_INVALID', what: 'WPT', shareHeader: true })
}

function checkMethod(method: unknown): void {
  if (method !== undefined && (typeof method !== 'string' || !METHOD.test(method))) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.method must be an HTTP method token')
}

function checkClockAndCrypto(options: { clock?: unknown; crypto?: unknown }): void {
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
  }
}

function checkReplayCache(replayCache: unknown): void {
  if (replayCache !== undefined && (typeof replayCache !== 'object' || replayCache === null || typeof (replayCache as ReplayCache).claim !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replayCache must be a ReplayCache')
  }
}

/**
 * Internal (agentauth/server): validates the request-independent options of {@link verifyWPT}
 * once — `audience`, `maxLifetime`, `clockTolerance`, `maxTokenBytes`, `requireMethod`,
 * `replayCache`, `acceptLegacyTyp`, `clock`, `crypto` — and returns the per-request check, with the
 * same checks, order and error codes as {@link verifyWPT}. `request.target` must already be the
 * target URI without query and fragment.
 */
export function createCompiledWPTVerifier(options: Omit<VerifyWPTOptions, 'wit' | 'uri' | 'method' | 'accessToken' | 'txnToken' | 'otherTokens'>): CompiledWPTVerifier {
  assertObject(options, 'options')
  const audience = compileAudience(options.audience, 'options.audience')
  const maxLifetime = optionalNumber(options.maxLifetime, 'options.maxLifetime', 300, { min: 1, max: 86_400 })
  const tolerance = optionalNumber(options.clockTolerance, 'options.clockTolerance', 30, { min: 0, max: 300 })
  const maxBytes = optionalNumber(options.maxTokenBytes, 'options.maxTokenBytes', 8192, { min: 256, max: 65_536, integer: true })
  if (options.requireMethod !== undefined && typeof options.requireMethod !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.requireMethod must be a boolean')
  checkReplayCache(options.replayCache)
  if (options.acceptLegacyTyp !== undefined && typeof options.acceptLegacyTyp !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.acceptLegacyTyp must be a boolean')
  checkClockAndCrypto(options)
  const policy: WPTPolicy = Object.freeze({
    audience, maxLifetime, tolerance, requireMethod: options.requireMethod === true, replayCache: options.replayCache,
    acceptLegacyTyp: options.acceptLegacyTyp !== false, clock: options.clock,
    crypto: options.crypto ?? globalThis.crypto, parse: parseOptions(maxBytes),
  })
  return function verifyCompiledWPT(token: string, request: WPTRequestInput): Promise<VerifiedWPT> {
    try {
      const { wit, method } = request
      assertVerifiedWIT(wit)
      checkMethod(method)
      if (policy.requireMethod && method === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.requireMethod needs options.method')
      const accessToken = boundToken(request.accessToken, 'options.accessToken')
      const txnToken = boundToken(request.txnToken, 'options.txnToken')
      const others = otherTokens(request.otherTokens)
      return checkWPT(token, policy, { wit, target: request.target, method, accessToken, txnToken, others, beforeReplay: request.beforeReplay }, nowExactSeconds(policy.clock))
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

interface CheckedRequest {
  readonly wit: VerifiedWIT
  readonly target: RequestTarget
  readonly method: string | undefined
  readonly accessToken: string | undefined
  readonly txnToken: string | undefined
  readonly others: Map<string, string> | undefined
  readonly beforeReplay?: (() => Promise<unknown>) | undefined
}

async function checkWPT(token: string, policy: WPTPolicy, request: CheckedRequest, now: number): Promise<VerifiedWPT> {
  const { wit, target, method, accessToken, txnToken, others } = request
  const { crypto, tolerance } = policy

  // The WIT hash (step 8) is started now and used later; it is cached per VerifiedWIT, and
  // synchronous with a provider that hashes synchronously.
  const wth = witHash(wit, crypto)

  // Steps 1–2: one well-formed compact JWS (the header count is checked by parseWPTHeaders).
  const parsed = parseCompactJWS(token, policy.parse)
  const { header, payload } = parsed
  // Step 3: alg must string-equal the WIT's cnf.jwk.alg.
  const alg = header.alg
  if (alg !== wit.proofAlgorithm || !isJWSAlgorithm(alg)) {
    throw new VerificationError('ERR_ALG_NOT_ALLOWED', 'WPT alg does not equal the WIT cnf.jwk.alg', { claim: 'alg' })
  }
  // Step 4: signature under the WIT's confirmation key (imported once per key, then by identity).
  const key = cachedPublicKey(wit.key, alg, crypto) ?? (await importPublicJWK(wit.key, alg, crypto))
  const pending = checkJWSSignature(parsed, alg, key, { code: 'ERR_WPT_SIGNATURE', what: 'WPT', crypto })
  if (pending !== undefined) await pending
  // Step 5: typ.
  const current = typMatches(header.typ, WPT_TYP)
  if (!current && !(policy.acceptLegacyTyp && SPEC.legacyTyp.some((t) => typMatches(header.typ, t)))) fail('ERR_TYP_INVALID', `WPT typ must be ${WPT_TYP}`, 'typ')
  // iss was defined by draft-ietf-wimse-s2s-protocol ≤ -02 as the WIT subject; if sent, it must be.
  if (Object.hasOwn(payload, 'iss') && payload.iss !== wit.id) fail('ERR_WPT_INVALID', 'WPT iss does not equal the WIT sub', 'iss')
  // Step 6: audience.
  const aud = claimAudience(payload, 'ERR_WPT_INVALID', 'WPT')
  if (aud === undefined) fail('ERR_WPT_INVALID', 'WPT is missing the "aud" claim', 'aud')
  if (aud.length > MAX_AUD) fail('ERR_WPT_INVALID', 'WPT "aud" has too many values', 'aud')
  let matched: string | undefined
  for (const a of aud) {
    if (audienceMatches(a, target, policy.audience)) {
      matched = a
      break
    }
  }
  if (matched === undefined) fail('ERR_WPT_AUDIENCE', 'WPT aud does not name this service', 'aud')
  // Step 7: exp present, not passed, not unreasonably far ahead; nbf honoured when sent.
  const exp = claimNumericDate(payload, 'exp', 'ERR_WPT_INVALID', 'WPT', true)
  if (now - tolerance >= exp) throw new VerificationError('ERR_TOKEN_EXPIRED', 'WPT has expired', { claim: 'exp' })
  if (exp - now > policy.maxLifetime + tolerance) throw new VerificationError('ERR_TOKEN_LIFETIME', 'WPT exp is too far in the future', { claim: 'exp' })
  const nbf = claimNumericDate(payload, 'nbf', 'ERR_WPT_INVALID', 'WPT')
  if (nbf !== undefined && nbf > now + tolerance) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', 'WPT is not valid yet', { claim: 'nbf' })
  const witExp = wit.claims?.exp
  if (typeof witExp === 'number' && now - tolerance >= witExp) throw new VerificationError('ERR_WIT_EXPIRED', 'the WIT has expired', { claim: 'exp' })
  const jti = claimString(payload, 'jti', 'ERR_WPT_INVALID', 'WPT', true)
  if (jti.length > 256) fail('ERR_WPT_INVALID', 'WPT jti is too long', 'jti')
  // Step 8: wth.
  const receivedWth = hashClaim(payload, 'wth')
  if (receivedWth === undefined) fail('ERR_WPT_BINDING_MISMATCH', 'WPT has no "wth" claim', 'wth')
  checkHash(typeof wth === 'string' ? wth : await wth, receivedWth, 'wth', 'Workload-Identity-Token')
  // Step 10: ath / tth — a token needs its hash, a hash needs its token.
  const ath = hashClaim(payload, 'ath')
  if (accessToken !== undefined) checkHash(await sha256Base64url(accessToken, crypto), ath, 'ath', 'access token')
  else if (ath !== undefined) fail('ERR_WPT_BINDING_MISMATCH', 'WPT binds an access token the request does not carry', 'ath')
  const tth = hashClaim(payload, 'tth')
  if (txnToken !== undefined) checkHash(await sha256Base64url(txnToken, crypto), tth, 'tth', 'Txn-Token')
  else if (tth !== undefined) fail('ERR_WPT_BINDING_MISMATCH', 'WPT binds a Txn-Token the request does not carry', 'tth')
  // Step 11: oth — every entry understood and matching, every other token covered.
  const oth = claimObject(payload, 'oth', 'ERR_WPT_INVALID', 'WPT')
  const covered: string[] = []
  if (oth !== undefined) {
    const names = Object.keys(oth)
    if (names.length === 0 || names.length > MAX_OTH) fail('ERR_WPT_INVALID', 'WPT "oth" must have 1..32 entries', 'oth')
    for (const name of names) {
      const value = oth[name]
      if (typeof value !== 'string' || !HASH.test(value)) fail('ERR_WPT_INVALID', 'WPT "oth" values must be base64url SHA-256 hashes', 'oth')
      const sent = others?.get(name)
      if (sent === undefined) fail('ERR_WPT_BINDING_MISMATCH', 'WPT "oth" has an entry this service does not understand or the request does not carry', 'oth')
      checkHash(await sha256Base64url(sent, crypto), value, 'oth', `"${name}" token`)
      covered.push(name)
    }
  }
  if (others !== undefined) {
    for (const name of others.keys()) {
      if (!covered.includes(name)) fail('ERR_WPT_BINDING_MISMATCH', `the request carries a "${name}" token that the WPT does not bind`, 'oth')
    }
  }
  // Method binding (agentauth extension, see docs/wpt.md): htm, when present, must match.
  if (Object.hasOwn(payload, 'htm')) {
    const htm = payload.htm
    if (typeof htm !== 'string') fail('ERR_WPT_INVALID', 'WPT "htm" claim must be a string', 'htm')
    if (method !== undefined && htm !== method) fail('ERR_WPT_BINDING_MISMATCH', 'WPT htm does not match the request method', 'htm')
  } else if (policy.requireMethod) {
    fail('ERR_WPT_BINDING_MISMATCH', 'WPT does not bind the request method', 'htm')
  }
  // Step 9: jti replay, per sender, remembered until exp (+ tolerance).
  if (request.beforeReplay !== undefined) await request.beforeReplay()
  // The checks above may have waited (a request body trickled in for the Content-Digest check):
  // a proof or WIT that expired meanwhile is refused now. Claimed with an expiry already past, the
  // jti would not be remembered (cache contract), so copies finishing late would all pass.
  const later = nowExactSeconds(policy.clock)
  if (later - tolerance >= exp) throw new VerificationError('ERR_TOKEN_EXPIRED', 'WPT expired while the request was verified', { claim: 'exp' })
  if (typeof witExp === 'number' && later - tolerance >= witExp) throw new VerificationError('ERR_WIT_EXPIRED', 'the WIT expired while the request was verified', { claim: 'exp' })
  if (policy.replayCache !== undefined) await claimReplay(policy.replayCache, replayKey('wpt', wit.id, jti), exp + tolerance)

  return Object.freeze({
    token: parsed.token,
    header: deepFreeze(header) as WPTHeader,
    claims: deepFreeze(payload) as unknown as WPTClaims,
    jti,
    expiresAt: exp,
    audience: matched,
    wit,
    id: wit.id,
    legacy: !current,
    otherTokens: Object.freeze(covered),
  })
}
