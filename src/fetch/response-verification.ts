// Optional check of the callee's signed response (draft-ietf-wimse-http-signature §3.4).
import type { TrustBundleSource } from '../bundle/types.js'
import { VerificationError, codedTypeError } from '../errors/index.js'
import { parseSignatureInput, type RequestLike } from '../httpsig/index.js'
import { assertFunction, assertObject, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import type { ReplayCache } from '../stores/types.js'
import { verifyWIMSEResponse } from '../wimse-httpsig/index.js'
import { createWITVerifier, type WITVerifier } from '../wit/index.js'
import type { VerifiedWIT } from '../wit/types.js'

/**
 * Options of `workloadAuth({ verifyResponse })`: check that the callee signed its answer with the
 * key of a WIT from a trusted trust domain (WIMSE HTTP-signature profile, `proof: 'httpsig'`).
 *
 * @example
 * ```ts
 * import type { ResponseVerification } from 'agentauth/fetch'
 * const verifyResponse: ResponseVerification = { trustBundles, required: true, authorize: (wit) => wit.id === 'spiffe://example.org/api' }
 * ```
 */
export interface ResponseVerification {
  /** Trusted WIT signing keys per trust domain (for the callee's `Workload-Identity-Token`). */
  trustBundles: TrustBundleSource
  /**
   * Refuse unsigned responses. Default: required exactly when the request asked for a signed
   * response (`localCredentials({ signResponse: true })`); `true` requires it for every response,
   * and `false` cannot waive it for a request that asked (WIMSE §3.4). A signature that is present
   * is always verified.
   */
  required?: boolean
  /** Decide whether this callee may answer (e.g. compare `wit.id`). Default: any trusted workload. */
  authorize?: (wit: VerifiedWIT) => boolean
  /** Largest response body hashed for `Content-Digest`, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Replay cache for response nonces. */
  replayCache?: ReplayCache
  /** Allowed clock skew in seconds. Default 30. */
  clockTolerance?: number
  clock?: Clock
  crypto?: Crypto
}

export type ResponseVerifier = (response: Response, request: RequestLike) => Promise<void>

const isEventStream = (r: Response): boolean => (r.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream')

function askedForSignature(request: RequestLike): boolean {
  const raw = (request.headers as Headers).get('signature-input')
  if (raw === null) return false
  try {
    return parseSignatureInput(raw).some((m) => m.params['wimse-sign-response'] === true)
  } catch {
    return false
  }
}

export function createResponseVerifier(options: ResponseVerification): ResponseVerifier {
  assertObject(options, 'options.verifyResponse')
  assertObject(options.trustBundles, 'options.verifyResponse.trustBundles')
  assertFunction(options.trustBundles.getBundle, 'options.verifyResponse.trustBundles.getBundle')
  if (options.required !== undefined && typeof options.required !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.verifyResponse.required must be a boolean')
  if (options.authorize !== undefined) assertFunction(options.authorize, 'options.verifyResponse.authorize')
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.verifyResponse.maxBodyBytes', 1024 * 1024, { min: 0, integer: true })
  const clockTolerance = optionalNumber(options.clockTolerance, 'options.verifyResponse.clockTolerance', 30, { min: 0, max: 300 })
  const common = { clockTolerance, ...(options.clock ? { clock: options.clock } : {}), ...(options.crypto ? { crypto: options.crypto } : {}) }
  const { authorize, required: requiredOption, replayCache } = options
  if (replayCache !== undefined && (typeof replayCache !== 'object' || replayCache === null || typeof replayCache.claim !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.verifyResponse.replayCache must be a ReplayCache')
  }
  const verifyWit: WITVerifier = createWITVerifier({ trustBundles: options.trustBundles, ...common })

  return async function verifyResponse(response, request) {
    // §3.4: a request that asked for a signed response makes the signature a MUST; `required:
    // false` only leaves responses to requests that did not ask optional.
    const required = requiredOption === true || askedForSignature(request)
    if (!response.headers.has('signature-input') && !response.headers.has('signature')) {
      if (required) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the response must be signed but carries no signature')
      return
    }
    const witToken = response.headers.get('workload-identity-token')
    if (witToken === null || witToken === '') throw new VerificationError('ERR_WIT_MISSING', 'the signed response carries no Workload-Identity-Token')
    const wit = await verifyWit(witToken)
    // A stream (server-sent events) is signed without Content-Digest: do not buffer it.
    const streaming = response.body !== null && !response.headers.has('content-digest') && isEventStream(response)
    await verifyWIMSEResponse(response, {
      request,
      wit,
      required,
      maxBodyBytes,
      ...(streaming ? { body: null } : {}),
      ...(replayCache ? { replayCache } : {}),
      ...common,
    })
    if (authorize !== undefined && authorize(wit) !== true) throw new VerificationError('ERR_POLICY_DENIED', 'the responding workload is not the expected one', { status: 403 })
  }
}
