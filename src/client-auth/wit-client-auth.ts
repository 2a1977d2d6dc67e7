import { codedTypeError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { checkObject, checkFunction } from '../internal/oauth-assert.js'
import { optionalNumber } from '../internal/assert.js'
import { randomId } from '../internal/oauth-http.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { createCompactJWS } from '../signer/jws.js'
import type { Signer } from '../signer/types.js'
import type { WITSource } from '../wit/types.js'
import type { ClientAuthentication } from './types.js'

/**
 * Header carrying the WIT as the client attestation (draft-ietf-oauth-attestation-based-client-auth).
 *
 * @example
 * ```ts
 * import { CLIENT_ATTESTATION_HEADER } from 'agentauth/client-auth'
 * const wit = request.headers.get(CLIENT_ATTESTATION_HEADER)
 * ```
 */
export const CLIENT_ATTESTATION_HEADER = 'OAuth-Client-Attestation'
/**
 * Header carrying the proof of possession of the WIT key.
 *
 * @example
 * ```ts
 * import { CLIENT_ATTESTATION_POP_HEADER } from 'agentauth/client-auth'
 * const pop = request.headers.get(CLIENT_ATTESTATION_POP_HEADER)
 * ```
 */
export const CLIENT_ATTESTATION_POP_HEADER = 'OAuth-Client-Attestation-PoP'
/**
 * JOSE `typ` of the attestation PoP JWT.
 *
 * @example
 * ```ts
 * import { CLIENT_ATTESTATION_POP_TYP } from 'agentauth/client-auth'
 * CLIENT_ATTESTATION_POP_TYP // 'oauth-client-attestation-pop+jwt'
 * ```
 */
export const CLIENT_ATTESTATION_POP_TYP = 'oauth-client-attestation-pop+jwt'
/**
 * `token_endpoint_auth_method` value registered for attestation-based client authentication.
 *
 * @example
 * ```ts
 * import { ATTEST_JWT_CLIENT_AUTH } from 'agentauth/client-auth'
 * const clientMetadata = { token_endpoint_auth_method: ATTEST_JWT_CLIENT_AUTH }
 * ```
 */
export const ATTEST_JWT_CLIENT_AUTH = 'attest_jwt_client_auth'

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Options of {@link witClientAuth}.
 *
 * @example
 * ```ts
 * import { witClientAuth, type WITClientAuthOptions } from 'agentauth/client-auth'
 * const options: WITClientAuthOptions = { wit: witSource, signer: workloadSigner, lifetime: 30 }
 * const auth = witClientAuth(options)
 * ```
 */
export interface WITClientAuthOptions {
  /** Where the current WIT comes from (rotation hidden behind it). */
  wit: WITSource
  /** The workload key bound in the WIT's `cnf.jwk`; signs the PoP. */
  signer: Signer
  /** `aud` of the PoP. Default: the server's issuer identifier (required by the attestation draft). */
  audience?: string
  /** PoP lifetime in seconds (default 60, at most 300). */
  lifetime?: number
  /** Injected clock (ms). */
  clock?: Clock
}

/**
 * OAuth client authentication with a Workload Identity Token and a fresh proof of possession of its
 * key, as draft-ietf-oauth-spiffe-client-auth-02 §3.3 profiles OAuth 2.0 Attestation-Based Client
 * Authentication for WIT(-SVID)s: the WIT goes unchanged in `OAuth-Client-Attestation` (its `typ`
 * stays `wit+jwt`), and a PoP JWT signed with the WIT's `cnf` key goes in
 * `OAuth-Client-Attestation-PoP` (`typ` `oauth-client-attestation-pop+jwt`; claims `iss` = client
 * id, `aud` = issuer, `jti`, `iat`, `exp`). `client_id` is sent in the body — for a workload it is
 * usually its workload identifier.
 *
 * The WIMSE credentials draft itself defines no OAuth binding, which is why this profile is used.
 * No secret and no long-lived key: the WIT rotates, the key never leaves the signer.
 *
 * @param options - see {@link WITClientAuthOptions}.
 * @returns a {@link ClientAuthentication}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, or (at use) when
 *   neither `options.audience` nor the server issuer is known.
 *
 * @example
 * ```ts
 * import { witClientAuth, requestClientCredentials } from 'agentauth/client-auth'
 *
 * const auth = witClientAuth({ wit: witSource, signer: workloadSigner })
 * const token = await requestClientCredentials(
 *   { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' },
 *   { clientId: 'spiffe://example.org/agents/nightly-report', auth },
 *   { scope: 'reports:write' },
 * )
 * ```
 */
export function witClientAuth(options: WITClientAuthOptions): ClientAuthentication {
  checkObject(options, 'options')
  checkObject(options.wit, 'options.wit')
  checkFunction(options.wit.getWIT, 'options.wit.getWIT')
  checkObject(options.signer, 'options.signer')
  checkFunction(options.signer.sign, 'options.signer.sign')
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 300, integer: true })
  // Checked now: a clock that is not a function failed only at use, with an uncoded TypeError.
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  if (options.audience !== undefined && (typeof options.audience !== 'string' || options.audience.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be a non-empty string')
  }
  // Read once: the values validated above are the ones used, whatever happens to `options` later.
  const { wit, signer, clock, audience } = options
  return async function witClientAuthentication(context) {
    const aud = audience ?? context.issuer
    if (aud === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'witClientAuth needs the server issuer (or options.audience) as PoP audience')
    const signal = context.signal
    // Waited for no longer than the request's signal allows, even when a custom source ignores it
    // (rejects with the signal's reason, as the aborted fetch would).
    const current = await untilAborted(Promise.resolve(wit.getWIT(signal === undefined ? undefined : { signal })), signal)
    // A source that hands back no WIT (or text that is not one compact JWS) must not reach the
    // header: Headers would throw an uncoded TypeError, or a value would be sent as the attestation.
    const token: unknown = (current as { token?: unknown } | null | undefined)?.token
    if (typeof token !== 'string' || token.length > 65_536 || !COMPACT_JWS.test(token)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.wit.getWIT() did not return a WIT (a compact JWS in .token)')
    }
    const iat = nowSeconds(clock)
    const pop = await untilAborted(createCompactJWS(
      { typ: CLIENT_ATTESTATION_POP_TYP },
      { iss: context.clientId, aud, jti: randomId(), iat, exp: iat + lifetime },
      signer,
      signal === undefined ? undefined : { signal },
    ), signal)
    context.headers.set(CLIENT_ATTESTATION_HEADER, token)
    context.headers.set(CLIENT_ATTESTATION_POP_HEADER, pop)
    context.body.set('client_id', context.clientId)
  }
}
