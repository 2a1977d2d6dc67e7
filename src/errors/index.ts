/**
 * Error model of agentauth: one base class with a stable `code`, four shallow categories that say
 * who must act, and coded `TypeError`s for programmer errors.
 *
 * Reachable from `agentauth/errors`.
 *
 * @example
 * ```ts
 * import { isAgentAuthError, VerificationError } from 'agentauth/errors'
 *
 * try {
 *   await verifier(request)
 * } catch (err) {
 *   if (err instanceof VerificationError) console.log(err.status, err.code, err.reason)
 *   else if (isAgentAuthError(err)) console.log('store, signer or upstream problem', err.code)
 *   else throw err
 * }
 * ```
 *
 * @module errors
 */
import {
  ERROR_CODES,
  type ArgumentErrorCode,
  type ErrorCategory,
  type ErrorCode,
  type ProtocolErrorCode,
  type SignerErrorCode,
  type StoreErrorCode,
  type VerificationErrorCode,
} from './codes.js'

export {
  ERROR_CODES,
  type ArgumentErrorCode,
  type ErrorCategory,
  type ErrorCode,
  type ProtocolErrorCode,
  type SignerErrorCode,
  type StoreErrorCode,
  type VerificationErrorCode,
}

const BRAND: unique symbol = Symbol.for('agentauth.error') as never
const CATEGORY: unique symbol = Symbol.for('agentauth.error.category') as never

/**
 * Options shared by every agentauth error.
 *
 * @example
 * ```ts
 * import { StoreError } from 'agentauth/errors'
 *
 * try {
 *   await redis.set(key, '1', 'PX', 60_000, 'NX')
 * } catch (cause) {
 *   throw new StoreError('ERR_STORE_UNAVAILABLE', 'replay cache unavailable', { cause })
 * }
 * ```
 */
export interface AgentAuthErrorOptions {
  /** The underlying error (a jose error, a network failure …). Never contains raw tokens. */
  cause?: unknown
}

function isBranded(value: unknown, category?: string): boolean {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<symbol, unknown>
  if (v[BRAND] !== true) return false
  return category === undefined || v[CATEGORY] === category
}

/**
 * Base class of every error agentauth throws on purpose (except coded `TypeError`s for bad
 * arguments). Branded with `Symbol.for('agentauth.error')`, so `instanceof` and
 * {@link isAgentAuthError} keep working when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { AgentAuthError } from 'agentauth/errors'
 * if (err instanceof AgentAuthError) log.warn({ code: err.code })
 * ```
 */
export class AgentAuthError extends Error {
  /** Stable, documented error code; switch on it, never on the message. */
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: AgentAuthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    Object.defineProperty(this, BRAND, { value: true, enumerable: false })
    const capture = (Error as { captureStackTrace?: (t: object, c: unknown) => void }).captureStackTrace
    capture?.(this, new.target)
  }


  /** A JSON form without stack or cause, safe to log. */
  toJSON(): { name: string; code: ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message }
  }
}

function brandCheck(target: object, category?: string): void {
  Object.defineProperty(target, Symbol.hasInstance, { value: (value: unknown) => isBranded(value, category), configurable: true })
}
brandCheck(AgentAuthError)

/**
 * Parameters of a `WWW-Authenticate` challenge built by `errorResponse`.
 *
 * @example
 * ```ts
 * import { VerificationError } from 'agentauth/errors'
 *
 * throw new VerificationError('ERR_INSUFFICIENT_SCOPE', 'scope orders:write required', {
 *   challenge: { scope: 'orders:write' },
 * })
 * ```
 */
export type ChallengeParameters = Readonly<Record<string, string>>

/**
 * Options of {@link VerificationError}.
 *
 * @example
 * ```ts
 * import { VerificationError } from 'agentauth/errors'
 *
 * throw new VerificationError('ERR_WPT_AUDIENCE', 'WPT aud does not match the request URI', {
 *   claim: 'aud',
 *   reason: 'proof audience mismatch',
 * })
 * ```
 */
export interface VerificationErrorOptions extends AgentAuthErrorOptions {
  /** HTTP status for a server answering this error; defaults to the code's status. */
  status?: 400 | 401 | 403 | 413
  /** A short reason that is safe to send to the caller. Defaults to the message. */
  reason?: string
  /** The claim or parameter that failed, when there is one. */
  claim?: string
  /** Extra `WWW-Authenticate` parameters (scheme-specific). */
  challenge?: ChallengeParameters
}

/**
 * Untrusted input was rejected: a malformed, forged, expired, replayed or unauthorised credential
 * or request. Carries the HTTP `status` a server should answer with and a `reason` safe to send.
 * Never carries the raw token.
 *
 * @example
 * ```ts
 * import { VerificationError } from 'agentauth/errors'
 * throw new VerificationError('ERR_WIT_EXPIRED', 'WIT expired', { claim: 'exp' })
 * ```
 */
export class VerificationError extends AgentAuthError {
  declare readonly code: VerificationErrorCode
  /** 400 malformed, 401 missing or invalid credentials, 403 refused by policy, 413 too large. */
  readonly status: 400 | 401 | 403 | 413
  /** Short reason, safe to return to the caller. */
  readonly reason: string
  /** The claim or parameter that failed. */
  readonly claim: string | undefined
  /** Extra `WWW-Authenticate` parameters. */
  readonly challenge: ChallengeParameters | undefined

  constructor(code: VerificationErrorCode, message: string, options?: VerificationErrorOptions) {
    super(code, message, options)
    Object.defineProperty(this, CATEGORY, { value: 'verification', enumerable: false })
    this.status = options?.status ?? (ERROR_CODES[code].status as 400 | 401 | 403 | 413)
    this.reason = options?.reason ?? message
    this.claim = options?.claim
    this.challenge = options?.challenge
  }

}
brandCheck(VerificationError, 'verification')

/**
 * Options of {@link ProtocolError}.
 *
 * @example
 * ```ts
 * import { ProtocolError } from 'agentauth/errors'
 *
 * throw new ProtocolError('ERR_OAUTH_ERROR', 'token endpoint refused the exchange', {
 *   status: 400,
 *   error: 'invalid_target',
 *   errorDescription: 'audience not allowed',
 * })
 * ```
 */
export interface ProtocolErrorOptions extends AgentAuthErrorOptions {
  /** HTTP status of the upstream response, when there was one. */
  status?: number
  /** OAuth / SSF `error` (or `err`) value from the upstream response. */
  error?: string
  /** OAuth `error_description` (or SSF `description`). */
  errorDescription?: string
}

/**
 * A remote party misbehaved or refused: an authorization server in a token exchange, an SSF
 * transmitter, a JWKS endpoint, a remote signer.
 *
 * @example
 * ```ts
 * import { ProtocolError } from 'agentauth/errors'
 * if (err instanceof ProtocolError && err.error === 'invalid_target') { … }
 * ```
 */
export class ProtocolError extends AgentAuthError {
  declare readonly code: ProtocolErrorCode
  /** HTTP status of the upstream response, if any. */
  readonly status: number | undefined
  /** OAuth / SSF error code sent by the remote party, if any. */
  readonly error: string | undefined
  /** Human text sent by the remote party, if any. */
  readonly errorDescription: string | undefined

  constructor(code: ProtocolErrorCode, message: string, options?: ProtocolErrorOptions) {
    super(code, message, options)
    Object.defineProperty(this, CATEGORY, { value: 'protocol', enumerable: false })
    this.status = options?.status
    this.error = options?.error
    this.errorDescription = options?.errorDescription
  }

}
brandCheck(ProtocolError, 'protocol')

/**
 * A replay, revocation or outbox store failed or timed out. Verifiers fail closed: the request is
 * refused (503) rather than let through.
 *
 * @example
 * ```ts
 * import { StoreError } from 'agentauth/errors'
 * if (err instanceof StoreError) return new Response('try again', { status: 503 })
 * ```
 */
export class StoreError extends AgentAuthError {
  declare readonly code: StoreErrorCode
  /** Always 503: the service is unavailable while its store is. */
  readonly status: 503 = 503

  constructor(code: StoreErrorCode, message: string, options?: AgentAuthErrorOptions) {
    super(code, message, options)
    Object.defineProperty(this, CATEGORY, { value: 'store', enumerable: false })
  }

}
brandCheck(StoreError, 'store')

/**
 * A signer refused or failed: a KMS error, a timeout, a credential broker's policy or rate limit.
 *
 * @example
 * ```ts
 * import { SignerError } from 'agentauth/errors'
 * if (err instanceof SignerError && err.code === 'ERR_SIGNER_REFUSED') console.warn('broker said no')
 * ```
 */
export class SignerError extends AgentAuthError {
  declare readonly code: SignerErrorCode

  constructor(code: SignerErrorCode, message: string, options?: AgentAuthErrorOptions) {
    super(code, message, options)
    Object.defineProperty(this, CATEGORY, { value: 'signer', enumerable: false })
  }

}
brandCheck(SignerError, 'signer')

/**
 * A `TypeError` with a Node-style `code`, thrown synchronously for programmer and configuration
 * errors (a missing option, a `NaN` lifetime, an unknown algorithm).
 *
 * @example
 * ```ts
 * import type { CodedTypeError } from 'agentauth/errors'
 *
 * try {
 *   createRequestVerifier({ ...policy, maxProofLifetime: Number.NaN })
 * } catch (err) {
 *   if (err instanceof TypeError) console.error((err as CodedTypeError).code) // 'ERR_INVALID_ARG_VALUE'
 * }
 * ```
 */
export interface CodedTypeError extends TypeError {
  readonly code: ArgumentErrorCode
}

/**
 * Creates a coded `TypeError` for a bad argument or option.
 *
 * @param code - `ERR_INVALID_ARG_TYPE` (wrong type) or `ERR_INVALID_ARG_VALUE` (right type, bad value).
 * @param message - names the option and what it must be; never include secrets.
 * @param cause - the underlying error, if any.
 * @returns the error, for the caller to `throw`.
 *
 * @example
 * ```ts
 * import { codedTypeError } from 'agentauth/errors'
 * throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.lifetime must be a positive integer')
 * ```
 */
export function codedTypeError(code: ArgumentErrorCode, message: string, cause?: unknown): CodedTypeError {
  const err = new TypeError(message, cause === undefined ? undefined : { cause }) as TypeError & { code: ArgumentErrorCode }
  err.code = code
  return err as CodedTypeError
}

/**
 * Union of every agentauth error class, for `switch (err.code)` narrowing.
 *
 * @example
 * ```ts
 * import { isAgentAuthError, type AnyAgentAuthError } from 'agentauth/errors'
 *
 * function statusOf(err: AnyAgentAuthError): number {
 *   switch (err.code) {
 *     case 'ERR_STORE_UNAVAILABLE': return 503
 *     case 'ERR_POLICY_DENIED': return 403
 *     default: return 'status' in err && typeof err.status === 'number' ? err.status : 500
 *   }
 * }
 * if (isAgentAuthError(err)) console.log(statusOf(err))
 * ```
 */
export type AnyAgentAuthError = VerificationError | ProtocolError | StoreError | SignerError

/**
 * True when `value` is an error thrown by agentauth (any category), even from another copy of the
 * package.
 *
 * @param value - anything caught.
 * @returns `true` (narrowing to {@link AnyAgentAuthError}) for any branded agentauth error.
 *
 * @example
 * ```ts
 * import { isAgentAuthError } from 'agentauth/errors'
 * if (isAgentAuthError(err)) metrics.increment(err.code)
 * ```
 */
export function isAgentAuthError(value: unknown): value is AnyAgentAuthError {
  return isBranded(value)
}

/**
 * Category (and so the class) that carries an error code.
 *
 * @param code - a code from {@link ERROR_CODES}.
 * @returns its category: `argument`, `verification`, `protocol`, `store` or `signer`.
 *
 * @example
 * ```ts
 * import { categoryOf } from 'agentauth/errors'
 * categoryOf('ERR_PROOF_REPLAYED') // 'verification'
 * ```
 */
export function categoryOf(code: ErrorCode): ErrorCategory {
  return ERROR_CODES[code].category
}
