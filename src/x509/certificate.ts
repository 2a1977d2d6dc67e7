// One certificate, parsed twice on purpose: @peculiar/x509 decodes it (key, names, signature),
// and our strict DER walk reads the structure the SPIFFE rules depend on — exact framing (no
// trailing bytes), v3, matching signature algorithm fields (RFC 5280 §4.1.1.2), the validity,
// raw issuer/subject names for chaining, and every extension exactly once (§4.2) decoded by us,
// so an unusual SAN entry (otherName, x400Address …) cannot make the library throw or hide a URI.
import type { PublicKey, X509Certificate } from '@peculiar/x509'
import {
  bytesEqual,
  children,
  contentOf,
  DERError,
  expectTLV,
  hex,
  oidToString,
  rawOf,
  readBoolean,
  readSmallUnsigned,
  readTLV,
  TAG_BIT_STRING,
  TAG_BOOLEAN,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  type TLV,
} from './der.js'
import type { X509Lib } from './load.js'
import { parseNameConstraints, type NameConstraints } from './name-constraints.js'

/** A certificate that cannot be used; the message is the reason (without the certificate index). */
export class CertificateProblem extends Error {}

export const KU_DIGITAL_SIGNATURE = 1
export const KU_KEY_CERT_SIGN: number = 1 << 5
export const KU_CRL_SIGN: number = 1 << 6

// OID content bytes (hex) of the id-ce extensions we understand (RFC 5280 §4.2.1).
const SUBJECT_KEY_ID = '551d0e'
const KEY_USAGE = '551d0f'
const SUBJECT_ALT_NAME = '551d11'
const BASIC_CONSTRAINTS = '551d13'
const NAME_CONSTRAINTS = '551d1e'
const CERTIFICATE_POLICIES = '551d20'
const AUTHORITY_KEY_ID = '551d23'
const EXT_KEY_USAGE = '551d25'
// Extensions we process (or, for policies and EKU, deliberately accept without enforcing), so a
// critical one does not make the certificate unusable. Any other critical extension does.
const HANDLED = new Set([SUBJECT_KEY_ID, KEY_USAGE, SUBJECT_ALT_NAME, BASIC_CONSTRAINTS, NAME_CONSTRAINTS, CERTIFICATE_POLICIES, AUTHORITY_KEY_ID, EXT_KEY_USAGE])

export interface ParsedCertificate {
  /** The DER bytes (our own copy). */
  readonly der: Uint8Array
  readonly cert: X509Certificate
  /** Decoded eagerly, so that no lazy getter of the library can throw later. */
  readonly serialNumber: string
  readonly subjectText: string
  readonly issuerText: string
  readonly publicKey: PublicKey
  /** Raw DER of the issuer and subject Names, compared byte for byte when chaining. */
  readonly issuer: Uint8Array
  readonly subject: Uint8Array
  readonly selfIssued: boolean
  readonly emptySubject: boolean
  readonly notBefore: number
  readonly notAfter: number
  /** basicConstraints cA (false when the extension is absent). */
  readonly ca: boolean
  readonly pathLen: number | undefined
  /** keyUsage bits (bit i = 1 << i, RFC 5280 order), `undefined` when the extension is absent. */
  readonly keyUsage: number | undefined
  readonly uris: readonly string[]
  readonly dnsNames: readonly string[]
  readonly sanCritical: boolean
  /** Dotted OID of the first critical extension we do not understand. */
  readonly unhandledCritical: string | undefined
  readonly nameConstraints: NameConstraints | undefined
  readonly subjectKeyId: Uint8Array | undefined
  readonly authorityKeyId: Uint8Array | undefined
  /** The RSA public key numbers, read by us (rsaEncryption or id-RSASSA-PSS key); `undefined` for other keys. */
  readonly rsa: RSAKeyInfo | undefined
}

/** An RSA public key (RFC 8017 §A.1.1) as read from the subjectPublicKeyInfo. */
export interface RSAKeyInfo {
  /** Length of the modulus in bytes (without the sign byte). */
  readonly modulusBytes: number
  /** The public exponent, big-endian, without the sign byte. */
  readonly exponent: Uint8Array
}

/** Smallest and largest RSA modulus accepted, in bits counted from its bytes (as for JWKs). */
const MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 16384

/**
 * Why an RSA key is not acceptable, or `undefined` (also for keys that are not RSA). The public
 * exponent must be odd, at least 3 and below 2^32 (Go refuses more than 2^31 - 1): verifying with
 * a modulus-sized exponent is a full modular exponentiation (about 60 ms at 3072 bits), which a
 * hostile chain of self-made intermediates could otherwise make the path builder pay for each of
 * its 32 signature checks, before anything is trusted.
 */
export function rsaKeyProblem(rsa: RSAKeyInfo | undefined): string | undefined {
  if (rsa === undefined) return undefined
  const bits = rsa.modulusBytes * 8
  if (bits < MIN_RSA_BITS) return `an RSA key shorter than ${MIN_RSA_BITS} bits`
  if (bits > MAX_RSA_BITS) return `an RSA key longer than ${MAX_RSA_BITS} bits`
  const e = rsa.exponent
  if (e.length > 4 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) return 'an RSA public exponent that is not odd, at least 3 and below 2^32'
  return undefined
}

interface RawExtension {
  readonly critical: boolean
  readonly value: Uint8Array
}

function single(bytes: Uint8Array, tag: number, what: string): TLV {
  const tlv = readTLV(bytes, 0)
  if (tlv.tag !== tag || tlv.end !== bytes.length) throw new DERError(`${what} is malformed`)
  return tlv
}

function decodeKeyUsage(value: Uint8Array): number {
  const tlv = single(value, TAG_BIT_STRING, 'keyUsage')
  const content = contentOf(value, tlv)
  if (content.length < 1 || content.length > 3 || content[0]! > 7 || (content.length === 1 && content[0] !== 0)) throw new DERError('keyUsage is malformed')
  // DER (X.690 §11.2.1) and Go refuse set unused bits; OpenSSL masks them. Counting them made a CA
  // whose keyUsage is 03 02 07 84 (digitalSignature, then padding) pass as having keyCertSign.
  if ((content[content.length - 1]! & ((1 << content[0]!) - 1)) !== 0) throw new DERError('keyUsage has unused bits set')
  let bits = 0
  // Bit 0 is the most significant bit of the first content byte after the unused-bits count.
  for (let i = 1; i < content.length; i++) {
    const byte = content[i]!
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits |= 1 << ((i - 1) * 8 + b)
  }
  return bits
}

function decodeBasicConstraints(value: Uint8Array): { ca: boolean; pathLen: number | undefined } {
  const seq = single(value, TAG_SEQUENCE, 'basicConstraints')
  let ca = false
  let pathLen: number | undefined
  // At most one cA, then at most one pathLenConstraint: a second cA would let readers that take
  // the first and readers that take the last disagree on whether this is a CA.
  const parts = children(value, seq)
  let i = 0
  if (parts[i]?.tag === TAG_BOOLEAN) ca = readBoolean(value, parts[i++]!)
  if (parts[i]?.tag === TAG_INTEGER) pathLen = readSmallUnsigned(value, parts[i++]!)
  if (i !== parts.length) throw new DERError('basicConstraints is malformed')
  return { ca, pathLen }
}

function ascii(bytes: Uint8Array, tlv: TLV, what: string): string {
  let s = ''
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = bytes[i]!
    if (b > 0x7e || b < 0x20) throw new DERError(`${what} is not printable ASCII`)
    s += String.fromCharCode(b)
  }
  return s
}

function decodeSAN(value: Uint8Array): { uris: string[]; dnsNames: string[] } {
  const seq = single(value, TAG_SEQUENCE, 'subjectAltName')
  const uris: string[] = []
  const dnsNames: string[] = []
  for (const gn of children(value, seq)) {
    // Primitive [6] is uniformResourceIdentifier, [2] dNSName; a constructed form of either is not DER.
    if (gn.tag === 0x86) uris.push(ascii(value, gn, 'URI SAN'))
    else if (gn.tag === 0x82) dnsNames.push(ascii(value, gn, 'DNS SAN'))
    else if (gn.tag === 0xa6 || gn.tag === 0xa2) throw new DERError('subjectAltName uses a constructed string')
  }
  return { uris, dnsNames }
}

function decodeKeyId(value: Uint8Array, authority: boolean): Uint8Array | undefined {
  if (!authority) return contentOf(value, single(value, TAG_OCTET_STRING, 'subjectKeyIdentifier'))
  const seq = single(value, TAG_SEQUENCE, 'authorityKeyIdentifier')
  const first = children(value, seq)[0]
  return first !== undefined && first.tag === 0x80 ? contentOf(value, first) : undefined
}

interface Walked {
  /** The serialNumber INTEGER content as lower-case hex, exactly as encoded. */
  serialNumber: string
  issuer: Uint8Array
  subject: Uint8Array
  notBefore: number
  notAfter: number
  extensions: Map<string, RawExtension>
  rsa: RSAKeyInfo | undefined
}

const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18
const UTC_TIME_FORMAT = /^([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z$/
const GENERALIZED_TIME_FORMAT = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z$/

// RFC 5280 §4.1.2.5.1/§4.1.2.5.2: YYMMDDHHMMSSZ (YY < 50 is 20YY) or YYYYMMDDHHMMSSZ, always
// UTC with seconds and without fractions. Read by us: the ASN.1 library read a GeneralizedTime
// without "Z" in local time and 25 days off (20251231120000 as 2025-12-06T12:00Z), so a
// certificate was valid weeks before its notBefore.
function readTime(der: Uint8Array, tlv: TLV | undefined): number {
  const format = tlv?.tag === UTC_TIME ? UTC_TIME_FORMAT : tlv?.tag === GENERALIZED_TIME ? GENERALIZED_TIME_FORMAT : undefined
  if (tlv === undefined || format === undefined) throw new DERError('validity is malformed')
  const m = format.exec(String.fromCharCode(...der.subarray(tlv.start, tlv.end)))
  if (m === null) throw new DERError('validity time is not in RFC 5280 form')
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const year = tlv.tag === UTC_TIME ? (y < 50 ? 2000 + y : 1900 + y) : y
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, sec))
  // Date.UTC rolls over (Feb 30 → Mar 2, 24:00 → next day); a rolled value is not a date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== sec) {
    throw new DERError('validity time is not a valid date')
  }
  return date.getTime()
}

// rsaEncryption (1.2.840.113549.1.1.1) and id-RSASSA-PSS (1.2.840.113549.1.1.10) OID content bytes.
const RSA_KEY_OIDS = new Set(['2a864886f70d010101', '2a864886f70d01010a'])

// SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }; for RSA keys of
// either OID the BIT STRING holds RSAPublicKey ::= SEQUENCE { modulus, publicExponent }. Read here,
// not from @peculiar/x509, which reports no modulus length for id-RSASSA-PSS keys.
function readRSAKey(der: Uint8Array, spki: TLV): RSAKeyInfo | undefined {
  const [algorithm, key, extra] = children(der, spki)
  if (algorithm?.tag !== TAG_SEQUENCE || key?.tag !== TAG_BIT_STRING || extra !== undefined) throw new DERError('subjectPublicKeyInfo is malformed')
  const oid = children(der, algorithm)[0]
  if (oid?.tag !== TAG_OID) throw new DERError('subjectPublicKeyInfo is malformed')
  if (!RSA_KEY_OIDS.has(hex(contentOf(der, oid)))) return undefined
  if (key.end - key.start < 1 || der[key.start] !== 0) throw new DERError('RSA public key is malformed')
  const seq = expectTLV(der, key.start + 1, key.end, TAG_SEQUENCE, 'RSAPublicKey')
  const [n, e, more] = children(der, seq)
  if (seq.end !== key.end || n === undefined || e === undefined || more !== undefined || !isMinimalPositiveInteger(der, n) || !isMinimalPositiveInteger(der, e)) {
    throw new DERError('RSA public key is malformed')
  }
  const sign = (t: TLV): number => (der[t.start] === 0 ? 1 : 0)
  return { modulusBytes: n.end - n.start - sign(n), exponent: der.slice(e.start + sign(e), e.end) }
}

// ecdsa-with-SHA256/384/512 (1.2.840.10045.4.3.2–4): OID content bytes without the last one.
const ECDSA_WITH_SHA = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03]

function isMinimalPositiveInteger(bytes: Uint8Array, tlv: TLV): boolean {
  const n = tlv.end - tlv.start
  if (tlv.tag !== TAG_INTEGER || n === 0) return false
  const first = bytes[tlv.start]!
  if (first & 0x80) return false
  return !(first === 0 && (n === 1 || (bytes[tlv.start + 1]! & 0x80) === 0))
}

// The signature must be encoded one way only: no unused bits, and for ECDSA a DER
// ECDSA-Sig-Value with minimal positive r and s (RFC 5480 §2.2.3), so that nobody can re-encode
// the same signature into different bytes. ECDSA itself stays malleable: (r, n - s) is another
// valid signature of the same certificate (issuers sign with either s), so certificate bytes are
// not unique and nothing here keys trust on them.
function checkSignatureValue(der: Uint8Array, sigAlg: TLV, sigValue: TLV): void {
  if (sigValue.end - sigValue.start < 2 || der[sigValue.start] !== 0) throw new CertificateProblem('has a signature with unused bits')
  const oid = children(der, sigAlg)[0]
  if (oid?.tag !== TAG_OID) throw new DERError('signatureAlgorithm is malformed')
  const content = contentOf(der, oid)
  if (content.length !== ECDSA_WITH_SHA.length + 1 || !ECDSA_WITH_SHA.every((b, i) => content[i] === b)) return
  const value = der.subarray(sigValue.start + 1, sigValue.end)
  const seq = readTLV(value, 0)
  const parts = seq.tag === TAG_SEQUENCE && seq.end === value.length ? children(value, seq) : []
  if (parts.length !== 2 || !parts.every((p) => isMinimalPositiveInteger(value, p))) throw new CertificateProblem('has a malformed ECDSA signature')
}

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1).
function walk(der: Uint8Array): Walked {
  const outer = expectTLV(der, 0, der.length, TAG_SEQUENCE, 'Certificate')
  if (outer.end !== der.length) throw new CertificateProblem('has trailing bytes after the certificate')
  const [tbs, sigAlg, sigValue, extra] = children(der, outer)
  if (tbs?.tag !== TAG_SEQUENCE || sigAlg?.tag !== TAG_SEQUENCE || sigValue?.tag !== TAG_BIT_STRING || extra !== undefined) {
    throw new DERError('Certificate is not tbsCertificate, signatureAlgorithm, signatureValue')
  }
  checkSignatureValue(der, sigAlg, sigValue)
  const f = children(der, tbs)
  let i = 0
  const version = f[0]
  if (version?.tag !== 0xa0) throw new CertificateProblem('is not an X.509 v3 certificate')
  const v = expectTLV(der, version.start, version.end, TAG_INTEGER, 'version')
  if (v.end !== version.end || readSmallUnsigned(der, v) !== 2) throw new CertificateProblem('is not an X.509 v3 certificate')
  i++
  const next = (tag: number, what: string): TLV => {
    const t = f[i++]
    if (t?.tag !== tag) throw new DERError(`tbsCertificate ${what} is missing or malformed`)
    return t
  }
  const serialNumber = hex(contentOf(der, next(TAG_INTEGER, 'serialNumber')))
  const innerAlg = next(TAG_SEQUENCE, 'signature')
  if (!bytesEqual(rawOf(der, innerAlg), rawOf(der, sigAlg))) {
    throw new CertificateProblem('has different signature algorithms inside and outside the signed part')
  }
  const issuer = rawOf(der, next(TAG_SEQUENCE, 'issuer'))
  const validity = next(TAG_SEQUENCE, 'validity')
  const [start, end, extraTime] = children(der, validity)
  if (extraTime !== undefined) throw new DERError('validity is malformed')
  const notBefore = readTime(der, start)
  const notAfter = readTime(der, end)
  const subject = rawOf(der, next(TAG_SEQUENCE, 'subject'))
  const rsa = readRSAKey(der, next(TAG_SEQUENCE, 'subjectPublicKeyInfo'))
  const extensions = new Map<string, RawExtension>()
  let lastTag = 0
  for (; i < f.length; i++) {
    const t = f[i]!
    // issuerUniqueID [1] and subjectUniqueID [2] (IMPLICIT BIT STRING), extensions [3] EXPLICIT, in order.
    const n = t.tag === 0x81 ? 1 : t.tag === 0x82 ? 2 : t.tag === 0xa3 ? 3 : 0
    if (n === 0 || n <= lastTag) throw new DERError('tbsCertificate has an unexpected field')
    lastTag = n
    if (n !== 3) continue
    const list = expectTLV(der, t.start, t.end, TAG_SEQUENCE, 'extensions')
    if (list.end !== t.end) throw new DERError('extensions are malformed')
    for (const ext of children(der, list)) {
      if (ext.tag !== TAG_SEQUENCE) throw new DERError('extension is not a SEQUENCE')
      const [id, second, third, more] = children(der, ext)
      if (id?.tag !== TAG_OID || second === undefined || more !== undefined) throw new DERError('extension is malformed')
      const critical = second.tag === TAG_BOOLEAN ? readBoolean(der, second) : false
      const valueTLV = second.tag === TAG_BOOLEAN ? third : second
      if (valueTLV?.tag !== TAG_OCTET_STRING || (second.tag !== TAG_BOOLEAN && third !== undefined)) throw new DERError('extension is malformed')
      const oid = hex(contentOf(der, id))
      if (extensions.has(oid)) throw new CertificateProblem(`has two ${oidToString(contentOf(der, id))} extensions`)
      extensions.set(oid, { critical, value: contentOf(der, valueTLV) })
    }
  }
  return { serialNumber, issuer, subject, notBefore, notAfter, extensions, rsa }
}

type DecodedExtensions = Pick<
  ParsedCertificate,
  'ca' | 'pathLen' | 'keyUsage' | 'uris' | 'dnsNames' | 'sanCritical' | 'unhandledCritical' | 'nameConstraints' | 'subjectKeyId' | 'authorityKeyId'
>

function decodeExtensions(extensions: Map<string, RawExtension>): DecodedExtensions {
  const bc = extensions.get(BASIC_CONSTRAINTS)
  const { ca, pathLen } = bc === undefined ? { ca: false, pathLen: undefined } : decodeBasicConstraints(bc.value)
  const ku = extensions.get(KEY_USAGE)
  const san = extensions.get(SUBJECT_ALT_NAME)
  const names = san === undefined ? { uris: [], dnsNames: [] } : decodeSAN(san.value)
  const nc = extensions.get(NAME_CONSTRAINTS)
  const ski = extensions.get(SUBJECT_KEY_ID)
  const aki = extensions.get(AUTHORITY_KEY_ID)
  let unhandledCritical: string | undefined
  for (const [oid, ext] of extensions) {
    if (ext.critical && !HANDLED.has(oid)) {
      unhandledCritical = oidToString(hexToBytes(oid))
      break
    }
  }
  return {
    ca,
    pathLen,
    keyUsage: ku === undefined ? undefined : decodeKeyUsage(ku.value),
    uris: Object.freeze(names.uris),
    dnsNames: Object.freeze(names.dnsNames),
    sanCritical: san?.critical === true,
    unhandledCritical,
    nameConstraints: nc === undefined ? undefined : parseNameConstraints(nc.value),
    subjectKeyId: ski === undefined ? undefined : decodeKeyId(ski.value, false),
    authorityKeyId: aki === undefined ? undefined : decodeKeyId(aki.value, true),
  }
}

function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16)
  return out
}

/**
 * Parses one DER certificate. Throws {@link CertificateProblem} with a reason; never anything
 * else for hostile bytes.
 */
export function parseCertificate(input: Uint8Array, lib: X509Lib): ParsedCertificate {
  // A real copy: Buffer#slice (a Node Buffer is a Uint8Array) returns a view of the caller's bytes.
  const der = new Uint8Array(input)
  let walked: Walked
  let decoded: DecodedExtensions
  try {
    walked = walk(der)
    decoded = decodeExtensions(walked.extensions)
  } catch (err) {
    if (err instanceof CertificateProblem) throw err
    throw new CertificateProblem(`is not a valid DER certificate (${err instanceof DERError ? err.message : 'malformed'})`, { cause: err })
  }
  let cert: X509Certificate
  let text: { subjectText: string; issuerText: string }
  try {
    cert = new lib.X509Certificate(der)
    // The serial number is read by us (walk): the library drops leading zero bytes.
    text = { subjectText: cert.subject, issuerText: cert.issuer }
  } catch (cause) {
    throw new CertificateProblem('could not be decoded as an X.509 certificate', { cause })
  }
  let publicKey: PublicKey
  try {
    publicKey = cert.publicKey
  } catch (cause) {
    throw new CertificateProblem('has a public key type that is not supported', { cause })
  }
  return {
    der,
    cert,
    ...text,
    serialNumber: walked.serialNumber,
    publicKey,
    issuer: walked.issuer,
    subject: walked.subject,
    selfIssued: bytesEqual(walked.issuer, walked.subject),
    emptySubject: walked.subject.length === 2,
    rsa: walked.rsa,
    notBefore: walked.notBefore,
    notAfter: walked.notAfter,
    ...decoded,
  }
}
