// RFC 6749 §5.1 / RFC 8693 §2.2.1 token response validation, shared by every token endpoint
// client. Only documented members are read, each with a strict type check; the result is frozen.
import { ProtocolError } from '../errors/index.js'
import { readOAuthJSON } from './oauth-http.js'
import { parseScope } from './oauth-scope.js'

/** VSCHAR (RFC 6749 Appendix A): printable ASCII. Also keeps CR/LF out of any header built from it. */
const VSCHAR = /^[\x20-\x7e]+$/
/** token_type is a name (RFC 6749 §7.1); `N_A` is RFC 8693's value for non-access tokens. */
const TOKEN_TYPE = /^[A-Za-z0-9_.+-]+$/
const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600

export interface ParsedTokenResponse {
  readonly accessToken: string
  readonly tokenType: string
  readonly issuedTokenType: string | undefined
  readonly expiresIn: number | undefined
  readonly scope: string | undefined
  readonly refreshToken: string | undefined
}

function invalid(message: string, status: number): ProtocolError {
  return new ProtocolError('ERR_OAUTH_RESPONSE_INVALID', message, { status })
}

export async function parseTokenResponse(
  response: unknown,
  options: { what: string; maxBytes?: number | undefined; requireIssuedTokenType: boolean },
): Promise<ParsedTokenResponse> {
  const { what } = options
  const body = await readOAuthJSON(response, { what, ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) })
  const status = (response as Response).status
  const accessToken = body.access_token
  if (typeof accessToken !== 'string' || !VSCHAR.test(accessToken)) throw invalid(`${what} access_token is missing or malformed`, status)
  const tokenType = body.token_type
  if (typeof tokenType !== 'string' || !TOKEN_TYPE.test(tokenType)) throw invalid(`${what} token_type is missing or malformed`, status)
  let issuedTokenType: string | undefined
  if (Object.hasOwn(body, 'issued_token_type')) {
    const v = body.issued_token_type
    if (typeof v !== 'string' || !VSCHAR.test(v) || v.includes(' ')) throw invalid(`${what} issued_token_type is malformed`, status)
    issuedTokenType = v
  } else if (options.requireIssuedTokenType) {
    throw invalid(`${what} is missing issued_token_type`, status)
  }
  let expiresIn: number | undefined
  if (Object.hasOwn(body, 'expires_in') && body.expires_in !== null) {
    const v = body.expires_in
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_EXPIRES_IN) throw invalid(`${what} expires_in is not a valid number of seconds`, status)
    expiresIn = Math.floor(v)
  }
  let scope: string | undefined
  if (Object.hasOwn(body, 'scope') && body.scope !== null) {
    const v = body.scope
    if (typeof v !== 'string' || parseScope(v) === undefined) throw invalid(`${what} scope is malformed`, status)
    scope = v
  }
  let refreshToken: string | undefined
  if (Object.hasOwn(body, 'refresh_token') && body.refresh_token !== null) {
    const v = body.refresh_token
    if (typeof v !== 'string' || !VSCHAR.test(v)) throw invalid(`${what} refresh_token is malformed`, status)
    refreshToken = v
  }
  return Object.freeze({ accessToken, tokenType, issuedTokenType, expiresIn, scope, refreshToken })
}
