import { codedTypeError } from '../errors/index.js'
import { assertFunction, assertObject, looseInstanceOf, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import { peekWITProofAlgorithm } from '../internal/wit-peek.js'
import { isJWSAlgorithm } from '../signer/algorithms.js'
import type { Signer } from '../signer/types.js'
import { signWIMSERequest } from '../wimse-httpsig/index.js'
import { staticWITSource } from '../wit/index.js'
import type { WITSource } from '../wit/types.js'
import { createWPT } from '../wpt/index.js'
import { FIELD_NAME, isSafeFieldValue } from './headers.js'
import type { AuthorizeOptions, OutboundCredentials, OutboundRequest } from './types.js'

/**
 * Options of {@link localCredentials}.
 *
 * @example
 * ```ts
 * import type { LocalCredentialsOptions } from 'agentauth/fetch'
 * const options: LocalCredentialsOptions = { signer, wit: witSource, proof: 'httpsig', signResponse: true }
 * ```
 */
export interface LocalCredentialsOptions {
  /** Signer for the key bound in the WIT (`cnf.jwk`); its `alg` must equal `cnf.jwk.alg`. */
  signer: Signer
  /** This workload's WIT: a compact token (expiry read from it) or a source that renews it. */
  wit: WITSource | string
  /**
   * `wpt`: `Workload-Identity-Token` + `Workload-Proof-Token` (binds target URI, method, WIT and
   * any access token / Txn-Token). `httpsig`: the WIMSE HTTP-signature profile (also binds the
   * query, content type and body digest).
   */
  proof: 'wpt' | 'httpsig'
  /** `httpsig` only: ask the callee to sign its response (`wimse-sign-response`). Default false. */
  signResponse?: boolean
  /** Proof lifetime in seconds (integer, 1–3600). Default 60. */
  lifetime?: number
  /** Clock (milliseconds, like `Date.now`). */
  clock?: Clock
  /** Web Crypto provider. Default `globalThis.crypto`. */
  crypto?: Crypto
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const TOKEN_AUTH = /^(?:Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i
const MAX_URL = 8192

/** Checks an {@link OutboundRequest} (it may come from a broker client, so it is untrusted here). */
export function checkOutboundRequest(request: OutboundRequest): URL {
  assertObject(request, 'request')
  if (typeof request.method !== 'string' || !METHOD.test(request.method)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'request.method must be an HTTP method token')
  if (typeof request.url !== 'string' || request.url.length > MAX_URL) throw codedTypeError('ERR_INVALID_ARG_VALUE', `request.url must be a string of at most ${MAX_URL} characters`)
  let url: URL
  try {
    url = new URL(request.url)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'request.url must be an absolute URL', cause)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'request.url must be an http(s) URL without credentials')
  }
  const digest = request.contentDigest
  if (digest !== undefined && (typeof digest !== 'string' || digest.length === 0 || digest.length > 1024 || !/^[\x20-\x7e]+$/.test(digest))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'request.contentDigest must be a Content-Digest field value')
  }
  if (!looseInstanceOf(request.headers, Headers)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request.headers must be a Headers object')
  return url
}

function field(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)
  if (value === null || value === '') return undefined
  if (!FIELD_NAME.test(name) || !isSafeFieldValue(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `request.headers ${name} is not a valid field value`)
  return value
}

/**
 * Credentials for a **trusted service** that holds its own key: every `authorize` call mints a fresh
 * proof for exactly that request. Agents driven by a language model should use
 * `remoteCredentials` instead, so the key lives in a separate broker process (see `agentauth/broker`).
 *
 * - `wpt`: returns `Workload-Identity-Token` and `Workload-Proof-Token`. The WPT binds the target
 *   URI without query (`aud`), the method (`htm`), the WIT (`wth`), and the access token in
 *   `Authorization: Bearer|DPoP` (`ath`) and the `Txn-Token` (`tth`) when the request has them.
 * - `httpsig`: returns `Workload-Identity-Token`, `Signature-Input` and `Signature` (label `wimse`),
 *   covering `@method`, `@request-target`, and `content-type`, `content-digest` (from
 *   `request.contentDigest`), `authorization`, `txn-token` when present.
 *
 * @param options - see {@link LocalCredentialsOptions}.
 * @returns frozen {@link OutboundCredentials}; printing or serialising it shows no key or token.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (including a
 *   compact WIT whose `cnf.jwk.alg` differs from the signer's, and a `crypto` without `subtle`).
 *   `authorize` rejects with the WIT source's errors (`ERR_WIT_EXPIRED` …), `SignerError` from the
 *   signer, or a coded `TypeError` for a malformed request.
 *
 * @example
 * ```ts
 * import { composeFetch, localCredentials, workloadAuth } from 'agentauth/fetch'
 * import { refreshingWITSource } from 'agentauth/wit'
 *
 * const credentials = localCredentials({
 *   signer,                                   // e.g. createCryptoKeySigner(...) or a KMS signer
 *   wit: refreshingWITSource(fetchMyWIT),
 *   proof: 'httpsig',
 * })
 * const api = composeFetch(fetch, workloadAuth({ credentials, origins: ['https://api.example.com'] }))
 * ```
 */
export function localCredentials(options: LocalCredentialsOptions): OutboundCredentials {
  assertObject(options, 'options')
  const { signer, proof } = options
  assertObject(signer, 'options.signer')
  if (!isJWSAlgorithm(signer.alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.signer.alg must be a supported JWS algorithm')
  assertFunction(signer.sign, 'options.signer.sign')
  if (proof !== 'wpt' && proof !== 'httpsig') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.proof must be 'wpt' or 'httpsig'")
  if (options.signResponse !== undefined && typeof options.signResponse !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signResponse must be a boolean')
  if (options.signResponse === true && proof !== 'httpsig') throw codedTypeError('ERR_INVALID_ARG_VALUE', "options.signResponse needs proof: 'httpsig'")
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  if (options.crypto !== undefined) {
    assertObject(options.crypto, 'options.crypto')
    assertObject(options.crypto.subtle, 'options.crypto.subtle')
  }
  const lifetime = optionalNumber(options.lifetime, 'options.lifetime', 60, { min: 1, max: 3600, integer: true })
  let source: WITSource
  if (typeof options.wit === 'string') {
    const proofAlg = peekWITProofAlgorithm(options.wit)
    if (proofAlg !== undefined && proofAlg !== signer.alg) throw codedTypeError('ERR_INVALID_ARG_VALUE', `the signer alg ${signer.alg} does not equal the WIT cnf.jwk.alg ${proofAlg}`)
    source = staticWITSource(options.wit, options.clock ? { clock: options.clock } : {})
  } else {
    assertObject(options.wit, 'options.wit')
    assertFunction(options.wit.getWIT, 'options.wit.getWIT')
    source = options.wit
  }
  const common = {
    signer,
    lifetime,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  }
  const signResponse = options.signResponse === true

  async function authorize(request: OutboundRequest, opts?: AuthorizeOptions): Promise<Headers> {
    checkOutboundRequest(request)
    const signal = opts?.signal
    signal?.throwIfAborted()
    const { token: wit } = await source.getWIT(signal ? { signal } : undefined)
    const authorization = field(request.headers, 'authorization')
    const txnToken = field(request.headers, 'txn-token')
    if (proof === 'wpt') {
      const accessToken = authorization === undefined ? undefined : TOKEN_AUTH.exec(authorization)?.[1]
      const wpt = await createWPT({
        ...common,
        wit,
        uri: request.url,
        method: request.method,
        ...(accessToken !== undefined ? { accessToken } : {}),
        ...(txnToken !== undefined ? { txnToken } : {}),
        ...(signal ? { signal } : {}),
      })
      return new Headers({ 'Workload-Identity-Token': wit, 'Workload-Proof-Token': wpt })
    }
    const covered: Record<string, string> = {}
    const contentType = field(request.headers, 'content-type')
    if (contentType !== undefined) covered['content-type'] = contentType
    if (request.contentDigest !== undefined) covered['content-digest'] = request.contentDigest
    if (authorization !== undefined) covered.authorization = authorization
    if (txnToken !== undefined) covered['txn-token'] = txnToken
    const fields = await signWIMSERequest(
      { method: request.method, url: request.url, headers: covered },
      { ...common, wit, ...(signResponse ? { signResponse } : {}), ...(signal ? { signal } : {}) },
    )
    return new Headers(fields.headers)
  }

  const description = `LocalCredentials { proof: '${proof}' }`
  return Object.freeze({
    authorize,
    toJSON: () => ({ type: 'localCredentials', proof }),
    toString: () => description,
    [Symbol.for('nodejs.util.inspect.custom')]: () => description,
  })
}
