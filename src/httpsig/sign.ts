// Signing (RFC 9421 §3.1): options are validated up front, the base is built once, signed once,
// and the new member is merged with any Signature-Input / Signature already on the message.
import { Token } from 'structured-headers'
import { codedTypeError, isAgentAuthError, SignerError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { assertNumber, assertString } from '../internal/assert.js'
import { encode as base64url } from '../internal/base64url.js'
import { utf8 } from '../internal/bytes.js'
import { nowSeconds } from '../internal/time.js'
import { ALGORITHMS, joseToHTTPSignatureAlgorithm } from '../signer/algorithms.js'
import { hmacSign, hmacSigningKey } from './algorithms.js'
import { assertUnique, componentFromInput, type Component } from './components.js'
import { formDecode, formEncode } from './component-values.js'
import { combinedField, requestView, responseView, type MessageView } from './message.js'
import { checkClock, checkCrypto, checkStructuredFields, randomBytes } from './option-checks.js'
import { buildSignatureBase, serialiseSignatureParams } from './signature-base.js'
import { encodeBase64, parseDictionaryStrict, serialiseDictionaryText, type SFMember } from './structured-fields.js'
import type { HTTPRequest, HTTPResponse, ParameterValue, SignatureHeaders, SignOptions, SignResponseOptions } from './types.js'

const LABEL = /^[a-z*][a-z0-9_\-.*]*$/
const STANDARD = new Set(['created', 'expires', 'nonce', 'alg', 'keyid', 'tag'])

function isParameterValue(v: unknown): v is ParameterValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || v instanceof Uint8Array || v instanceof Token
}

interface Prepared {
  readonly label: string
  readonly components: readonly Component[]
  readonly params: ReadonlyArray<readonly [string, ParameterValue]>
  readonly httpAlg: string | undefined
}

function prepare(options: SignOptions, kind: 'request' | 'response'): Prepared {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const { signer, hmacKey } = options
  if ((signer === undefined) === (hmacKey === undefined)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'pass exactly one of options.signer and options.hmacKey')
  if (signer !== undefined && (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function' || !Object.hasOwn(ALGORITHMS, signer.alg))) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signer must be a Signer with a supported alg')
  }
  checkClock(options.clock)
  checkCrypto(options.crypto)
  checkStructuredFields(options.structuredFields)
  const signal = options.signal as { aborted?: unknown; addEventListener?: unknown } | undefined
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal')
  }
  const label = options.label ?? 'sig1'
  assertString(label, 'options.label')
  if (!LABEL.test(label)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.label must be a structured-field key (a-z, 0-9, _ - . *)')
  const input = options.components ?? []
  if (!Array.isArray(input)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.components must be an array')
  const components = input.map(componentFromInput)
  assertUnique(components, true)
  for (const c of components) {
    if (c.req && kind === 'request') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${c.id}: "req" is only allowed when signing a response`)
    if (c.qname !== undefined && formEncode(formDecode(c.qname)) !== c.qname) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `${c.id}: the name must be percent-encoded as RFC 9421 §2.2.8 requires (${formEncode(formDecode(c.qname))})`)
    }
  }
  const httpAlg = signer !== undefined ? joseToHTTPSignatureAlgorithm(signer.alg) : 'hmac-sha256'
  if (options.includeAlg === true && httpAlg === undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${String(signer?.alg)} has no RFC 9421 name; it cannot be sent in the alg parameter`)

  const params: Array<readonly [string, ParameterValue]> = []
  const created = options.created === false ? undefined : options.created ?? nowSeconds(options.clock)
  if (created !== undefined) {
    assertNumber(created, 'options.created', { integer: true, max: 999_999_999_999 })
    params.push(['created', created])
  }
  if (options.expires !== undefined && options.lifetime !== undefined) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'pass options.expires or options.lifetime, not both')
  let expires = options.expires
  if (options.lifetime !== undefined) {
    assertNumber(options.lifetime, 'options.lifetime', { integer: true, min: 1, max: 999_999_999 })
    expires = (created ?? nowSeconds(options.clock)) + options.lifetime
  }
  if (expires !== undefined) {
    assertNumber(expires, 'options.expires', { integer: true, max: 999_999_999_999 })
    if (created !== undefined && expires < created) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.expires is before created')
    params.push(['expires', expires])
  }
  if (options.keyid !== undefined) {
    assertString(options.keyid, 'options.keyid')
    params.push(['keyid', options.keyid])
  }
  if (options.includeAlg === true) params.push(['alg', httpAlg!])
  if (options.nonce !== undefined) {
    if (options.nonce === true) {
      params.push(['nonce', base64url(randomBytes(options.crypto ?? globalThis.crypto, 16))])
    } else {
      assertString(options.nonce, 'options.nonce')
      params.push(['nonce', options.nonce])
    }
  }
  if (options.tag !== undefined) {
    assertString(options.tag, 'options.tag')
    params.push(['tag', options.tag])
  }
  if (options.params !== undefined) {
    if (typeof options.params !== 'object' || options.params === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.params must be an object')
    for (const [k, v] of Object.entries(options.params)) {
      if (STANDARD.has(k)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.params.${k}: use the dedicated option`)
      if (!LABEL.test(k)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.params: "${k}" is not a structured-field key`)
      if (!isParameterValue(v)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `options.params.${k} must be a string, number, boolean, Uint8Array or Token`)
      params.push([k, v])
    }
  }
  return { label, components, params, httpAlg }
}

function existing(view: MessageView, name: 'signature-input' | 'signature'): Array<readonly [string, SFMember]> {
  const raw = combinedField(view.headers, name)
  if (raw === undefined) return []
  // Other parties' members are kept, not interpreted: their Byte Sequences get RFC 8941 §4.2.7's leniency.
  return parseDictionaryStrict(raw, { code: 'ERR_HTTPSIG_INVALID', what: name === 'signature' ? 'Signature' : 'Signature-Input', lenientBase64: true })
}

async function sign(view: MessageView, options: SignOptions, p: Prepared): Promise<SignatureHeaders> {
  const prevInput = existing(view, 'signature-input')
  const prevSig = existing(view, 'signature')
  if (prevInput.some((m) => m[0] === p.label) || prevSig.some((m) => m[0] === p.label)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `the message already carries a signature labelled "${p.label}"`)
  }
  const signatureParams = serialiseSignatureParams(p.components, p.params)
  const base = buildSignatureBase(view, p.components, signatureParams, { structuredFields: options.structuredFields })
  const data = utf8(base)
  const crypto = options.crypto ?? globalThis.crypto
  let signature: Uint8Array
  if (options.signer !== undefined) {
    try {
      // A signer that ignores the signal (a hung KMS call, a custom signer) must not outlive it.
      signature = await untilAborted(options.signer.sign(data, options.signal === undefined ? undefined : { signal: options.signal }), options.signal)
    } catch (cause) {
      if (isAgentAuthError(cause)) throw cause
      throw new SignerError('ERR_SIGNER_FAILED', 'the signer failed', { cause })
    }
    const expected = ALGORITHMS[options.signer.alg].signatureLength
    // RSA has no fixed length: an empty signature (`sig1=::`) is still bad output.
    if (!(signature instanceof Uint8Array) || signature.length === 0 || (expected !== undefined && signature.length !== expected)) {
      throw new SignerError('ERR_SIGNER_FAILED', 'the signer returned a signature of the wrong type or length')
    }
  } else {
    const key = hmacSigningKey(options.hmacKey!, crypto) // a bad key throws its TypeError here
    try {
      signature = await untilAborted(key.then((k) => hmacSign(k, data, crypto)), options.signal)
    } catch (cause) {
      throw new SignerError('ERR_SIGNER_FAILED', 'HMAC signing failed', { cause })
    }
  }
  const inputMember = p.label + '=' + signatureParams
  const sigMember = p.label + '=:' + encodeBase64(signature) + ':'
  return Object.freeze({
    signatureInput: prevInput.length === 0 ? inputMember : serialiseDictionaryText(prevInput) + ', ' + inputMember,
    signature: prevSig.length === 0 ? sigMember : serialiseDictionaryText(prevSig) + ', ' + sigMember,
  })
}

/**
 * Signs a request (RFC 9421 §3.1) and returns the `Signature-Input` and `Signature` field values to
 * set — merged with any signatures the message already carries.
 *
 * @param message - a `Request` or `{ method, url, headers }`.
 * @param options - key (`signer` or `hmacKey`), label, covered components and signature parameters.
 * @returns frozen `{ signatureInput, signature }`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (including a
 *   label already present); VerificationError `ERR_HTTPSIG_COMPONENT_MISSING` /
 *   `ERR_HTTPSIG_COMPONENT_INVALID` when a covered component cannot be taken from the message,
 *   `ERR_INPUT_TOO_LARGE` when a covered `;sf` / `;key` field has more than 1,024 members,
 *   `ERR_HTTPSIG_INVALID` when existing signature fields are malformed; SignerError
 *   `ERR_SIGNER_FAILED` when the signer fails or `options.signal` aborts first (its reason as `cause`).
 *
 * @example
 * ```ts
 * import { signRequest } from 'agentauth/httpsig'
 * const request = new Request('https://api.example.com/orders', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
 * const { signatureInput, signature } = await signRequest(request, {
 *   signer, components: ['@method', '@target-uri', 'content-type'], lifetime: 60, nonce: true, tag: 'my-app',
 * })
 * request.headers.set('Signature-Input', signatureInput)
 * request.headers.set('Signature', signature)
 * ```
 */
export async function signRequest(message: HTTPRequest, options: SignOptions): Promise<SignatureHeaders> {
  const p = prepare(options, 'request')
  return sign(requestView(message), options, p)
}

/**
 * Signs a response (RFC 9421 §3.1); `;req` components are taken from `options.request` (§2.4).
 *
 * @param message - a `Response` or `{ status, headers }`.
 * @param options - as {@link signRequest}, plus the related `request`.
 * @returns frozen `{ signatureInput, signature }`.
 * @throws the same errors as {@link signRequest}.
 *
 * @example
 * ```ts
 * import { signResponse } from 'agentauth/httpsig'
 * const response = new Response('ok', { status: 200, headers: { 'content-type': 'text/plain' } })
 * const fields = await signResponse(response, {
 *   signer, request, components: ['@status', 'content-type', { name: '@method', params: { req: true } }],
 * })
 * response.headers.set('Signature-Input', fields.signatureInput)
 * response.headers.set('Signature', fields.signature)
 * ```
 */
export async function signResponse(message: HTTPResponse, options: SignResponseOptions): Promise<SignatureHeaders> {
  const p = prepare(options, 'response')
  return sign(responseView(message, options.request), options, p)
}
