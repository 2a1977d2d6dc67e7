// Public types of agentauth/httpsig: message shapes, component identifiers, signature parameters,
// options and results.
import type { Token } from 'structured-headers'
import type { HTTPSignatureAlgorithm, JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK, Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import type { Clock } from '../internal/time.js'

/**
 * HTTP fields in any of three forms: a `Headers` object, a record (a value array = several field
 * lines), or an array of `[name, value]` pairs (one entry per field line, in order).
 *
 * @example
 * ```ts
 * import type { HeaderInput } from 'agentauth/httpsig'
 * const a: HeaderInput = new Headers({ 'content-type': 'application/json' })
 * const b: HeaderInput = { 'Cache-Control': ['max-age=60', 'must-revalidate'] }
 * const c: HeaderInput = [['Cache-Control', 'max-age=60'], ['Cache-Control', 'must-revalidate']]
 * ```
 */
export type HeaderInput =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>

/**
 * A request as a plain object (use this when you need raw field lines, trailers or a raw request-target).
 *
 * @example
 * ```ts
 * import type { RequestLike } from 'agentauth/httpsig'
 * const req: RequestLike = { method: 'OPTIONS', url: 'https://example.com/', requestTarget: '*', headers: { host: 'example.com' } }
 * ```
 */
export interface RequestLike {
  readonly method: string
  /** Absolute target URI. */
  readonly url: string | URL
  readonly headers?: HeaderInput | undefined
  readonly trailers?: HeaderInput | undefined
  /**
   * The request-target exactly as on the request line (origin-form, `*`, authority-form, absolute-form).
   * `@request-target` is this value; in origin- or absolute-form, `@path`, `@query`, `@query-param`
   * and `@target-uri` take the path and query from it verbatim (not WHATWG-serialised). Default:
   * path + query of `url`.
   */
  readonly requestTarget?: string | undefined
  /** Body for content-digest helpers. */
  readonly body?: Uint8Array | string | ReadableStream<Uint8Array> | null | undefined
}

/**
 * A response as a plain object.
 *
 * @example
 * ```ts
 * import type { ResponseLike } from 'agentauth/httpsig'
 * const res: ResponseLike = { status: 200, headers: { 'content-type': 'text/plain' }, trailers: { expires: 'Wed, 9 Nov 2022 07:28:00 GMT' } }
 * ```
 */
export interface ResponseLike {
  readonly status: number
  readonly headers?: HeaderInput | undefined
  readonly trailers?: HeaderInput | undefined
  readonly body?: Uint8Array | string | ReadableStream<Uint8Array> | null | undefined
}

/**
 * A request to sign or verify: a Fetch `Request` or a {@link RequestLike}.
 *
 * @example
 * ```ts
 * import type { HTTPRequest } from 'agentauth/httpsig'
 * const a: HTTPRequest = new Request('https://example.com/')
 * const b: HTTPRequest = { method: 'GET', url: 'https://example.com/' }
 * ```
 */
export type HTTPRequest = Request | RequestLike
/**
 * A response to sign or verify: a Fetch `Response` or a {@link ResponseLike}.
 *
 * @example
 * ```ts
 * import type { HTTPResponse } from 'agentauth/httpsig'
 * const a: HTTPResponse = new Response('ok')
 * const b: HTTPResponse = { status: 204, headers: {} }
 * ```
 */
export type HTTPResponse = Response | ResponseLike

/**
 * Component parameters of RFC 9421 §2.1 / §2.2.8 / §2.4.
 *
 * @example
 * ```ts
 * import type { ComponentParameters } from 'agentauth/httpsig'
 * const member: ComponentParameters = { key: 'sig1', req: true } // "signature";key="sig1";req
 * ```
 */
export interface ComponentParameters {
  /** Strict structured-field re-serialisation (§2.1.1). */
  readonly sf?: boolean | undefined
  /** One Dictionary member (§2.1.2). */
  readonly key?: string | undefined
  /** Each field line wrapped as a Byte Sequence (§2.1.3). */
  readonly bs?: boolean | undefined
  /** Take the component from the request that triggered this response (§2.4). */
  readonly req?: boolean | undefined
  /** Query parameter name for `@query-param`, already encoded as §2.2.8 wants (e.g. `Pet`, `a%20b`). */
  readonly name?: string | undefined
  /** Take the field from the trailers (§2.1.4). */
  readonly tr?: boolean | undefined
}

/**
 * A covered component: a derived component (`'@method'`) or lower-case field name
 * (`'content-digest'`), a serialised identifier (`'"@query-param";name="Pet"'`), or an object with
 * parameters. Parameters keep the order in which they are given.
 *
 * @example
 * ```ts
 * import type { ComponentInput } from 'agentauth/httpsig'
 * const components: ComponentInput[] = ['@method', 'content-digest', '"@query-param";name="Pet"', { name: 'example-dict', params: { key: 'a' } }]
 * ```
 */
export type ComponentInput = string | { readonly name: string; readonly params?: ComponentParameters | undefined }

/**
 * A signature parameter or component parameter value (RFC 8941 bare item).
 *
 * @example
 * ```ts
 * import type { ParameterValue } from 'agentauth/httpsig'
 * const values: ParameterValue[] = ['https://svc.example/api', 300, true]
 * ```
 */
export type ParameterValue = string | number | boolean | Uint8Array | Token

/**
 * The standard signature parameters of RFC 9421 §2.3 plus any extension parameters.
 *
 * @example
 * ```ts
 * import type { SignatureParameters } from 'agentauth/httpsig'
 * const p: SignatureParameters = { created: 1618884473, keyid: 'test-key-ed25519', 'wimse-aud': 'https://svc.example/api' }
 * ```
 */
export interface SignatureParameters {
  readonly created?: number
  readonly expires?: number
  readonly nonce?: string
  readonly alg?: string
  readonly keyid?: string
  readonly tag?: string
  readonly [name: string]: ParameterValue | Date | { readonly display: string } | undefined
}

/**
 * Structured-field type of a field, for `;sf` and `;key`.
 *
 * @example
 * ```ts
 * import { createSignatureBase, type StructuredFieldType } from 'agentauth/httpsig'
 * const structuredFields: Record<string, StructuredFieldType> = { 'example-dict': 'dictionary' }
 * createSignatureBase(message, ['"example-dict";sf'], {}, { structuredFields })
 * ```
 */
export type StructuredFieldType = 'item' | 'list' | 'dictionary'

/**
 * The two field values to set on the message (complete values, existing signatures merged in).
 *
 * @example
 * ```ts
 * import { signRequest, type SignatureHeaders } from 'agentauth/httpsig'
 * const fields: SignatureHeaders = await signRequest(request, { signer })
 * request.headers.set('Signature-Input', fields.signatureInput)
 * request.headers.set('Signature', fields.signature)
 * ```
 */
export interface SignatureHeaders {
  /** Value for the `Signature-Input` field. */
  readonly signatureInput: string
  /** Value for the `Signature` field. */
  readonly signature: string
}

/**
 * Options shared by signing functions.
 *
 * @example
 * ```ts
 * import type { SignOptions } from 'agentauth/httpsig'
 * const options: SignOptions = { signer, label: 'wimse', components: ['@method', '@request-target'], lifetime: 300, nonce: true, tag: 'wimse-workload-to-workload' }
 * ```
 */
export interface SignOptions {
  /** Signs with this signer (JOSE alg, used per RFC 9421 §3.3.7 or mapped to the RFC 9421 name). Exclusive with `hmacKey`. */
  readonly signer?: Signer | undefined
  /** Signs with `hmac-sha256` (§3.3.3); the key (raw or a `CryptoKey`) needs at least 32 bytes. Exclusive with `signer`. */
  readonly hmacKey?: CryptoKey | Uint8Array | undefined
  /** Signature label. Default `sig1`. */
  readonly label?: string | undefined
  /** Covered components, in order. Default: none (the signature covers only its parameters). */
  readonly components?: readonly ComponentInput[] | undefined
  /** `created` in seconds; default now; `false` omits it. */
  readonly created?: number | false | undefined
  /** `expires` in seconds. Exclusive with `lifetime`. */
  readonly expires?: number | undefined
  /** Seconds from `created` (or now) to `expires`. */
  readonly lifetime?: number | undefined
  /** `nonce`; `true` generates 128 random bits (base64url). */
  readonly nonce?: string | true | undefined
  /** `tag` (application tag, e.g. `wimse-workload-to-workload`). */
  readonly tag?: string | undefined
  /** `keyid`. Never taken from the signer implicitly. */
  readonly keyid?: string | undefined
  /** Emit the `alg` parameter (RFC 9421 name). Default false. */
  readonly includeAlg?: boolean | undefined
  /** Extension signature parameters, serialised after the standard ones in this order (`true` is written bare). */
  readonly params?: Readonly<Record<string, ParameterValue>> | undefined
  /** Field types for `;sf`/`;key` on fields this library does not know. */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>> | undefined
  /** Clock in milliseconds (like `Date.now`). */
  readonly clock?: Clock | undefined
  /** Web Crypto provider. Default `globalThis.crypto`. */
  readonly crypto?: Crypto | undefined
  /**
   * Aborts signing (a signer or an HMAC key): signing then fails with `ERR_SIGNER_FAILED`, the
   * signal's reason as `cause`, even when the signer itself ignores the signal.
   */
  readonly signal?: AbortSignal | undefined
}

/**
 * Options of `signResponse`.
 *
 * @example
 * ```ts
 * import type { SignResponseOptions } from 'agentauth/httpsig'
 * const options: SignResponseOptions = { signer, request, components: ['@status', '"@method";req'] }
 * ```
 */
export interface SignResponseOptions extends SignOptions {
  /** The request this response answers, for `;req` components. */
  readonly request?: HTTPRequest | undefined
}

/**
 * Key material for one signature, as returned by the `key` resolver.
 *
 * @example
 * ```ts
 * import type { ResolvedKey } from 'agentauth/httpsig'
 * const resolved: ResolvedKey = { key: wit.cnf.jwk, algorithm: 'EdDSA', replayNamespace: wit.sub }
 * ```
 */
export interface ResolvedKey {
  /** A verification `CryptoKey`, a public JWK, or raw HMAC key bytes. */
  readonly key: CryptoKey | PublicJWK | Uint8Array
  /** The algorithm the key is trusted for (JOSE or RFC 9421 name). */
  readonly algorithm: JWSAlgorithm | HTTPSignatureAlgorithm
  /** Namespace for nonce replay keys (e.g. the caller's workload id). Default: the keyid parameter. */
  readonly replayNamespace?: string | undefined
}

/**
 * Details passed to the key resolver (untrusted until the signature verifies).
 *
 * @example
 * ```ts
 * import type { SignatureCandidate } from 'agentauth/httpsig'
 * const key = (_params: unknown, candidate: SignatureCandidate) => lookup(candidate.label, candidate.params.keyid)
 * ```
 */
export interface SignatureCandidate {
  readonly label: string
  readonly params: SignatureParameters
  readonly components: readonly string[]
}

/**
 * Verification policy and inputs.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from 'agentauth/httpsig'
 * const options: VerifyOptions = {
 *   algorithms: ['ed25519', 'ecdsa-p256-sha256'],
 *   key: async (params) => ({ key: await jwks.get(params.keyid), algorithm: 'ed25519' }),
 *   requiredComponents: ['@method', '@target-uri', 'content-digest'],
 *   maxAge: 300,
 * }
 * ```
 */
export interface VerifyOptions {
  /** Resolves the key for a signature from its (unverified) parameters. */
  readonly key: (params: SignatureParameters, candidate: SignatureCandidate) => Promise<ResolvedKey> | ResolvedKey
  /** Allowed algorithms (JOSE or RFC 9421 names; equivalent pairs such as `EdDSA`/`ed25519` match). Required. */
  readonly algorithms: ReadonlyArray<JWSAlgorithm | HTTPSignatureAlgorithm>
  /** Which signature to verify. Default: the one whose `tag` equals `tag`, else the only one. */
  readonly label?: string | undefined
  /** Required `tag` value. */
  readonly tag?: string | undefined
  /** Components that must be covered (compared as identifiers; parameter order does not matter). */
  readonly requiredComponents?: readonly ComponentInput[] | undefined
  /** Signature parameters that must be present. */
  readonly requiredParams?: readonly string[] | undefined
  /** Signature parameters that must be absent (e.g. `keyid`, `alg` in WIMSE). */
  readonly forbiddenParams?: readonly string[] | undefined
  /** Maximum age of `created`, in seconds. */
  readonly maxAge?: number | undefined
  /** Maximum `expires - created`, in seconds. */
  readonly maxLifetime?: number | undefined
  /** Allowed clock skew in seconds. Default 0. */
  readonly clockTolerance?: number | undefined
  /** Require `created`. Default true. */
  readonly requireCreated?: boolean | undefined
  /** Require `expires`. Default false. */
  readonly requireExpires?: boolean | undefined
  /** Nonce single-use store; when set, `nonce` is required. */
  readonly replayCache?: ReplayCache | undefined
  /** Maximum number of signatures in the message. Default 8. */
  readonly maxSignatures?: number | undefined
  /** Maximum size of each of Signature-Input and Signature, in bytes. Default 8192. */
  readonly maxHeaderBytes?: number | undefined
  /** Field types for `;sf`/`;key` on fields this library does not know. */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>> | undefined
  /** Put the signature base in the result (it may contain header values such as tokens). Default false. */
  readonly includeSignatureBase?: boolean | undefined
  /** Clock in milliseconds (like `Date.now`). */
  readonly clock?: Clock | undefined
  /** Web Crypto provider. Default `globalThis.crypto`. */
  readonly crypto?: Crypto | undefined
}

/**
 * Options of `verifyResponseSignature`.
 *
 * @example
 * ```ts
 * import type { VerifyResponseOptions } from 'agentauth/httpsig'
 * const options: VerifyResponseOptions = { ...verifyOptions, request, requiredComponents: ['@status', '"@method";req'] }
 * ```
 */
export interface VerifyResponseOptions extends VerifyOptions {
  /** The request this response answers, for `;req` components. */
  readonly request?: HTTPRequest | undefined
}

/**
 * A verified signature (frozen).
 *
 * @example
 * ```ts
 * import { verifyRequestSignature, type VerifiedSignature } from 'agentauth/httpsig'
 * const v: VerifiedSignature = await verifyRequestSignature(request, options)
 * if (v.params['wimse-aud'] !== myAudience) throw new Error('wrong audience')
 * ```
 */
export interface VerifiedSignature {
  readonly label: string
  /** The algorithm the key was trusted for, as the resolver named it. */
  readonly algorithm: JWSAlgorithm | HTTPSignatureAlgorithm
  readonly keyid?: string | undefined
  readonly created?: number | undefined
  readonly expires?: number | undefined
  readonly nonce?: string | undefined
  readonly tag?: string | undefined
  /** Every signature parameter, in order, typed. */
  readonly params: SignatureParameters
  /** Covered component identifiers as serialised (e.g. `"@query-param";name="Pet"`). */
  readonly components: readonly string[]
  /** The signature base, when `includeSignatureBase` was set. */
  readonly signatureBase?: string | undefined
}
