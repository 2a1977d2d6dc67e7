import { delegationChain, type Actor } from '../access-token/actor.js'
import { codedTypeError, VerificationError } from '../errors/index.js'
import { decodeStrict } from '../internal/base64url.js'
import { decodeUtf8Strict } from '../internal/bytes.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { algorithmsOption, checkKeyInput, verifyJWT, type KeyInput } from '../internal/oauth-jwt.js'
import { parseScope } from '../internal/oauth-scope.js'
import { systemClock, type Clock } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import { ID_JAG_TYP } from './create.js'
import { replayKey } from '../internal/replay-key.js'

/**
 * An issuer whose assertions this server accepts, with its keys.
 *
 * @example
 * ```ts
 * import type { TrustedIssuer } from 'agentauth/assertion-grant'
 * const home: TrustedIssuer = { issuer: 'https://as.home.example', keys: { keys: homeJwks }, algorithms: ['ES256'] }
 * ```
 */
export interface TrustedIssuer {
  readonly issuer: string
  readonly keys: KeyInput
  /** Allowed algorithms for this issuer (default: every supported asymmetric one). */
  readonly algorithms?: readonly JWSAlgorithm[]
}

/**
 * Options shared by {@link verifyJWTAuthorizationGrant} and {@link verifyIdJag}.
 *
 * @example
 * ```ts
 * import { verifyJWTAuthorizationGrant, type VerifyGrantOptions } from 'agentauth/assertion-grant'
 * const options: VerifyGrantOptions = { trustedIssuers: [home], audience: 'https://as.partner.example', replayCache }
 * await verifyJWTAuthorizationGrant(assertion, options)
 * ```
 */
export interface VerifyGrantOptions {
  /** Trusted assertion issuers (other authorization servers, IdPs). */
  trustedIssuers: readonly TrustedIssuer[]
  /** This server's identifier(s): its issuer (preferred) and/or token endpoint URL. `aud` must name one. */
  audience: string | readonly string[]
  /** Single-use store for `jti` (then `jti` is required). Strongly recommended (chaining §5.5). */
  replayCache?: ReplayCache
  clock?: Clock
  /** Seconds of skew (default 30). */
  clockTolerance?: number
  /** Longest accepted remaining lifetime (`exp - now`) in seconds (default 600). */
  maxLifetime?: number
  /** Max token length in bytes (default 16 KiB; at most 1 MiB): a longer one is `ERR_INPUT_TOO_LARGE`. */
  maxTokenBytes?: number
}

/**
 * Options of {@link verifyIdJag}.
 *
 * @example
 * ```ts
 * import { verifyIdJag, type VerifyIdJagOptions } from 'agentauth/assertion-grant'
 * const options: VerifyIdJagOptions = { trustedIssuers: [idp], audience: 'https://as.saas.example', clientId: client.clientId, replayCache }
 * await verifyIdJag(assertion, options)
 * ```
 */
export interface VerifyIdJagOptions extends VerifyGrantOptions {
  /** The authenticated client's id at this (Resource) AS: must equal the ID-JAG's `client_id` claim. */
  clientId: string
}

/**
 * A verified JWT authorization grant or ID-JAG. Frozen.
 *
 * @example
 * ```ts
 * import { verifyJWTAuthorizationGrant, type VerifiedAuthorizationGrant } from 'agentauth/assertion-grant'
 * const grant: VerifiedAuthorizationGrant = await verifyJWTAuthorizationGrant(assertion, options)
 * console.log(grant.issuer, grant.subject, grant.actors)
 * ```
 */
export interface VerifiedAuthorizationGrant {
  readonly issuer: string
  readonly subject: string
  readonly audience: readonly string[]
  /** Scopes of the grant, or undefined when it has no `scope` claim. */
  readonly scopes: readonly string[] | undefined
  readonly clientId: string | undefined
  /** `resource` claim values (ID-JAG). */
  readonly resources: readonly string[]
  /** Delegation chain carried across the domain boundary, current actor first. */
  readonly actors: readonly Actor[]
  readonly expiresAt: number
  readonly jti: string | undefined
  readonly typ: string | undefined
  readonly claims: Readonly<Record<string, unknown>>
}

function invalid(message: string, claim?: string): VerificationError {
  return new VerificationError('ERR_ASSERTION_INVALID', message, claim === undefined ? {} : { claim })
}

function unverifiedPart(token: unknown, index: 0 | 1): JSONObject | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_BYTES) return undefined
  const part = token.split('.')[index]
  if (part === undefined) return undefined
  try {
    const v: unknown = JSON.parse(decodeUtf8Strict(decodeStrict(part)))
    return isPlainObject(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** The largest `maxTokenBytes` accepted. */
const MAX_TOKEN_BYTES = 1 << 20

/**
 * Validates grant-verification options once.
 * @internal
 */
export function checkGrantOptions(options: VerifyGrantOptions, name = 'options'): void {
  checkObject(options, name)
  if (!Array.isArray(options.trustedIssuers) || options.trustedIssuers.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.trustedIssuers must be a non-empty array`)
  for (let i = 0; i < options.trustedIssuers.length; i++) {
    const t = options.trustedIssuers[i]
    checkObject(t, `${name}.trustedIssuers[]`)
    if (typeof t.issuer !== 'string' || t.issuer.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.trustedIssuers[].issuer must be a non-empty string`)
    // Only the first entry of an issuer is ever used: a second one (its keys) would be ignored silently.
    for (let j = 0; j < i; j++) {
      if (options.trustedIssuers[j]!.issuer === t.issuer) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.trustedIssuers names ${JSON.stringify(t.issuer)} twice: give all its keys in one entry`)
    }
    checkKeyInput(t.keys, `${name}.trustedIssuers[].keys`)
    algorithmsOption(t.algorithms, `${name}.trustedIssuers[].algorithms`)
  }
  const aud = options.audience
  if (!(typeof aud === 'string' && aud.length > 0) && !(Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a.length > 0))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.audience must be a non-empty string or array`)
  }
  if (options.replayCache !== undefined) checkFunction(options.replayCache.claim, `${name}.replayCache.claim`)
  for (const [k, max] of [['clockTolerance', 3600], ['maxLifetime', 86_400], ['maxTokenBytes', MAX_TOKEN_BYTES]] as const) {
    const v = options[k]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.${k} must be in [0, ${max}]`)
  }
}

async function verifyGrant(token: string, options: VerifyGrantOptions, profile: 'jwt' | 'id-jag', clientId?: string, deferClaim = false): Promise<VerifiedAuthorizationGrant> {
  // The size limit first: a token over it (or over 64 KiB whatever maxTokenBytes said) was refused
  // as "issuer not trusted", its unverified iss never read.
  const maxBytes = options.maxTokenBytes ?? 16 * 1024
  if (typeof token === 'string' && token.length > maxBytes) throw new VerificationError('ERR_INPUT_TOO_LARGE', `the assertion exceeds ${maxBytes} bytes`)
  const header = unverifiedPart(token, 0)
  const typ = typeof header?.typ === 'string' ? header.typ.toLowerCase() : undefined
  const isJag = typ === ID_JAG_TYP || typ === `application/${ID_JAG_TYP}`
  if (profile === 'id-jag' && !isJag) throw new VerificationError('ERR_TYP_INVALID', 'an ID-JAG must have typ oauth-id-jag+jwt', { claim: 'typ' })
  if (profile === 'jwt' && (isJag || typ === 'at+jwt' || typ === 'application/at+jwt')) {
    throw new VerificationError('ERR_TYP_INVALID', 'this typ is not a JWT authorization grant', { claim: 'typ' })
  }
  const claimedIss = unverifiedPart(token, 1)?.iss
  const trusted = options.trustedIssuers.find((t) => t.issuer === claimedIss)
  if (trusted === undefined) throw invalid('the assertion issuer is not trusted', 'iss')
  const verified = await verifyJWT(token, {
    keys: trusted.keys,
    algorithms: trusted.algorithms,
    issuer: trusted.issuer,
    audience: options.audience,
    clock: options.clock,
    clockTolerance: options.clockTolerance ?? 30,
    maxLifetime: options.maxLifetime ?? 600,
    required: profile === 'id-jag' ? ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'] : ['iss', 'sub', 'aud', 'exp'],
    maxBytes,
    code: 'ERR_ASSERTION_INVALID',
    what: profile === 'id-jag' ? 'ID-JAG' : 'JWT authorization grant',
  })
  const c = verified.payload
  let scopes: string[] | undefined
  if (Object.hasOwn(c, 'scope')) {
    scopes = typeof c.scope === 'string' ? parseScope(c.scope) : undefined
    if (scopes === undefined) throw invalid('the assertion "scope" claim is malformed', 'scope')
  }
  const grantClientId = c.client_id
  if (grantClientId !== undefined && (typeof grantClientId !== 'string' || grantClientId.length === 0)) throw invalid('the assertion "client_id" claim must be a string', 'client_id')
  // Before the jti is claimed: another client presenting the grant must not burn it.
  if (clientId !== undefined && grantClientId !== clientId) throw invalid('the ID-JAG was issued for another client', 'client_id')
  const resourceClaim = c.resource
  const resources = resourceClaim === undefined ? [] : typeof resourceClaim === 'string' ? [resourceClaim] : resourceClaim
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string' || r.length === 0)) throw invalid('the assertion "resource" claim is malformed', 'resource')
  const jti = c.jti
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)) throw invalid('the assertion "jti" claim is malformed', 'jti')
  if (options.replayCache !== undefined) {
    if (jti === undefined) throw invalid('the assertion has no jti', 'jti')
    if (!deferClaim) await claim(options, trusted.issuer, jti as string, c.exp as number)
  }
  const actors: readonly Actor[] = delegationChain(c)
  return Object.freeze({
    issuer: trusted.issuer,
    subject: c.sub as string,
    audience: Object.freeze([...verified.audience!]),
    scopes: scopes === undefined ? undefined : Object.freeze(scopes),
    clientId: grantClientId as string | undefined,
    resources: Object.freeze([...(resources as string[])]),
    actors,
    expiresAt: c.exp as number,
    jti: jti as string | undefined,
    typ: typeof verified.header.typ === 'string' ? verified.header.typ : undefined,
    claims: Object.freeze({ ...c }),
  })
}

async function claim(options: VerifyGrantOptions, issuer: string, jti: string, exp: number): Promise<void> {
  const ok = await options.replayCache!.claim(replayKey('assertion', issuer, jti), Math.ceil(exp + (options.clockTolerance ?? 30)))
  if (!ok) throw new VerificationError('ERR_PROOF_REPLAYED', 'the assertion was already used', { claim: 'jti' })
}

/**
 * Verifies a grant like {@link verifyJWTAuthorizationGrant} / {@link verifyIdJag} (options already
 * checked) but leaves its `jti` unclaimed (still required when a replay cache is given): the
 * jwt-bearer handler claims it with {@link claimGrant} after its policy checks, so a request refused
 * for its target or scope does not use the grant up.
 * @internal
 */
export function verifyGrantUnclaimed(token: string, options: VerifyGrantOptions, profile: 'jwt' | 'id-jag', clientId?: string): Promise<VerifiedAuthorizationGrant> {
  return verifyGrant(token, options, profile, clientId, true)
}

/**
 * Claims the `jti` of a grant from {@link verifyGrantUnclaimed} (a no-op without a replay cache).
 * Expiry is checked again first: policy hooks may have taken long, and a claim whose expiry has
 * passed is not stored (the grant would then be accepted again).
 * @internal
 */
export async function claimGrant(grant: VerifiedAuthorizationGrant, options: VerifyGrantOptions): Promise<void> {
  if (options.replayCache === undefined || grant.jti === undefined) return
  const now = (options.clock ?? systemClock)() / 1000
  if (now - (options.clockTolerance ?? 30) >= grant.expiresAt) throw new VerificationError('ERR_TOKEN_EXPIRED', 'the assertion has expired', { claim: 'exp' })
  await claim(options, grant.issuer, grant.jti, grant.expiresAt)
}

/**
 * Verifies a JWT authorization grant presented with the RFC 7523 §2.1 jwt-bearer grant — the
 * foreign authorization server's side of OAuth identity chaining (draft -17 §2.4.2): the issuer
 * must be trusted (keys per issuer, configured out of band), signature, `aud` naming this server
 * (issuer or token endpoint), `exp` required and not too far ahead, `sub` required (a grant that
 * does not identify a subject is refused), `jti` single-use when a replay cache is given. Access
 * tokens (`at+jwt`) and ID-JAGs are refused here by `typ` (ID-JAGs go to {@link verifyIdJag}).
 *
 * @param token - the `assertion` parameter.
 * @param options - see {@link VerifyGrantOptions}.
 * @returns a frozen {@link VerifiedAuthorizationGrant}.
 * @throws VerificationError `ERR_ASSERTION_INVALID`, `ERR_INPUT_TOO_LARGE` (over `maxTokenBytes`), `ERR_TYP_INVALID`, `ERR_ALG_NOT_ALLOWED`,
 *   `ERR_KEY_NOT_FOUND`, `ERR_JWS_INVALID`, `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_NOT_YET_VALID`,
 *   `ERR_TOKEN_LIFETIME`, `ERR_PROOF_REPLAYED`, `ERR_DELEGATION_INVALID`; StoreError when the replay
 *   cache is down; TypeError for bad options.
 *
 * @example
 * ```ts
 * import { verifyJWTAuthorizationGrant } from 'agentauth/assertion-grant'
 * const grant = await verifyJWTAuthorizationGrant(form.get('assertion')!, {
 *   trustedIssuers: [{ issuer: 'https://as.a.example', keys: { keys: homeAsJwks } }],
 *   audience: 'https://as.b.example',
 *   replayCache,
 * })
 * grant.subject // the user, as domain A names them
 * ```
 */
export async function verifyJWTAuthorizationGrant(token: string, options: VerifyGrantOptions): Promise<VerifiedAuthorizationGrant> {
  checkGrantOptions(options)
  return verifyGrant(token, options, 'jwt')
}

/**
 * Verifies an ID-JAG at the Resource AS (draft-ietf-oauth-identity-assertion-authz-grant §4.4):
 * `typ` `oauth-id-jag+jwt`, a trusted IdP issuer and signature, `aud` = this AS's issuer, `iss`,
 * `sub`, `aud`, `client_id`, `jti`, `exp`, `iat` required, and `client_id` equal to the
 * authenticated client.
 *
 * @param token - the `assertion` parameter.
 * @param options - see {@link VerifyIdJagOptions}.
 * @returns a frozen {@link VerifiedAuthorizationGrant}.
 * @throws VerificationError as {@link verifyJWTAuthorizationGrant}, and `ERR_ASSERTION_INVALID` with
 *   claim `client_id` when the ID-JAG was issued for another client.
 *
 * @example
 * ```ts
 * import { verifyIdJag } from 'agentauth/assertion-grant'
 * const jag = await verifyIdJag(assertion, {
 *   trustedIssuers: [{ issuer: 'https://idp.example', keys: idpJwks }],
 *   audience: 'https://as.saas.example',
 *   clientId: authenticatedClient.clientId,
 *   replayCache,
 * })
 * ```
 */
export async function verifyIdJag(token: string, options: VerifyIdJagOptions): Promise<VerifiedAuthorizationGrant> {
  checkGrantOptions(options)
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.clientId must be a non-empty string')
  return verifyGrant(token, options, 'id-jag', options.clientId)
}
