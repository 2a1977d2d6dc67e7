import { VerificationError, codedTypeError } from '../errors/index.js'
import { signRequest, type DigestBody, type HTTPRequest } from '../httpsig/index.js'
import { canonicalAlgorithm } from '../httpsig/algorithms.js'
import { readerSection, requestView, type FieldSection, type URLParts } from '../httpsig/message.js'
import { checkClock, checkCrypto } from '../httpsig/option-checks.js'
import type { InternalInput } from '../httpsig/signature-fields.js'
import type { VerifyOptions } from '../httpsig/types.js'
import { internalPolicy, verifySelectedSignature } from '../httpsig/verify.js'
import { assertObject, optionalNumber } from '../internal/assert.js'
import { audienceMatches, targetWithoutQuery, type AudiencePolicy, type RequestTarget } from '../internal/target-audience.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'
import {
  addContentDigest,
  checkContentDigestValue,
  checkProfile,
  checkWITValue,
  claimNonce,
  compileWIMSEAudience,
  fieldsWithWIT,
  headersOf,
  outputHeaders,
  prepareSign,
  prepareVerify,
  selectSignatureInternal,
  WIT_FIELD,
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

// The serialised identifiers verification requires, for each combination of the optional fields
// present (bit i set = WHEN_PRESENT[i] present); built on first use.
const requiredByPresence = new Map<number, readonly string[]>()

function requiredComponents(read: (name: string) => string | null): readonly string[] {
  let bits = 0
  for (let i = 0; i < WHEN_PRESENT.length; i++) if (read(WHEN_PRESENT[i]!) !== null) bits |= 1 << i
  let out = requiredByPresence.get(bits)
  if (out === undefined) {
    const list = ['"@method"', '"@request-target"']
    for (let i = 0; i < WHEN_PRESENT.length; i++) if ((bits & (1 << i)) !== 0) list.push(`"${WHEN_PRESENT[i]!}"`)
    out = Object.freeze(list)
    requiredByPresence.set(bits, out)
  }
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
 * @throws VerificationError `ERR_BODY_TOO_LARGE` when the body exceeds `maxBodyBytes`,
 *   `ERR_BODY_INCOMPLETE` when a body stream errors.
 * @throws SignerError `ERR_SIGNER_FAILED` when the signer (or the crypto provider hashing the body) fails.
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
 * nonce claimed in the replay cache as `sig:<length of wit.id>:<wit.id>:<nonce>` (the only side effect, so a rejected
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
 *   `ERR_DIGEST_INVALID`, `ERR_BODY_TOO_LARGE`, `ERR_BODY_INCOMPLETE`, `ERR_HTTPSIG_SIGNATURE`, `ERR_ALG_NOT_ALLOWED`,
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
  const compiled = compiledSettings(options, compileWIMSEAudience(options.audience), v)
  const headers = headersOf(request)
  const read = (name: string): string | null => headers.get(name)
  return verifyCore(request, v.wit, v.now, compiled, { section: readerSection(read, headers), read, url: undefined, target: requestURL(request), body: options.body })
}

/** Request-independent settings of {@link verifyWIMSERequest}, validated. */
interface CompiledSettings {
  readonly audience: AudiencePolicy | undefined
  readonly maxLifetime: number
  readonly tolerance: number
  readonly maxBodyBytes: number
  readonly acceptLegacyTag: boolean
  readonly replayCache: ReplayCache | undefined
  readonly clock: Clock | undefined
  readonly crypto: Crypto | undefined
  /** The RFC 9421 checks the profile asks of agentauth/httpsig. */
  readonly httpsig: VerifyOptions
}

function compiledSettings(options: Omit<VerifyWIMSERequestOptions, 'wit' | 'body'>, audience: AudiencePolicy | undefined, v: Omit<ReturnType<typeof prepareVerify>, 'wit' | 'now'>): CompiledSettings {
  const httpsig: VerifyOptions = {
    key: noKey,
    algorithms: [],
    forbiddenParams: FORBIDDEN,
    requireExpires: true,
    maxLifetime: v.maxLifetime,
    clockTolerance: v.tolerance,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  }
  return {
    audience, maxLifetime: v.maxLifetime, tolerance: v.tolerance, maxBodyBytes: v.maxBodyBytes, acceptLegacyTag: v.acceptLegacyTag,
    replayCache: v.replayCache, clock: options.clock, crypto: options.crypto, httpsig,
  }
}

const FORBIDDEN = Object.freeze(['keyid', 'alg'])
const noKey = (): never => {
  throw new Error('unreachable: the WIMSE profile resolves the key from the WIT')
}

// One allow-list per proof algorithm (the key always comes from the WIT, with its cnf.jwk.alg).
const allowedByAlg = new Map<JWSAlgorithm, ReadonlySet<string>>()
function allowedFor(alg: JWSAlgorithm): ReadonlySet<string> {
  let set = allowedByAlg.get(alg)
  if (set === undefined) {
    set = new Set([canonicalAlgorithm(alg)])
    allowedByAlg.set(alg, set)
  }
  return set
}

/** How the core reads the request: its fields, and its URL when the caller has parsed it. */
interface RequestAccess {
  /** Field lines for the signature base. */
  readonly section: FieldSection
  /** The combined value of a field (as `Headers.get`). */
  readonly read: (name: string) => string | null
  /** `new URL(request.url)` or its parts, when the caller has them. */
  readonly url: URLParts | undefined
  /** Where the audience's target comes from: the request URL, or the target already cut from it. */
  readonly target: string | URL | RequestTarget
  readonly body: DigestBody | undefined
}

async function verifyCore(request: HTTPRequest, wit: VerifiedWIT, now: number, c: CompiledSettings, access: RequestAccess): Promise<VerifiedWIMSERequest> {
  const { read } = access
  const target = typeof access.target === 'string' || access.target instanceof URL ? targetWithoutQuery(access.target, 'request.url') : access.target
  checkWITValue(read(WIT_FIELD), wit)
  const selected = selectSignatureInternal(read('signature-input'), c.acceptLegacyTag)
  const rawSignature = read('signature')
  if (selected === undefined || rawSignature === null) throw new VerificationError('ERR_HTTPSIG_MISSING', 'the request has no Signature-Input and Signature fields')
  const member: InternalInput = selected.member
  const required = requiredComponents(read)
  const checked = checkProfile(member, required, { wit, now, maxLifetime: c.maxLifetime, tolerance: c.tolerance, maxBodyBytes: c.maxBodyBytes, acceptLegacyTag: c.acceptLegacyTag, replayCache: c.replayCache })
  const aud = member.params['wimse-aud']
  if (typeof aud !== 'string') throw new VerificationError('ERR_HTTPSIG_INVALID', 'the signature has no wimse-aud parameter', { claim: 'wimse-aud' })
  if (!audienceMatches(aud, target, c.audience)) throw new VerificationError('ERR_HTTPSIG_AUDIENCE', 'wimse-aud does not name this service', { claim: 'wimse-aud' })
  const signResponse = member.params['wimse-sign-response']
  if (signResponse !== undefined && typeof signResponse !== 'boolean') throw new VerificationError('ERR_HTTPSIG_INVALID', 'wimse-sign-response must be a Boolean', { claim: 'wimse-sign-response' })
  const digest = checkContentDigestValue(request, read('content-digest'), { body: access.body, ...(c.crypto ? { crypto: c.crypto } : {}) }, c.maxBodyBytes)
  const contentDigest = digest === undefined ? undefined : await digest
  const view = requestView(request, { url: access.url, headers: access.section })
  const policy = internalPolicy(c.httpsig, allowedFor(wit.proofAlgorithm), required)
  const pending = verifySelectedSignature(view, policy, nowSeconds(c.clock), selected.inputs, member, rawSignature, { key: wit.key, algorithm: wit.proofAlgorithm }, c.crypto ?? globalThis.crypto)
  const verified = pending instanceof Promise ? await pending : pending
  if (c.replayCache !== undefined) await claimNonce(c.replayCache, wit.id, checked.nonce, checked.expires + c.tolerance, c.clock)
  return Object.freeze({
    label: verified.label,
    created: checked.created,
    expires: checked.expires,
    nonce: checked.nonce,
    tag: checked.tag,
    components: verified.components,
    params: verified.params,
    wit,
    id: wit.id,
    contentDigest,
    legacy: checked.legacy,
    audience: aud,
    signResponse: signResponse === true,
  })
}

/** What agentauth/server has already read from the request (each value exactly as `Headers.get` returns it). */
export interface KnownRequestParts {
  /** `new URL(request.url)`, or the same parts known from the serialised URL. */
  readonly url?: URLParts | undefined
  /** The target URI without query (the audience's target), with `url`. */
  readonly target?: RequestTarget | undefined
  /** Combined field values. */
  readonly read?: ((name: string) => string | null) | undefined
  /** Field lines (with `read`, the request's own headers are then never touched). */
  readonly section?: FieldSection | undefined
  /** The body to digest, when the caller reads it itself (then the request's body is not used). */
  readonly body?: DigestBody | undefined
}

/** `(request, wit, known?) => VerifiedWIMSERequest`, returned by {@link createCompiledWIMSERequestVerifier}. */
export type CompiledWIMSERequestVerifier = (request: HTTPRequest, wit: VerifiedWIT, known?: KnownRequestParts) => Promise<VerifiedWIMSERequest>

/**
 * Internal (agentauth/server): validates the request-independent options of
 * {@link verifyWIMSERequest} once — `audience`, `maxLifetime`, `clockTolerance`, `maxBodyBytes`,
 * `acceptLegacyTag`, `replayCache`, `clock`, `crypto` — and returns the per-request verification
 * of a Fetch `Request`, with the same checks, order and error codes.
 */
export function createCompiledWIMSERequestVerifier(options: Omit<VerifyWIMSERequestOptions, 'wit' | 'body'>): CompiledWIMSERequestVerifier {
  assertObject(options, 'options')
  const { replayCache } = options
  if (replayCache !== undefined && (typeof replayCache !== 'object' || replayCache === null || typeof replayCache.claim !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replayCache must be a ReplayCache')
  }
  if (options.acceptLegacyTag !== undefined && typeof options.acceptLegacyTag !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.acceptLegacyTag must be a boolean')
  checkClock(options.clock)
  checkCrypto(options.crypto)
  const v = {
    maxLifetime: optionalNumber(options.maxLifetime, 'options.maxLifetime', 600, { min: 1, max: 86_400 }),
    tolerance: optionalNumber(options.clockTolerance, 'options.clockTolerance', 30, { min: 0, max: 300 }),
    maxBodyBytes: optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, integer: true }),
    acceptLegacyTag: options.acceptLegacyTag ?? true,
    replayCache,
  }
  const compiled = compiledSettings(options, compileWIMSEAudience(options.audience), v)
  return function verifyCompiledWIMSERequest(request: HTTPRequest, wit: VerifiedWIT, known?: KnownRequestParts): Promise<VerifiedWIMSERequest> {
    try {
      const w = wit as Partial<VerifiedWIT> | undefined
      if (typeof w !== 'object' || w === null || typeof w.token !== 'string' || typeof w.id !== 'string' || typeof w.key !== 'object' || !isJWSAlgorithm(w.proofAlgorithm)) {
        throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.wit must be a VerifiedWIT (the result of verifyWIT)')
      }
      const now = nowSeconds(compiled.clock)
      let read = known?.read
      let section = known?.section
      if (read === undefined || section === undefined) {
        const headers = headersOf(request)
        read ??= (name: string) => headers.get(name)
        section = readerSection(read, headers)
      }
      return verifyCore(request, wit, now, compiled, { section, read, url: known?.url, target: known?.target ?? (known?.url instanceof URL ? known.url : requestURL(request)), body: known?.body })
    } catch (err) {
      return Promise.reject(err)
    }
  }
}
