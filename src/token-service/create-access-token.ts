import { codedTypeError } from '../errors/index.js'
import { checkMintOptions, mintJWT, requireStringClaim, type MintOptions } from '../internal/oauth-mint.js'
import { scopeOption } from '../internal/oauth-scope.js'
import { ACCESS_TOKEN_TYP } from '../access-token/verify.js'

/**
 * Claims of an access token to mint. `iat`, `exp` and `jti` are added.
 *
 * @example
 * ```ts
 * import { createAccessToken, type AccessTokenClaims } from 'agentauth/token-service'
 * const claims: AccessTokenClaims = { iss: 'https://sts.example.com', sub: 'alice', aud: 'https://tool.example.com', client_id: 'broker', scope: 'files:read' }
 * await createAccessToken(claims, { signer })
 * ```
 */
export interface AccessTokenClaims {
  /** Issuer identifier of the token service. */
  iss: string
  /** The resource owner (user) or, with no user, the client. */
  sub: string
  /** The resource server(s) the token is for. */
  aud: string | readonly string[]
  /** The client the token was issued to. */
  client_id: string
  /** Granted scope (space-delimited or list); omitted when empty. */
  scope?: string | readonly string[]
  /** RFC 8693 §4.1 delegation chain (current actor outermost). */
  act?: Readonly<Record<string, unknown>>
  /** Confirmation (e.g. `{ jkt }`) for a sender-constrained token. */
  cnf?: Readonly<Record<string, unknown>>
  readonly [claim: string]: unknown
}

/**
 * Options of {@link createAccessToken}.
 *
 * @example
 * ```ts
 * import { createAccessToken, type CreateAccessTokenOptions } from 'agentauth/token-service'
 * const options: CreateAccessTokenOptions = { signer, lifetime: 300, notAfter: subjectToken.expiresAt }
 * await createAccessToken(claims, options)
 * ```
 */
export interface CreateAccessTokenOptions {
  /** Signs the token (its `kid` goes into the header). */
  signer: MintOptions['signer']
  /** Lifetime in seconds (default 300, at most 86400). */
  lifetime?: number
  /** Never expire after this instant (epoch seconds), e.g. the subject token's `exp`. */
  notAfter?: number
  clock?: MintOptions['clock']
}

/**
 * Mints an RFC 9068 JWT access token: header `typ` `at+jwt`, claims `iss`, `sub`, `aud`,
 * `client_id`, `iat`, `exp`, `jti` (the last three generated), plus `scope`, `act`, `cnf` and any
 * extra claims given.
 *
 * @param claims - see {@link AccessTokenClaims}.
 * @param options - `signer`, `lifetime`, `notAfter`, `clock`.
 * @returns the compact JWT.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for missing or malformed claims,
 *   generated claims given explicitly, or a lifetime out of range.
 *
 * @example
 * ```ts
 * import { createAccessToken } from 'agentauth/token-service'
 * const jwt = await createAccessToken(
 *   { iss: 'https://sts.example.com', sub: 'alice', aud: 'https://calendar.example.com', client_id: 'agent-broker',
 *     scope: 'calendar:read', act: { sub: 'spiffe://example.com/agents/planner' } },
 *   { signer: stsSigner, lifetime: 300 },
 * )
 * ```
 */
export async function createAccessToken(claims: AccessTokenClaims, options: CreateAccessTokenOptions): Promise<string> {
  const lifetime = checkMintOptions(options, 'options')
  if (typeof claims !== 'object' || claims === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'claims must be an object')
  for (const c of ['iss', 'sub', 'client_id']) requireStringClaim(claims, c, 'access token')
  const aud = typeof claims.aud === 'string' ? claims.aud : Array.isArray(claims.aud) && claims.aud.length > 0 && claims.aud.every((a) => typeof a === 'string' && a.length > 0) ? (claims.aud.length === 1 ? claims.aud[0] : [...claims.aud]) : undefined
  if (aud === undefined || aud === '') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'access token claim "aud" must be a non-empty string or array')
  const scope = claims.scope === undefined ? [] : scopeOption(claims.scope, 'claims.scope')
  const out: Record<string, unknown> = { ...claims, aud, scope: scope.length === 0 ? undefined : scope.join(' ') }
  return (await mintJWT(ACCESS_TOKEN_TYP, out, options, lifetime)).token
}
