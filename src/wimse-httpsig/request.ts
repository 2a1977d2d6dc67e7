import { VerificationError, codedTypeError } from '../errors/index.js'
import { signRequest, verifyRequestSignature, type HTTPRequest } from '../httpsig/index.js'
import { audienceMatches, targetWithoutQuery } from '../internal/target-audience.js'
import {
  addContentDigest,
  checkContentDigest,
  checkProfile,
  checkWITField,
  claimNonce,
  compileWIMSEAudience,
  fieldsWithWIT,
  headersOf,
  outputHeaders,
  prepareSign,
  prepareVerify,
  selectSignature,
  witKey,
} from './profile.js'
import { WIMSE_LABEL, WIMSE_TAG } from './spec.js'
import type { SignWIMSERequestOptions, VerifiedWIMSERequest, VerifyWIMSERequestOptions, WIMSESignatureFields } from './types.js'

/** Fields covered when present (§3, after `@method` and `@request-target`), in this order. */
const WHEN_PRESENT = ['content-type', 'content-digest', 'authorization', 'txn-token', 'workload-identity-token'] as const
const SF_STRING = /^[\x20-\x7e]+$/

function requestComponents(headers: Headers): string[] {
  const out = ['@method', '@request-target']
  for (const name of WHEN_PRESENT) if (headers.has(name)) out.push(name)
  return out
}

function requestURL(request: HTTPRequest): string | URL {
  if (typeof request !== 'object' || request === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request must be a Request or { method, url, headers }')
  return request.url
}

/**
 * Signs a request under the WIMSE HTTP-signature profile (draft-ietf-wimse-http-signature §3):
 * label `wimse`; covered `@method`, `@request-target` and, when present, `content-type`,
 * `content-digest`, `authorization`, `txn-token`, `workload-identity-token` (always, since the WIT
 * is added); parameters `created`, `expires`, `nonce`, `tag="wimse-workload-to-workload"`,
 * `wimse-aud` and, on request, `wimse-sign-response`; never `keyid` or `alg`.
 *
 * When the request has a body and no `Content-Digest`, a `sha-256` Content-Digest is computed (from
 * `options.body`, or from a clone of a `Request`) and covered. An existing Content-Digest is covered
 * as is. The message is not modified: set every field of the returned `headers` on it.
 *
 * @param request - a `Request` or `{ method, url, headers, body }`.
 * @param options - see {@link SignWIMSERequestOptions}.
 * @returns the frozen {@link WIMSESignatureFields}; keep `nonce` to check the response.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (a signer whose
 *   `alg` differs from `cnf.jwk.alg`, a different WIT already on the message, a `wimse` label
 *   already present, a consumed body …).
 * @throws VerificationError `ERR_BODY_TOO_LARGE` when the body exceeds `maxBodyBytes`.
 * @throws SignerError `ERR_SIGNER_FAILED` when the signer fails.
 *
 * @example
 * ```ts
 * import { signWIMSERequest } from 'agentauth/wimse-httpsig'
 *
 * const request = new Request('https://svcb.example.com/orders', { method: 'POST', body: '{"id":1}', headers: { 'content-type': 'application/json' } })
 * const signed = await signWIMSERequest(request, { wit, signer, signResponse: true })
 * for (const [name, value] of Object.entries(signed.headers)) request.headers.set(name, value)
 * const response = await fetch(request)
 * ```
 */
export async function signWIMSERequest(request: HTTPRequest, options: SignWIMSERequestOptions): Promise<WIMSESignatureFields> {
  const b = prepareSign(options)
  const url = requestURL(request)
  let aud: string
  if (options.audience === undefined) {
    aud = targetWithoutQuery(url, 'request.url').href
  } else {
    if (typeof options.audience !== 'string' || options.audience.length > 2048 || !SF_STRING.test(options.audience)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.audience must be 1..2048 printable ASCII characters')
    }
    aud = options.audience
  }
  if (options.signResponse !== undefined && typeof options.signResponse !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signResponse must be a boolean')
  const headers = fieldsWithWIT(request, b.wit)
  const digest = await addContentDigest(request, headers, options, b.maxBodyBytes)
  const plain = request as { requestTarget?: string }
  const message = { method: request.method, url, headers, ...(typeof plain.requestTarget === 'string' ? { requestTarget: plain.requestTarget } : {}) }
  const fields = await signRequest(message, {
    signer: b.signer,
    label: WIMSE_LABEL,
    components: requestComponents(headers),
    created: b.created,
    expires: b.expires,
    nonce: b.nonce,
    tag: WIMSE_TAG,
    params: options.signResponse === true ? { 'wimse-aud': aud, 'wimse-sign-response': true } : { 'wimse-aud': aud },
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
 * Verifies a request signed under the WIMSE profile (draft-ietf-wimse-http-signature §3), after the
 * caller's WIT has been verified (`verifyWIT`). Checks, in the draft's order: exactly one
 * `Workload-Identity-Token`, equal to `wit.token`; the `wimse` signature (or the only one); every
 * required component covered (`@method`, `@request-target`, and each of `content-type`,
 * `content-digest`, `authorization`, `txn-token`, `workload-identity-token` present in the
 * request); `tag`; `created` / `expires` (not in the future, not expired, lifetime ≤ `maxLifetime`);
 * `nonce`; `wimse-aud` names this service; no `keyid` / `alg`; `Content-Digest` present and correct
 * when there is a body; the signature under `wit.key` with `wit.proofAlgorithm`; and last, the
 * nonce claimed in the replay cache as `sig:<wit.id>:<nonce>` (the only side effect, so a rejected
 * message never burns a nonce).
 *
 * @param request - a `Request` or `{ method, url, headers, body }`. `url` must be the request's
 *   target URI; only its path is used when `audience` lists origins.
 * @param options - see {@link VerifyWIMSERequestOptions}.
 * @returns the frozen {@link VerifiedWIMSERequest}; `signResponse` tells whether the response must
 *   be signed.
 * @throws VerificationError `ERR_WIT_MISSING`, `ERR_WIT_INVALID`, `ERR_HTTPSIG_MISSING`,
 *   `ERR_HTTPSIG_INVALID`, `ERR_HTTPSIG_COMPONENT_MISSING`, `ERR_HTTPSIG_TAG`,
 *   `ERR_HTTPSIG_EXPIRED`, `ERR_HTTPSIG_AUDIENCE`, `ERR_DIGEST_MISSING`, `ERR_DIGEST_MISMATCH`,
 *   `ERR_DIGEST_INVALID`, `ERR_BODY_TOO_LARGE`, `ERR_HTTPSIG_SIGNATURE`, `ERR_ALG_NOT_ALLOWED`,
 *   `ERR_KEY_INVALID`, `ERR_INPUT_TOO_LARGE`, `ERR_HEADER_INVALID`, `ERR_PROOF_REPLAYED`.
 * @throws StoreError when the replay cache fails (fail closed).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { verifyWIMSERequest } from 'agentauth/wimse-httpsig'
 * import { verifyWIT, WIT_HEADER } from 'agentauth/wit'
 *
 * const wit = await verifyWIT(request.headers.get(WIT_HEADER) ?? '', { trustBundles })
 * const verified = await verifyWIMSERequest(request, { wit, audience: 'https://svcb.example.com', replayCache })
 * if (verified.signResponse) { … sign the response with signWIMSEResponse … }
 * ```
 */
export async function verifyWIMSERequest(request: HTTPRequest, options: VerifyWIMSERequestOptions): Promise<VerifiedWIMSERequest> {
  const v = prepareVerify(options)
  const policy = compileWIMSEAudience(options.audience)
  const headers = headersOf(request)
  const target = targetWithoutQuery(requestURL(request), 'request.url')
  checkWITField(headers, v.wit)
  const member = selectSignature(headers, v.acceptLegacyTag)
  if (member === undefined || !headers.has('signature')) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the request has no Signature-Input and Signature fields')
  const required = requestComponents(headers).map((c) => `"${c}"`)
  const checked = checkProfile(member, required, v)
  const aud = member.params['wimse-aud']
  if (typeof aud !== 'string') throw new VerificationError('ERR_HTTPSIG_INVALID', 'the signature has no wimse-aud parameter', { claim: 'wimse-aud' })
  if (!audienceMatches(aud, target, policy)) throw new VerificationError('ERR_HTTPSIG_AUDIENCE', 'wimse-aud does not name this service', { claim: 'wimse-aud' })
  const signResponse = member.params['wimse-sign-response']
  if (signResponse !== undefined && typeof signResponse !== 'boolean') throw new VerificationError('ERR_HTTPSIG_INVALID', 'wimse-sign-response must be a Boolean', { claim: 'wimse-sign-response' })
  const contentDigest = await checkContentDigest(request, headers, options, v.maxBodyBytes)
  const verified = await verifyRequestSignature(request, {
    key: witKey(v.wit),
    algorithms: [v.wit.proofAlgorithm],
    label: member.label,
    requiredComponents: required,
    forbiddenParams: ['keyid', 'alg'],
    requireExpires: true,
    maxLifetime: v.maxLifetime,
    clockTolerance: v.tolerance,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  })
  if (v.replayCache !== undefined) await claimNonce(v.replayCache, v.wit.id, checked.nonce, checked.expires + v.tolerance)
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
    audience: aud,
    signResponse: signResponse === true,
  })
}
