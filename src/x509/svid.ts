// X.509-SVID parsing: the SPIFFE leaf rules (X509-SVID §2, §3.1, §4.1, §4.3, §5.2) and the
// signing-certificate rules (§3.2, §4.1, §4.3) applied to everything after the leaf, like
// go-spiffe's x509svid.Parse. No signature, bundle or clock is involved here.
import { codedTypeError, VerificationError } from '../errors/index.js'
import { parseIdentifier } from '../identifier/parse.js'
import type { IdentifierProfile, WorkloadIdentifier } from '../identifier/types.js'
import { optionalNumber } from '../internal/assert.js'
import type { PublicJWK } from '../signer/types.js'
import { CertificateProblem, KU_CRL_SIGN, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, parseCertificate, rsaKeyProblem, type ParsedCertificate } from './certificate.js'
import { loadX509, type X509Lib } from './load.js'
import { decodeCertificates, InputProblem } from './pem.js'
import type { ParseX509SVIDOptions, X509ChainInput, X509LeafInfo, X509SVID } from './types.js'

/**
 * Default of `maxChainLength`: most certificates accepted in a presented chain and on a verified
 * path (leaf, intermediates and the bundle certificate).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_CHAIN_LENGTH, verifyX509SVID } from 'agentauth/x509'
 * await verifyX509SVID(chain, { bundles, maxChainLength: DEFAULT_MAX_CHAIN_LENGTH / 2 })
 * ```
 */
export const DEFAULT_MAX_CHAIN_LENGTH: number = 8

export interface ResolvedParseOptions {
  readonly profile: IdentifierProfile
  readonly crypto: Crypto
  readonly maxChainLength: number
}

/** Validates parse options (coded TypeErrors), so a bad value cannot disable a check. */
export function readParseOptions(options: ParseX509SVIDOptions | undefined, name = 'options'): ResolvedParseOptions {
  if (options === undefined) return { profile: 'spiffe', crypto: globalThis.crypto, maxChainLength: DEFAULT_MAX_CHAIN_LENGTH }
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name} must be an object`)
  const profile = options.profile ?? 'spiffe'
  if (profile !== 'spiffe' && profile !== 'wimse' && profile !== 'any') {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.profile must be 'spiffe', 'wimse' or 'any'`)
  }
  const crypto: Crypto = options.crypto ?? globalThis.crypto
  if (typeof crypto !== 'object' || crypto === null || typeof (crypto as { subtle?: unknown }).subtle !== 'object' || crypto.subtle === null) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `${name}.crypto must be a Web Crypto object`)
  }
  const maxChainLength = optionalNumber(options.maxChainLength, `${name}.maxChainLength`, DEFAULT_MAX_CHAIN_LENGTH, { min: 2, max: 32, integer: true })
  return { profile, crypto, maxChainLength }
}

export function invalid(reason: string, cause?: unknown): VerificationError {
  return new VerificationError('ERR_X509_SVID_INVALID', `X.509-SVID rejected: ${reason}`, { reason, cause })
}

export function label(index: number): string {
  return index === 0 ? 'leaf' : `certificate ${index}`
}

const ROOT_PATH_ID = /^spiffe:\/\/[^/]+\/$/

/**
 * The reason a certificate cannot sign other certificates in an SVID path (SPIFFE X509-SVID
 * §3.2, §4.1, §4.3), or `undefined`. `what` prefixes the reason.
 */
export function signingProblem(c: ParsedCertificate, what: string): string | undefined {
  if (c.unhandledCritical !== undefined) return `${what} has an unsupported critical extension ${c.unhandledCritical}`
  if (!c.ca) return `${what} is not a CA certificate (basicConstraints cA is not true)`
  if (c.keyUsage === undefined) return `${what} has no keyUsage extension`
  if ((c.keyUsage & KU_KEY_CERT_SIGN) === 0) return `${what} keyUsage lacks keyCertSign`
  for (const uri of c.uris) {
    // The scheme compares case-insensitively (SPIFFE-ID §2.4, RFC 3986 §3.1): `SPIFFE://td/path`
    // is a SPIFFE ID with a path too, and not a valid one, instead of an unrelated URI.
    if (uri.slice(0, 9).toLowerCase() !== 'spiffe://') continue
    let id: WorkloadIdentifier
    try {
      // `spiffe://td/` (root path only) names the trust domain, as in the CA certificate of SPIFFE
      // Trust Domain and Bundle Appendix A: no path component (X509-SVID §3.2; RFC 3986 §6.2.3 makes
      // an empty path and "/" equivalent). go-spiffe does not check a signing certificate's URI.
      id = parseIdentifier(ROOT_PATH_ID.test(uri) ? uri.slice(0, -1) : uri, 'spiffe')
    } catch {
      return `${what} URI SAN is not a valid SPIFFE ID`
    }
    if (id.path !== '') return `${what} SPIFFE ID has a path (a signing certificate names a trust domain)`
  }
  return undefined
}

function leafIdentifier(c: ParsedCertificate, profile: IdentifierProfile): WorkloadIdentifier {
  if (c.unhandledCritical !== undefined) throw invalid(`leaf has an unsupported critical extension ${c.unhandledCritical}`)
  if (c.uris.length === 0) throw invalid('leaf has no URI SAN')
  if (c.uris.length > 1) throw invalid('leaf has more than one URI SAN')
  const what = profile === 'spiffe' ? 'SPIFFE ID' : 'workload identifier'
  let id: WorkloadIdentifier
  try {
    id = parseIdentifier(c.uris[0], profile)
  } catch (err) {
    const code = err instanceof VerificationError ? err.code : 'ERR_IDENTIFIER_INVALID'
    throw invalid(`leaf URI SAN is not a valid ${what} (${code})`, err)
  }
  // X509-SVID §3.1: a non-root path. The root path alone (`wimse://example.org/`, allowed by the
  // WIMSE rules) names the trust domain as much as no path does (RFC 3986 §6.2.3).
  if (id.path === '' || id.path === '/') throw invalid(`leaf ${what} has no path (it names a trust domain, not a workload)`)
  // RFC 5280 §4.1.2.6, SPIFFE X509-SVID §3.1: no subject ⇒ the SAN extension must be critical.
  if (c.emptySubject && !c.sanCritical) throw invalid('leaf has an empty subject but a non-critical subjectAltName extension')
  if (c.ca) throw invalid('leaf is a CA certificate (basicConstraints cA is true)')
  if (c.keyUsage === undefined) throw invalid('leaf has no keyUsage extension')
  if ((c.keyUsage & KU_DIGITAL_SIGNATURE) === 0) throw invalid('leaf keyUsage lacks digitalSignature')
  if (c.keyUsage & KU_KEY_CERT_SIGN) throw invalid('leaf keyUsage has keyCertSign')
  if (c.keyUsage & KU_CRL_SIGN) throw invalid('leaf keyUsage has cRLSign')
  return id
}

const JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

async function publicJWK(c: ParsedCertificate, crypto: Crypto): Promise<PublicJWK> {
  // The same RSA rule as for issuer keys (verify-chain.ts), whichever OID the key is labelled with.
  const rsaProblem = rsaKeyProblem(c.rsa)
  if (rsaProblem !== undefined) throw invalid(`leaf has ${rsaProblem}`)
  let jwk: JsonWebKey
  try {
    jwk = await crypto.subtle.exportKey('jwk', await c.publicKey.export(crypto))
  } catch (cause) {
    throw invalid('leaf public key type is not supported', cause)
  }
  const out: Record<string, string> = {}
  for (const m of JWK_MEMBERS) if (typeof jwk[m] === 'string') out[m] = jwk[m]
  return Object.freeze(out) as unknown as PublicJWK
}

/** Decodes certificate input into DER; input problems become ERR_X509_SVID_INVALID. */
export function decodeChain(input: X509ChainInput, maxCount: number): Uint8Array[] {
  try {
    return decodeCertificates(input, maxCount)
  } catch (err) {
    if (err instanceof InputProblem) throw invalid(err.message, err)
    throw err
  }
}

/** A cache of parsed signing certificates keyed by their DER (as a latin1 string). */
export type ParsedCache = Map<string, ParsedCertificate>

const MAX_PARSED_CACHE = 64

/** The DER bytes as a string key (one char per byte; DER is self-delimiting, so concatenations are unambiguous). */
export function derKey(ders: readonly Uint8Array[]): string {
  let s = ''
  for (const der of ders) for (let i = 0; i < der.length; i += 4096) s += String.fromCharCode(...der.subarray(i, i + 4096))
  return s
}

function parseOne(der: Uint8Array, i: number, lib: X509Lib, cache: ParsedCache | undefined): ParsedCertificate {
  const key = cache === undefined || i === 0 ? undefined : derKey([der])
  const hit = key === undefined ? undefined : cache!.get(key)
  if (hit !== undefined) return hit
  let parsed: ParsedCertificate
  try {
    parsed = parseCertificate(der, lib)
  } catch (err) {
    if (err instanceof CertificateProblem) throw invalid(`${label(i)} ${err.message}`, err)
    throw err
  }
  // Only certificates that pass the signing rules are worth keeping (bounded, oldest out first).
  if (key !== undefined && signingProblem(parsed, '') === undefined) {
    if (cache!.size >= MAX_PARSED_CACHE) cache!.delete(cache!.keys().next().value as string)
    cache!.set(key, parsed)
  }
  return parsed
}

/**
 * Parses decoded certificates and applies the SVID rules; returns the frozen SVID and the parsed
 * certificates. `cache` (verifiers) shares parsed intermediates across calls.
 */
export async function parseDecoded(ders: readonly Uint8Array[], options: ResolvedParseOptions, cache?: ParsedCache): Promise<{ svid: X509SVID; certs: ParsedCertificate[] }> {
  const lib = await loadX509()
  const certs = ders.map((der, i) => parseOne(der, i, lib, cache))
  const leaf = certs[0]!
  const id = leafIdentifier(leaf, options.profile)
  for (let i = 1; i < certs.length; i++) {
    const problem = signingProblem(certs[i]!, label(i))
    if (problem !== undefined) throw invalid(problem)
  }
  const info: X509LeafInfo = Object.freeze({
    serialNumber: leaf.serialNumber,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    subject: leaf.subjectText,
    issuer: leaf.issuerText,
    dnsNames: leaf.dnsNames,
    publicKey: await publicJWK(leaf, options.crypto),
  })
  const svid: X509SVID = Object.freeze({
    id,
    trustDomain: id.trustDomain,
    // Copies for everything but the leaf (which is parsed per call): cached certificates are shared.
    certificates: Object.freeze(certs.map((c, i) => (i === 0 ? c.der : new Uint8Array(c.der)))),
    leaf: info,
  })
  return { svid, certs }
}

/**
 * Parses an X.509-SVID (SPIFFE X509-SVID) or a WIMSE Workload Identity Certificate
 * (draft-ietf-wimse-workload-creds §6.1) **without verifying it**: the leaf must carry exactly one
 * URI SAN holding a workload identifier with a path, `cA` false, a `keyUsage` with
 * `digitalSignature` and without `keyCertSign`/`cRLSign`, no unknown critical extension, an RSA
 * key (if RSA) of 2048–16384 bits with an odd exponent from 3 to 2^32 - 1, validity times in
 * RFC 5280 form; every further certificate must be a CA with `keyCertSign`
 * whose SPIFFE ID (if any) has no path.
 * Nothing is trusted yet — use {@link verifyX509SVID} before believing the identifier.
 *
 * Loads `@peculiar/x509` on first use.
 *
 * @param input - DER bytes, PEM text, or a list of them; leaf first.
 * @param options - `profile` (default `'spiffe'`), `crypto`, `maxChainLength`.
 * @returns A frozen {@link X509SVID}.
 * @throws VerificationError `ERR_X509_SVID_INVALID` with one reason per broken rule (see
 *   docs/x509.md for the list).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { parseX509SVID } from 'agentauth/x509'
 * const svid = await parseX509SVID(await readFile('svid.pem', 'utf8'))
 * console.log(svid.id.id, new Date(svid.leaf.notAfter))
 * ```
 */
export async function parseX509SVID(input: X509ChainInput, options?: ParseX509SVIDOptions): Promise<X509SVID> {
  const resolved = readParseOptions(options)
  return (await parseDecoded(decodeChain(input, resolved.maxChainLength), resolved)).svid
}
