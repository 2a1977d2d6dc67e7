/**
 * X.509-SVIDs (SPIFFE X509-SVID) and WIMSE Workload Identity Certificates
 * (draft-ietf-wimse-workload-creds §6.1): parse a certificate chain with the SPIFFE leaf and
 * signing-certificate rules, verify it against the X.509 bundle of the leaf's trust domain, and
 * build bundles from PEM/DER or SPIFFE bundle documents.
 *
 * `@peculiar/x509` (and the `reflect-metadata` polyfill it needs) is loaded lazily on the first
 * parse or verification, and only through this subpath: importing any other part of agentauth
 * never loads them. Web Crypto only; pass `crypto` to use another provider.
 *
 * Reachable from `agentauth/x509`.
 *
 * @example
 * ```ts
 * import { createX509SVIDVerifier, staticX509Bundles } from 'agentauth/x509'
 * import { matchId } from 'agentauth/identifier'
 *
 * const verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': caPem }) })
 * const svid = await verifier([leafDer, intermediateDer])
 * if (!matchId('spiffe://example.org/billing')(svid.id)) throw new Error('not allowed')
 * ```
 *
 * @module x509
 */
export type {
  VerifiedX509SVID,
  VerifyX509SVIDOptions,
  ParseX509SVIDOptions,
  X509Bundle,
  X509BundleSource,
  X509CertificateInput,
  X509ChainInput,
  X509LeafInfo,
  X509SVID,
} from './types.js'
export { DEFAULT_MAX_CHAIN_LENGTH, parseX509SVID } from './svid.js'
export { createX509SVIDVerifier, verifyX509SVID, type X509SVIDVerifier, type X509SVIDVerifyCallOptions } from './verify.js'
export {
  parseX509Bundle,
  staticX509Bundles,
  x509BundlesFromTrustBundles,
  type StaticX509BundleSource,
  type X509BundleInput,
} from './bundle.js'

/**
 * The specification revisions this module implements.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/x509'
 * console.log(SPEC.spiffe)
 * ```
 */
export const SPEC: Readonly<{ spiffe: string; wimse: string; pkix: string }> = Object.freeze({
  spiffe: 'SPIFFE X509-SVID.md (spiffe/spiffe 0163632)',
  wimse: "draft-ietf-wimse-workload-creds §6.1 (editor's copy 40b1c41, after -02)",
  pkix: 'RFC 5280 §4.2.1.3, §4.2.1.9, §4.2.1.10, §6.1 (subset: no revocation, no policies)',
})
