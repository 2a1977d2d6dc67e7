import { codedTypeError } from '../errors/index.js'
import { checkMintOptions, mintJWT, requireStringClaim, type MintOptions } from '../internal/oauth-mint.js'
import { scopeOption } from '../internal/oauth-scope.js'

/**
 * JOSE `typ` of an Identity Assertion JWT Authorization Grant (ID-JAG §3).
 *
 * @example
 * ```ts
 * import { ID_JAG_TYP } from 'agentauth/assertion-grant'
 * ID_JAG_TYP // 'oauth-id-jag+jwt'
 * ```
 */
export const ID_JAG_TYP = 'oauth-id-jag+jwt'
/**
 * JOSE `typ` agentauth gives JWT authorization grants for identity chaining (no typ is registered for them).
 *
 * @example
 * ```ts
 * import { JWT_GRANT_TYP } from 'agentauth/assertion-grant'
 * JWT_GRANT_TYP // 'JWT'
 * ```
 */
export const JWT_GRANT_TYP = 'JWT'
/**
 * Resource AS metadata value announcing ID-JAG support (`authorization_grant_profiles_supported`).
 *
 * @example
 * ```ts
 * import { GRANT_PROFILE_ID_JAG } from 'agentauth/assertion-grant'
 * const metadata = { authorization_grant_profiles_supported: [GRANT_PROFILE_ID_JAG] }
 * ```
 */
export const GRANT_PROFILE_ID_JAG = 'urn:ietf:params:oauth:grant-profile:id-jag'

/**
 * Claims of a JWT authorization grant (identity chaining §2.3.3 / RFC 7523 §3).
 *
 * @example
 * ```ts
 * import type { JWTAuthorizationGrantClaims } from 'agentauth/assertion-grant'
 * const claims: JWTAuthorizationGrantClaims = { iss: 'https://as.home.example', sub: 'alice', aud: 'https://as.partner.example', act: { sub: 'spiffe://home.example/agent' } }
 * ```
 */
export interface JWTAuthorizationGrantClaims {
  /** The home authorization server. */
  iss: string
  /** The subject, as the foreign AS should know it. */
  sub: string
  /** The foreign authorization server (issuer identifier or token endpoint); a single value is recommended. */
  aud: string
  /** The client the grant was issued to (optional). */
  client_id?: string
  scope?: string | readonly string[]
  /** The delegation chain carried across the domain boundary. */
  act?: Readonly<Record<string, unknown>>
  readonly [claim: string]: unknown
}

/**
 * Claims of an ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant §3).
 *
 * @example
 * ```ts
 * import type { IdJagClaims } from 'agentauth/assertion-grant'
 * const claims: IdJagClaims = { iss: 'https://idp.example', sub: 'alice', aud: 'https://as.saas.example', client_id: 'agent-at-saas' }
 * ```
 */
export interface IdJagClaims {
  /** The IdP's issuer identifier. */
  iss: string
  /** The subject identifier the IdP would use for the Resource AS. */
  sub: string
  /** The Resource AS issuer identifier. */
  aud: string
  /** The client's identifier **at the Resource AS**. */
  client_id: string
  scope?: string | readonly string[]
  /** Resource indicator(s) at the Resource AS. */
  resource?: string | readonly string[]
  act?: Readonly<Record<string, unknown>>
  readonly [claim: string]: unknown
}

/**
 * Options of the grant minters: signer and a short lifetime (default 300 s, at most 3600).
 *
 * @example
 * ```ts
 * import { createIdJag, type CreateGrantOptions } from 'agentauth/assertion-grant'
 * const options: CreateGrantOptions = { signer: idpSigner, lifetime: 120 }
 * await createIdJag(claims, options)
 * ```
 */
export interface CreateGrantOptions {
  signer: MintOptions['signer']
  lifetime?: number
  notAfter?: number
  clock?: MintOptions['clock']
}

// A NaN notAfter made exp NaN, serialised as "exp": null: a grant that never expires.
function checkNotAfter(options: CreateGrantOptions): void {
  const v = options.notAfter
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.notAfter must be a finite number of epoch seconds')
}

function normaliseScope(claims: { scope?: unknown }, out: Record<string, unknown>): void {
  if (claims.scope === undefined) return
  const list = scopeOption(claims.scope as string, 'claims.scope')
  out.scope = list.length === 0 ? undefined : list.join(' ')
}

/**
 * Mints a JWT authorization grant for OAuth identity chaining (draft-ietf-oauth-identity-chaining
 * -17 §2.3.3): the home AS's answer to a token exchange targeting a foreign AS, presented there
 * with the RFC 7523 jwt-bearer grant. `iat`, `exp`, `jti` are generated; keep the lifetime short.
 *
 * @param claims - see {@link JWTAuthorizationGrantClaims}.
 * @param options - `signer`, `lifetime` (default 300 s), `notAfter`, `clock`.
 * @returns the compact JWT.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for missing claims, a bad lifetime or a `notAfter` that is
 *   not a finite number.
 *
 * @example
 * ```ts
 * import { createJWTAuthorizationGrant } from 'agentauth/assertion-grant'
 * const grant = await createJWTAuthorizationGrant({ iss: 'https://as.a.example', sub: 'alice', aud: 'https://as.b.example' }, { signer })
 * ```
 */
export async function createJWTAuthorizationGrant(claims: JWTAuthorizationGrantClaims, options: CreateGrantOptions): Promise<string> {
  const lifetime = checkMintOptions(options, 'options', 3600)
  checkNotAfter(options)
  if (typeof claims !== 'object' || claims === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'claims must be an object')
  for (const c of ['iss', 'sub', 'aud']) requireStringClaim(claims, c, 'JWT authorization grant')
  const out: Record<string, unknown> = { ...claims }
  normaliseScope(claims, out)
  return (await mintJWT(JWT_GRANT_TYP, out, options, lifetime)).token
}

/**
 * Mints an ID-JAG (typ `oauth-id-jag+jwt`) as the IdP's answer to a token exchange with
 * `requested_token_type=urn:ietf:params:oauth:token-type:id-jag` (ID-JAG §3, §4.3). Required
 * claims `iss`, `sub`, `aud`, `client_id`; `iat`, `exp`, `jti` are generated.
 *
 * @param claims - see {@link IdJagClaims}.
 * @param options - `signer`, `lifetime` (default 300 s), `notAfter`, `clock`.
 * @returns the compact JWT.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for missing claims, a bad lifetime or a `notAfter` that is
 *   not a finite number.
 *
 * @example
 * ```ts
 * import { createIdJag } from 'agentauth/assertion-grant'
 * const jag = await createIdJag(
 *   { iss: 'https://idp.example', sub: 'alice', aud: 'https://as.saas.example', client_id: 'agent-at-saas', scope: 'chat.read' },
 *   { signer: idpSigner },
 * )
 * ```
 */
export async function createIdJag(claims: IdJagClaims, options: CreateGrantOptions): Promise<string> {
  const lifetime = checkMintOptions(options, 'options', 3600)
  checkNotAfter(options)
  if (typeof claims !== 'object' || claims === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'claims must be an object')
  for (const c of ['iss', 'sub', 'aud', 'client_id']) requireStringClaim(claims, c, 'ID-JAG')
  const out: Record<string, unknown> = { ...claims }
  normaliseScope(claims, out)
  return (await mintJWT(ID_JAG_TYP, out, options, lifetime)).token
}
