import type { GetBundleOptions } from '../bundle/types.js'
import type { IdentifierProfile, WorkloadIdentifier } from '../identifier/types.js'
import type { Clock } from '../internal/time.js'
import type { PublicJWK } from '../signer/types.js'

/**
 * One certificate, or several: DER bytes (one certificate or several concatenated, as TLS and
 * go-spiffe's `ParseRaw` carry them) or PEM text with one or more `CERTIFICATE` blocks.
 *
 * @example
 * ```ts
 * import type { X509CertificateInput } from 'agentauth/x509'
 * const fromFile: X509CertificateInput = await readFile('svid.pem', 'utf8')
 * const fromTLS: X509CertificateInput = new Uint8Array(peerCertificate.raw)
 * ```
 */
export type X509CertificateInput = Uint8Array | string

/**
 * A certificate chain, leaf first: one {@link X509CertificateInput} or a list of them.
 *
 * @example
 * ```ts
 * import type { X509ChainInput } from 'agentauth/x509'
 * const chain: X509ChainInput = [leafDer, intermediateDer]
 * ```
 */
export type X509ChainInput = X509CertificateInput | readonly X509CertificateInput[]

/**
 * What a leaf certificate says besides its identifier. Times are milliseconds since the epoch
 * (the unit of `Clock`).
 *
 * @example
 * ```ts
 * const svid = await parseX509SVID(pem)
 * const { notAfter, publicKey } = svid.leaf
 * console.log(new Date(notAfter).toISOString(), publicKey.kty)
 * ```
 */
export interface X509LeafInfo {
  /** Serial number, lower-case hex as encoded (two's complement bytes). */
  readonly serialNumber: string
  /** Start of validity (inclusive), ms since the epoch. */
  readonly notBefore: number
  /** End of validity (inclusive), ms since the epoch. */
  readonly notAfter: number
  /** Subject distinguished name as text; `''` when empty (allowed for SVIDs). Informational only. */
  readonly subject: string
  /** Issuer distinguished name as text. Informational only. */
  readonly issuer: string
  /** DNS SANs (an SVID may carry any number; RECOMMENDED for WICs used as TLS server certs). */
  readonly dnsNames: readonly string[]
  /** The leaf's public key as a public JWK (`kty` plus `crv`/`x`/`y` or `n`/`e`). */
  readonly publicKey: PublicJWK
}

/**
 * A parsed X.509-SVID (or WIMSE Workload Identity Certificate): the leaf passed the SPIFFE leaf
 * rules and every further certificate the signing-certificate rules, but **nothing is verified**
 * (no signatures, no trust bundle, no validity window). Frozen; the DER arrays are copies owned by
 * this object.
 *
 * @example
 * ```ts
 * const svid: X509SVID = await parseX509SVID(pem)
 * svid.id.id        // 'spiffe://example.org/ns/prod/sa/api'
 * svid.trustDomain  // 'example.org'
 * ```
 */
export interface X509SVID {
  /** The workload identifier from the leaf's single URI SAN. */
  readonly id: WorkloadIdentifier
  /** Trust domain of `id` (the key for bundle lookup). */
  readonly trustDomain: string
  /** The certificates as given, DER, leaf first. */
  readonly certificates: readonly Uint8Array[]
  readonly leaf: X509LeafInfo
}

/**
 * An X.509-SVID whose chain was verified to a CA certificate in the X.509 bundle of its trust
 * domain at the verification time. Frozen.
 *
 * @example
 * ```ts
 * const verified: VerifiedX509SVID = await verifyX509SVID(chain, { bundles })
 * verified.chain.length // leaf, intermediates, then the bundle certificate that anchored it
 * if (clock() > verified.expiresAt) reverify()
 * ```
 */
export interface VerifiedX509SVID extends X509SVID {
  /** The verified path, DER: leaf, intermediates, and last the bundle certificate it ends at. */
  readonly chain: readonly Uint8Array[]
  /** Earliest `notAfter` on the path (ms): the result is stale after this instant. */
  readonly expiresAt: number
}

/**
 * Options of `parseX509SVID`.
 *
 * @example
 * ```ts
 * const options: ParseX509SVIDOptions = { profile: 'wimse', maxChainLength: 4 }
 * await parseX509SVID(wicPem, options)
 * ```
 */
export interface ParseX509SVIDOptions {
  /**
   * Which identifiers the URI SAN may hold: `'spiffe'` (default — an X.509-SVID), `'wimse'`
   * (`wimse://` WICs only) or `'any'` (SPIFFE rules for `spiffe://`, WIMSE generic rules for
   * other schemes; draft-ietf-wimse-workload-creds §6.1).
   */
  profile?: IdentifierProfile
  /** Web Crypto implementation; default `globalThis.crypto`. */
  crypto?: Crypto
  /** Most certificates accepted in a chain and on a verified path (2–32, default 8). */
  maxChainLength?: number
}

/**
 * Options of `verifyX509SVID` and `createX509SVIDVerifier`.
 *
 * @example
 * ```ts
 * const options: VerifyX509SVIDOptions = { bundles: staticX509Bundles({ 'example.org': [caPem] }), clockTolerance: 5 }
 * ```
 */
export interface VerifyX509SVIDOptions extends ParseX509SVIDOptions {
  /** Where the CA certificates of each trust domain come from. Required. */
  bundles: X509BundleSource
  /** Milliseconds since the epoch, like `Date.now` (the default). */
  clock?: Clock
  /** Seconds of skew allowed on every `notBefore`/`notAfter` (0–300, default 0). */
  clockTolerance?: number
}

/**
 * The X.509 CA certificates (DER) trusted for one trust domain: the `x509-svid` part of a SPIFFE
 * bundle (SPIFFE Trust Domain and Bundle §4; X509-SVID §6).
 *
 * @example
 * ```ts
 * const bundle: X509Bundle | undefined = await bundles.getX509Bundle('example.org')
 * bundle?.certificates.length
 * ```
 */
export interface X509Bundle {
  readonly trustDomain: string
  /** DER CA certificates; every one can anchor a chain. */
  readonly certificates: readonly Uint8Array[]
}

/**
 * Where verifiers find the X.509 CA certificates of a trust domain (go-spiffe `x509bundle.Source`).
 * A source should return the same bundle object until its contents change: the verifier caches
 * parsed certificates and imported keys per bundle object.
 *
 * @example
 * ```ts
 * const source: X509BundleSource = {
 *   async getX509Bundle(trustDomain) { return trustDomain === 'example.org' ? bundle : undefined },
 * }
 * ```
 */
export interface X509BundleSource {
  /** The bundle of `trustDomain`, or `undefined` when the domain is not trusted. */
  getX509Bundle(trustDomain: string, options?: GetBundleOptions): Promise<X509Bundle | undefined>
}
