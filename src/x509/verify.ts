// X.509-SVID verification: parse (SVID rules) → leaf validity → bundle of the leaf's trust domain
// → path building and validation (verify-chain.ts) → frozen result.
import { codedTypeError, isAgentAuthError, ProtocolError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { assertFunction, optionalNumber } from '../internal/assert.js'
import { systemClock } from '../internal/time.js'
import { CertificateProblem, parseCertificate, type ParsedCertificate } from './certificate.js'
import { bytesEqual } from './der.js'
import { loadX509, type X509Lib } from './load.js'
import { decodeChain, derKey, label, parseDecoded, readParseOptions, type ParsedCache } from './svid.js'
import type { VerifiedX509SVID, VerifyX509SVIDOptions, X509Bundle, X509ChainInput } from './types.js'
import { buildPath, rejected, validityProblem } from './verify-chain.js'

/**
 * Options of one call of an {@link X509SVIDVerifier}.
 *
 * @example
 * ```ts
 * await verifier(chain, { signal: AbortSignal.timeout(2000) })
 * ```
 */
export interface X509SVIDVerifyCallOptions {
  /**
   * Passed to the bundle source (a remote source may be fetching). The verifier also stops waiting
   * for the source when it aborts, even if the source ignores it: ProtocolError
   * `ERR_REMOTE_TIMEOUT` for a timeout signal (`AbortSignal.timeout`), else `ERR_BUNDLE_FETCH`.
   */
  signal?: AbortSignal
}

/**
 * A verifier with its policy fixed: chain in, {@link VerifiedX509SVID} out.
 *
 * @example
 * ```ts
 * const verifier: X509SVIDVerifier = createX509SVIDVerifier({ bundles })
 * const svid = await verifier([leafDer, intermediateDer])
 * ```
 */
export type X509SVIDVerifier = (chain: X509ChainInput, options?: X509SVIDVerifyCallOptions) => Promise<VerifiedX509SVID>

/** Verified results kept per verifier (a TLS client reconnecting presents the same chain). */
const MAX_RESULTS = 256

interface CachedResult {
  readonly bundle: X509Bundle
  readonly result: VerifiedX509SVID
  /** Latest notBefore on the path (ms). */
  readonly validFrom: number
}

function readCallSignal(options: X509SVIDVerifyCallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const signal = options.signal
  if (signal === undefined) return undefined
  if (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal')
  }
  return signal
}

// Bundle certificates parsed once per bundle object (sources return the same object until rotation).
const parsedBundles = new WeakMap<X509Bundle, ParsedCertificate[]>()

function parseBundle(bundle: X509Bundle, trustDomain: string, lib: X509Lib): ParsedCertificate[] {
  const fail = (message: string, cause?: unknown): never => {
    throw new ProtocolError('ERR_BUNDLE_FETCH', `X.509 bundle of ${trustDomain}: ${message}`, { cause })
  }
  if (typeof bundle !== 'object' || bundle === null || !Array.isArray(bundle.certificates)) fail('is not an X509Bundle')
  // Checked on every call, before the cache: a source handing one bundle object to several trust
  // domains must not make a CA of one trusted for the others once its bundle was parsed.
  if (bundle.trustDomain !== trustDomain) fail(`was returned for trust domain ${String(bundle.trustDomain)}`)
  const hit = parsedBundles.get(bundle)
  if (hit !== undefined) return hit
  const parsed = bundle.certificates.map((der, i) => {
    if (!(der instanceof Uint8Array)) return fail(`certificate ${i} is not DER bytes`)
    try {
      return parseCertificate(der, lib)
    } catch (err) {
      return fail(`certificate ${i} ${err instanceof CertificateProblem ? err.message : 'cannot be parsed'}`, err)
    }
  })
  parsedBundles.set(bundle, parsed)
  return parsed
}

/**
 * Creates an X.509-SVID verifier with its options validated once (SPIFFE X509-SVID §5): the chain
 * is parsed with the SVID rules ({@link parseX509SVID}), the leaf must be inside its validity
 * window, and a path must lead from the leaf through the presented intermediates to a CA
 * certificate in the X.509 bundle **of the leaf's trust domain**, every signature verifying
 * (ECDSA/RSA/RSA-PSS with SHA-2, Ed25519; RSA keys of 2048–16384 bits with an odd exponent from 3
 * to 2^32 - 1), every signing certificate a valid SPIFFE signing certificate inside its validity
 * window, with path-length and URI/DNS name constraints honoured. Revocation is not checked (SVIDs
 * are short-lived).
 *
 * The verifier caches (bounded) the results of chains it verified — reused while the clock is
 * inside every validity window on the path and the bundle source returns the same bundle object —
 * and parsed intermediates with their keys. Results are shared: treat their bytes as read-only.
 *
 * @param options - `bundles` (required), `clock`, `clockTolerance`, `crypto`, `profile`,
 *   `maxChainLength`.
 * @returns The verifier function.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. The verifier
 *   rejects with VerificationError `ERR_X509_SVID_INVALID` (not an SVID), `ERR_X509_EXPIRED`,
 *   `ERR_X509_NOT_YET_VALID`, `ERR_X509_UNTRUSTED` (no bundle or no issuer in it),
 *   `ERR_X509_SIGNATURE`, `ERR_X509_CHAIN_INVALID` (signing-certificate rules, path length, name
 *   constraints, too long), `ERR_ALG_NOT_ALLOWED`; with ProtocolError `ERR_BUNDLE_FETCH` for an
 *   unusable bundle or a call `signal` that aborted while the source was asked (`ERR_REMOTE_TIMEOUT`
 *   for a timeout signal); with the bundle source's own errors; and with TypeError
 *   `ERR_INVALID_ARG_TYPE` for call options that are not an object or a `signal` that is not an
 *   `AbortSignal`.
 *
 * @example
 * ```ts
 * import { createX509SVIDVerifier, staticX509Bundles } from 'agentauth/x509'
 * const verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': caPem }) })
 * const svid = await verifier(peerChain)
 * svid.id.id // 'spiffe://example.org/ns/prod/sa/api'
 * ```
 */
export function createX509SVIDVerifier(options: VerifyX509SVIDOptions): X509SVIDVerifier {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object with bundles')
  const parseOptions = readParseOptions(options)
  const bundles = options.bundles
  if (typeof bundles !== 'object' || bundles === null || typeof bundles.getX509Bundle !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.bundles must be an X509BundleSource')
  }
  if (options.clock !== undefined) assertFunction(options.clock, 'options.clock')
  const clock = options.clock ?? systemClock
  const tolerance = optionalNumber(options.clockTolerance, 'options.clockTolerance', 0, { min: 0, max: 300 }) * 1000

  const results = new Map<string, CachedResult>()
  const intermediates: ParsedCache = new Map()

  async function bundleFor(trustDomain: string, signal: AbortSignal | undefined): Promise<X509Bundle> {
    let bundle: X509Bundle | undefined
    try {
      // Waited for no longer than the caller's signal allows: a custom source that ignores the
      // signal must not hold the verification (and the TLS connection behind it) forever.
      bundle = await untilAborted(Promise.resolve(bundles.getX509Bundle(trustDomain, signal === undefined ? undefined : { signal })), signal)
    } catch (err) {
      if (signal?.aborted === true && err === signal.reason) {
        const timeout = (err as { name?: unknown } | null)?.name === 'TimeoutError'
        throw new ProtocolError(timeout ? 'ERR_REMOTE_TIMEOUT' : 'ERR_BUNDLE_FETCH', `waiting for the X.509 bundle of ${trustDomain} was aborted`, { cause: err })
      }
      if (isAgentAuthError(err)) throw err
      throw new ProtocolError('ERR_BUNDLE_FETCH', `X.509 bundle of ${trustDomain} could not be loaded`, { cause: err })
    }
    if (bundle === undefined) throw rejected('ERR_X509_UNTRUSTED', `no X.509 bundle for trust domain ${trustDomain}`)
    return bundle
  }

  return async function verifyX509SVIDChain(chain, callOptions) {
    // Checked first: a bad signal failed later as ERR_BUNDLE_FETCH (a 503 for a caller's bug).
    const signal = readCallSignal(callOptions)
    const ders = decodeChain(chain, parseOptions.maxChainLength)
    const now = clock()
    if (typeof now !== 'number' || !Number.isFinite(now)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'clock() must return finite milliseconds')
    // The same chain verified before stays verified while every certificate on its path is inside
    // its validity window and the bundle object it was verified against is still the current one.
    const key = derKey(ders)
    const hit = results.get(key)
    if (hit !== undefined) {
      if (now + tolerance >= hit.validFrom && now - tolerance <= hit.result.expiresAt && (await bundleFor(hit.result.trustDomain, signal)) === hit.bundle) {
        return hit.result
      }
      results.delete(key)
    }
    const { svid, certs } = await parseDecoded(ders, parseOptions, intermediates)
    const leaf = certs[0]!
    const leafTime = validityProblem(leaf, now, tolerance, 'leaf')
    if (leafTime !== undefined) throw leafTime
    const bundle = await bundleFor(svid.trustDomain, signal)
    const roots = parseBundle(bundle, svid.trustDomain, await loadX509())
    const labels = new Map<ParsedCertificate, string>()
    certs.forEach((c, i) => labels.set(c, label(i)))
    roots.forEach((c, i) => labels.set(c, `bundle certificate ${i} of ${svid.trustDomain}`))
    const path = await buildPath(leaf, {
      now,
      tolerance,
      crypto: parseOptions.crypto,
      maxLength: parseOptions.maxChainLength,
      roots,
      intermediates: certs.slice(1),
      labels,
    }, svid.trustDomain)
    const result: VerifiedX509SVID = Object.freeze({
      ...svid,
      chain: Object.freeze(path.map((c, i) => (i === 0 ? c.der : new Uint8Array(c.der)))),
      expiresAt: Math.min(...path.map((c) => c.notAfter)),
    })
    // Only a chain made of certificates on the verified path is kept: extra ones are never checked
    // (any bytes, up to 64 KiB each), so one valid SVID could otherwise pin 256 distinct chains of
    // up to 512 KiB, twice over (key and copies).
    if (ders.every((der) => path.some((c) => bytesEqual(c.der, der)))) {
      if (results.size >= MAX_RESULTS) results.delete(results.keys().next().value as string)
      results.set(key, { bundle, result, validFrom: Math.max(...path.map((c) => c.notBefore)) })
    }
    return result
  }
}

/**
 * Verifies an X.509-SVID chain once; see {@link createX509SVIDVerifier} for the rules. Prefer a
 * verifier created once when verifying many chains.
 *
 * @param chain - DER bytes, PEM text, or a list of them; leaf first.
 * @param options - `bundles` (required), `clock`, `clockTolerance`, `crypto`, `profile`,
 *   `maxChainLength`.
 * @returns A frozen {@link VerifiedX509SVID}.
 * @throws VerificationError / ProtocolError / TypeError as listed on {@link createX509SVIDVerifier}.
 *
 * @example
 * ```ts
 * import { staticX509Bundles, verifyX509SVID } from 'agentauth/x509'
 * const svid = await verifyX509SVID(await readFile('svid.pem', 'utf8'), {
 *   bundles: staticX509Bundles({ 'example.org': await readFile('bundle.pem', 'utf8') }),
 * })
 * ```
 */
export async function verifyX509SVID(chain: X509ChainInput, options: VerifyX509SVIDOptions): Promise<VerifiedX509SVID> {
  return createX509SVIDVerifier(options)(chain)
}
