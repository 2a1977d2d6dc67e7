// Shared pieces of the WIMSE profile (draft-ietf-wimse-http-signature §3): header access over the
// message shapes agentauth/httpsig accepts, signature selection, the profile's parameter checks,
// Content-Digest handling, option validation and the nonce replay claim.
import { StoreError, VerificationError, codedTypeError, isAgentAuthError } from '../errors/index.js'
import {
  createContentDigest,
  createMessageContentDigest,
  verifyContentDigest,
  verifyMessageContentDigest,
  type DigestBody,
  type HeaderInput,
  type HTTPRequest,
  type HTTPResponse,
  type ParsedSignatureInput,
  type VerifiedContentDigest,
} from '../httpsig/index.js'
import { checkClock, checkCrypto, randomBytes } from '../httpsig/option-checks.js'
import { memberTag, parseInputMembers, toInternalInput, type InternalInput } from '../httpsig/signature-fields.js'
import type { SFMember } from '../httpsig/structured-fields.js'
import { assertObject, optionalNumber } from '../internal/assert.js'
import { encode } from '../internal/base64url.js'
import { compileAudience, type AudiencePolicy } from '../internal/target-audience.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { peekWITProofAlgorithm } from '../internal/wit-peek.js'
import { isJWSAlgorithm } from '../signer/algorithms.js'
import type { Signer } from '../signer/types.js'
import type { ReplayCache } from '../stores/types.js'
import type { VerifiedWIT } from '../wit/types.js'
import { SPEC, WIMSE_LABEL, WIMSE_TAG } from './spec.js'
import type { SignWIMSEOptions, VerifyWIMSEOptions } from './types.js'
import { replayKey } from '../internal/replay-key.js'

export const WIT_FIELD = 'workload-identity-token'
const SF_STRING = /^[\x20-\x7e]*$/
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_NONCE = 256

function isFetchMessage(m: object): m is Request | Response {
  return typeof (m as Request).clone === 'function' && typeof (m as Request).headers?.get === 'function'
}

/** The message's fields as a `Headers` (the message's own object for Fetch messages, a copy otherwise). */
export function headersOf(message: HTTPRequest | HTTPResponse): Headers {
  if (typeof message !== 'object' || message === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'message must be a Request, Response or plain message')
  if (isFetchMessage(message)) return message.headers
  return copyHeaders(message.headers)
}

export function copyHeaders(input: HeaderInput | undefined): Headers {
  const out = new Headers()
  if (input === undefined || input === null) return out
  try {
    if (typeof (input as Headers).forEach === 'function' && typeof (input as Headers).get === 'function') {
      ;(input as Headers).forEach((v, k) => out.append(k, v))
    } else if (Array.isArray(input)) {
      for (const [k, v] of input as ReadonlyArray<readonly [string, string]>) out.append(k, v)
    } else {
      for (const [k, v] of Object.entries(input as Record<string, string | readonly string[] | undefined>)) {
        if (v === undefined) continue
        if (typeof v === 'string') out.append(k, v)
        else for (const line of v) out.append(k, line)
      }
    }
  } catch (cause) {
    throw new VerificationError('ERR_HEADER_INVALID', 'the message has an invalid header field', { cause })
  }
  return out
}

/** The body the message carries (undefined for none); `override` wins when given. */
export function bodyOf(message: HTTPRequest | HTTPResponse, override: DigestBody | undefined): { present: boolean; body: DigestBody } {
  if (override !== undefined) return { present: override !== null, body: override }
  if (isFetchMessage(message)) return { present: message.body !== null, body: undefined }
  const body = (message as { body?: DigestBody }).body
  return { present: body !== null && body !== undefined, body }
}

// ---- signing ------------------------------------------------------------------------------------

export interface SignBasics {
  readonly signer: Signer
  readonly wit: string
  readonly nonce: string
  readonly created: number
  readonly expires: number
  readonly maxBodyBytes: number
}

export function prepareSign(options: SignWIMSEOptions): SignBasics {
  assertObject(options, 'options')
  const { wit, signer } = options
  if (typeof wit !== 'string' || !COMPACT.test(wit) || wit.length > 16_384) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.wit must be a compact WIT')
  assertObject(signer, 'options.signer')
  if (!isJWSAlgorithm(signer.alg) || typeof signer.sign !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signer must be a Signer with a supported alg')
  const proofAlg = peekWITProofAlgorithm(wit)
  if (proofAlg !== undefined && proofAlg !== signer.alg) throw codedTypeError('ERR_INVALID_ARG_VALUE', `signer alg ${signer.alg} does not equal the WIT cnf.jwk.alg ${proofAlg}`)
  checkClock(options.clock)
  checkCrypto(options.crypto)
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 3600, integer: true })
  const maxBodyBytes = optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, integer: true })
  let nonce: string
  if (options.nonce === undefined) {
    nonce = encode(randomBytes(options.crypto ?? globalThis.crypto, 16))
  } else {
    if (typeof options.nonce !== 'string' || options.nonce.length === 0 || options.nonce.length > MAX_NONCE || !SF_STRING.test(options.nonce)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.nonce must be 1..${MAX_NONCE} printable ASCII characters`)
    }
    nonce = options.nonce
  }
  const created = nowSeconds(options.clock)
  return { signer, wit, nonce, created, expires: created + lifetime, maxBodyBytes }
}

/** Copies the message's fields and adds the WIT (refusing a different one already present). */
export function fieldsWithWIT(message: HTTPRequest | HTTPResponse, wit: string): Headers {
  if (typeof message !== 'object' || message === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'message must be a Request, Response or plain message')
  const headers = copyHeaders(message.headers)
  const existing = headers.get(WIT_FIELD)
  if (existing !== null && existing !== wit) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the message already carries a different Workload-Identity-Token')
  headers.set(WIT_FIELD, wit)
  return headers
}

/** Adds a Content-Digest when the message has a body and none is set yet; returns the value added. */
export async function addContentDigest(message: HTTPRequest | HTTPResponse, headers: Headers, options: SignWIMSEOptions, maxBytes: number): Promise<string | undefined> {
  if (headers.has('content-digest')) return undefined
  const { present, body } = bodyOf(message, options.body)
  if (!present) return undefined
  const digestOptions = { maxBytes, ...(options.crypto ? { crypto: options.crypto } : {}) }
  const value = options.body !== undefined || !isFetchMessage(message) ? await createContentDigest(body, digestOptions) : await createMessageContentDigest(message, digestOptions)
  headers.set('content-digest', value)
  return value
}

/** Canonical field names for the caller to set. */
export function outputHeaders(wit: string, digest: string | undefined, signatureInput: string, signature: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = { 'Workload-Identity-Token': wit }
  if (digest !== undefined) out['Content-Digest'] = digest
  out['Signature-Input'] = signatureInput
  out.Signature = signature
  return Object.freeze(out)
}

// ---- verification -------------------------------------------------------------------------------

export interface VerifyBasics {
  readonly wit: VerifiedWIT
  readonly maxLifetime: number
  readonly tolerance: number
  readonly maxBodyBytes: number
  readonly acceptLegacyTag: boolean
  readonly replayCache: ReplayCache | undefined
  readonly now: number
}

export function prepareVerify(options: VerifyWIMSEOptions): VerifyBasics {
  assertObject(options, 'options')
  const wit = options.wit as Partial<VerifiedWIT> | undefined
  if (typeof wit !== 'object' || wit === null || typeof wit.token !== 'string' || typeof wit.id !== 'string' || typeof wit.key !== 'object' || !isJWSAlgorithm(wit.proofAlgorithm)) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.wit must be a VerifiedWIT (the result of verifyWIT)')
  }
  const { replayCache } = options
  if (replayCache !== undefined && (typeof replayCache !== 'object' || replayCache === null || typeof replayCache.claim !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replayCache must be a ReplayCache')
  }
  if (options.acceptLegacyTag !== undefined && typeof options.acceptLegacyTag !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.acceptLegacyTag must be a boolean')
  checkClock(options.clock)
  checkCrypto(options.crypto)
  return {
    wit: wit as VerifiedWIT,
    maxLifetime: optionalNumber(options.maxLifetime, 'options.maxLifetime', 600, { min: 1, max: 86_400 }),
    tolerance: optionalNumber(options.clockTolerance, 'options.clockTolerance', 30, { min: 0, max: 300 }),
    maxBodyBytes: optionalNumber(options.maxBodyBytes, 'options.maxBodyBytes', 1024 * 1024, { min: 0, integer: true }),
    acceptLegacyTag: options.acceptLegacyTag ?? true,
    replayCache,
    now: nowSeconds(options.clock),
  }
}

export function compileWIMSEAudience(audience: unknown): AudiencePolicy | undefined {
  return compileAudience(audience, 'options.audience')
}

/** Exactly one Workload-Identity-Token, equal to the verified WIT. */
export function checkWITField(headers: Headers, wit: VerifiedWIT): void {
  checkWITValue(headers.get(WIT_FIELD), wit)
}

/** {@link checkWITField} on the field value already read. */
export function checkWITValue(value: string | null, wit: VerifiedWIT): void {
  if (value === null || value === '') throw new VerificationError('ERR_WIT_MISSING', 'missing Workload-Identity-Token header')
  if (value.includes(',')) throw new VerificationError('ERR_WIT_MISSING', 'more than one Workload-Identity-Token header')
  if (value !== wit.token) throw new VerificationError('ERR_WIT_INVALID', 'the Workload-Identity-Token header is not the verified WIT')
}

function isWIMSETag(tag: unknown, acceptLegacy: boolean): boolean {
  return tag === WIMSE_TAG || (acceptLegacy && SPEC.legacyTags.includes(tag as string))
}

/**
 * The WIMSE signature of a message: label `wimse`, else the only one, else the only WIMSE-tagged one.
 * Only the chosen member is interpreted (as RFC 9421 verification does, §3.2): another signature on
 * the message — an intermediary's, with components or parameters this library does not know — does
 * not make a valid WIMSE signature fail.
 */
export function selectSignature(headers: Headers, acceptLegacyTag: boolean): ParsedSignatureInput | undefined {
  const found = findSignature(headers, acceptLegacyTag)
  if (found === null) throw new VerificationError('ERR_HTTPSIG_MISSING', 'no single WIMSE signature among several')
  return found
}

/**
 * {@link selectSignature}, but `null` (instead of an error) when the message carries several
 * signatures and none can be chosen as the WIMSE one: for a request whose nonce a response echoes,
 * other parties' signatures alone mean there is no WIMSE nonce, not a broken message.
 */
export function findSignature(headers: Headers, acceptLegacyTag: boolean): ParsedSignatureInput | undefined | null {
  const raw = headers.get('signature-input')
  if (raw === null) return undefined
  const picked = pick(parseInputMembers(raw), acceptLegacyTag)
  if (picked === undefined) return null
  const [label, m] = picked
  const { components, params, value } = toInternalInput(label, m)
  return Object.freeze({ label, components, params, value })
}

function pick(members: ReadonlyArray<readonly [string, SFMember]>, acceptLegacyTag: boolean): readonly [string, SFMember] | undefined {
  const labelled = members.find(([label]) => label === WIMSE_LABEL)
  if (labelled !== undefined) return labelled
  if (members.length === 1) return members[0]!
  const tagged = members.filter(([, m]) => isWIMSETag(memberTag(m), acceptLegacyTag))
  if (tagged.length === 1) return tagged[0]!
  return undefined
}

/**
 * {@link selectSignature} on the Signature-Input value already read, keeping the parsed members
 * and the interpreted selection so the RFC 9421 verification does not parse the field again.
 */
export function selectSignatureInternal(raw: string | null, acceptLegacyTag: boolean): { inputs: ReadonlyArray<readonly [string, SFMember]>; member: InternalInput } | undefined {
  if (raw === null) return undefined
  const inputs = parseInputMembers(raw)
  const picked = pick(inputs, acceptLegacyTag)
  if (picked === undefined) throw new VerificationError('ERR_HTTPSIG_MISSING', 'no single WIMSE signature among several')
  return { inputs, member: toInternalInput(picked[0], picked[1]) }
}

function invalid(message: string, claim: string): never {
  throw new VerificationError('ERR_HTTPSIG_INVALID', message, { claim })
}

/**
 * The profile checks of §3 on the (unverified) signature parameters, in the order of the draft's
 * verification text: covered components, tag, created/expires, nonce, no keyid/alg.
 */
export function checkProfile(member: ParsedSignatureInput, required: readonly string[], v: VerifyBasics): { tag: string; created: number; expires: number; nonce: string; legacy: boolean } {
  for (const id of required) {
    if (!member.components.includes(id)) throw new VerificationError('ERR_HTTPSIG_COMPONENT_MISSING', `the WIMSE signature does not cover ${id}`, { claim: id })
  }
  const p = member.params
  if (!isWIMSETag(p.tag, v.acceptLegacyTag)) throw new VerificationError('ERR_HTTPSIG_TAG', `the signature tag must be "${WIMSE_TAG}"`, { claim: 'tag' })
  const { created, expires, nonce } = p
  if (typeof created !== 'number') invalid('the signature has no created parameter', 'created')
  if (typeof expires !== 'number') invalid('the signature has no expires parameter', 'expires')
  if (expires < created) invalid('the signature expires before it was created', 'expires')
  if (created > v.now + v.tolerance) throw new VerificationError('ERR_HTTPSIG_EXPIRED', 'the signature was created in the future', { claim: 'created' })
  if (expires <= v.now - v.tolerance) throw new VerificationError('ERR_HTTPSIG_EXPIRED', 'the signature has expired', { claim: 'expires' })
  if (expires - created > v.maxLifetime) throw new VerificationError('ERR_HTTPSIG_EXPIRED', 'the signature lifetime exceeds maxLifetime', { claim: 'expires' })
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > MAX_NONCE) invalid('the signature has no usable nonce', 'nonce')
  if (Object.hasOwn(p, 'keyid')) invalid('the WIMSE profile forbids the keyid parameter', 'keyid')
  if (Object.hasOwn(p, 'alg')) invalid('the WIMSE profile forbids the alg parameter', 'alg')
  return { tag: p.tag as string, created, expires, nonce, legacy: p.tag !== WIMSE_TAG }
}

/** Verifies Content-Digest when the message has a body or carries the field (§3: receiver MUST verify). */
export async function checkContentDigest(message: HTTPRequest | HTTPResponse, headers: Headers, options: VerifyWIMSEOptions, maxBytes: number): Promise<VerifiedContentDigest | undefined> {
  return checkContentDigestValue(message, headers.get('content-digest'), options, maxBytes)
}

/** {@link checkContentDigest} on the field value already read; undefined (no promise) when there is nothing to check. */
export function checkContentDigestValue(message: HTTPRequest | HTTPResponse, field: string | null, options: Pick<VerifyWIMSEOptions, 'body' | 'crypto'>, maxBytes: number): Promise<VerifiedContentDigest | undefined> | undefined {
  const { present, body } = bodyOf(message, options.body)
  if (field === null && !present) return undefined
  const digestOptions = { maxBytes, ...(options.crypto ? { crypto: options.crypto } : {}) }
  if (options.body !== undefined || !isFetchMessage(message)) return verifyContentDigest(field, body, digestOptions)
  return verifyMessageContentDigest(message, digestOptions)
}

/** Claims the nonce, namespaced per peer, until `expires` + tolerance. Fails closed. */
export async function claimNonce(cache: ReplayCache, witId: string, nonce: string, expiresAt: number, clock: Clock | undefined): Promise<void> {
  // The clock again: after a slow step (a crypto provider answering late) the claim could end in
  // the past, which a replay cache does not remember, so every waiting copy would be accepted.
  if (expiresAt <= nowSeconds(clock)) throw new VerificationError('ERR_HTTPSIG_EXPIRED', 'the signature expired while it was being verified', { claim: 'expires' })
  let fresh: boolean
  try {
    fresh = await cache.claim(replayKey('sig', witId, nonce), expiresAt)
  } catch (cause) {
    if (isAgentAuthError(cause)) throw cause
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the replay cache failed', { cause })
  }
  if (fresh !== true) throw new VerificationError('ERR_PROOF_REPLAYED', 'the signature nonce was seen before', { claim: 'nonce' })
}

/** The key resolver handed to agentauth/httpsig: always the WIT's confirmation key. */
export function witKey(wit: VerifiedWIT): () => { key: VerifiedWIT['key']; algorithm: VerifiedWIT['proofAlgorithm'] } {
  const resolved = Object.freeze({ key: wit.key, algorithm: wit.proofAlgorithm })
  return () => resolved
}
