/**
 * The table of every error code agentauth can produce. The code is the contract; messages are not.
 *
 * Each entry names the error category (which class carries it), the default HTTP status a server
 * answers with, and a one-line description. `docs/errors.md` is generated from this table and a test
 * fails when the two drift apart.
 *
 * Sections are grouped by module; add new codes inside the section of the module that throws them.
 *
 * @example
 * ```ts
 * import { ERROR_CODES } from 'agentauth/errors'
 *
 * ERROR_CODES.ERR_PROOF_REPLAYED.status // 401
 * ERROR_CODES.ERR_STORE_UNAVAILABLE.category // 'store'
 * for (const [code, { description }] of Object.entries(ERROR_CODES)) console.log(code, description)
 * ```
 */
export const ERROR_CODES = {
  // -- arguments (TypeError) --
  ERR_INVALID_ARG_TYPE: { category: 'argument', status: 500, description: 'An argument or option has the wrong type (programmer error).' },
  ERR_INVALID_ARG_VALUE: { category: 'argument', status: 500, description: 'An argument or option has an unusable value (programmer error).' },

  // -- generic input --
  ERR_INPUT_TOO_LARGE: { category: 'verification', status: 400, description: 'An input exceeded its size limit before it was parsed.' },
  ERR_JSON_INVALID: { category: 'verification', status: 400, description: 'Input was not strict UTF-8 JSON, or not a JSON object where one was required.' },
  ERR_BASE64_INVALID: { category: 'verification', status: 400, description: 'Input was not canonical base64url / base64.' },
  ERR_JWS_INVALID: { category: 'verification', status: 400, description: 'A compact JWS was malformed (parts, header, encoding, crit).' },
  ERR_JWS_SIGNATURE: { category: 'verification', status: 400, description: 'A JWS signature did not verify.' },
  ERR_ALG_NOT_ALLOWED: { category: 'verification', status: 400, description: 'The algorithm is not in the allow-list (or is none/symmetric where forbidden).' },
  ERR_KEY_NOT_FOUND: { category: 'verification', status: 400, description: 'No trusted key matched the token (kid, use, trust domain).' },
  ERR_KEY_INVALID: { category: 'verification', status: 400, description: 'A key was malformed, private where public was required, or unusable with its algorithm.' },
  ERR_CLAIM_INVALID: { category: 'verification', status: 400, description: 'A JWT claim is missing or has the wrong type or value.' },
  ERR_TOKEN_EXPIRED: { category: 'verification', status: 400, description: 'A token or signature is past its expiry.' },
  ERR_TOKEN_NOT_YET_VALID: { category: 'verification', status: 400, description: 'A token is not valid yet (nbf / iat / created in the future).' },
  ERR_TOKEN_LIFETIME: { category: 'verification', status: 400, description: 'A token or signature lives longer than the policy allows.' },
  ERR_TYP_INVALID: { category: 'verification', status: 400, description: 'The JOSE typ header is not the one the profile requires.' },

  // -- identifier --
  ERR_IDENTIFIER_INVALID: { category: 'verification', status: 400, description: 'A workload identifier is not a valid URI for its profile.' },
  ERR_IDENTIFIER_EMPTY: { category: 'verification', status: 400, description: 'The identifier is empty.' },
  ERR_IDENTIFIER_TOO_LONG: { category: 'verification', status: 400, description: 'The identifier exceeds 2048 bytes.' },
  ERR_IDENTIFIER_SCHEME: { category: 'verification', status: 400, description: 'The scheme is missing, malformed or not allowed (e.g. not lower-case spiffe).' },
  ERR_IDENTIFIER_TRUST_DOMAIN_MISSING: { category: 'verification', status: 400, description: 'The trust domain (authority) is missing or empty.' },
  ERR_IDENTIFIER_TRUST_DOMAIN_CHAR: { category: 'verification', status: 400, description: 'The trust domain holds a character its profile forbids.' },
  ERR_IDENTIFIER_PATH_CHAR: { category: 'verification', status: 400, description: 'The path holds a character its profile forbids.' },
  ERR_IDENTIFIER_EMPTY_SEGMENT: { category: 'verification', status: 400, description: 'The path has an empty segment (//).' },
  ERR_IDENTIFIER_DOT_SEGMENT: { category: 'verification', status: 400, description: 'The path has a . or .. segment.' },
  ERR_IDENTIFIER_TRAILING_SLASH: { category: 'verification', status: 400, description: 'The path ends with /.' },
  ERR_IDENTIFIER_QUERY: { category: 'verification', status: 400, description: 'The identifier has a query component.' },
  ERR_IDENTIFIER_FRAGMENT: { category: 'verification', status: 400, description: 'The identifier has a fragment component.' },
  ERR_IDENTIFIER_USERINFO: { category: 'verification', status: 400, description: 'The identifier has userinfo in its authority.' },
  ERR_IDENTIFIER_PORT: { category: 'verification', status: 400, description: 'The identifier has a port in its authority.' },
  ERR_IDENTIFIER_PERCENT_ENCODING: { category: 'verification', status: 400, description: 'The identifier uses percent-encoding where its profile forbids it.' },
  ERR_IDENTIFIER_TRUST_DOMAIN_TOO_LONG: { category: 'verification', status: 400, description: 'The trust domain exceeds 255 bytes.' },
  ERR_IDENTIFIER_PATH_RELATIVE: { category: 'verification', status: 400, description: 'A path given on its own does not start with /.' },

  // -- wit --
  ERR_WIT_INVALID: { category: 'verification', status: 400, description: 'The Workload Identity Token is malformed or fails a claim check.' },
  ERR_WIT_MISSING: { category: 'verification', status: 400, description: 'No Workload-Identity-Token header (or more than one).' },
  ERR_WIT_EXPIRED: { category: 'verification', status: 400, description: 'The Workload Identity Token has expired.' },
  ERR_WIT_SIGNATURE: { category: 'verification', status: 400, description: 'The Workload Identity Token signature did not verify with the trust bundle.' },
  ERR_WIT_CNF_INVALID: { category: 'verification', status: 400, description: 'The WIT cnf.jwk is missing, private, or has a missing or disallowed alg.' },
  ERR_WIT_FETCH: { category: 'protocol', status: 503, description: 'A refreshing WIT source could not fetch a WIT (its fetch function failed).' },

  // -- wpt --
  ERR_WPT_INVALID: { category: 'verification', status: 400, description: 'The Workload Proof Token is malformed or fails a claim check.' },
  ERR_WPT_MISSING: { category: 'verification', status: 400, description: 'No Workload-Proof-Token header (or more than one). The request verifier answers 401 (with a challenge) when no proof is sent at all.' },
  ERR_WPT_SIGNATURE: { category: 'verification', status: 400, description: 'The WPT signature did not verify with the WIT key.' },
  ERR_WPT_AUDIENCE: { category: 'verification', status: 400, description: 'The WPT aud does not name this service.' },
  ERR_WPT_BINDING_MISMATCH: { category: 'verification', status: 400, description: 'A WPT hash binding (wth, ath, tth, oth) does not match the request.' },

  // -- httpsig / digest --
  ERR_HTTPSIG_MISSING: { category: 'verification', status: 400, description: 'No (matching) Signature / Signature-Input field. The request verifier answers 401 (with a challenge) when no proof is sent at all.' },
  ERR_HTTPSIG_INVALID: { category: 'verification', status: 400, description: 'A Signature / Signature-Input field is malformed or violates the policy.' },
  ERR_HTTPSIG_SIGNATURE: { category: 'verification', status: 400, description: 'The HTTP message signature did not verify.' },
  ERR_HTTPSIG_COMPONENT_MISSING: { category: 'verification', status: 400, description: 'A covered component is absent from the message, or a required component is not covered.' },
  ERR_HTTPSIG_COMPONENT_INVALID: { category: 'verification', status: 400, description: 'A covered component cannot be serialised (bad sf/key/bs/req use, duplicate).' },
  ERR_HTTPSIG_EXPIRED: { category: 'verification', status: 400, description: 'The signature is expired, too old, or created in the future.' },
  ERR_HTTPSIG_AUDIENCE: { category: 'verification', status: 400, description: 'The wimse-aud parameter does not name this service.' },
  ERR_HTTPSIG_TAG: { category: 'verification', status: 400, description: 'The tag parameter is missing or not the required one.' },
  ERR_DIGEST_MISSING: { category: 'verification', status: 400, description: 'A body is present but Content-Digest is missing or has no supported algorithm.' },
  ERR_DIGEST_MISMATCH: { category: 'verification', status: 400, description: 'Content-Digest does not match the body.' },
  ERR_DIGEST_INVALID: { category: 'verification', status: 400, description: 'Content-Digest / Want-Content-Digest is malformed.' },
  ERR_BODY_TOO_LARGE: { category: 'verification', status: 413, description: 'The body exceeded the configured byte limit.' },

  // -- server / policy --
  ERR_PROOF_MISSING: { category: 'verification', status: 401, description: 'The request carries no workload proof the policy accepts.' },
  ERR_PROOF_REPLAYED: { category: 'verification', status: 401, description: 'A proof (WPT jti, signature nonce) was seen before.' },
  ERR_CREDENTIAL_REVOKED: { category: 'verification', status: 401, description: 'The credential, key, session or subject has been revoked.' },
  ERR_POLICY_DENIED: { category: 'verification', status: 403, description: 'The caller was authenticated but the policy refuses it.' },
  ERR_HEADER_INVALID: { category: 'verification', status: 400, description: 'A request header is malformed, duplicated or oversized.' },
  ERR_BODY_INCOMPLETE: { category: 'verification', status: 400, description: 'The request body could not be read to its end (the client aborted or reset the request).' },
  ERR_ORIGIN_NOT_ALLOWED: { category: 'verification', status: 403, description: 'The destination origin is not allow-listed for credentials.' },

  // -- oauth --
  ERR_ACCESS_TOKEN_INVALID: { category: 'verification', status: 401, description: 'An OAuth access token (RFC 9068) failed verification.' },
  ERR_INSUFFICIENT_SCOPE: { category: 'verification', status: 403, description: 'The access token lacks a required scope.' },
  ERR_DELEGATION_INVALID: { category: 'verification', status: 403, description: 'A delegation chain (act / may_act) is malformed, too deep, circular or not allowed.' },
  ERR_TOKEN_EXCHANGE_FAILED: { category: 'protocol', status: 502, description: 'A token exchange was refused or answered with an invalid response.' },
  ERR_OAUTH_RESPONSE_INVALID: { category: 'protocol', status: 502, description: 'An OAuth endpoint answered with a malformed response.' },
  ERR_OAUTH_ERROR: { category: 'protocol', status: 502, description: 'An OAuth endpoint answered with an error response (error / error_description).' },
  ERR_ASSERTION_INVALID: { category: 'verification', status: 400, description: 'A JWT assertion (client assertion, jwt-bearer grant, ID-JAG) failed verification.' },
  ERR_CLIENT_AUTH_FAILED: { category: 'verification', status: 401, description: 'OAuth client authentication at a token endpoint failed (invalid_client).' },
  ERR_OAUTH_REQUEST_INVALID: { category: 'verification', status: 400, description: 'A token request is malformed or uses an unsupported grant or token type.' },
  ERR_SUBJECT_TOKEN_INVALID: { category: 'verification', status: 400, description: 'A token exchange subject token failed verification (invalid_request, RFC 8693 §2.2.2).' },
  ERR_ACTOR_TOKEN_INVALID: { category: 'verification', status: 400, description: 'A token exchange actor token failed verification (invalid_request, RFC 8693 §2.2.2).' },
  ERR_SCOPE_NOT_ALLOWED: { category: 'verification', status: 400, description: 'A requested scope is outside what the subject token or policy allows; scopes only narrow (invalid_scope).' },
  ERR_TARGET_NOT_ALLOWED: { category: 'verification', status: 400, description: 'A requested audience or resource is not allowed by policy (invalid_target).' },
  ERR_MAY_ACT_MISMATCH: { category: 'verification', status: 403, description: 'The actor is not named by the subject token may_act claim.' },
  ERR_DELEGATION_DEPTH: { category: 'verification', status: 403, description: 'A delegation chain is longer than the policy allows.' },
  ERR_DELEGATION_CYCLE: { category: 'verification', status: 403, description: 'An actor already appears in the delegation chain (circular exchange).' },
  ERR_ACTOR_NOT_ALLOWED: { category: 'verification', status: 403, description: 'An actor (or its trust domain) is not allowed to act at this hop.' },
  ERR_CONFIRMATION_MISMATCH: { category: 'verification', status: 401, description: 'A sender-constrained token (cnf) was presented without, or with a different, bound key.' },
  ERR_TXN_TOKEN_INVALID: { category: 'verification', status: 401, description: 'A Transaction Token failed verification.' },
  ERR_APPROVAL_DENIED: { category: 'protocol', status: 403, description: 'A human approval (CIBA) was denied (access_denied); an expired request is ERR_APPROVAL_EXPIRED.' },
  ERR_APPROVAL_EXPIRED: { category: 'protocol', status: 403, description: 'A human approval request (CIBA auth_req_id) expired before anyone decided.' },
  ERR_CIBA_NOTIFICATION_INVALID: { category: 'verification', status: 401, description: 'A CIBA ping notification lacked the right bearer token or was malformed.' },
  ERR_TXN_TOKEN_MISSING: { category: 'verification', status: 401, description: 'No Txn-Token header where the policy requires one (several values are ERR_HEADER_INVALID).' },
  ERR_TXN_TOKEN_AUDIENCE: { category: 'verification', status: 401, description: 'A Txn-Token aud is not this trust domain (Txn-Tokens never cross trust domains).' },
  ERR_TXN_TOKEN_REPLAYED: { category: 'verification', status: 401, description: 'A Txn-Token txn was already seen by a verifier that enforces single use.' },
  ERR_TXN_TOKEN_REPLACEMENT: { category: 'verification', status: 400, description: 'A replacement Txn-Token request would alter tctx/rctx, exceed the replacement limit, or replace a Txn-Token already replaced.' },

  // -- ssf --
  ERR_SET_INVALID: { category: 'verification', status: 400, description: 'A Security Event Token failed verification or the SSF profile.' },
  ERR_SUBJECT_ID_INVALID: { category: 'verification', status: 400, description: 'A subject identifier (RFC 9493 / SSF) is malformed.' },
  ERR_SSF_STREAM: { category: 'protocol', status: 502, description: 'An SSF transmitter refused or garbled a stream-management call.' },
  ERR_SET_ISSUER: { category: 'verification', status: 400, description: 'The SET iss is not the expected transmitter (RFC 8935 invalid_issuer).' },
  ERR_SET_AUDIENCE: { category: 'verification', status: 400, description: 'The SET aud does not name this receiver (RFC 8935 invalid_audience).' },
  ERR_SET_REPLAYED: { category: 'verification', status: 400, description: 'A SET with this iss and jti was already accepted.' },
  ERR_SSF_POLL: { category: 'protocol', status: 502, description: 'An SSF poll endpoint (RFC 8936) refused the request or answered with a malformed response.' },
  ERR_SSF_DELIVERY: { category: 'protocol', status: 502, description: 'Reserved: push failures (RFC 8935) are reported through the transmitter\'s failed() list, not thrown.' },
  ERR_SSF_UNAUTHENTICATED: { category: 'verification', status: 401, description: 'A push delivery (RFC 8935) lacked the stream\'s Authorization header value or carried another one (authentication_failed).' },

  // -- lifecycle --
  ERR_IDENTITY_RETAINED: { category: 'verification', status: 403, description: 'The identifier was deprovisioned and is retained for audit; it is never issued again.' },

  // -- x509 --
  ERR_X509_SVID_INVALID: { category: 'verification', status: 400, description: 'An X.509-SVID failed parsing or chain verification.' },
  ERR_X509_UNTRUSTED: { category: 'verification', status: 400, description: 'No X.509 bundle for the SVID trust domain, or no certificate in it issued the chain.' },
  ERR_X509_SIGNATURE: { category: 'verification', status: 400, description: 'A certificate signature in the X.509-SVID chain did not verify.' },
  ERR_X509_EXPIRED: { category: 'verification', status: 400, description: 'A certificate on the X.509-SVID path is past its notAfter.' },
  ERR_X509_NOT_YET_VALID: { category: 'verification', status: 400, description: 'A certificate on the X.509-SVID path is before its notBefore.' },
  ERR_X509_CHAIN_INVALID: { category: 'verification', status: 400, description: 'A signing certificate breaks the SVID path rules (not a CA, no keyCertSign, path length, name constraints, chain too long).' },

  // -- bundle / remote --
  ERR_BUNDLE_FETCH: { category: 'protocol', status: 503, description: 'A remote trust bundle (JWKS) could not be fetched or parsed.' },
  ERR_REMOTE_TIMEOUT: { category: 'protocol', status: 504, description: 'A remote party did not answer in time.' },

  // -- stores --
  ERR_STORE_UNAVAILABLE: { category: 'store', status: 503, description: 'A replay / revocation / outbox store failed or timed out (fail closed).' },
  ERR_STORE_FULL: { category: 'store', status: 503, description: 'A bounded memory store is full of live entries (fail closed).' },

  // -- signer / broker --
  ERR_SIGNER_FAILED: { category: 'signer', status: 500, description: 'A signer failed (KMS error, timeout, bad output).' },
  ERR_SIGNER_REFUSED: { category: 'signer', status: 403, description: 'A signer or credential broker refused by policy.' },
  ERR_SIGNER_RATE_LIMITED: { category: 'signer', status: 429, description: 'A credential broker rate limit was hit.' },
  ERR_BROKER_UNAUTHORIZED: { category: 'signer', status: 401, description: 'The credential broker refused the capability token (missing or wrong).' },

  // -- fetch --
  ERR_FETCH_REDIRECT: { category: 'protocol', status: 502, description: 'A redirect was refused (redirects: error), exceeded redirects.max, or had an unusable Location.' },
} as const

// Compile-time check that every entry has the right shape.
const _shape: Record<string, { readonly category: ErrorCategory; readonly status: number; readonly description: string }> = ERROR_CODES
void _shape

/**
 * Which error class carries a code: `argument` (coded `TypeError`), `verification`
 * (`VerificationError`), `protocol` (`ProtocolError`), `store` (`StoreError`) or `signer`
 * (`SignerError`).
 *
 * @example
 * ```ts
 * import { categoryOf, type ErrorCategory } from 'agentauth/errors'
 *
 * const category: ErrorCategory = categoryOf('ERR_SIGNER_REFUSED') // 'signer'
 * ```
 */
export type ErrorCategory = 'argument' | 'verification' | 'protocol' | 'store' | 'signer'

/**
 * Every stable error code agentauth produces (the keys of {@link ERROR_CODES}). Switch on codes,
 * never on messages; `docs/errors.md` lists them all.
 *
 * @example
 * ```ts
 * import { isAgentAuthError, type ErrorCode } from 'agentauth/errors'
 *
 * const retryable: ReadonlySet<ErrorCode> = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_REMOTE_TIMEOUT'])
 * if (isAgentAuthError(err) && retryable.has(err.code)) scheduleRetry()
 * ```
 */
export type ErrorCode = keyof typeof ERROR_CODES

/**
 * Codes carried by {@link VerificationError}: rejected credentials and requests.
 *
 * @example
 * ```ts
 * import { VerificationError, type VerificationErrorCode } from 'agentauth/errors'
 *
 * function isReplay(err: unknown): boolean {
 *   const replays: VerificationErrorCode[] = ['ERR_PROOF_REPLAYED', 'ERR_TXN_TOKEN_REPLAYED', 'ERR_SET_REPLAYED']
 *   return err instanceof VerificationError && replays.includes(err.code)
 * }
 * ```
 */
export type VerificationErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['category'] extends 'verification' ? K : never
}[ErrorCode]
/**
 * Codes carried by {@link ProtocolError}: a remote party (authorization server, transmitter, JWKS
 * endpoint) misbehaved or refused.
 *
 * @example
 * ```ts
 * import { ProtocolError, type ProtocolErrorCode } from 'agentauth/errors'
 *
 * const upstreamDown: ProtocolErrorCode[] = ['ERR_BUNDLE_FETCH', 'ERR_REMOTE_TIMEOUT']
 * if (err instanceof ProtocolError && upstreamDown.includes(err.code)) return new Response(null, { status: 503 })
 * ```
 */
export type ProtocolErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['category'] extends 'protocol' ? K : never
}[ErrorCode]
/**
 * Codes carried by {@link StoreError}: a replay, revocation or outbox store failed (fail closed).
 *
 * @example
 * ```ts
 * import { StoreError, type StoreErrorCode } from 'agentauth/errors'
 *
 * const code: StoreErrorCode = 'ERR_STORE_UNAVAILABLE'
 * throw new StoreError(code, 'redis timed out after 50 ms')
 * ```
 */
export type StoreErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['category'] extends 'store' ? K : never
}[ErrorCode]
/**
 * Codes carried by {@link SignerError}: a KMS, HSM or credential broker refused or failed.
 *
 * @example
 * ```ts
 * import { SignerError, type SignerErrorCode } from 'agentauth/errors'
 *
 * const code: SignerErrorCode = 'ERR_SIGNER_RATE_LIMITED'
 * throw new SignerError(code, 'broker rate limit: 10 signatures per second')
 * ```
 */
export type SignerErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['category'] extends 'signer' ? K : never
}[ErrorCode]
/**
 * Codes carried by coded `TypeError`s (programmer errors), thrown synchronously when options are
 * wrong, before any request is handled.
 *
 * @example
 * ```ts
 * import { codedTypeError, type ArgumentErrorCode } from 'agentauth/errors'
 *
 * const code: ArgumentErrorCode = 'ERR_INVALID_ARG_VALUE'
 * throw codedTypeError(code, 'options.maxTokenAge must be a positive finite number')
 * ```
 */
export type ArgumentErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE'
