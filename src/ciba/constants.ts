/**
 * The specification this module implements: OpenID Connect Client-Initiated Backchannel
 * Authentication Flow — Core 1.0 (final, 2021-09-01), poll and ping token delivery modes.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/ciba'
 * console.log(SPEC.name)
 * ```
 */
export const SPEC: Readonly<{ name: string; version: string; url: string }> = Object.freeze({
  name: 'OpenID Connect Client-Initiated Backchannel Authentication Flow - Core 1.0',
  version: 'final (2021-09-01)',
  url: 'https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html',
})

/**
 * `grant_type` of the CIBA token request (CIBA §10.1).
 *
 * @example
 * ```ts
 * import { GRANT_TYPE_CIBA } from 'agentauth/ciba'
 * const registration = { grant_types: [GRANT_TYPE_CIBA], backchannel_token_delivery_mode: 'poll' }
 * ```
 */
export const GRANT_TYPE_CIBA = 'urn:openid:params:grant-type:ciba'

/**
 * The OpenID Provider half of every CIBA call.
 *
 * @example
 * ```ts
 * const op: CibaServer = { issuer: 'https://op.example.com', tokenEndpoint: 'https://op.example.com/token', backchannelAuthenticationEndpoint: 'https://op.example.com/backchannel' }
 * ```
 */
export interface CibaServer {
  /** Issuer identifier; the `aud` of client assertions. */
  readonly issuer?: string | undefined
  /** Token endpoint (polls and the ping follow-up go here). */
  readonly tokenEndpoint: string
  /** `backchannel_authentication_endpoint` from the provider metadata. */
  readonly backchannelAuthenticationEndpoint: string
}
