// Path building and validation (RFC 5280 §6.1, the subset an X.509-SVID needs; SPIFFE X509-SVID
// §5.1): depth-first from the leaf through the presented intermediates to any certificate in the
// trust domain's bundle. Candidate issuers are matched by exact subject/issuer name bytes (and key
// identifiers when both are present), then checked as signing certificates, for their validity
// window, algorithm and signature; a complete path is checked for path-length and name constraints.
// Revocation is not checked (SPIFFE relies on short-lived SVIDs).
import { VerificationError, type VerificationErrorCode } from '../errors/index.js'
import { rsaKeyProblem, type ParsedCertificate } from './certificate.js'
import { bytesEqual } from './der.js'
import { checkNameConstraints } from './name-constraints.js'
import { signingProblem } from './svid.js'

/** Most signature checks one verification may spend on candidate issuers. */
const MAX_SIGNATURE_CHECKS = 32

const HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512'])

export interface PathContext {
  readonly now: number
  /** Allowed skew, ms. */
  readonly tolerance: number
  readonly crypto: Crypto
  readonly maxLength: number
  readonly roots: readonly ParsedCertificate[]
  readonly intermediates: readonly ParsedCertificate[]
  readonly labels: ReadonlyMap<ParsedCertificate, string>
}

interface State {
  signatures: number
  first: VerificationError | undefined
}

export function rejected(code: VerificationErrorCode, reason: string, cause?: unknown): VerificationError {
  return new VerificationError(code, `X.509-SVID rejected: ${reason}`, { reason, cause })
}

/** The validity-window error for `c` at `now`, if any. */
export function validityProblem(c: ParsedCertificate, now: number, tolerance: number, what: string): VerificationError | undefined {
  if (now + tolerance < c.notBefore) return rejected('ERR_X509_NOT_YET_VALID', `${what} is not valid before ${new Date(c.notBefore).toISOString()}`)
  if (now - tolerance > c.notAfter) return rejected('ERR_X509_EXPIRED', `${what} expired at ${new Date(c.notAfter).toISOString()}`)
  return undefined
}

// Imported issuer keys, per crypto provider and certificate, per signature algorithm (Web Crypto
// binds the hash to RSA keys). Bundle certificates live as long as their bundle, so their keys are
// imported once.
const keyCache = new WeakMap<Crypto, WeakMap<ParsedCertificate, Map<string, Promise<CryptoKey>>>>()

function issuerKey(issuer: ParsedCertificate, algorithm: Algorithm, name: string, crypto: Crypto): Promise<CryptoKey> {
  let perCrypto = keyCache.get(crypto)
  if (perCrypto === undefined) keyCache.set(crypto, (perCrypto = new WeakMap()))
  const perCert = perCrypto.get(issuer) ?? new Map<string, Promise<CryptoKey>>()
  perCrypto.set(issuer, perCert)
  let key = perCert.get(name)
  if (key === undefined) {
    const pk = issuer.publicKey
    key = pk.export({ ...pk.algorithm, ...algorithm } as Algorithm, ['verify'], crypto)
    key.catch(() => perCert.delete(name))
    perCert.set(name, key)
  }
  return key
}

/** `ECDSA/SHA-256`-style name of an allowed signature algorithm, or `undefined`. */
function allowedAlgorithm(child: ParsedCertificate): { algorithm: Algorithm; name: string } | undefined {
  let alg: Algorithm & { hash?: Algorithm }
  try {
    alg = child.cert.signatureAlgorithm
  } catch {
    return undefined
  }
  if (alg.name === 'Ed25519') return { algorithm: alg, name: 'Ed25519' }
  if ((alg.name === 'ECDSA' || alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') && alg.hash !== undefined && HASHES.has(alg.hash.name)) {
    return { algorithm: alg, name: `${alg.name}/${alg.hash.name}` }
  }
  return undefined
}

function record(state: State, err: VerificationError): false {
  state.first ??= err
  return false
}

function isCandidate(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (!bytesEqual(child.issuer, issuer.subject)) return false
  const aki = child.authorityKeyId
  const ski = issuer.subjectKeyId
  return aki === undefined || ski === undefined || bytesEqual(aki, ski)
}

/** Can `issuer` have signed `child`, now? Records the first reason it cannot. */
async function link(child: ParsedCertificate, issuer: ParsedCertificate, ctx: PathContext, state: State): Promise<boolean> {
  const what = ctx.labels.get(issuer) ?? 'issuer certificate'
  const problem = signingProblem(issuer, what)
  if (problem !== undefined) return record(state, rejected('ERR_X509_CHAIN_INVALID', problem))
  const expired = validityProblem(issuer, ctx.now, ctx.tolerance, what)
  if (expired !== undefined) return record(state, expired)
  const alg = allowedAlgorithm(child)
  const childLabel = ctx.labels.get(child) ?? 'certificate'
  if (alg === undefined) return record(state, rejected('ERR_ALG_NOT_ALLOWED', `${childLabel} is signed with an algorithm that is not allowed`))
  // Size and exponent from our own read of the key (id-RSASSA-PSS keys included), before any import.
  const rsaProblem = rsaKeyProblem(issuer.rsa)
  if (rsaProblem !== undefined) return record(state, rejected('ERR_ALG_NOT_ALLOWED', `${what} has ${rsaProblem}`))
  if (++state.signatures > MAX_SIGNATURE_CHECKS) return record(state, rejected('ERR_X509_CHAIN_INVALID', 'too many candidate issuers'))
  let ok: boolean
  try {
    // An RSA signature has exactly the modulus length (a shorter one would be a second encoding).
    if (issuer.rsa !== undefined && child.cert.signature.byteLength !== issuer.rsa.modulusBytes) throw new Error('RSA signature length')
    const key = await issuerKey(issuer, alg.algorithm, alg.name, ctx.crypto)
    ok = await child.cert.verify({ publicKey: key, signatureOnly: true }, ctx.crypto)
  } catch {
    ok = false
  }
  if (!ok) return record(state, rejected('ERR_X509_SIGNATURE', `the signature of ${childLabel} does not verify with the key of ${what}`))
  return true
}

/** Path-length (RFC 5280 §4.2.1.9) and name constraints (§4.2.1.10) over a complete path. */
function constraintsProblem(path: readonly ParsedCertificate[], ctx: PathContext): VerificationError | undefined {
  for (let k = 1; k < path.length; k++) {
    const ca = path[k]!
    const what = ctx.labels.get(ca) ?? 'CA certificate'
    if (ca.pathLen !== undefined) {
      let below = 0
      for (let j = 1; j < k; j++) if (!path[j]!.selfIssued) below++
      if (below > ca.pathLen) return rejected('ERR_X509_CHAIN_INVALID', `${what} allows ${ca.pathLen} intermediate certificate(s) below it, the path has ${below}`)
    }
    if (ca.nameConstraints === undefined) continue
    for (let j = 0; j < k; j++) {
      const c = path[j]!
      if (j > 0 && c.selfIssued) continue
      const reason = checkNameConstraints(ca.nameConstraints, c.uris, c.dnsNames)
      if (reason !== undefined) return rejected('ERR_X509_CHAIN_INVALID', `the name constraints of ${what} ${reason}`)
    }
  }
  return undefined
}

async function extend(path: ParsedCertificate[], ctx: PathContext, state: State): Promise<ParsedCertificate[] | undefined> {
  const current = path[path.length - 1]!
  if (path.length + 1 > ctx.maxLength) {
    record(state, rejected('ERR_X509_CHAIN_INVALID', `no path of at most ${ctx.maxLength} certificates`))
    return undefined
  }
  for (const root of ctx.roots) {
    if (!isCandidate(current, root) || !(await link(current, root, ctx, state))) continue
    const full = [...path, root]
    const problem = constraintsProblem(full, ctx)
    if (problem === undefined) return full
    record(state, problem)
  }
  for (const next of ctx.intermediates) {
    if (path.includes(next) || !isCandidate(current, next) || !(await link(current, next, ctx, state))) continue
    const found = await extend([...path, next], ctx, state)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Builds and validates a path from `leaf` to a bundle certificate. Returns the path (leaf first,
 * anchor last) or throws the first reason a candidate path failed; `ERR_X509_UNTRUSTED` when no
 * candidate issuer was found at all.
 */
export async function buildPath(leaf: ParsedCertificate, ctx: PathContext, trustDomain: string): Promise<ParsedCertificate[]> {
  const state: State = { signatures: 0, first: undefined }
  const path = await extend([leaf], ctx, state)
  if (path !== undefined) return path
  throw state.first ?? rejected('ERR_X509_UNTRUSTED', `no certificate in the X.509 bundle of ${trustDomain} issued this chain`)
}
