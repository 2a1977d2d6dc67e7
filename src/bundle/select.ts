import { VerificationError, codedTypeError } from '../errors/index.js'
import { ALGORITHMS, isJWSAlgorithm, type JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'
import type { TrustBundle } from './types.js'

/**
 * Options of {@link selectKey}.
 *
 * @example
 * ```ts
 * selectKey(bundle, { kid: header.kid, alg: header.alg, use: ['wit-svid'], strictUse: true })
 * ```
 */
export interface SelectKeyOptions {
  /** The token's `kid` header; when absent a key is chosen only if exactly one fits. */
  kid?: string | undefined
  /** The token's (already allow-listed) `alg`; the key's kty/crv and `alg` member must fit it. */
  alg: JWSAlgorithm
  /**
   * Accepted `use` values, e.g. `'wit-svid'` for WIT-SVID keys in a SPIFFE bundle. Keys without
   * `use` are accepted too unless `strictUse` is set. When omitted, keys without `use` and keys
   * with `use` `sig`, `jwt-svid` or `wit-svid` qualify; `enc`, `x509-svid` never do, and any other
   * (unknown) `use` only when listed here.
   */
  use?: string | readonly string[] | undefined
  /** Require a `use` member from the `use` list (keys without `use` no longer qualify). */
  strictUse?: boolean | undefined
}

// Keys that must never verify a JWS, whatever the caller asks.
const NEVER_FOR_JWS = new Set(['enc', 'x509-svid'])
// The `use` values that fit when the caller names none. Any other value is unknown, and a SPIFFE
// bundle client MUST ignore such an entry (Trust Domain and Bundle §4.2.2): it fits only a caller
// that lists it.
const JWS_USES = new Set(['sig', 'jwt-svid', 'wit-svid'])

function isEdDSA(alg: unknown): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519'
}

function fits(key: PublicJWK, alg: JWSAlgorithm, uses: readonly string[] | undefined, strictUse: boolean): boolean {
  // Entries of a custom source's bundle are not validated: a non-object never fits.
  if (typeof key !== 'object' || key === null) return false
  const info = ALGORITHMS[alg]
  if (key.kty !== info.kty) return false
  if (info.crv !== undefined && key.crv !== info.crv) return false
  if (key.alg !== undefined && key.alg !== alg && !(isEdDSA(key.alg) && isEdDSA(alg))) return false
  if (key.key_ops !== undefined && !(Array.isArray(key.key_ops) && key.key_ops.includes('verify'))) return false
  const use = key.use
  if (use === undefined) return !strictUse
  if (NEVER_FOR_JWS.has(use)) return false
  return uses === undefined ? JWS_USES.has(use) : uses.includes(use)
}

/**
 * Picks the key that verifies a token from a trust bundle (WIMSE workload-creds §3 key
 * selection): by `kid` when the token has one, otherwise only when exactly one key fits
 * (unambiguous). A key fits when its `kty`/`crv` suit `alg`, its `alg` member (if any) equals
 * `alg`, its `key_ops` (if any) include `verify`, and its `use` is accepted.
 *
 * @param bundle - the trust bundle of the token's trust domain.
 * @param options - `kid`, `alg`, accepted `use` values, `strictUse`.
 * @returns the selected public JWK.
 * @throws `VerificationError` `ERR_KEY_NOT_FOUND` when no key fits, or several fit and there is
 * no `kid` to choose; TypeError `ERR_INVALID_ARG_VALUE` for an unsupported `alg`, an empty `kid` or a
 * `use` that is neither a string nor an array; TypeError `ERR_INVALID_ARG_TYPE` when `options` is not
 * an object or `bundle` has no `keys` array (entries that are not objects never fit).
 *
 * @example
 * ```ts
 * import { selectKey } from 'agentauth/bundle'
 * const bundle = await trustBundles.getBundle('example.org')
 * const jwk = selectKey(bundle, { kid: header.kid, alg: 'ES256', use: 'wit-svid' })
 * ```
 */
export function selectKey(bundle: TrustBundle, options: SelectKeyOptions): PublicJWK {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  // A custom TrustBundleSource may hand over anything: a coded error, never "x is not iterable".
  if (typeof bundle !== 'object' || bundle === null || !Array.isArray(bundle.keys)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'bundle must be a TrustBundle with a keys array')
  const { kid, alg, strictUse = false } = options
  if (!isJWSAlgorithm(alg)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.alg must be a supported JWS algorithm')
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.kid must be a non-empty string')
  const uses = typeof options.use === 'string' ? [options.use] : options.use
  if (uses !== undefined && !Array.isArray(uses)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.use must be a string or an array of strings')
  let found: PublicJWK | undefined
  let count = 0
  for (const key of bundle.keys) {
    // A key list from a resolver or a custom source may hold anything: a non-object fits nothing.
    if (typeof key !== 'object' || key === null) continue
    if (kid !== undefined && key.kid !== kid) continue
    if (!fits(key, alg, uses, strictUse)) continue
    found = key
    count++
  }
  if (count === 1) return found!
  const where = `trust domain ${bundle.trustDomain}`
  if (count === 0) {
    const message = kid === undefined ? `no ${alg} key in ${where}` : `no ${alg} key with kid ${shownKid(kid)} in ${where}`
    throw new VerificationError('ERR_KEY_NOT_FOUND', message, { reason: 'no matching trusted key', claim: 'kid' })
  }
  const why = kid === undefined ? 'the token names no kid' : `they share the kid ${shownKid(kid)}`
  throw new VerificationError('ERR_KEY_NOT_FOUND', `${count} ${alg} keys in ${where} fit and ${why}`, { reason: 'key selection is ambiguous', claim: 'kid' })
}

// The kid comes from the token (attacker-chosen) and ends up in logs: printable ASCII only, at most
// 64 characters, quoted.
function shownKid(kid: string): string {
  const shown = kid.slice(0, 64).replace(/[^\x20-\x7e]|["\\]/g, '?')
  return kid.length > 64 ? `"${shown}"...` : `"${shown}"`
}
