import { codedTypeError } from '../errors/index.js'
import { isPlainObject } from '../internal/json.js'
import type { PublicJWK } from '../signer/types.js'
import type { TrustBundle, TrustBundleSource } from './types.js'
import { freezeBundle, isTrustDomainName, validateIssuers, validateKeys, type Fail } from './validate.js'

/**
 * The keys of one trust domain in a static configuration: a bare key array, a JWKS
 * (`{ keys }`), a SPIFFE bundle document (its extra members are ignored), or keys plus the issuers
 * allowed for the domain.
 *
 * @example
 * ```ts
 * import type { StaticTrustBundleInput } from 'agentauth/bundle'
 * const input: StaticTrustBundleInput = { keys: [issuerJwk], issuers: ['https://issuer.example.org'] }
 * ```
 */
export type StaticTrustBundleInput =
  | readonly PublicJWK[]
  | { readonly keys: readonly PublicJWK[]; readonly issuers?: readonly string[]; readonly [member: string]: unknown }

/**
 * A trust-bundle source over a fixed set of bundles (also lists its trust domains).
 *
 * @example
 * ```ts
 * const source = staticTrustBundles({ 'example.org': [issuerJwk] })
 * source.trustDomains // ['example.org']
 * ```
 */
export interface StaticTrustBundleSource extends TrustBundleSource {
  /** The configured trust domains. */
  readonly trustDomains: readonly string[]
}

const MAX_KEYS = 1000

const fail: Fail = (message) => {
  throw codedTypeError('ERR_INVALID_ARG_VALUE', message)
}

/**
 * A {@link TrustBundleSource} over bundles known at start-up (configuration files, tests, a
 * single issuer). Everything is validated now: trust-domain names (SPIFFE-ID §2.1 charset),
 * public-only keys with string members, unique `kid`s within each domain (WIT-SVID §6), issuer
 * lists. Keys are copied and frozen, so later changes to the input have no effect.
 *
 * @param bundles - trust domain → keys, JWKS, SPIFFE bundle or `{ keys, issuers }`.
 * @returns a source whose `getBundle` answers from memory (`undefined` for an unknown domain).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a bad trust-domain name,
 * a private or malformed key, a duplicate `kid` or a bad issuer list.
 *
 * @example
 * ```ts
 * import { staticTrustBundles } from 'agentauth/bundle'
 * const trustBundles = staticTrustBundles({
 *   'example.org': { keys: [issuerJwk], issuers: ['https://issuer.example.org'] },
 *   'partner.example': await (await fetch('https://partner.example/jwks.json')).json(),
 * })
 * const bundle = await trustBundles.getBundle('example.org')
 * ```
 */
export function staticTrustBundles(bundles: Readonly<Record<string, StaticTrustBundleInput>>): StaticTrustBundleSource {
  if (!isPlainObject(bundles)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'bundles must be a plain object keyed by trust domain')
  const map = new Map<string, TrustBundle>()
  for (const [trustDomain, input] of Object.entries(bundles)) {
    if (!isTrustDomainName(trustDomain)) fail(`"${trustDomain}" is not a trust domain name (lower-case letters, digits, ".", "-", "_")`)
    const where = `bundles["${trustDomain}"]`
    let keys: readonly PublicJWK[]
    let issuers: readonly string[] | undefined
    if (Array.isArray(input)) {
      keys = validateKeys(input, where, fail, MAX_KEYS)
    } else if (isPlainObject(input)) {
      keys = validateKeys(input.keys, where, fail, MAX_KEYS)
      issuers = validateIssuers(input.issuers, where, fail)
    } else {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', `${where} must be an array of keys or an object with keys`)
    }
    map.set(trustDomain, freezeBundle(trustDomain, keys, issuers))
  }
  const trustDomains = Object.freeze([...map.keys()])
  const source: StaticTrustBundleSource = {
    trustDomains,
    getBundle(trustDomain: string): Promise<TrustBundle | undefined> {
      return Promise.resolve(map.get(trustDomain))
    },
  }
  return Object.freeze(source)
}
