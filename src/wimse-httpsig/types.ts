import type { DigestBody, HTTPRequest, SignatureParameters, VerifiedContentDigest } from '../httpsig/index.js'
import type { Clock } from '../internal/time.js'
import type { SignOptions, Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'

/**
 * Options shared by {@link signWIMSERequest} and {@link signWIMSEResponse}.
 *
 * @example
 * ```ts
 * import type { SignWIMSEOptions } from 'agentauth/wimse-httpsig'
 * const common: SignWIMSEOptions = { wit, signer, lifetime: 30 }
 * ```
 */
export interface SignWIMSEOptions {
  /** This workload's compact WIT; it is put in `Workload-Identity-Token` and covered. */
  wit: string
  /** Signer for the key in the WIT's `cnf.jwk` (its `alg` must equal `cnf.jwk.alg`). */
  signer: Signer
  /** `nonce` parameter. Default: 128 random bits, base64url. Must be unique per sender. */
  nonce?: string
  /** Seconds from `created` to `expires` (integer, 1–3600). Default 60. */
  lifetime?: number
  /**
   * The message body, when the message object cannot give it (a consumed or streaming body). Used
   * for `Content-Digest`. Without it the body of a `Request` / `Response` is read from a clone.
   */
  body?: DigestBody
  /** Largest body hashed for `Content-Digest`, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Clock (milliseconds, like `Date.now`). */
  clock?: Clock
  /** Web Crypto provider. Default `globalThis.crypto`. */
  crypto?: Crypto
  /** Stops waiting for the signer: signing then fails with `ERR_SIGNER_FAILED`, even when the signer ignores the signal. */
  signal?: SignOptions['signal']
}

/**
 * Options of {@link signWIMSERequest}.
 *
 * @example
 * ```ts
 * import { signWIMSERequest, type SignWIMSERequestOptions } from 'agentauth/wimse-httpsig'
 * const options: SignWIMSERequestOptions = { wit, signer, signResponse: true, audience: 'https://svcb.example.com/orders' }
 * const signed = await signWIMSERequest(request, options)
 * ```
 */
export interface SignWIMSERequestOptions extends SignWIMSEOptions {
  /** `wimse-aud`. Default: the target URI without query and fragment (§3.1). */
  audience?: string
  /** Ask the receiver to sign its response (`wimse-sign-response`, §3.2). Default false. */
  signResponse?: boolean
}

/**
 * Options of {@link signWIMSEResponse}.
 *
 * @example
 * ```ts
 * import { signWIMSEResponse, type SignWIMSEResponseOptions } from 'agentauth/wimse-httpsig'
 * const options: SignWIMSEResponseOptions = { request, wit: myWit, signer: mySigner, requestNonce: verified.nonce }
 * const signed = await signWIMSEResponse(response, options)
 * ```
 */
export interface SignWIMSEResponseOptions extends SignWIMSEOptions {
  /** The request this response answers (for the `;req` components). */
  request: HTTPRequest
  /**
   * The request signature's `nonce`, sent back as `wimse-req-nonce` (§3.3). Default: read from the
   * request's `wimse` signature. Take it from `VerifiedWIMSERequest.nonce`.
   */
  requestNonce?: string
}

/**
 * The fields a WIMSE signature adds to a message.
 *
 * @example
 * ```ts
 * import { signWIMSERequest, type WIMSESignatureFields } from 'agentauth/wimse-httpsig'
 * const fields: WIMSESignatureFields = await signWIMSERequest(request, { wit, signer })
 * for (const [name, value] of Object.entries(fields.headers)) request.headers.set(name, value)
 * ```
 */
export interface WIMSESignatureFields {
  /**
   * Every field to set on the message, with canonical names: `Workload-Identity-Token`,
   * `Content-Digest` (when a body was hashed), `Signature-Input`, `Signature`.
   */
  readonly headers: Readonly<Record<string, string>>
  readonly signatureInput: string
  readonly signature: string
  /** The `Content-Digest` value computed here, if any (an existing one is covered as is). */
  readonly contentDigest: string | undefined
  /** The `nonce` sent; keep it to check `wimse-req-nonce` on the response. */
  readonly nonce: string
  readonly created: number
  readonly expires: number
}

/**
 * Options shared by the verifiers.
 *
 * @example
 * ```ts
 * import type { VerifyWIMSEOptions } from 'agentauth/wimse-httpsig'
 * const common: VerifyWIMSEOptions = { wit: verifiedWit, replayCache, maxLifetime: 120 }
 * ```
 */
export interface VerifyWIMSEOptions {
  /** The peer's WIT, already verified (`verifyWIT`). The signature key comes only from it. */
  wit: VerifiedWIT
  /** Longest accepted `expires - created`, in seconds. Default 600 (the draft's own response example lives 302 s). */
  maxLifetime?: number
  /** Allowed clock skew in seconds, 0–300. Default 30. */
  clockTolerance?: number
  /** Nonce replay cache (keys `sig:<length of wit.id>:<wit.id>:<nonce>`). Strongly recommended for requests. */
  replayCache?: ReplayCache
  /** The body, when it was already read from the message. Used to check `Content-Digest`. */
  body?: DigestBody
  /** Largest body hashed, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Accept the older tag `wimse-service-to-service`. Default true. */
  acceptLegacyTag?: boolean
  /** Clock (milliseconds, like `Date.now`). */
  clock?: Clock
  /** Web Crypto provider. Default `globalThis.crypto`. */
  crypto?: Crypto
}

/**
 * Options of {@link verifyWIMSERequest}.
 *
 * @example
 * ```ts
 * import { verifyWIMSERequest, type VerifyWIMSERequestOptions } from 'agentauth/wimse-httpsig'
 * const options: VerifyWIMSERequestOptions = { wit: callerWit, audience: 'https://svcb.example.com', replayCache }
 * const verified = await verifyWIMSERequest(request, options)
 * ```
 */
export interface VerifyWIMSERequestOptions extends VerifyWIMSEOptions {
  /**
   * Acceptable `wimse-aud` values from trusted configuration. An `http(s)` origin accepts
   * `origin + request path`; any other value must match exactly. Without it, `wimse-aud` must equal
   * the request URL without query — which then must not come from `Host` / `X-Forwarded-*`.
   */
  audience?: string | readonly string[]
}

/**
 * Options of {@link verifyWIMSEResponse}.
 *
 * @example
 * ```ts
 * import { verifyWIMSEResponse, type VerifyWIMSEResponseOptions } from 'agentauth/wimse-httpsig'
 * const options: VerifyWIMSEResponseOptions = { request, wit: serverWit, expectedRequestNonce: signed.nonce, required: true }
 * await verifyWIMSEResponse(response, options)
 * ```
 */
export interface VerifyWIMSEResponseOptions extends VerifyWIMSEOptions {
  /** The request this response answers, as sent (for `;req` components). */
  request: HTTPRequest
  /** The `nonce` of the request's signature. Default: read from the request's `wimse` signature. */
  expectedRequestNonce?: string
  /**
   * Whether a signed response is required (§3.4). Default: true when the request's signature
   * carried `wimse-sign-response`; `true` also requires one for requests that did not ask, and
   * `false` cannot waive it for a request that asked (the client MUST then refuse an unsigned
   * response). When required, a missing signature is an error; when not, a present signature is
   * still fully verified.
   */
  required?: boolean
}

/**
 * A verified WIMSE signature (frozen).
 *
 * @example
 * ```ts
 * import type { VerifiedWIMSESignature } from 'agentauth/wimse-httpsig'
 * const describe = (s: VerifiedWIMSESignature) => `${s.id} signed ${s.components.join(' ')} (nonce ${s.nonce})`
 * ```
 */
export interface VerifiedWIMSESignature {
  readonly label: string
  readonly created: number
  readonly expires: number
  readonly nonce: string
  readonly tag: string
  /** Covered component identifiers as serialised. */
  readonly components: readonly string[]
  /** Every signature parameter. */
  readonly params: SignatureParameters
  /** The WIT the signature was checked against, and its workload identifier. */
  readonly wit: VerifiedWIT
  readonly id: string
  /** The verified `Content-Digest`, when the message had a body or the field. */
  readonly contentDigest: VerifiedContentDigest | undefined
  /** True when the older tag was used. */
  readonly legacy: boolean
}

/**
 * Result of {@link verifyWIMSERequest}.
 *
 * @example
 * ```ts
 * import { verifyWIMSERequest, type VerifiedWIMSERequest } from 'agentauth/wimse-httpsig'
 * const verified: VerifiedWIMSERequest = await verifyWIMSERequest(request, { wit: callerWit, audience })
 * if (verified.signResponse) console.log('sign the response, echoing nonce', verified.nonce)
 * ```
 */
export interface VerifiedWIMSERequest extends VerifiedWIMSESignature {
  /** The `wimse-aud` value that matched. */
  readonly audience: string
  /** The caller asked for a signed response (`wimse-sign-response`). */
  readonly signResponse: boolean
}

/**
 * Result of {@link verifyWIMSEResponse}.
 *
 * @example
 * ```ts
 * import { verifyWIMSEResponse, type VerifiedWIMSEResponse } from 'agentauth/wimse-httpsig'
 * const checked: VerifiedWIMSEResponse | undefined = await verifyWIMSEResponse(response, { request, wit: serverWit })
 * if (checked === undefined) console.log('the response was not signed (and did not have to be)')
 * ```
 */
export interface VerifiedWIMSEResponse extends VerifiedWIMSESignature {
  /** `wimse-req-nonce`, when present (always when the response signature was required). */
  readonly requestNonce: string | undefined
}
