import { codedTypeError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { checkObject, checkFunction } from '../internal/oauth-assert.js'
import { optionalNumber } from '../internal/assert.js'
import { randomId } from '../internal/oauth-http.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { createCompactJWS } from '../signer/jws.js'
import type { Signer } from '../signer/types.js'
import type { ClientAuthentication } from './types.js'

/**
 * `client_assertion_type` of RFC 7523 §2.2.
 *
 * @example
 * ```ts
 * import { CLIENT_ASSERTION_TYPE_JWT_BEARER } from 'agentauth/client-auth'
 * form.get('client_assertion_type') === CLIENT_ASSERTION_TYPE_JWT_BEARER
 * ```
 */
export const CLIENT_ASSERTION_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/**
 * Options of {@link privateKeyJwt}.
 *
 * @example
 * ```ts
 * import { privateKeyJwt, type PrivateKeyJwtOptions } from 'agentauth/client-auth'
 * const options: PrivateKeyJwtOptions = { lifetime: 30, audience: 'https://as.example.com' }
 * const auth = privateKeyJwt(signer, options)
 * ```
 */
export interface PrivateKeyJwtOptions {
  /** `iss`/`sub` of the assertion; defaults to the request's `clientId`. Must equal it when both are set. */
  clientId?: string
  /**
   * `aud` of the assertion. Default: the server's issuer identifier when known (RFC 7523bis, which
   * makes the issuer the only acceptable value), else the token endpoint URL (RFC 7523 §3).
   */
  audience?: string
  /** Assertion lifetime in seconds (default 60, at most 600). */
  lifetime?: number
  /** Injected clock (ms). */
  clock?: Clock
}

/**
 * Client authentication with a JWT assertion signed by the client's key (RFC 7523 §2.2,
 * `private_key_jwt` in OpenID Connect). The key stays behind the {@link Signer}: a KMS, an HSM or a
 * credential broker. Each request gets a fresh assertion with a random `jti` (servers may enforce
 * single use) and a short `exp`.
 *
 * Claims: `iss` = `sub` = client id, `aud` (see {@link PrivateKeyJwtOptions.audience}), `jti`,
 * `iat`, `exp`. The request also carries `client_id`.
 *
 * @param signer - signs the assertion; its public key must be registered with the server.
 * @param options - see {@link PrivateKeyJwtOptions}.
 * @returns a {@link ClientAuthentication} for the token-endpoint clients.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at construction),
 *   or when `options.clientId` disagrees with the request's client id (at use).
 *
 * @example
 * ```ts
 * import { privateKeyJwt } from 'agentauth/client-auth'
 * import { exchangeToken } from 'agentauth/token-exchange'
 *
 * const auth = privateKeyJwt(signer) // signer from createCryptoKeySigner / a KMS recipe
 * const token = await exchangeToken(
 *   { issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' },
 *   { clientId: 'agent-broker', auth },
 *   { subjectToken, subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token', audience: 'https://tool.example.com' },
 * )
 * ```
 */
export function privateKeyJwt(signer: Signer, options: PrivateKeyJwtOptions = {}): ClientAuthentication {
  checkObject(signer, 'signer')
  checkFunction(signer.sign, 'signer.sign')
  checkObject(options, 'options')
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 600, integer: true })
  // Checked now: a clock that is not a function failed only at use, with an uncoded TypeError.
  if (options.clock !== undefined) checkFunction(options.clock, 'options.clock')
  if (options.clientId !== undefined && (typeof options.clientId !== 'string' || options.clientId.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.clientId must be a non-empty string')
  }
  if (options.audience !== undefined && (typeof options.audience !== 'string' || options.audience.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be a non-empty string')
  }
  // Read once: the values validated above are the ones used, whatever happens to `options` later.
  const { clock, clientId: fixedClientId, audience } = options
  return async function privateKeyJwtAuth(context) {
    const clientId = fixedClientId ?? context.clientId
    if (clientId !== context.clientId) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'privateKeyJwt clientId does not match the request client_id')
    const iat = nowSeconds(clock)
    const payload = {
      iss: clientId,
      sub: clientId,
      aud: audience ?? context.issuer ?? context.tokenEndpoint,
      jti: randomId(),
      iat,
      exp: iat + lifetime,
    }
    // A signer (KMS, broker) that ignores the signal must not hold the request past it.
    const assertion = await untilAborted(createCompactJWS({}, payload, signer, context.signal === undefined ? undefined : { signal: context.signal }), context.signal)
    context.body.set('client_id', clientId)
    context.body.set('client_assertion_type', CLIENT_ASSERTION_TYPE_JWT_BEARER)
    context.body.set('client_assertion', assertion)
  }
}
