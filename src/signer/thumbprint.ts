// RFC 7638 JWK thumbprint with SHA-256. Written here rather than via jose so that it is one digest
// over a string we build (no generic JWK walk) and so repeated keys — a WIT's cnf.jwk arrives with
// every request — hit a small cache instead of hashing again.
import { KEY_MEMBER_BYTES, keyMemberProblem } from '../internal/keys.js'
import { VerificationError } from '../errors/index.js'
import { encode } from '../internal/base64url.js'
import { utf8 } from '../internal/bytes.js'

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] }

// RFC 7518 §6.2.1.1 / RFC 8037 §2: the registered curves of each key type.
const CURVES: Readonly<Record<string, readonly string[]>> = { EC: ['P-256', 'P-384', 'P-521', 'secp256k1'], OKP: ['Ed25519', 'Ed448', 'X25519', 'X448'] }

function curveSize(kty: string, crv: unknown): number | undefined {
  return typeof crv === 'string' && CURVES[kty]!.includes(crv) ? KEY_MEMBER_BYTES[crv] : undefined
}

const MAX_CACHE = 1024
const MAX_CANONICAL = 4096
const cache = new Map<string, string>()

/**
 * Computes the RFC 7638 SHA-256 thumbprint of a public (or private) JWK, base64url-encoded — the
 * value of `cnf.jkt` (RFC 9449) and the key under which revocations by key are stored.
 *
 * @param jwk - an EC, OKP or RSA JWK; only its required public members are hashed.
 * @param crypto - Web Crypto provider (defaults to `globalThis.crypto`).
 * @returns the 43-character base64url thumbprint.
 * @throws `VerificationError` `ERR_KEY_INVALID` when `kty` is unsupported, `crv` is not a
 * registered curve of that key type (P-256, P-384, P-521, secp256k1; Ed25519, Ed448, X25519, X448), a required member is
 * missing or not a string, the required members together exceed 4096 characters (an RSA modulus
 * over 16384 bits), or a key member is not the one canonical base64url spelling of the key
 * (padding, non-zero spare bits, a leading zero byte in RSA `n`/`e`, an EC/OKP coordinate of the
 * wrong size for its curve) — each key has exactly one thumbprint; also when the crypto provider
 * cannot compute the SHA-256 digest.
 *
 * @example
 * ```ts
 * import { generateSigner, jwkThumbprint } from 'agentauth/signer'
 * const signer = await generateSigner('ES256')
 * const jkt = await jwkThumbprint(await signer.publicJwk()) // e.g. 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 * ```
 */
export async function jwkThumbprint(jwk: { readonly kty?: unknown; readonly [member: string]: unknown }, crypto: Crypto = globalThis.crypto): Promise<string> {
  if (typeof jwk !== 'object' || jwk === null) throw new VerificationError('ERR_KEY_INVALID', 'JWK must be an object')
  const members = typeof jwk.kty === 'string' && Object.hasOwn(REQUIRED, jwk.kty) ? REQUIRED[jwk.kty]! : undefined
  if (members === undefined) throw new VerificationError('ERR_KEY_INVALID', 'JWK kty must be EC, OKP or RSA for a thumbprint')
  let canonical = '{'
  for (const m of members) {
    const v = jwk[m]
    if (typeof v !== 'string' || v.length === 0) throw new VerificationError('ERR_KEY_INVALID', `JWK member "${m}" is missing`)
    canonical += `${canonical.length > 1 ? ',' : ''}"${m}":${JSON.stringify(v)}`
  }
  canonical += '}'
  // The cache holds 1024 entries; without a size bound each could be a key of any length (an
  // RSA modulus of megabytes), gigabytes in all. 16384-bit RSA keys need under 2800 characters.
  if (canonical.length > MAX_CANONICAL) throw new VerificationError('ERR_KEY_INVALID', `JWK is too large for a thumbprint (over ${MAX_CANONICAL} characters of key members)`)
  const hit = cache.get(canonical)
  if (hit !== undefined) return hit
  // Checked on a cache miss only: every cached form was checked before.
  const rsa = jwk.kty === 'RSA'
  // A curve of unknown size would let one key be spelled with and without leading zero bytes
  // (two thumbprints): only the registered curves of the key type are accepted.
  const size = rsa ? undefined : curveSize(jwk.kty as string, jwk.crv)
  if (!rsa && size === undefined) throw new VerificationError('ERR_KEY_INVALID', `JWK crv is not a known curve of key type ${String(jwk.kty)}`)
  for (const m of members) {
    if (m === 'kty' || m === 'crv') continue
    const problem = keyMemberProblem(jwk[m] as string, size, rsa)
    if (problem !== undefined) throw new VerificationError('ERR_KEY_INVALID', `JWK member "${m}" is not the canonical base64url encoding of the key: it ${problem}`)
  }
  let digest: Uint8Array
  try {
    digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(canonical) as Uint8Array<ArrayBuffer>))
  } catch (cause) {
    // A provider that cannot hash fails closed with a coded error, as a failed key import does.
    throw new VerificationError('ERR_KEY_INVALID', 'the JWK thumbprint could not be computed', { cause })
  }
  if (digest.length !== 32) throw new VerificationError('ERR_KEY_INVALID', 'the JWK thumbprint could not be computed (the SHA-256 digest is not 32 bytes)')
  const thumbprint = encode(digest)
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string)
  cache.set(canonical, thumbprint)
  return thumbprint
}
