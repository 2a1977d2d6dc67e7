import { markBearerError } from '../internal/bearer-errors.js'
import { VerificationError } from '../errors/index.js'
import { checkAccessTokenOptions, verifyChecked, type VerifiedAccessToken, type VerifyAccessTokenOptions } from './verify.js'

// RFC 6750 §2.1: "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * Verifies the value of an `Authorization` header; see {@link createAccessTokenVerifier}.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier, type AuthorizationHeaderVerifier } from 'agentauth/access-token'
 * const verifyBearer: AuthorizationHeaderVerifier = createAccessTokenVerifier({ issuer, audience, keys })
 * await verifyBearer(request.headers.get('authorization'))
 * ```
 */
export type AuthorizationHeaderVerifier = (authorization: string | null | undefined) => Promise<VerifiedAccessToken>

/**
 * Builds a verifier for `Authorization: Bearer <RFC 9068 token>` header values, validating the
 * options once. This is the optional step a request verifier calls after the workload proof, so
 * an API sees the caller (WIT) and the user and delegation chain it acts for (access token).
 *
 * A missing header or another scheme is `ERR_ACCESS_TOKEN_INVALID` (401) with a challenge that has
 * no `error` parameter (RFC 6750 §3.1); malformed `Bearer` credentials (or a header over the size
 * cap) are status 400 with `error="invalid_request"`; invalid tokens carry `error="invalid_token"`.
 *
 * @param options - see {@link VerifyAccessTokenOptions}.
 * @returns `(authorization) => Promise<VerifiedAccessToken>` (frozen results).
 * @throws TypeError for bad options. The returned function throws the errors of `verifyAccessToken`.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier } from 'agentauth/access-token'
 * const verifyBearer = createAccessTokenVerifier({ issuer, audience: 'https://tool.example.com', keys: jwks })
 * const token = await verifyBearer(request.headers.get('authorization'))
 * ```
 */
export function createAccessTokenVerifier(options: VerifyAccessTokenOptions): AuthorizationHeaderVerifier {
  checkAccessTokenOptions(options)
  return async function verifyAuthorization(authorization) {
    if (typeof authorization !== 'string' || authorization.length === 0) {
      throw markBearerError(new VerificationError('ERR_ACCESS_TOKEN_INVALID', 'no Authorization header', { status: 401, challenge: {} }))
    }
    const max = (options.maxTokenBytes ?? 16 * 1024) + 32
    // RFC 6750 §3.1: invalid_request is answered with 400 (Bad Request).
    if (authorization.length > max) throw markBearerError(new VerificationError('ERR_INPUT_TOO_LARGE', 'Authorization header is too large', { status: 400, challenge: { error: 'invalid_request' } }))
    const m = BEARER.exec(authorization)
    if (m === null) {
      const bearer = /^bearer(\s|$)/i.test(authorization)
      throw markBearerError(new VerificationError('ERR_ACCESS_TOKEN_INVALID', bearer ? 'malformed Bearer credentials' : 'Authorization scheme is not Bearer', {
        status: bearer ? 400 : 401,
        challenge: bearer ? { error: 'invalid_request' } : {},
      }))
    }
    return verifyChecked(m[1]!, options)
  }
}

/**
 * One-shot form of {@link createAccessTokenVerifier}: verifies an `Authorization` header value.
 *
 * @param authorization - the header value (`Bearer …`), or null/undefined when absent.
 * @param options - see {@link VerifyAccessTokenOptions}.
 * @returns a frozen {@link VerifiedAccessToken}.
 * @throws VerificationError — the codes of `verifyAccessToken`, and `ERR_ACCESS_TOKEN_INVALID` for a
 *   missing or non-Bearer header; TypeError for bad options.
 *
 * @example
 * ```ts
 * import { verifyAuthorizationHeader } from 'agentauth/access-token'
 * const token = await verifyAuthorizationHeader(request.headers.get('authorization'), { issuer, audience, keys })
 * ```
 */
export function verifyAuthorizationHeader(authorization: string | null | undefined, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  return createAccessTokenVerifier(options)(authorization)
}
