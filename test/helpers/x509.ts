// Test PKI for the x509 module, generated at test time with @peculiar/x509 (never checked-in keys).
// `issue` makes one certificate with exactly the fields a test needs, including broken ones.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(globalThis.crypto)

export { x509 }

/** The instant every x509 test verifies at (injected clock). */
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)
export const clock = (): number => NOW
const DAY = 86_400_000

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
export const KU = x509.KeyUsageFlags
export const LEAF_KU = KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement
export const CA_KU = KU.keyCertSign | KU.cRLSign

export interface Issued {
  readonly cert: x509.X509Certificate
  readonly der: Uint8Array
  readonly pem: string
  readonly keys: CryptoKeyPair
  readonly name: string
}

export interface NameConstraintsSpec {
  permitted?: Array<{ type: 'uri' | 'dns' | 'email'; value: string }>
  excluded?: Array<{ type: 'uri' | 'dns' | 'email'; value: string }>
}

export interface IssueOptions {
  /** Subject DN text; '' for an empty subject. Default `CN=<random>`. */
  subject?: string
  /** The issuing certificate; omitted = self-signed. */
  issuer?: Issued
  uris?: string[]
  dns?: string[]
  /** Extra SAN entries (e.g. `{ type: 'upn', value: 'x@y' }` becomes an otherName). */
  otherNames?: Array<{ type: x509.GeneralName['type']; value: string }>
  sanCritical?: boolean
  /** basicConstraints cA; `undefined` with `basicConstraints: false` omits the extension. */
  ca?: boolean
  pathLen?: number
  basicConstraints?: boolean
  /** keyUsage flags; `null` omits the extension. */
  keyUsage?: number | null
  notBefore?: Date
  notAfter?: Date
  extensions?: x509.Extension[]
  nameConstraints?: NameConstraintsSpec
  keys?: CryptoKeyPair
  keyAlgorithm?: Algorithm | RsaHashedKeyGenParams | EcKeyGenParams
  signingAlgorithm?: Algorithm | EcdsaParams
  /** Sign with this key instead of the issuer's (a forged or broken signature). */
  signingKey?: CryptoKey
}

let serial = 1

export async function keyPair(algorithm: Algorithm | RsaHashedKeyGenParams | EcKeyGenParams = EC_P256): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair
}

let rsaBase: Promise<{ pkcs8: ArrayBuffer; spki: ArrayBuffer }> | undefined

/**
 * An RSA key pair for `name`/`hash`, all sharing one generated 2048-bit key (key generation
 * dominates test time; Web Crypto binds the algorithm at import, so re-import per use).
 */
export async function rsaKeys(name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS', hash: string, modulusLength = 2048): Promise<CryptoKeyPair> {
  const base =
    modulusLength === 2048
      ? (rsaBase ??= generateRSA(2048))
      : generateRSA(modulusLength)
  const { pkcs8, spki } = await base
  const alg = { name, hash }
  return {
    privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', spki, alg, true, ['verify']),
  }
}

async function generateRSA(modulusLength: number): Promise<{ pkcs8: ArrayBuffer; spki: ArrayBuffer }> {
  const k = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  return { pkcs8: await crypto.subtle.exportKey('pkcs8', k.privateKey), spki: await crypto.subtle.exportKey('spki', k.publicKey) }
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length
  const header = len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff]
  const out = new Uint8Array(header.length + len)
  out.set(header)
  out.set(content, header.length)
  return out
}

export function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** DER of a NameConstraints extension value (RFC 5280 §4.2.1.10). */
export function nameConstraintsDER(spec: NameConstraintsSpec): Uint8Array {
  const tag = { uri: 0x86, dns: 0x82, email: 0x81 }
  const trees = (list: NonNullable<NameConstraintsSpec['permitted']>) =>
    list.map((t) => tlv(0x30, tlv(tag[t.type], new TextEncoder().encode(t.value))))
  const parts: Uint8Array[] = []
  if (spec.permitted) parts.push(tlv(0xa0, cat(trees(spec.permitted))))
  if (spec.excluded) parts.push(tlv(0xa1, cat(trees(spec.excluded))))
  return tlv(0x30, cat(parts))
}

/** Issues one certificate. Defaults: a P-256 leaf-style certificate valid from NOW-1d to NOW+1d. */
export async function issue(options: IssueOptions = {}): Promise<Issued> {
  const keys = options.keys ?? (await keyPair(options.keyAlgorithm))
  const name = options.subject ?? `CN=test-${serial}`
  const extensions: x509.Extension[] = []
  if (options.basicConstraints !== false) extensions.push(new x509.BasicConstraintsExtension(options.ca ?? false, options.pathLen, true))
  if (options.keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(options.keyUsage ?? LEAF_KU, true))
  const san = [
    ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(options.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.otherNames ?? []),
  ]
  if (san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san, options.sanCritical ?? false))
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto))
  if (options.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey, false, crypto))
  if (options.nameConstraints) extensions.push(new x509.Extension('2.5.29.30', true, nameConstraintsDER(options.nameConstraints) as Uint8Array<ArrayBuffer>))
  extensions.push(...(options.extensions ?? []))
  const common = {
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    notBefore: options.notBefore ?? new Date(NOW - DAY),
    notAfter: options.notAfter ?? new Date(NOW + DAY),
    extensions,
    signingAlgorithm: options.signingAlgorithm ?? (options.issuer ? signingAlgorithmOf(options.issuer.keys) : signingAlgorithmOf(keys)),
  }
  const cert = await x509.X509CertificateGenerator.create(
    {
      ...common,
      subject: name,
      issuer: options.issuer?.name ?? name,
      publicKey: keys.publicKey,
      signingKey: options.signingKey ?? options.issuer?.keys.privateKey ?? keys.privateKey,
    },
    crypto,
  )
  return { cert, der: new Uint8Array(cert.rawData), pem: cert.toString('pem'), keys, name }
}

function signingAlgorithmOf(keys: CryptoKeyPair): Algorithm {
  const alg = keys.privateKey.algorithm as Algorithm & { namedCurve?: string; hash?: Algorithm }
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as Algorithm
  if (alg.name === 'RSA-PSS') return { name: 'RSA-PSS', hash: alg.hash?.name ?? 'SHA-256', saltLength: 32 } as Algorithm
  return alg.name === 'RSASSA-PKCS1-v1_5' ? ({ name: alg.name, hash: alg.hash?.name } as Algorithm) : { name: alg.name }
}

/** A root CA (spiffe://<td>), an intermediate under it, and helpers for leaves. */
export interface TestPKI {
  readonly trustDomain: string
  readonly root: Issued
  readonly intermediate: Issued
  /** A valid leaf SVID under the intermediate (`spiffe://<td>/workload`). */
  readonly leaf: Issued
  /** A valid leaf SVID directly under the root (`spiffe://<td>/direct`). */
  readonly directLeaf: Issued
}

export async function createPKI(trustDomain = 'example.org', rootOptions: IssueOptions = {}): Promise<TestPKI> {
  const root = await issue({
    subject: `CN=${trustDomain} root`,
    uris: [`spiffe://${trustDomain}`],
    ca: true,
    keyUsage: CA_KU,
    notBefore: new Date(NOW - 365 * DAY),
    notAfter: new Date(NOW + 365 * DAY),
    ...rootOptions,
  })
  const intermediate = await issue({
    subject: `CN=${trustDomain} intermediate`,
    issuer: root,
    uris: [`spiffe://${trustDomain}`],
    ca: true,
    keyUsage: CA_KU,
    notBefore: new Date(NOW - 30 * DAY),
    notAfter: new Date(NOW + 30 * DAY),
  })
  const leaf = await issue({ issuer: intermediate, uris: [`spiffe://${trustDomain}/workload`], dns: ['workload.example.org'] })
  const directLeaf = await issue({ issuer: root, uris: [`spiffe://${trustDomain}/direct`] })
  return { trustDomain, root, intermediate, leaf, directLeaf }
}

/** Issues a leaf SVID under `issuer` with the given overrides. */
export function leafUnder(issuer: Issued, options: IssueOptions = {}): Promise<Issued> {
  return issue({ issuer, uris: ['spiffe://example.org/workload'], ...options })
}

/** A copy of `der` with the byte at `index` (negative = from the end) XOR-ed with `mask`. */
export function flipByte(der: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = der.slice()
  const i = index < 0 ? out.length + index : index
  out[i] = out[i]! ^ mask
  return out
}

/** Index of the last occurrence of `needle` in `haystack` (-1 when absent). */
export function lastIndexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** ecdsa-with-SHA256 OID (1.2.840.10045.4.3.2) as a DER element. */
export const ECDSA_SHA256_OID = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02] as const

/** PEM text of several certificates (a chain file). */
export function pemChain(...certs: Issued[]): string {
  return certs.map((c) => c.pem).join('\n')
}

/** Standard base64 of DER (JWK x5c values). */
export function base64(der: Uint8Array): string {
  return Buffer.from(der).toString('base64')
}

/** PKCS#8 PEM of a private key (for node:tls `key`). */
export async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`
}
