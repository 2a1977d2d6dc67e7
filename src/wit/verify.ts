import { selectKey } from '../bundle/index.js'
import type { TrustBundle } from '../bundle/types.js'
import { isAgentAuthError, ProtocolError, VerificationError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { checkJWSSignature, claimNumericDate } from '../internal/jws.js'
import { cachedPublicKey, importPublicJWK } from '../internal/keys.js'
import { nowExactSeconds } from '../internal/time.js'
import type { JWSAlgorithm } from '../signer/algorithms.js'
import type { PublicJWK } from '../signer/types.js'
import { checkConfirmation, checkHeader, checkNoAudience, checkOptionalStrings, checkSubject, deepFreeze, parseWIT } from './claims.js'
import { normalizeVerifyOptions, type VerifyPolicy, type VerifyWITOptions } from './options.js'
import type { VerifiedWIT, WITClaims, WITHeader } from './types.js'

/**
 * A verifier with its options validated once: `(token) => Promise<VerifiedWIT>`.
 *
 * @example
 * ```ts
 * import { createWITVerifier, type WITVerifier } from 'agentauth/wit'
 * const verify: WITVerifier = createWITVerifier({ trustBundles })
 * ```
 */
export type WITVerifier = (token: string) => Promise<VerifiedWIT>

/**
 * Verifies a Workload Identity Token received in the `Workload-Identity-Token` header
 * (draft-ietf-wimse-workload-creds §5.1, §4, §9; WIT-SVID with `profile: 'spiffe'`).
 *
 * Checks, in this order: size limit; compact JWS (exactly three canonical base64url parts, strict
 * UTF-8 JSON objects, no `crit`, no `b64`); `typ` `wit+jwt` (`application/` prefix and case are
 * ignored; the legacy `wimse-id+jwt` is accepted in the wimse profile unless `acceptLegacyTyp:
 * false`); `alg` in the allow-list (never `none` or HMAC); `sub` parsed as a Workload Identifier;
 * the trust bundle **of that trust domain** (never keys found through `iss`); key selection by
 * `kid` (a missing `kid` needs an unambiguous bundle); signature; `iss` allow-list; `exp`;
 * `nbf` / `iat`; maximum lifetime; `cnf.jwk` (public, allowed `alg`, shape and size); and, in the
 * spiffe profile, no `aud`, `kid` required, RS/ES/PS only, `sub` a SPIFFE ID.
 *
 * Verifying a WIT does **not** authenticate the caller: the caller must still prove possession
 * of `cnf.jwk` with a WPT or an HTTP message signature.
 *
 * @param token - the compact WIT exactly as received.
 * @param options - verification policy; `trustBundles` is required. See {@link VerifyWITOptions}.
 * @returns the deeply frozen verified WIT: claims, workload identifier, trust domain, PoP key.
 * @throws VerificationError (status 400, WIMSE §5.2) with code `ERR_INPUT_TOO_LARGE`,
 *   `ERR_WIT_INVALID`, `ERR_TYP_INVALID`, `ERR_ALG_NOT_ALLOWED`, `ERR_IDENTIFIER_*`,
 *   `ERR_KEY_NOT_FOUND`, `ERR_KEY_INVALID`, `ERR_WIT_SIGNATURE`, `ERR_WIT_EXPIRED`,
 *   `ERR_TOKEN_NOT_YET_VALID`, `ERR_TOKEN_LIFETIME` or `ERR_WIT_CNF_INVALID`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 * @throws whatever the trust-bundle source throws when it cannot answer (e.g. `ProtocolError`).
 *
 * @example
 * ```ts
 * import { verifyWIT, WIT_HEADER } from 'agentauth/wit'
 * import { staticTrustBundles } from 'agentauth/bundle'
 *
 * const trustBundles = staticTrustBundles({ 'example.org': [issuerPublicJwk] })
 * const wit = await verifyWIT(request.headers.get(WIT_HEADER) ?? '', { trustBundles })
 * console.log(wit.id, wit.trustDomain, wit.proofAlgorithm)
 * ```
 */
export async function verifyWIT(token: string, options: VerifyWITOptions): Promise<VerifiedWIT> {
  return verifyWithPolicy(token, normalizeVerifyOptions(options))
}

/**
 * Validates `options` once and returns a verifier function: use it on hot paths so each request
 * only pays for the token checks. Option errors are thrown synchronously here.
 *
 * @param options - as for {@link verifyWIT}.
 * @returns `(token) => Promise<VerifiedWIT>` with the same checks and error codes as {@link verifyWIT}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { createWITVerifier } from 'agentauth/wit'
 * const verify = createWITVerifier({ trustBundles, profile: 'spiffe', issuers: ['https://spire.example.org'] })
 * const wit = await verify(token)
 * ```
 */
export function createWITVerifier(options: VerifyWITOptions): WITVerifier {
  const policy = normalizeVerifyOptions(options)
  return function verifyWorkloadIdentityToken(token: string) {
    return verifyWithPolicy(token, policy)
  }
}

async function verifyWithPolicy(token: string, policy: VerifyPolicy): Promise<VerifiedWIT> {
  const parsed = parseWIT(token, policy.maxTokenLength)
  const { header, payload } = parsed
  const { alg, kid, legacy } = checkHeader(header, policy)
  const identifier = checkSubject(payload, policy.profile)
  const trustDomain = identifier.trustDomain

  const { bundle, jwk } = await findKey(policy, trustDomain, kid, alg)
  const key = cachedPublicKey(jwk, alg, policy.crypto) ?? (await importPublicJWK(jwk, alg, policy.crypto))
  const pending = checkJWSSignature(parsed, alg, key, { code: 'ERR_WIT_SIGNATURE', what: 'WIT', crypto: policy.crypto })
  if (pending !== undefined) await pending

  const { iss } = checkOptionalStrings(payload)
  checkIssuer(iss, policy.issuers, bundle.issuers)

  const now = nowExactSeconds(policy.clock)
  const tolerance = policy.clockTolerance
  const exp = claimNumericDate(payload, 'exp', 'ERR_WIT_INVALID', 'WIT', true)
  if (exp <= now - tolerance) throw new VerificationError('ERR_WIT_EXPIRED', 'WIT has expired', { claim: 'exp' })
  const nbf = claimNumericDate(payload, 'nbf', 'ERR_WIT_INVALID', 'WIT')
  if (nbf !== undefined && nbf > now + tolerance) throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', 'WIT is not valid yet', { claim: 'nbf' })
  const iat = claimNumericDate(payload, 'iat', 'ERR_WIT_INVALID', 'WIT')
  if (iat !== undefined) {
    // WIT-SVID §3.6: `iat` MUST NOT be used as "not before" (`nbf` is for that), so the spiffe
    // profile does not refuse a future `iat`; the wimse profile does (docs/specs.md, open question 3).
    if (iat > now + tolerance && policy.profile !== 'spiffe') throw new VerificationError('ERR_TOKEN_NOT_YET_VALID', 'WIT was issued in the future', { claim: 'iat' })
    if (exp <= iat) throw new VerificationError('ERR_WIT_INVALID', 'WIT exp is not after iat', { claim: 'exp' })
    if (exp - iat > policy.maxLifetime) throw new VerificationError('ERR_TOKEN_LIFETIME', 'WIT lifetime exceeds the allowed maximum', { claim: 'exp' })
  } else if (exp - now > policy.maxLifetime + tolerance) {
    throw new VerificationError('ERR_TOKEN_LIFETIME', 'WIT expires further ahead than the allowed maximum lifetime', { claim: 'exp' })
  }

  const cnfKey = checkConfirmation(payload, policy.proofAlgorithms)
  checkNoAudience(payload, policy.profile)

  deepFreeze(payload)
  deepFreeze(header)
  return Object.freeze({
    token: parsed.token,
    header: header as unknown as WITHeader,
    claims: payload as unknown as WITClaims,
    id: identifier.id,
    trustDomain,
    key: cnfKey,
    proofAlgorithm: cnfKey.alg,
    issuerKid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
    legacy,
  })
}

async function getBundle(policy: VerifyPolicy, trustDomain: string, refresh: boolean): Promise<TrustBundle> {
  const source = policy.trustBundles
  const opts = policy.signal ? { signal: policy.signal } : undefined
  let bundle: TrustBundle | undefined | null
  try {
    // A source that ignores the signal (a custom one, a hung store) must not hold the verification.
    bundle = await untilAborted(Promise.resolve(refresh && source.refresh ? source.refresh(trustDomain, opts) : source.getBundle(trustDomain, opts)), policy.signal)
  } catch (cause) {
    // A custom source failing with a plain error is an outage of a dependency (503), as the
    // remote source's ERR_BUNDLE_FETCH is, never an uncoded 500.
    if (isAgentAuthError(cause)) throw cause
    throw new ProtocolError('ERR_BUNDLE_FETCH', 'the trust bundle source failed', { cause })
  }
  // A source answering for another trust domain would let one domain's keys vouch for another's.
  if (bundle === undefined || bundle === null || bundle.trustDomain !== trustDomain) {
    throw new VerificationError('ERR_KEY_NOT_FOUND', 'WIT trust domain is not trusted', { claim: 'sub' })
  }
  return bundle
}

async function findKey(policy: VerifyPolicy, trustDomain: string, kid: string | undefined, alg: JWSAlgorithm): Promise<{ bundle: TrustBundle; jwk: PublicJWK }> {
  const query = { alg, ...(kid !== undefined ? { kid } : {}), ...(policy.keyUse !== undefined ? { use: policy.keyUse } : {}) }
  const bundle = await getBundle(policy, trustDomain, false)
  try {
    return { bundle, jwk: selectKey(bundle, query) }
  } catch (err) {
    // An unknown kid may mean the issuer rotated keys: ask a refreshable source once.
    if (kid === undefined || policy.trustBundles.refresh === undefined || !(err instanceof VerificationError) || err.code !== 'ERR_KEY_NOT_FOUND') throw err
  }
  const fresh = await getBundle(policy, trustDomain, true)
  return { bundle: fresh, jwk: selectKey(fresh, query) }
}

function checkIssuer(iss: string | undefined, ...lists: (readonly string[] | undefined)[]): void {
  for (const list of lists) {
    if (list === undefined) continue
    if (iss === undefined) throw new VerificationError('ERR_WIT_INVALID', 'WIT must carry an iss claim for this trust domain', { claim: 'iss' })
    if (!list.includes(iss)) throw new VerificationError('ERR_WIT_INVALID', 'WIT issuer is not allowed for this trust domain', { claim: 'iss' })
  }
}
