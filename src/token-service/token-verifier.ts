import { delegationChain, type Actor } from '../access-token/actor.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { deepFreeze, isPlainObject } from '../internal/json.js'
import { checkObject } from '../internal/oauth-assert.js'
import { parseCompactJWS } from '../internal/jws.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import { parseScope } from '../internal/oauth-scope.js'
import type { Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { AuthenticatedClient } from './client-authenticator.js'

/**
 * A verified subject or actor token, as the token service's policy sees it. Frozen.
 *
 * @example
 * ```ts
 * import type { VerifiedToken } from 'agentauth/token-service'
 * const hasScope = (token: VerifiedToken, s: string) => token.scopes?.includes(s) === true
 * ```
 */
export interface VerifiedToken {
  readonly subject: string
  readonly issuer: string | undefined
  readonly clientId: string | undefined
  readonly audience: readonly string[]
  /** The token's scopes, or `undefined` when it has no `scope` claim (then it grants none by itself). */
  readonly scopes: readonly string[] | undefined
  /** RFC 8693 §4.4 `may_act`: who may act for the subject. */
  readonly mayAct: Readonly<Record<string, unknown>> | undefined
  /** The token's own delegation chain (current actor first). */
  readonly actors: readonly Actor[]
  readonly expiresAt: number | undefined
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * What a token verifier knows about the request.
 *
 * @example
 * ```ts
 * import type { TokenVerifierContext } from 'agentauth/token-service'
 * const audience = ({ client }: TokenVerifierContext) => ['https://sts.example.com', client.clientId]
 * ```
 */
export interface TokenVerifierContext {
  readonly client: AuthenticatedClient
}

/**
 * Verifies a subject or actor token of one token type.
 *
 * @example
 * ```ts
 * import type { TokenVerifier } from 'agentauth/token-service'
 * const opaque: TokenVerifier = async (token, { client }) => introspect(token, client) // your own token format
 * ```
 */
export type TokenVerifier = (token: string, context: TokenVerifierContext) => Promise<VerifiedToken>

/**
 * Options of {@link createJWTTokenVerifier}.
 *
 * @example
 * ```ts
 * import { createJWTTokenVerifier, type JWTTokenVerifierOptions } from 'agentauth/token-service'
 * const options: JWTTokenVerifierOptions = { issuer: 'https://login.example.com', keys: { keys: idpJwks }, typ: 'at+jwt', audience: ({ client }) => [client.clientId] }
 * const verifySubject = createJWTTokenVerifier(options)
 * ```
 */
export interface JWTTokenVerifierOptions {
  /** Trusted issuer(s); `iss` must be one of them. */
  issuer: string | readonly string[]
  /**
   * Signing keys trusted for **every** issuer in `issuer`. With several issuers that do not share
   * keys, give `issuerKeys` instead, or one issuer's key could sign tokens naming another issuer.
   */
  keys?: KeyInput
  /**
   * Signing keys per issuer: a token verifies only with the keys listed under its own `iss`
   * (RFC 8725 §3.8), so an IdP's key cannot vouch for a token that names this token service as
   * issuer. Needs an entry for every issuer in `issuer`; give either `keys` or `issuerKeys`.
   */
  issuerKeys?: Readonly<Record<string, KeyInput>>
  /**
   * Acceptable `aud` values; a function sees the authenticated client, so a token can be required
   * to name the client presenting it (an agent exchanging a token issued *to* it).
   */
  audience: string | readonly string[] | ((context: TokenVerifierContext) => readonly (string | undefined)[])
  /** Required `typ` values (e.g. `['at+jwt']`); unchecked when omitted. */
  typ?: string | readonly string[]
  algorithms?: readonly JWSAlgorithm[]
  clock?: Clock
  /** Seconds of skew (default 30). */
  clockTolerance?: number
  /** Max token length (default 16 KiB). */
  maxTokenBytes?: number
  /**
   * Web Crypto provider for key import and signature verification (default `globalThis.crypto`),
   * e.g. `nodeCrypto()` from `agentauth/adapters/node` to verify synchronously on Node.
   */
  crypto?: Crypto
}

/**
 * A {@link TokenVerifier} for JWT subject/actor tokens (access tokens of this or another AS, ID
 * Tokens, JWT assertions): signature with the issuer keys, `iss`, `aud`, `exp` (required), `sub`
 * (required), then `scope`, `may_act`, `client_id` and the `act` chain are read with type checks.
 *
 * The subject token's `cnf` binding is not enforced here: the audience check (the token names the
 * client presenting it, or this service) decides who may exchange it. With `issuerKeys`, the key
 * must be one of the token's own issuer (read from `iss` before the signature is checked).
 *
 * @param options - see {@link JWTTokenVerifierOptions}.
 * @returns a {@link TokenVerifier}.
 * @throws TypeError for bad options (`ERR_INVALID_ARG_VALUE` for a `clockTolerance` outside [0, 3600] or a
 *   `maxTokenBytes` outside [0, 1 MiB], NaN and Infinity included; for both or neither of `keys` and
 *   `issuerKeys`, an `issuerKeys` without an entry for a listed issuer, or an `audience` or `typ` that
 *   is empty or holds a non-string). The verifier throws VerificationError `ERR_SUBJECT_TOKEN_INVALID`
 *   (structure, claims, issuer, audience), `ERR_TOKEN_EXPIRED`, `ERR_TYP_INVALID`, `ERR_ALG_NOT_ALLOWED`,
 *   `ERR_KEY_NOT_FOUND`, `ERR_DELEGATION_INVALID`; TypeError `ERR_INVALID_ARG_TYPE` when an
 *   `audience` function returns no array.
 *
 * @example
 * ```ts
 * import { createJWTTokenVerifier } from 'agentauth/token-service'
 * const accessTokens = createJWTTokenVerifier({
 *   issuer: 'https://sts.example.com',
 *   keys: { keys: [stsPublicJwk] },
 *   typ: 'at+jwt',
 *   audience: ({ client }) => ['https://sts.example.com', client.clientId, client.workloadId],
 * })
 * // IdP tokens and this service's own (multi-hop), each verified only with its issuer's keys
 * const subjectTokens = createJWTTokenVerifier({
 *   issuer: ['https://login.example.com', 'https://sts.example.com'],
 *   issuerKeys: { 'https://login.example.com': { keys: idpJwks }, 'https://sts.example.com': { keys: [stsPublicJwk] } },
 *   typ: 'at+jwt',
 *   audience: ({ client }) => ['https://sts.example.com', client.clientId, client.workloadId],
 * })
 * ```
 */
export function createJWTTokenVerifier(options: JWTTokenVerifierOptions): TokenVerifier {
  checkObject(options, 'options')
  const issuers = typeof options.issuer === 'string' ? [options.issuer] : options.issuer
  if (!Array.isArray(issuers) || issuers.length === 0 || issuers.some((i) => typeof i !== 'string' || i.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.issuer must be a non-empty string or array of strings')
  }
  if ((options.keys === undefined) === (options.issuerKeys === undefined)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'give exactly one of options.keys and options.issuerKeys')
  let issuerKeys: Map<string, KeyInput> | undefined
  if (options.issuerKeys === undefined) {
    checkKeyInput(options.keys, 'options.keys')
  } else {
    checkObject(options.issuerKeys, 'options.issuerKeys')
    issuerKeys = new Map()
    for (const i of issuers) {
      if (!Object.hasOwn(options.issuerKeys, i)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.issuerKeys has no keys for issuer ${i}`)
      checkKeyInput(options.issuerKeys[i], `options.issuerKeys["${i}"]`)
      issuerKeys.set(i, options.issuerKeys[i]!)
    }
  }
  const algorithms = algorithmsOption(options.algorithms, 'options.algorithms')
  const aud = options.audience
  const nonEmptyStrings = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)
  if (typeof aud !== 'function' && !(typeof aud === 'string' && aud.length > 0) && !nonEmptyStrings(aud)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be a non-empty string, a list of them or a function')
  }
  const typ = options.typ === undefined ? undefined : typeof options.typ === 'string' ? [options.typ] : options.typ
  // An empty or non-string typ would refuse every token, as if the verifier were broken.
  if (typ !== undefined && !nonEmptyStrings(typ)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.typ must be a non-empty string or a list of them')
  if (options.crypto !== undefined) {
    checkObject(options.crypto, 'options.crypto')
    checkObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  for (const [name, v, max] of [['clockTolerance', options.clockTolerance, 3600], ['maxTokenBytes', options.maxTokenBytes, 1 << 20]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.${name} must be in [0, ${max}]`)
  }
  const { keys, clock, crypto } = options
  const clockTolerance = options.clockTolerance ?? 30
  const maxBytes = options.maxTokenBytes ?? 16 * 1024
  const code = 'ERR_SUBJECT_TOKEN_INVALID'
  const what = 'subject token'
  // RFC 8725 §3.8: the keys are those of the token's own issuer. The (unverified) `iss` picks them;
  // the signature then covers that very `iss`, and verifyJWT checks it again.
  function keysOf(token: string): { keys: KeyInput; issuer: string | readonly string[] } {
    if (issuerKeys === undefined) return { keys: keys!, issuer: issuers }
    const iss = parseCompactJWS(token, { maxBytes, code, what }).payload.iss
    const own = typeof iss === 'string' ? issuerKeys.get(iss) : undefined
    if (own === undefined) throw new VerificationError(code, `${what} issuer is not trusted`, { claim: 'iss' })
    return { keys: own, issuer: iss as string }
  }
  return async function verifyJWTToken(token, context) {
    let audience: string | readonly string[]
    if (typeof aud === 'function') {
      const listed: unknown = aud(context)
      if (!Array.isArray(listed)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.audience must return an array')
      audience = listed.filter((a): a is string => typeof a === 'string' && a.length > 0)
    } else {
      audience = aud
    }
    const verified = await verifyJWT(token, {
      ...keysOf(token), algorithms, typ, audience, clock, clockTolerance, crypto,
      required: ['iss', 'sub', 'aud', 'exp'], maxBytes, code, what,
    })
    const claims = verified.payload
    let scopes: string[] | undefined
    if (Object.hasOwn(claims, 'scope')) {
      scopes = typeof claims.scope === 'string' ? parseScope(claims.scope) : undefined
      if (scopes === undefined) throw new VerificationError('ERR_SUBJECT_TOKEN_INVALID', 'token "scope" claim is malformed', { claim: 'scope' })
    }
    let mayAct: Record<string, unknown> | undefined
    if (Object.hasOwn(claims, 'may_act')) {
      if (!isPlainObject(claims.may_act)) throw new VerificationError('ERR_SUBJECT_TOKEN_INVALID', 'token "may_act" claim must be an object', { claim: 'may_act' })
      mayAct = deepFreeze({ ...claims.may_act })
    }
    const clientId = claims.client_id
    if (clientId !== undefined && (typeof clientId !== 'string' || clientId.length === 0)) throw new VerificationError('ERR_SUBJECT_TOKEN_INVALID', 'token "client_id" claim must be a string', { claim: 'client_id' })
    return Object.freeze({
      subject: claims.sub as string,
      issuer: claims.iss as string,
      clientId: clientId as string | undefined,
      audience: Object.freeze([...verified.audience!]),
      scopes: scopes === undefined ? undefined : Object.freeze(scopes),
      mayAct,
      actors: delegationChain(claims),
      expiresAt: claims.exp as number,
      claims: deepFreeze({ ...claims }),
    })
  }
}
