/**
 * `grant_type` of RFC 8693 token exchange.
 *
 * @example
 * ```ts
 * import { GRANT_TYPE_TOKEN_EXCHANGE } from 'agentauth/token-exchange'
 * form.get('grant_type') === GRANT_TYPE_TOKEN_EXCHANGE
 * ```
 */
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
/**
 * `grant_type` of the RFC 7523 §2.1 JWT bearer authorization grant.
 *
 * @example
 * ```ts
 * import { GRANT_TYPE_JWT_BEARER } from 'agentauth/token-exchange'
 * form.get('grant_type') === GRANT_TYPE_JWT_BEARER
 * ```
 */
export const GRANT_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * Token type identifiers (RFC 8693 §3, plus those of the Transaction Tokens draft, ID-JAG and
 * RFC 8693's SAML ones). Use them as `subjectTokenType`, `actorTokenType`, `requestedTokenType`.
 *
 * @example
 * ```ts
 * import { TOKEN_TYPE } from 'agentauth/token-exchange'
 * const params = { subjectToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, requestedTokenType: TOKEN_TYPE.TXN_TOKEN }
 * ```
 */
export const TOKEN_TYPE: Readonly<{
  readonly ACCESS_TOKEN: 'urn:ietf:params:oauth:token-type:access_token'
  readonly REFRESH_TOKEN: 'urn:ietf:params:oauth:token-type:refresh_token'
  readonly ID_TOKEN: 'urn:ietf:params:oauth:token-type:id_token'
  readonly JWT: 'urn:ietf:params:oauth:token-type:jwt'
  readonly SAML1: 'urn:ietf:params:oauth:token-type:saml1'
  readonly SAML2: 'urn:ietf:params:oauth:token-type:saml2'
  readonly TXN_TOKEN: 'urn:ietf:params:oauth:token-type:txn_token'
  readonly SELF_SIGNED: 'urn:ietf:params:oauth:token-type:self_signed'
  readonly UNSIGNED_JSON: 'urn:ietf:params:oauth:token-type:unsigned_json'
  readonly ID_JAG: 'urn:ietf:params:oauth:token-type:id-jag'
}> = Object.freeze({
  /** An OAuth access token (RFC 8693 §3). */
  ACCESS_TOKEN: 'urn:ietf:params:oauth:token-type:access_token',
  /** An OAuth refresh token. */
  REFRESH_TOKEN: 'urn:ietf:params:oauth:token-type:refresh_token',
  /** An OpenID Connect ID Token. */
  ID_TOKEN: 'urn:ietf:params:oauth:token-type:id_token',
  /** A JWT (e.g. a JWT authorization grant for identity chaining). */
  JWT: 'urn:ietf:params:oauth:token-type:jwt',
  /** A base64url-encoded SAML 1.1 assertion. */
  SAML1: 'urn:ietf:params:oauth:token-type:saml1',
  /** A base64url-encoded SAML 2.0 assertion. */
  SAML2: 'urn:ietf:params:oauth:token-type:saml2',
  /** A Transaction Token (draft-ietf-oauth-transaction-tokens). */
  TXN_TOKEN: 'urn:ietf:params:oauth:token-type:txn_token',
  /** A self-signed JWT subject token (Transaction Tokens draft). */
  SELF_SIGNED: 'urn:ietf:params:oauth:token-type:self_signed',
  /** An unsigned JSON object subject token (Transaction Tokens draft). */
  UNSIGNED_JSON: 'urn:ietf:params:oauth:token-type:unsigned_json',
  /** An Identity Assertion JWT Authorization Grant (draft-ietf-oauth-identity-assertion-authz-grant). */
  ID_JAG: 'urn:ietf:params:oauth:token-type:id-jag',
})

/**
 * One of the {@link TOKEN_TYPE} values, or any other absolute URI a deployment defines.
 *
 * @example
 * ```ts
 * import { TOKEN_TYPE, type TokenTypeURI } from 'agentauth/token-exchange'
 * const wanted: TokenTypeURI = TOKEN_TYPE.TXN_TOKEN
 * ```
 */
export type TokenTypeURI = (typeof TOKEN_TYPE)[keyof typeof TOKEN_TYPE] | (string & {})
