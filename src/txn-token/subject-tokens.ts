import { codedTypeError, VerificationError } from '../errors/index.js'
import { encode } from '../internal/base64url.js'
import { bs, utf8 } from '../internal/bytes.js'
import { deepFreeze, parseJSONObject, type JSONObject } from '../internal/json.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import { parseScope } from '../internal/oauth-scope.js'
import type { Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'
import { replayKey } from '../internal/replay-key.js'
import { exceedsUtf8Bytes } from './claims.js'

/**
 * The authenticated client of a Txn-Token request, as the service needs it. The token service's
 * `createClientAuthenticator` (`agentauth/token-service`) returns a compatible object.
 *
 * @example
 * ```ts
 * const client: TxnServiceClient = { clientId: 'spiffe://bank.example/gateway', workloadId: 'spiffe://bank.example/gateway' }
 * ```
 */
export interface TxnServiceClient {
  readonly clientId: string
  /** The workload identifier proven at authentication (WIT or mTLS); becomes `req_wl`. */
  readonly workloadId?: string | undefined
  /** The verified WIT when the client authenticated with one. */
  readonly wit?: VerifiedWIT | undefined
}

/**
 * What a subject token verifier sees of the request.
 *
 * @example
 * ```ts
 * const verifier: SubjectTokenVerifier = async (token, context: SubjectTokenContext) => ({ subject: context.client.clientId, scopes: ['jobs.run'] })
 * ```
 */
export interface SubjectTokenContext<C extends TxnServiceClient = TxnServiceClient> {
  readonly client: C
  readonly request: Request
  /** The service's replay cache, when configured (single use of self-signed subject tokens). */
  readonly replayCache: ReplayCache | undefined
}

/**
 * A validated subject token. `VerifiedAccessToken` of `agentauth/access-token` and the token
 * service's `VerifiedToken` both fit this shape.
 *
 * @example
 * ```ts
 * const info: SubjectTokenInfo = { subject: 'user-42', scopes: ['trade.stocks'], expiresAt: 1_800_000_300 }
 * ```
 */
export interface SubjectTokenInfo {
  /** The principal; becomes the Txn-Token `sub` unless the policy maps it. */
  readonly subject: string
  /**
   * The scopes the subject token allows, in the trust domain's vocabulary (map external scopes
   * here). `undefined` means "cannot be determined": the request is refused (draft §13.14).
   */
  readonly scopes: readonly string[] | undefined
  /** Expiry (epoch seconds), when the token has one; an expired subject token is refused. */
  readonly expiresAt?: number | undefined
  /** The token's claims, for policies. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Validates a subject token of one `subject_token_type`. Throw a VerificationError to refuse.
 *
 * @example
 * ```ts
 * const accessTokens: SubjectTokenVerifier = (token) => verifyAccessToken(token, { issuer: 'https://as.bank.example', audience: 'https://api.bank.example', keys: asJwks })
 * ```
 */
export type SubjectTokenVerifier<C extends TxnServiceClient = TxnServiceClient> = (token: string, context: SubjectTokenContext<C>) => Promise<SubjectTokenInfo>

/**
 * Decides which scopes a subject may have in a Txn-Token when its token does not say.
 *
 * @example
 * ```ts
 * const scopes: SubjectScopes = (_claims, { client }) => (client.workloadId === 'spiffe://bank.example/batch' ? ['reports.read'] : undefined)
 * ```
 */
export type SubjectScopes<C extends TxnServiceClient = TxnServiceClient> = (claims: Readonly<Record<string, unknown>>, context: SubjectTokenContext<C>) => readonly string[] | undefined | Promise<readonly string[] | undefined>

/**
 * Options of {@link selfSignedSubjectToken}.
 *
 * @example
 * ```ts
 * const options: SelfSignedSubjectTokenOptions = { audience: 'https://tts.bank.example', maxTokenAge: 120 }
 * ```
 */
export interface SelfSignedSubjectTokenOptions<C extends TxnServiceClient = TxnServiceClient> {
  /** The unique identifier of this Txn-Token Service: the `aud` the token must carry (§11.2.1). */
  audience: string | readonly string[]
  /**
   * The requesting workload's keys by `iss`. Default: the key of the WIT the client authenticated
   * with (when the WIT names that workload). Return `undefined` for unknown workloads.
   */
  keys?: (issuer: string, context: SubjectTokenContext<C>) => KeyInput | undefined | Promise<KeyInput | undefined>
  /**
   * Trusted source of the subject's scopes. Default: the token's own `scope` claim — which the
   * requesting workload chose itself, so prefer a policy here.
   */
  scopes?: SubjectScopes<C>
  algorithms?: readonly JWSAlgorithm[]
  /** Oldest acceptable `iat` in seconds (default 300). */
  maxTokenAge?: number
  clock?: Clock
  /** Seconds of skew (default 30). */
  clockTolerance?: number
  /** Web Crypto provider for key import and verification (default `globalThis.crypto`), e.g. `nodeCrypto()`. */
  crypto?: Crypto
}

/**
 * Options of {@link unsignedJsonSubjectToken}.
 *
 * @example
 * ```ts
 * const options: UnsignedJsonSubjectTokenOptions = { scopes: () => ['reports.read'], maxBytes: 1024 }
 * ```
 */
export interface UnsignedJsonSubjectTokenOptions<C extends TxnServiceClient = TxnServiceClient> {
  /** Trusted source of the subject's scopes. Default: the object's own `scope` member. */
  scopes?: SubjectScopes<C>
  /** Max size in bytes (default 4096). */
  maxBytes?: number
}

function fail(message: string, claim?: string): VerificationError {
  return new VerificationError('ERR_SUBJECT_TOKEN_INVALID', message, claim === undefined ? {} : { claim })
}

async function resolveScopes<C extends TxnServiceClient>(claims: JSONObject, scopes: SubjectScopes<C> | undefined, context: SubjectTokenContext<C>, what: string): Promise<readonly string[] | undefined> {
  if (scopes !== undefined) return scopes(claims, context)
  if (!Object.hasOwn(claims, 'scope')) return undefined
  const parsed = typeof claims.scope === 'string' ? parseScope(claims.scope) : undefined
  if (parsed === undefined) throw fail(`${what} "scope" is malformed`, 'scope')
  return parsed
}

function requester(client: TxnServiceClient): string {
  return client.workloadId ?? client.clientId
}

/**
 * A {@link SubjectTokenVerifier} for self-signed JWT subject tokens
 * (`urn:ietf:params:oauth:token-type:self_signed`, draft §11.2.1), used by a workload that starts
 * a transaction without an inbound token (a scheduled job, an internal trigger). Checks: the
 * signature with the requesting workload's key, `iss` = the authenticated requesting workload,
 * `aud` = this service, `sub`, `iat` (not older than `maxTokenAge`, not in the future), `exp`
 * (not passed, lifetime within `maxTokenAge`). With a replay cache in the service, each token is
 * accepted once (by `jti`, else by signature).
 *
 * @param options - see {@link SelfSignedSubjectTokenOptions}.
 * @returns a {@link SubjectTokenVerifier}.
 * @throws TypeError for bad options. The verifier throws VerificationError
 *   `ERR_SUBJECT_TOKEN_INVALID` (claims, `iss` not the requester, wrong `aud`, replay, no key),
 *   `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_NOT_YET_VALID`, `ERR_TOKEN_LIFETIME`, `ERR_ALG_NOT_ALLOWED`,
 *   `ERR_KEY_NOT_FOUND`; StoreError when the replay cache is down.
 *
 * @example
 * ```ts
 * import { createTxnTokenService, selfSignedSubjectToken, TXN_TOKEN_TYPES } from 'agentauth/txn-token'
 * const subjectTokens = {
 *   [TXN_TOKEN_TYPES.SELF_SIGNED]: selfSignedSubjectToken({
 *     audience: 'https://tts.bank.example',
 *     scopes: (claims, { client }) => (client.workloadId === 'spiffe://bank.example/batch' ? ['statements.generate'] : undefined),
 *   }),
 * }
 * ```
 */
export function selfSignedSubjectToken<C extends TxnServiceClient = TxnServiceClient>(options: SelfSignedSubjectTokenOptions<C>): SubjectTokenVerifier<C> {
  checkObject(options, 'options')
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience
  if (!Array.isArray(audience) || audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be a non-empty string or array of strings')
  }
  if (options.keys !== undefined) checkFunction(options.keys, 'options.keys')
  if (options.scopes !== undefined) checkFunction(options.scopes, 'options.scopes')
  const algorithms = algorithmsOption(options.algorithms, 'options.algorithms')
  for (const [name, v] of [['maxTokenAge', options.maxTokenAge], ['clockTolerance', options.clockTolerance]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 3600)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.${name} must be in [0, 3600]`)
  }
  const maxTokenAge = options.maxTokenAge ?? 300
  const clockTolerance = options.clockTolerance ?? 30
  if (options.crypto !== undefined) {
    checkObject(options.crypto, 'options.crypto')
    checkObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  const { clock, crypto } = options
  return async function verifySelfSigned(token, context) {
    const issuer = requester(context.client)
    let keys: KeyInput | undefined
    if (options.keys !== undefined) keys = await options.keys(issuer, context)
    else if (context.client.wit !== undefined && context.client.wit.id === issuer) keys = [context.client.wit.key]
    if (keys === undefined) throw fail('no key is known for the requesting workload', 'iss')
    checkKeyInput(keys, 'keys()')
    const { payload } = await verifyJWT(token, {
      keys, algorithms, issuer, audience, clock, clockTolerance, crypto,
      required: ['iss', 'sub', 'aud', 'iat', 'exp'], maxTokenAge, maxLifetime: maxTokenAge,
      maxBytes: 8192, code: 'ERR_SUBJECT_TOKEN_INVALID', what: 'self-signed subject token',
    })
    // maxLifetime above bounds the remaining life only; the documented bound is on exp - iat.
    if ((payload.exp as number) - (payload.iat as number) > maxTokenAge) {
      throw new VerificationError('ERR_TOKEN_LIFETIME', 'self-signed subject token lives longer than maxTokenAge', { claim: 'exp' })
    }
    if (context.replayCache !== undefined) {
      // Without a jti, the signed part (header.payload) names the token, never the signature: an
      // ECDSA signature has a second valid form (r, n - s) that would make a replay look new.
      const jti = typeof payload.jti === 'string' && payload.jti.length > 0 && payload.jti.length <= 256
        ? payload.jti
        : `sha256:${encode(new Uint8Array(await (crypto ?? globalThis.crypto).subtle.digest('SHA-256', bs(utf8(token.slice(0, token.lastIndexOf('.')))))))}`
      const first = await context.replayCache.claim(replayKey('txn-subject', issuer, jti), Math.ceil((payload.exp as number) + clockTolerance))
      if (!first) throw fail('self-signed subject token was already used', 'jti')
    }
    return Object.freeze({
      subject: payload.sub as string,
      scopes: await resolveScopes(payload, options.scopes, context, 'self-signed subject token'),
      expiresAt: payload.exp as number,
      claims: deepFreeze(payload),
    })
  }
}

/**
 * A {@link SubjectTokenVerifier} for unsigned JSON object subject tokens
 * (`urn:ietf:params:oauth:token-type:unsigned_json`, draft §11.2.2): the form value is the JSON
 * text itself; it must be a strict UTF-8 JSON object with a non-empty string `sub`. Nothing in it
 * is signed, so it is only as trustworthy as the authenticated requesting workload: enable it for
 * the workloads your policy trusts to name subjects, and give a `scopes` policy.
 *
 * @param options - see {@link UnsignedJsonSubjectTokenOptions}.
 * @returns a {@link SubjectTokenVerifier}.
 * @throws TypeError for bad options. The verifier throws VerificationError
 *   `ERR_SUBJECT_TOKEN_INVALID`, `ERR_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * import { unsignedJsonSubjectToken, TXN_TOKEN_TYPES } from 'agentauth/txn-token'
 * const subjectTokens = {
 *   [TXN_TOKEN_TYPES.UNSIGNED_JSON]: unsignedJsonSubjectToken({ scopes: () => ['reports.read'] }),
 * }
 * ```
 */
export function unsignedJsonSubjectToken<C extends TxnServiceClient = TxnServiceClient>(options: UnsignedJsonSubjectTokenOptions<C> = {}): SubjectTokenVerifier<C> {
  checkObject(options, 'options')
  if (options.scopes !== undefined) checkFunction(options.scopes, 'options.scopes')
  const maxBytes = options.maxBytes ?? 4096
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 2 || maxBytes > 65_536) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.maxBytes must be an integer in [2, 65536]')
  return async function verifyUnsignedJson(token, context) {
    // maxBytes is documented in bytes: parseJSONObject counts a string's UTF-16 code units.
    if (typeof token === 'string' && exceedsUtf8Bytes(token, maxBytes)) throw new VerificationError('ERR_INPUT_TOO_LARGE', `unsigned JSON subject token exceeds ${maxBytes} bytes`)
    const claims = parseJSONObject(token, { maxBytes, what: 'unsigned JSON subject token', code: 'ERR_SUBJECT_TOKEN_INVALID' })
    const sub = claims.sub
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 1024) throw fail('unsigned JSON subject token needs a "sub" string', 'sub')
    let expiresAt: number | undefined
    if (Object.hasOwn(claims, 'exp')) {
      // Not required by §11.2.2, but honoured when present: an expired subject is refused.
      if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw fail('unsigned JSON subject token "exp" must be a number', 'exp')
      expiresAt = claims.exp
    }
    return Object.freeze({ subject: sub, scopes: await resolveScopes(claims, options.scopes, context, 'unsigned JSON subject token'), expiresAt, claims: deepFreeze(claims) })
  }
}
