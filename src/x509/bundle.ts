// X.509 bundle sources: static configuration, SPIFFE bundle documents (x509-svid JWKs with x5c,
// SPIFFE X509-SVID §6.2) and an adapter over the JWT-side TrustBundleSource, so one SPIFFE bundle
// endpoint can feed both WIT and X.509-SVID verification.
import type { TrustBundle, TrustBundleSource } from '../bundle/types.js'
import { codedTypeError, ProtocolError, VerificationError } from '../errors/index.js'
import { isPlainObject, parseJSONObject } from '../internal/json.js'
import { decodeBase64, decodeCertificates, InputProblem } from './pem.js'
import type { X509Bundle, X509BundleSource, X509CertificateInput } from './types.js'

/** Most CA certificates accepted in one trust domain's bundle. */
const MAX_BUNDLE_CERTIFICATES = 1000
/** Largest SPIFFE bundle document parsed, bytes. */
const MAX_DOCUMENT_BYTES = 1024 * 1024
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/

type Fail = (message: string, cause?: unknown) => never

/**
 * The CA certificates of one trust domain in a static configuration: PEM text (one or more
 * `CERTIFICATE` blocks), DER bytes, a list of those, or a SPIFFE bundle document (a JWKS whose
 * `use: "x509-svid"` keys carry `x5c`).
 *
 * @example
 * ```ts
 * import type { X509BundleInput } from 'agentauth/x509'
 * const input: X509BundleInput = [await readFile('ca-2025.pem', 'utf8'), await readFile('ca-2026.pem', 'utf8')]
 * ```
 */
export type X509BundleInput = X509CertificateInput | readonly X509CertificateInput[] | { readonly keys: readonly unknown[]; readonly [member: string]: unknown }

/**
 * An {@link X509BundleSource} over fixed bundles; lists its trust domains.
 *
 * @example
 * ```ts
 * const bundles = staticX509Bundles({ 'example.org': caPem })
 * bundles.trustDomains // ['example.org']
 * ```
 */
export interface StaticX509BundleSource extends X509BundleSource {
  readonly trustDomains: readonly string[]
}

function fromJWKS(keys: unknown, fail: Fail): Uint8Array[] {
  if (!Array.isArray(keys)) fail('keys must be an array')
  if (keys.length > MAX_BUNDLE_CERTIFICATES) fail(`has more than ${MAX_BUNDLE_CERTIFICATES} keys`)
  const out: Uint8Array[] = []
  keys.forEach((key, i) => {
    if (!isPlainObject(key)) fail(`key ${i} is not a JSON object`)
    if (key.use !== 'x509-svid') return
    // §6.2: an x509-svid entry without x5c (or with an empty one) MUST be ignored; only the first
    // x5c value is the CA certificate, the rest MUST be ignored.
    const x5c = key.x5c
    if (x5c === undefined || (Array.isArray(x5c) && x5c.length === 0)) return
    if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') fail(`key ${i} x5c is not an array of strings`)
    try {
      const ders = decodeCertificates(decodeBase64(x5c[0], `key ${i} x5c[0]`), 1)
      out.push(new Uint8Array(ders[0]!))
    } catch (err) {
      if (err instanceof InputProblem) fail(`key ${i} x5c[0] is not a DER certificate: ${err.message}`, err)
      throw err
    }
  })
  return out
}

function freezeBundle(trustDomain: string, certificates: Uint8Array[]): X509Bundle {
  return Object.freeze({ trustDomain, certificates: Object.freeze(certificates) })
}

/**
 * Parses the X.509 part of a SPIFFE bundle document (SPIFFE X509-SVID §6.2): every JWK with
 * `use: "x509-svid"` contributes the DER certificate in its first `x5c` value; entries without
 * `x5c` are ignored; other keys (`jwt-svid`, `wit-svid`) are skipped. A document without X.509
 * entries yields an empty bundle (the trust domain does not support X.509-SVIDs).
 *
 * @param document - The bundle as JSON text, UTF-8 bytes or an already parsed object.
 * @param trustDomain - The trust domain the bundle belongs to (never taken from the document).
 * @returns A frozen {@link X509Bundle}.
 * @throws ProtocolError `ERR_BUNDLE_FETCH` when the document is not strict JSON (≤ 1 MiB), has no
 *   `keys` array, or an `x509-svid` entry holds something other than one base64 DER certificate.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for a bad trust-domain name.
 *
 * @example
 * ```ts
 * import { parseX509Bundle } from 'agentauth/x509'
 * const response = await fetch('https://spiffe.example.org/bundle')
 * const bundle = parseX509Bundle(await response.text(), 'example.org')
 * ```
 */
export function parseX509Bundle(document: string | Uint8Array | Readonly<Record<string, unknown>>, trustDomain: string): X509Bundle {
  if (typeof trustDomain !== 'string' || !TRUST_DOMAIN.test(trustDomain)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'trustDomain must be a trust-domain name')
  const fail: Fail = (message, cause) => {
    throw new ProtocolError('ERR_BUNDLE_FETCH', `SPIFFE bundle of ${trustDomain}: ${message}`, { cause })
  }
  let doc: Record<string, unknown>
  if (typeof document === 'string' || document instanceof Uint8Array) {
    try {
      doc = parseJSONObject(document, { maxBytes: MAX_DOCUMENT_BYTES, what: 'SPIFFE bundle' })
    } catch (err) {
      if (err instanceof VerificationError) fail(err.message, err)
      throw err
    }
  } else if (isPlainObject(document)) {
    doc = document
  } else {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'document must be JSON text, bytes or a plain object')
  }
  return freezeBundle(trustDomain, fromJWKS(doc.keys, fail))
}

/**
 * An {@link X509BundleSource} over CA certificates known at start-up. Trust-domain names and the
 * DER framing of every certificate are checked now; the certificates are fully decoded on first
 * use (a certificate that cannot be decoded then fails verification with `ERR_BUNDLE_FETCH`).
 * Inputs are copied, so later changes have no effect.
 *
 * @param bundles - trust domain → PEM / DER / list / SPIFFE bundle document.
 * @returns A source answering from memory (`undefined` for an unknown trust domain).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a bad trust-domain name,
 *   input that is not certificates, an empty bundle or more than 1000 certificates.
 *
 * @example
 * ```ts
 * import { staticX509Bundles, verifyX509SVID } from 'agentauth/x509'
 * const bundles = staticX509Bundles({
 *   'example.org': await readFile('example.org-ca.pem', 'utf8'),
 *   'partner.example': JSON.parse(await readFile('partner-bundle.json', 'utf8')),
 * })
 * await verifyX509SVID(chain, { bundles })
 * ```
 */
export function staticX509Bundles(bundles: Readonly<Record<string, X509BundleInput>>): StaticX509BundleSource {
  if (!isPlainObject(bundles)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'bundles must be a plain object keyed by trust domain')
  const map = new Map<string, X509Bundle>()
  for (const [trustDomain, input] of Object.entries(bundles)) {
    if (!TRUST_DOMAIN.test(trustDomain)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `"${trustDomain}" is not a trust-domain name (lower-case letters, digits, ".", "-", "_")`)
    const where = `bundles["${trustDomain}"]`
    const fail: Fail = (message, cause) => {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `${where}: ${message}`, cause)
    }
    let certificates: Uint8Array[]
    if (isPlainObject(input)) {
      certificates = fromJWKS(input.keys, fail)
    } else {
      try {
        certificates = decodeCertificates(input, MAX_BUNDLE_CERTIFICATES).map((der) => new Uint8Array(der)) // copies, also of a Buffer
      } catch (err) {
        if (err instanceof InputProblem) fail(err.message, err)
        throw err
      }
    }
    if (certificates.length === 0) fail('holds no X.509 CA certificate')
    map.set(trustDomain, freezeBundle(trustDomain, certificates))
  }
  const trustDomains = Object.freeze([...map.keys()])
  return Object.freeze({
    trustDomains,
    getX509Bundle: (trustDomain: string): Promise<X509Bundle | undefined> => Promise.resolve(map.get(trustDomain)),
  })
}

/**
 * Reads X.509 bundles out of a JWT-side `TrustBundleSource` (`agentauth/bundle`): the keys with
 * `use: "x509-svid"` and an `x5c` become the CA certificates (SPIFFE X509-SVID §6.2). Use it with
 * `remoteTrustBundle` so one SPIFFE bundle endpoint, with its caching and rotation, serves WIT and
 * X.509-SVID verification alike. Results are cached per bundle object.
 *
 * @param source - A trust-bundle source whose bundles keep `x5c` members.
 * @returns An {@link X509BundleSource}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `source` has no `getBundle` function. Its
 *   `getX509Bundle` rejects with ProtocolError `ERR_BUNDLE_FETCH` for a malformed `x509-svid`
 *   entry or a bundle whose `trustDomain` is not the one asked for, and passes the source's own
 *   errors through.
 *
 * @example
 * ```ts
 * import { remoteTrustBundle } from 'agentauth/bundle'
 * import { x509BundlesFromTrustBundles } from 'agentauth/x509'
 * const trustBundles = remoteTrustBundle({ urls: { 'example.org': 'https://spire.example.org/bundle' }, format: 'spiffe' })
 * const bundles = x509BundlesFromTrustBundles(trustBundles)
 * ```
 */
export function x509BundlesFromTrustBundles(source: TrustBundleSource): X509BundleSource {
  if (typeof source !== 'object' || source === null || typeof source.getBundle !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'source must be a TrustBundleSource')
  }
  const cache = new WeakMap<TrustBundle, X509Bundle>()
  return Object.freeze({
    async getX509Bundle(trustDomain: string, options?: { signal?: AbortSignal }): Promise<X509Bundle | undefined> {
      const bundle = await source.getBundle(trustDomain, options)
      if (bundle === undefined) return undefined
      const fail: Fail = (message, cause) => {
        throw new ProtocolError('ERR_BUNDLE_FETCH', `trust bundle of ${trustDomain}: ${message}`, { cause })
      }
      // Never relabel: one trust domain's CAs must not vouch for another's (checked before the cache).
      if (typeof bundle !== 'object' || bundle === null || bundle.trustDomain !== trustDomain) fail(`is the bundle of ${String((bundle as { trustDomain?: unknown } | null)?.trustDomain)}`)
      let out = cache.get(bundle)
      if (out === undefined) {
        out = freezeBundle(trustDomain, fromJWKS(bundle.keys, fail))
        cache.set(bundle, out)
      }
      return out
    },
  })
}
