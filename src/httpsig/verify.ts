// Verification (RFC 9421 §3.2, §3.2.1): parse both fields once, select the signature, check the
// policy (cheap checks first), rebuild the base, resolve and check the key and algorithm, verify,
// and only then claim the nonce.
import { codedTypeError, isAgentAuthError, StoreError, VerificationError } from '../errors/index.js'
import { assertFunction, assertNumber } from '../internal/assert.js'
import { copyToSignatureScratch, utf8, utf8Scratch } from '../internal/bytes.js'
import { cachedPublicKey, rsaSignatureLength } from '../internal/keys.js'
import { syncOperations, verifySignature } from '../internal/sync-crypto.js'
import { nowSeconds } from '../internal/time.js'
import { HTTP_SIGNATURE_TO_JOSE, isJWSAlgorithm, type HTTPSignatureAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import { canonicalAlgorithm, isHTTPSignatureAlgorithm, verificationKey, verifyParams } from './algorithms.js'
import { componentFromInput, type Component } from './components.js'
import { checkClock, checkCrypto, checkStructuredFields } from './option-checks.js'
import { combinedField, requestView, responseView, type MessageView } from './message.js'
import { buildSignatureBase } from './signature-base.js'
import { memberTag, parseInputMembers, parseSignatureMembers, signatureBytes, toInternalInput, type InternalInput } from './signature-fields.js'
import type { SFMember } from './structured-fields.js'
import type { ComponentInput, HTTPRequest, HTTPResponse, ResolvedKey, VerifiedSignature, VerifyOptions, VerifyResponseOptions } from './types.js'
import { replayKey } from '../internal/replay-key.js'

/** A validated verification policy (internal). */
export interface Policy {
  readonly options: VerifyOptions
  readonly allowed: ReadonlySet<string>
  readonly required: readonly Component[]
  readonly tolerance: number
  readonly requireCreated: boolean
  readonly requireExpires: boolean
}

// Required components given as strings are parsed once (strings are immutable, so this cache can
// never go stale); the rest of the policy is re-read on every call, so mutating an options object
// between calls can never leave an old policy in force.
const requiredCache = new Map<string, Component>()

function requiredComponent(input: ComponentInput): Component {
  if (typeof input !== 'string') return componentFromInput(input)
  let c = requiredCache.get(input)
  if (c === undefined) {
    c = componentFromInput(input)
    if (requiredCache.size >= 1024) requiredCache.clear()
    requiredCache.set(input, c)
  }
  return c
}

// The allow-list as canonical names, cached by the array's identity and re-checked entry by entry,
// so an array mutated between calls is read again (never a stale allow-list).
const allowedCache = new WeakMap<object, { readonly entries: readonly unknown[]; readonly set: ReadonlySet<string> }>()

function allowedSet(algs: ReadonlyArray<JWSAlgorithm | HTTPSignatureAlgorithm>): ReadonlySet<string> {
  const hit = allowedCache.get(algs)
  if (hit !== undefined && hit.entries.length === algs.length && hit.entries.every((e, i) => e === algs[i])) return hit.set
  const set: ReadonlySet<string> = new Set(algs.map(canonicalAlgorithm))
  allowedCache.set(algs, { entries: [...algs], set })
  return set
}

function optionalNonNegative(v: unknown, name: string): void {
  if (v !== undefined) assertNumber(v, name, { min: 0 })
}

function optionalBoolean(v: unknown, name: string): void {
  if (v !== undefined && typeof v !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be a boolean`)
}

function optionalStrings(v: unknown, name: string): void {
  if (v === undefined) return
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0)) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an array of non-empty strings`)
}

/** Validates the options (cheap: no parsing beyond the cached required components). */
function policyOf(options: VerifyOptions): Policy {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  assertFunction(options.key, 'options.key')
  checkClock(options.clock)
  checkCrypto(options.crypto)
  checkStructuredFields(options.structuredFields)
  const algs = options.algorithms
  if (!Array.isArray(algs) || algs.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.algorithms must be a non-empty array')
  for (const a of algs) if (!isJWSAlgorithm(a) && !isHTTPSignatureAlgorithm(a)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.algorithms: unknown algorithm ${String(a)}`)
  optionalNonNegative(options.maxAge, 'options.maxAge')
  optionalNonNegative(options.maxLifetime, 'options.maxLifetime')
  optionalNonNegative(options.clockTolerance, 'options.clockTolerance')
  if (options.maxSignatures !== undefined) assertNumber(options.maxSignatures, 'options.maxSignatures', { min: 1, integer: true })
  if (options.maxHeaderBytes !== undefined) assertNumber(options.maxHeaderBytes, 'options.maxHeaderBytes', { min: 1, integer: true })
  // A falsy non-boolean (0, '', NaN) must not turn the created requirement off.
  optionalBoolean(options.requireCreated, 'options.requireCreated')
  optionalBoolean(options.requireExpires, 'options.requireExpires')
  optionalBoolean(options.includeSignatureBase, 'options.includeSignatureBase')
  optionalStrings(options.requiredParams, 'options.requiredParams')
  optionalStrings(options.forbiddenParams, 'options.forbiddenParams')
  if (options.label !== undefined && (typeof options.label !== 'string' || options.label === '')) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.label must be a non-empty string')
  if (options.tag !== undefined && (typeof options.tag !== 'string' || options.tag === '')) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.tag must be a non-empty string')
  if (options.replayCache !== undefined) {
    if (typeof options.replayCache !== 'object' || options.replayCache === null || typeof options.replayCache.claim !== 'function') {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.replayCache must be a ReplayCache')
    }
    if (options.maxAge === undefined && options.requireExpires !== true) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.replayCache needs maxAge or requireExpires so that nonces can expire')
    }
  }
  const requiredInput = options.requiredComponents ?? []
  if (!Array.isArray(requiredInput)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.requiredComponents must be an array')
  const required = requiredInput.map(requiredComponent)
  return {
    options,
    allowed: allowedSet(algs),
    required,
    tolerance: options.clockTolerance ?? 0,
    requireCreated: options.requireCreated ?? true,
    requireExpires: options.requireExpires ?? false,
  }
}

function fail(code: 'ERR_HTTPSIG_INVALID' | 'ERR_HTTPSIG_EXPIRED' | 'ERR_HTTPSIG_TAG' | 'ERR_HTTPSIG_MISSING' | 'ERR_HTTPSIG_COMPONENT_MISSING' | 'ERR_ALG_NOT_ALLOWED' | 'ERR_HTTPSIG_SIGNATURE', message: string, claim?: string): never {
  throw new VerificationError(code, message, claim === undefined ? undefined : { claim })
}

// Only the selected member is interpreted: another signature on the message (an intermediary's,
// with a component or parameter this verifier does not know) must not break this one.
function select(inputs: ReadonlyArray<readonly [string, SFMember]>, p: Policy): readonly [string, SFMember] {
  const { label, tag } = p.options
  if (label !== undefined) {
    const m = inputs.find((i) => i[0] === label)
    return m ?? fail('ERR_HTTPSIG_MISSING', `no signature labelled "${label}"`)
  }
  if (tag !== undefined) {
    const m = inputs.find((i) => memberTag(i[1]) === tag)
    return m ?? fail('ERR_HTTPSIG_TAG', `no signature has tag "${tag}"`, 'tag')
  }
  if (inputs.length !== 1) fail('ERR_HTTPSIG_INVALID', 'the message carries several signatures; choose one with options.label or options.tag')
  return inputs[0]!
}

function checkPolicy(input: InternalInput, p: Policy, now: number): void {
  const o = p.options
  const params = input.params
  if (o.tag !== undefined && params.tag !== o.tag) fail('ERR_HTTPSIG_TAG', 'the signature tag is missing or not the required one', 'tag')
  for (const name of o.requiredParams ?? []) if (!Object.hasOwn(params, name)) fail('ERR_HTTPSIG_INVALID', `the signature parameter "${name}" is required`, name)
  for (const name of o.forbiddenParams ?? []) if (Object.hasOwn(params, name)) fail('ERR_HTTPSIG_INVALID', `the signature parameter "${name}" is not allowed`, name)
  if (o.replayCache !== undefined && params.nonce === undefined) fail('ERR_HTTPSIG_INVALID', 'the signature has no nonce', 'nonce')
  const { created, expires } = params
  const tol = p.tolerance
  if (created !== undefined && expires !== undefined && expires < created) fail('ERR_HTTPSIG_INVALID', 'the signature expires before it was created', 'expires')
  if (created === undefined) {
    if (p.requireCreated || o.maxAge !== undefined || o.maxLifetime !== undefined) fail('ERR_HTTPSIG_INVALID', 'the signature has no created parameter', 'created')
  } else {
    if (created > now + tol) fail('ERR_HTTPSIG_EXPIRED', 'the signature was created in the future', 'created')
    if (o.maxAge !== undefined && now - created > o.maxAge + tol) fail('ERR_HTTPSIG_EXPIRED', 'the signature is older than maxAge', 'created')
  }
  if (expires === undefined) {
    if (p.requireExpires || o.maxLifetime !== undefined) fail('ERR_HTTPSIG_INVALID', 'the signature has no expires parameter', 'expires')
  } else {
    if (expires <= now - tol) fail('ERR_HTTPSIG_EXPIRED', 'the signature has expired', 'expires')
    if (o.maxLifetime !== undefined && expires - created! > o.maxLifetime) fail('ERR_HTTPSIG_EXPIRED', 'the signature lifetime exceeds maxLifetime', 'expires')
  }
  if (p.required.length > 0) {
    for (const r of p.required) {
      if (!input.covered.some((c) => c.eq === r.eq)) fail('ERR_HTTPSIG_COMPONENT_MISSING', `the signature does not cover ${r.id}`, r.id)
    }
  }
  if (params.alg !== undefined && !isHTTPSignatureAlgorithm(params.alg)) fail('ERR_ALG_NOT_ALLOWED', 'the alg parameter is not an RFC 9421 algorithm', 'alg')
}

// The key resolver may answer synchronously: then no promise and no await.
function resolveKey(input: InternalInput, p: Policy): ResolvedKey | Promise<ResolvedKey> {
  let answer: ResolvedKey | PromiseLike<ResolvedKey>
  try {
    answer = p.options.key(input.params, Object.freeze({ label: input.label, params: input.params, components: input.components }))
  } catch (cause) {
    return keyNotFound(cause)
  }
  if (typeof (answer as PromiseLike<ResolvedKey> | null)?.then === 'function') {
    return Promise.resolve(answer).then(
      (resolved) => {
        checkResolvedKey(resolved, input, p)
        return resolved
      },
      keyNotFound,
    )
  }
  checkResolvedKey(answer as ResolvedKey, input, p)
  return answer as ResolvedKey
}

function keyNotFound(cause: unknown): never {
  if (isAgentAuthError(cause)) throw cause
  throw new VerificationError('ERR_KEY_NOT_FOUND', 'no key for the signature', { cause })
}

function checkResolvedKey(resolved: ResolvedKey, input: InternalInput, p: Policy): void {
  if (typeof resolved !== 'object' || resolved === null || resolved.key === undefined || resolved.key === null) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.key must resolve to { key, algorithm }')
  }
  // Not a string, it would be keyed as "undefined" or "[object Object]": peers would share nonces.
  if (resolved.replayNamespace !== undefined && typeof resolved.replayNamespace !== 'string') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.key: replayNamespace must be a string')
  }
  const alg = resolved.algorithm
  if (!isJWSAlgorithm(alg) && !isHTTPSignatureAlgorithm(alg)) fail('ERR_ALG_NOT_ALLOWED', `unsupported algorithm ${String(alg)}`)
  const canonical = canonicalAlgorithm(alg)
  if (!p.allowed.has(canonical)) fail('ERR_ALG_NOT_ALLOWED', `algorithm ${alg} is not allowed`, 'alg')
  // §3.2 step 6.4: the alg parameter, when present, must name the same algorithm as the key.
  if (input.params.alg !== undefined && input.params.alg !== canonical) fail('ERR_ALG_NOT_ALLOWED', 'the alg parameter does not match the key algorithm', 'alg')
}

/**
 * Imports / checks the key and verifies the signature over the base. Synchronous (returns
 * undefined) when the key is already imported and the provider verifies synchronously.
 */
function verifyBase(resolved: ResolvedKey, signature: Uint8Array, base: string, crypto: Crypto): void | Promise<void> {
  const alg = resolved.algorithm
  const jose: JWSAlgorithm | undefined = isJWSAlgorithm(alg) ? alg : HTTP_SIGNATURE_TO_JOSE[alg as HTTPSignatureAlgorithm]
  const k = resolved.key
  // A frozen JWK imported before (a verified WIT's key): no promise, no re-validation.
  const known = jose !== undefined && typeof k === 'object' && k !== null && !(k instanceof Uint8Array) ? cachedPublicKey(k as Record<string, unknown>, jose, crypto) : undefined
  if (known !== undefined) return verifyWithKey(known, alg, signature, base, crypto)
  return verificationKey(k, alg, crypto).then((key) => verifyWithKey(key, alg, signature, base, crypto), keyImportFailed)
}

// A provider that cannot import the key (raw HMAC bytes here; JWK imports already answer so).
function keyImportFailed(cause: unknown): never {
  if (isAgentAuthError(cause)) throw cause
  throw new VerificationError('ERR_KEY_INVALID', 'the key could not be imported', { cause })
}

function verifyWithKey(key: CryptoKey, alg: JWSAlgorithm | HTTPSignatureAlgorithm, signature: Uint8Array, base: string, crypto: Crypto): void | Promise<void> {
  const vp = verifyParams(alg)
  // RSA: exactly the modulus length (RFC 8017 §8.1.2 / §8.2.2 step 1); OpenSSL's RSA-PSS verify also
  // accepted a signature whose leading zero byte was dropped.
  const length = vp.length ?? rsaSignatureLength(key)
  if (length !== undefined && signature.length !== length) fail('ERR_HTTPSIG_SIGNATURE', 'the signature has the wrong length')
  let ok: boolean | Promise<boolean> | undefined
  try {
    // A synchronous provider consumes the data before returning: the scratch buffer will do.
    const sync = syncOperations(crypto)
    if (sync !== undefined) {
      ok = sync.verify(vp.params, key, copyToSignatureScratch(signature), utf8Scratch(base))
      // Anything but an answer now (a promise) may read the shared buffers after another message
      // has been written into them, and so vouch for that message's signature: fail closed.
      if (ok !== undefined && typeof ok !== 'boolean') {
        Promise.resolve(ok).catch(() => undefined)
        throw new TypeError('the synchronous verify of the crypto provider did not return a boolean')
      }
    }
    if (ok === undefined) ok = verifySignature(crypto, vp.params, key, signature, utf8(base))
  } catch (cause) {
    throw new VerificationError('ERR_HTTPSIG_SIGNATURE', 'the signature could not be verified', { cause })
  }
  if (ok === true) return undefined
  if (ok === false) fail('ERR_HTTPSIG_SIGNATURE', 'the signature does not verify')
  return ok.then(
    (valid) => {
      if (!valid) fail('ERR_HTTPSIG_SIGNATURE', 'the signature does not verify')
    },
    (cause: unknown) => {
      throw new VerificationError('ERR_HTTPSIG_SIGNATURE', 'the signature could not be verified', { cause })
    },
  )
}

function checkNotEmpty(inputs: ReadonlyArray<readonly [string, SFMember]>, sigs: ReadonlyArray<readonly [string, SFMember]>): void {
  if (inputs.length === 0 || sigs.length === 0) fail('ERR_HTTPSIG_MISSING', 'the signature fields are empty')
}

// §3.2 step 1.2: only the chosen signature must have a member in both fields; a label another party
// left in one field only (an intermediary that dropped half of its pair) does not concern ours.
function chosenSignature(label: string, sigs: ReadonlyArray<readonly [string, SFMember]>): Uint8Array {
  const m = sigs.find((s) => s[0] === label)
  if (m === undefined) fail('ERR_HTTPSIG_INVALID', `the Signature field has no member labelled "${label}"`)
  return signatureBytes(label, m[1])
}

function resultOf(input: InternalInput, algorithm: ResolvedKey['algorithm'], base: string, includeBase: boolean): VerifiedSignature {
  const params = input.params
  const result: VerifiedSignature = {
    label: input.label,
    algorithm,
    keyid: params.keyid,
    created: params.created,
    expires: params.expires,
    nonce: params.nonce,
    tag: params.tag,
    params,
    components: input.components,
    ...(includeBase ? { signatureBase: base } : {}),
  }
  return Object.freeze(result)
}

/**
 * Internal (agentauth/wimse-httpsig): a policy built by a caller that validated its options once.
 * `options` supplies the checks; `key`, `label`, `algorithms` and `requiredComponents` are not read
 * (the caller selects the signature, resolves the key and passes the allow-list and components).
 */
export function internalPolicy(options: VerifyOptions, allowed: ReadonlySet<string>, required: readonly ComponentInput[]): Policy {
  return {
    options,
    allowed,
    required: required.map(requiredComponent),
    tolerance: options.clockTolerance ?? 0,
    requireCreated: options.requireCreated ?? true,
    requireExpires: options.requireExpires ?? false,
  }
}

/**
 * Internal (agentauth/wimse-httpsig): verification of a signature its caller has already selected
 * and interpreted from Signature-Input (`inputs`, as parseInputMembers returned them). Runs the
 * remaining steps of {@link verifyRequestSignature} in the same order: parse Signature, the
 * chosen label in both fields, policy checks, signature base, key checks, signature. No replay claim.
 */
export function verifySelectedSignature(
  view: MessageView,
  p: Policy,
  now: number,
  inputs: ReadonlyArray<readonly [string, SFMember]>,
  input: InternalInput,
  rawSignature: string,
  resolved: ResolvedKey,
  crypto: Crypto,
): VerifiedSignature | Promise<VerifiedSignature> {
  const o = p.options
  const sigs = parseSignatureMembers(rawSignature, { maxHeaderBytes: o.maxHeaderBytes, maxSignatures: o.maxSignatures })
  checkNotEmpty(inputs, sigs)
  const signature = chosenSignature(input.label, sigs)
  checkPolicy(input, p, now)
  const base = buildSignatureBase(view, input.covered, input.value, { structuredFields: o.structuredFields })
  checkResolvedKey(resolved, input, p)
  const pending = verifyBase(resolved, signature, base, crypto)
  const includeBase = o.includeSignatureBase === true
  if (pending === undefined) return resultOf(input, resolved.algorithm, base, includeBase)
  return pending.then(() => resultOf(input, resolved.algorithm, base, includeBase))
}

async function verify(view: MessageView, options: VerifyOptions): Promise<VerifiedSignature> {
  const p = policyOf(options)
  const now = nowSeconds(options.clock)
  const rawInput = combinedField(view.headers, 'signature-input')
  const rawSig = combinedField(view.headers, 'signature')
  if (rawInput === undefined || rawSig === undefined) fail('ERR_HTTPSIG_MISSING', 'the message has no Signature-Input and Signature fields')
  const limits = { maxHeaderBytes: options.maxHeaderBytes, maxSignatures: options.maxSignatures }
  const inputs = parseInputMembers(rawInput!, limits)
  const sigs = parseSignatureMembers(rawSig!, limits)
  checkNotEmpty(inputs, sigs)
  const [label, member] = select(inputs, p)
  const input: InternalInput = toInternalInput(label, member, limits)
  const signature = chosenSignature(label, sigs)
  checkPolicy(input, p, now)
  const base = buildSignatureBase(view, input.covered, input.value, { structuredFields: options.structuredFields })
  const answer = resolveKey(input, p)
  const resolved = answer instanceof Promise ? await answer : answer
  const pending = verifyBase(resolved, signature, base, options.crypto ?? globalThis.crypto)
  if (pending !== undefined) await pending
  const params = input.params
  if (options.replayCache !== undefined) await claimNonce(options, p, params.nonce!, resolved.replayNamespace ?? params.keyid ?? '', params.created, params.expires)
  return resultOf(input, resolved.algorithm, base, options.includeSignatureBase === true)
}

async function claimNonce(options: VerifyOptions, p: Policy, nonce: string, namespace: string, created: number | undefined, expires: number | undefined): Promise<void> {
  let until = Infinity
  if (expires !== undefined) until = expires
  if (options.maxAge !== undefined && created !== undefined) until = Math.min(until, created + options.maxAge)
  if (!Number.isFinite(until)) fail('ERR_HTTPSIG_INVALID', 'the nonce cannot be given a lifetime (no expires, no maxAge)', 'nonce')
  const expiresAt = Math.ceil(until + p.tolerance)
  // The clock again: a key resolver that answered after the signature's lifetime would have the
  // nonce claimed until a time already past, which a replay cache does not remember, so every copy
  // waiting with it would be accepted.
  if (expiresAt <= nowSeconds(options.clock)) fail('ERR_HTTPSIG_EXPIRED', 'the signature expired while it was being verified', 'expires')
  let fresh: boolean
  try {
    fresh = await options.replayCache!.claim(replayKey('httpsig', namespace, nonce), expiresAt)
  } catch (cause) {
    if (isAgentAuthError(cause)) throw cause
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the replay cache failed', { cause })
  }
  if (fresh !== true) throw new VerificationError('ERR_PROOF_REPLAYED', 'the signature nonce was seen before', { claim: 'nonce' })
}

/**
 * Verifies an RFC 9421 signature on a request (§3.2) under an explicit policy: label / tag
 * selection, required components and parameters, `created`/`expires` freshness, algorithm
 * allow-list with `alg` confusion refused, optional nonce replay cache.
 *
 * @param message - a `Request` or `{ method, url, headers }`.
 * @param options - key resolver, `algorithms` allow-list and policy.
 * @returns the frozen {@link VerifiedSignature}.
 * @throws VerificationError `ERR_HTTPSIG_MISSING`, `ERR_HTTPSIG_INVALID`, `ERR_HTTPSIG_TAG`,
 *   `ERR_HTTPSIG_EXPIRED`, `ERR_HTTPSIG_COMPONENT_MISSING`, `ERR_HTTPSIG_COMPONENT_INVALID`,
 *   `ERR_HTTPSIG_SIGNATURE`, `ERR_ALG_NOT_ALLOWED`, `ERR_KEY_INVALID`, `ERR_KEY_NOT_FOUND`,
 *   `ERR_PROOF_REPLAYED`, `ERR_INPUT_TOO_LARGE`; StoreError `ERR_STORE_UNAVAILABLE`; TypeError for
 *   bad options.
 *
 * @example
 * ```ts
 * import { verifyRequestSignature } from 'agentauth/httpsig'
 * const verified = await verifyRequestSignature(request, {
 *   algorithms: ['ed25519'],
 *   key: async (params) => ({ key: await lookupJwk(params.keyid), algorithm: 'ed25519' }),
 *   requiredComponents: ['@method', '@target-uri'],
 *   maxAge: 300,
 * })
 * console.log(verified.keyid, verified.components)
 * ```
 */
export function verifyRequestSignature(message: HTTPRequest, options: VerifyOptions): Promise<VerifiedSignature> {
  try {
    return verify(requestView(message), options)
  } catch (err) {
    return Promise.reject(err)
  }
}

/**
 * Verifies an RFC 9421 signature on a response; `;req` components are read from
 * `options.request` (§2.4). Same policy as {@link verifyRequestSignature}.
 *
 * @param message - a `Response` or `{ status, headers }`.
 * @param options - as {@link verifyRequestSignature}, plus the related `request`.
 * @returns the frozen {@link VerifiedSignature}.
 * @throws the same errors as {@link verifyRequestSignature}.
 *
 * @example
 * ```ts
 * import { verifyResponseSignature } from 'agentauth/httpsig'
 * const verified = await verifyResponseSignature(response, {
 *   request, algorithms: ['ecdsa-p256-sha256'], key: () => ({ key: serverJwk, algorithm: 'ES256' }),
 *   requiredComponents: ['@status', '"@method";req'],
 * })
 * ```
 */
export function verifyResponseSignature(message: HTTPResponse, options: VerifyResponseOptions): Promise<VerifiedSignature> {
  try {
    return verify(responseView(message, options.request), options)
  } catch (err) {
    return Promise.reject(err)
  }
}
