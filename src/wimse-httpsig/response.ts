import { VerificationError, codedTypeError } from '../errors/index.js'
import { signResponse, verifyResponseSignature, type HTTPRequest, type HTTPResponse } from '../httpsig/index.js'
import {
  addContentDigest,
  checkContentDigest,
  checkProfile,
  checkWITField,
  claimNonce,
  findSignature,
  fieldsWithWIT,
  headersOf,
  outputHeaders,
  prepareSign,
  prepareVerify,
  selectSignature,
  witKey,
} from './profile.js'
import { WIMSE_LABEL, WIMSE_TAG } from './spec.js'
import type { SignWIMSEResponseOptions, VerifiedWIMSEResponse, VerifyWIMSEResponseOptions, WIMSESignatureFields } from './types.js'

const REQUEST_PARTS = [{ name: '@method', params: { req: true } }, { name: '@request-target', params: { req: true } }] as const
const SF_STRING = /^[\x20-\x7e]+$/

/** Response components (§3.4), in the order of the draft's example. */
function responseComponents(headers: Headers): Array<string | (typeof REQUEST_PARTS)[number]> {
  const out: Array<string | (typeof REQUEST_PARTS)[number]> = ['@status', 'workload-identity-token']
  if (headers.has('content-type')) out.push('content-type')
  if (headers.has('content-digest')) out.push('content-digest')
  out.push(...REQUEST_PARTS)
  return out
}

function requiredIds(headers: Headers): string[] {
  const out = ['"@status"', '"workload-identity-token"', '"@method";req', '"@request-target";req']
  if (headers.has('content-type')) out.push('"content-type"')
  if (headers.has('content-digest')) out.push('"content-digest"')
  return out
}

/** The request's own WIMSE signature parameters (nonce, wimse-sign-response), if it was signed. */
function requestSignature(request: HTTPRequest, acceptLegacyTag: boolean): { nonce: string | undefined; asked: boolean } {
  // Several signatures and none of them WIMSE (a bot's, a proxy's): no WIMSE nonce to echo.
  const member = findSignature(headersOf(request), acceptLegacyTag)
  if (member === undefined || member === null) return { nonce: undefined, asked: false }
  const nonce = member.params.nonce
  return { nonce: typeof nonce === 'string' ? nonce : undefined, asked: member.params['wimse-sign-response'] === true }
}

/**
 * Signs a response under the WIMSE profile (draft-ietf-wimse-http-signature §3.4): label `wimse`;
 * covered `@status`, `workload-identity-token` (the server's WIT, added), `content-type` and
 * `content-digest` when present, `"@method";req`, `"@request-target";req`; parameters `created`,
 * `expires`, `nonce`, `tag`, and `wimse-req-nonce` = the request signature's `nonce` (§3.3) when it
 * is known. A body without `Content-Digest` gets one. The response is not modified: set every
 * field of the returned `headers` on it.
 *
 * When the request asked for a signed response and it cannot be produced, do not send an unsigned
 * success: answer 400 or 501 instead (§3.4).
 *
 * @param response - a `Response` or `{ status, headers, body }`.
 * @param options - see {@link SignWIMSEResponseOptions}; `wit` and `signer` are the server's.
 * @returns the frozen {@link WIMSESignatureFields}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 * @throws VerificationError `ERR_HTTPSIG_INVALID` / `ERR_HTTPSIG_COMPONENT_INVALID` /
 *   `ERR_INPUT_TOO_LARGE` when the request's signature fields are malformed or too large (read only
 *   without `requestNonce`; a request carrying only other parties' signatures has no nonce to echo),
 *   `ERR_BODY_TOO_LARGE` when the body exceeds `maxBodyBytes`, `ERR_BODY_INCOMPLETE` when a body stream errors.
 * @throws SignerError `ERR_SIGNER_FAILED` when the signer fails.
 *
 * @example
 * ```ts
 * import { signWIMSEResponse, verifyWIMSERequest } from 'agentauth/wimse-httpsig'
 *
 * const verified = await verifyWIMSERequest(request, { wit: callerWit, audience, replayCache })
 * const response = new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } })
 * const signed = await signWIMSEResponse(response, { request, wit: myWit, signer: mySigner, requestNonce: verified.nonce })
 * for (const [name, value] of Object.entries(signed.headers)) response.headers.set(name, value)
 * ```
 */
export async function signWIMSEResponse(response: HTTPResponse, options: SignWIMSEResponseOptions): Promise<WIMSESignatureFields> {
  const b = prepareSign(options)
  const { request } = options
  if (typeof request !== 'object' || request === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.request must be the Request this response answers')
  let requestNonce = options.requestNonce
  if (requestNonce === undefined) requestNonce = requestSignature(request, true).nonce
  else if (typeof requestNonce !== 'string' || requestNonce.length > 256 || !SF_STRING.test(requestNonce)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.requestNonce must be 1..256 printable ASCII characters')
  }
  const headers = fieldsWithWIT(response, b.wit)
  const digest = await addContentDigest(response, headers, options, b.maxBodyBytes)
  const fields = await signResponse({ status: response.status, headers }, {
    signer: b.signer,
    request,
    label: WIMSE_LABEL,
    components: responseComponents(headers),
    created: b.created,
    expires: b.expires,
    nonce: b.nonce,
    tag: WIMSE_TAG,
    ...(requestNonce !== undefined ? { params: { 'wimse-req-nonce': requestNonce } } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return Object.freeze({
    headers: outputHeaders(b.wit, digest, fields.signatureInput, fields.signature),
    signatureInput: fields.signatureInput,
    signature: fields.signature,
    contentDigest: digest,
    nonce: b.nonce,
    created: b.created,
    expires: b.expires,
  })
}

/**
 * Verifies a WIMSE response signature (draft-ietf-wimse-http-signature §3.4) with the server's
 * verified WIT. When a signed response is required (the request carried `wimse-sign-response`, or
 * `required: true`), a response without a signature is refused and `wimse-req-nonce` must equal the
 * request's `nonce`. When it is not required, an unsigned response resolves to `undefined` — but a
 * signature that is present is always fully verified, and a failure rejects.
 *
 * Checks: the server's `Workload-Identity-Token` equals `wit.token`; required components
 * (`@status`, `workload-identity-token`, `"@method";req`, `"@request-target";req`, and
 * `content-type` / `content-digest` when present); `tag`; `created` / `expires`; `nonce`; no
 * `keyid` / `alg`; `wimse-req-nonce`; `Content-Digest` against the body; the signature under
 * `wit.key`; and, with a replay cache, the response nonce (`sig:<length of wit.id>:<wit.id>:<nonce>`).
 *
 * @param response - a `Response` or `{ status, headers, body }`.
 * @param options - see {@link VerifyWIMSEResponseOptions}.
 * @returns the frozen {@link VerifiedWIMSEResponse}, or `undefined` for an unsigned response that
 *   did not have to be signed.
 * @throws VerificationError `ERR_HTTPSIG_MISSING` (required but unsigned), `ERR_WIT_MISSING`,
 *   `ERR_WIT_INVALID`, `ERR_HTTPSIG_INVALID` (incl. a missing or different `wimse-req-nonce`),
 *   `ERR_HTTPSIG_COMPONENT_MISSING`, `ERR_HTTPSIG_TAG`, `ERR_HTTPSIG_EXPIRED`, `ERR_DIGEST_*`,
 *   `ERR_BODY_TOO_LARGE`, `ERR_BODY_INCOMPLETE`, `ERR_HTTPSIG_SIGNATURE`, `ERR_ALG_NOT_ALLOWED`, `ERR_PROOF_REPLAYED`.
 * @throws StoreError when the replay cache fails.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { verifyWIMSEResponse } from 'agentauth/wimse-httpsig'
 * import { verifyWIT, WIT_HEADER } from 'agentauth/wit'
 *
 * const serverWit = await verifyWIT(response.headers.get(WIT_HEADER) ?? '', { trustBundles })
 * await verifyWIMSEResponse(response, { request, wit: serverWit, expectedRequestNonce: signed.nonce, required: true })
 * ```
 */
export async function verifyWIMSEResponse(response: HTTPResponse, options: VerifyWIMSEResponseOptions): Promise<VerifiedWIMSEResponse | undefined> {
  const v = prepareVerify(options)
  const { request } = options
  if (typeof request !== 'object' || request === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.request must be the Request this response answers')
  if (options.required !== undefined && typeof options.required !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.required must be a boolean')
  if (options.expectedRequestNonce !== undefined && (typeof options.expectedRequestNonce !== 'string' || options.expectedRequestNonce.length === 0)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.expectedRequestNonce must be a non-empty string')
  }
  const sent = requestSignature(request, v.acceptLegacyTag)
  // §3.4: a request that asked for a signed response makes the signature a MUST for the client;
  // `required: false` cannot switch that off (it only leaves unasked responses optional).
  const required = options.required === true || sent.asked
  const expectedNonce = options.expectedRequestNonce ?? sent.nonce
  const headers = headersOf(response)
  if (!headers.has('signature-input') && !headers.has('signature')) {
    if (required) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the response must be signed but carries no signature')
    return undefined
  }
  checkWITField(headers, v.wit)
  const member = selectSignature(headers, v.acceptLegacyTag)
  if (member === undefined || !headers.has('signature')) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the response has an incomplete signature')
  const requiredComponents = requiredIds(headers)
  const checked = checkProfile(member, requiredComponents, v)
  const reqNonce = member.params['wimse-req-nonce']
  if (reqNonce === undefined) {
    if (required) throw new VerificationError('ERR_HTTPSIG_INVALID', 'the response signature has no wimse-req-nonce', { claim: 'wimse-req-nonce' })
  } else if (typeof reqNonce !== 'string' || expectedNonce === undefined || reqNonce !== expectedNonce) {
    throw new VerificationError('ERR_HTTPSIG_INVALID', 'wimse-req-nonce does not match the request nonce', { claim: 'wimse-req-nonce' })
  }
  const contentDigest = await checkContentDigest(response, headers, options, v.maxBodyBytes)
  const verified = await verifyResponseSignature(response, {
    request,
    key: witKey(v.wit),
    algorithms: [v.wit.proofAlgorithm],
    label: member.label,
    requiredComponents,
    forbiddenParams: ['keyid', 'alg'],
    requireExpires: true,
    maxLifetime: v.maxLifetime,
    clockTolerance: v.tolerance,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  })
  if (v.replayCache !== undefined) await claimNonce(v.replayCache, v.wit.id, checked.nonce, checked.expires + v.tolerance, options.clock)
  return Object.freeze({
    label: verified.label,
    created: checked.created,
    expires: checked.expires,
    nonce: checked.nonce,
    tag: checked.tag,
    components: verified.components,
    params: verified.params,
    wit: v.wit,
    id: v.wit.id,
    contentDigest,
    legacy: checked.legacy,
    requestNonce: typeof reqNonce === 'string' ? reqNonce : undefined,
  })
}
