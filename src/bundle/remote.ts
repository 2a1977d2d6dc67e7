import { untilAborted } from '../internal/abort.js'
import { ProtocolError, codedTypeError } from '../errors/index.js'
import { assertObject, optionalNumber } from '../internal/assert.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'
import type { Clock } from '../internal/time.js'
import type { PublicJWK } from '../signer/types.js'
import { fetchJSONDocument, type BundleFetch } from './fetch-document.js'
import type { GetBundleOptions, TrustBundle, TrustBundleSource } from './types.js'
import { freezeBundle, isTrustDomainName, validateIssuers, validateKeys, type Fail } from './validate.js'

/**
 * Options of {@link remoteTrustBundle}.
 *
 * @example
 * ```ts
 * const options: RemoteTrustBundleOptions = {
 *   urls: { 'example.org': 'https://issuer.example.org/.well-known/jwks.json' },
 *   maxAgeMs: 600_000,
 *   cooldownMs: 30_000,
 * }
 * ```
 */
export interface RemoteTrustBundleOptions {
  /** Trust domain → bundle URL (`https:`, or `http:` on a loopback host). Several domains may share one URL. */
  urls: Readonly<Record<string, string | URL>>
  /**
   * `'jwks'` (default): an RFC 7517 JWK Set. `'spiffe'`: a SPIFFE bundle (a JWK Set whose keys all
   * carry `use`, with optional `spiffe_refresh_hint` / `spiffe_sequence`).
   */
  format?: 'jwks' | 'spiffe'
  /** Trust domain → issuers allowed for it (copied into the bundles). */
  issuers?: Readonly<Record<string, readonly string[]>>
  /** `fetch` implementation (defaults to `globalThis.fetch`). */
  fetch?: BundleFetch
  /** Abort a fetch (headers and body) after this many ms. Default 5000. */
  timeoutMs?: number
  /** Serve a fetched bundle this long before refetching. Default 300000 (5 min). A SPIFFE `spiffe_refresh_hint` may shorten it, never below `cooldownMs`. */
  maxAgeMs?: number
  /** Minimum time between two fetches of one URL (unknown-`kid` refreshes, retries after errors). Default 30000. */
  cooldownMs?: number
  /** How long past its max age a bundle may still be served while refetching fails. Default 3600000 (1 h); 0 = fail closed at max age. */
  maxStaleMs?: number
  /** Maximum response size in bytes, checked before parsing. Default 262144 (256 KiB). */
  maxBytes?: number
  /** Maximum number of keys per document. Default 100. */
  maxKeys?: number
  /** Clock in ms (defaults to `Date.now`), for tests. */
  clock?: Clock
}

/**
 * A trust-bundle source backed by remote documents; `refresh` is always available.
 *
 * @example
 * ```ts
 * const source = remoteTrustBundle({ urls: { 'example.org': 'https://example.org/jwks' } })
 * const bundle = await source.refresh('example.org') // e.g. after an unknown kid
 * ```
 */
export interface RemoteTrustBundleSource extends TrustBundleSource {
  /** The configured trust domains. */
  readonly trustDomains: readonly string[]
  /**
   * Refetches the domain's document unless it was fetched less than `cooldownMs` ago; returns the
   * (possibly unchanged) bundle. Call it when a token's `kid` is not in the bundle.
   */
  refresh(trustDomain: string, options?: GetBundleOptions): Promise<TrustBundle | undefined>
}

interface Entry {
  readonly url: string
  readonly domains: string[]
  bundles: Map<string, TrustBundle> | undefined
  expiresAt: number
  lastAttempt: number
  lastError: ProtocolError | undefined
  inflight: Promise<void> | undefined
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

function checkURL(value: unknown, name: string): string {
  let url: URL
  try {
    url = new URL(value as string)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} is not a URL`, cause)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be an https: URL (http: only on loopback)`)
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must not have credentials or a fragment`)
  return url.href
}

// Any JSON integer ≥ 0. Not "safe" integers only: SPIFFE Trust Domain and Bundle §4.1.1 makes
// spiffe_sequence 64 bits wide (SPIRE: uint64), and the value is never used for arithmetic here.
function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/** Checks `spiffe_sequence` and `spiffe_refresh_hint` (each on its own); returns the hint in ms. */
function refreshHint(doc: JSONObject, fail: Fail): number | undefined {
  if (Object.hasOwn(doc, 'spiffe_sequence') && !isNonNegativeInteger(doc.spiffe_sequence)) fail('spiffe_sequence must be a non-negative integer')
  if (!Object.hasOwn(doc, 'spiffe_refresh_hint')) return undefined
  const hint = doc.spiffe_refresh_hint
  if (!isNonNegativeInteger(hint)) fail('spiffe_refresh_hint must be a non-negative integer')
  return (hint as number) * 1000
}

/** The caller's signal, checked: anything else would fail later with an uncoded TypeError. */
function readSignal(options: GetBundleOptions | undefined): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined
  if (typeof options !== 'object') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  const signal = options.signal
  if (signal === undefined) return undefined
  if (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.signal must be an AbortSignal')
  }
  return signal
}

async function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await untilAborted(promise, signal)
  } catch (err) {
    if (signal === undefined || !signal.aborted || err !== signal.reason) throw err
    const timeout = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
    throw new ProtocolError(timeout ? 'ERR_REMOTE_TIMEOUT' : 'ERR_BUNDLE_FETCH', 'waiting for the trust bundle was aborted', { cause: signal.reason })
  }
}

/**
 * A {@link TrustBundleSource} that fetches a JWKS or SPIFFE bundle per trust domain and keeps it
 * fresh: cached for `maxAgeMs`, refetched on demand (`refresh`, e.g. for an unknown `kid`) at most
 * once per `cooldownMs`, with concurrent callers sharing one in-flight fetch. Key rotation is
 * picked up without a restart.
 *
 * Documents are validated before use (status 200, no redirects, `maxBytes`, strict JSON, public
 * keys only, unique `kid`s; in `spiffe` format every key has `use`). A document that fails any
 * check is rejected as a whole and the previous bundle is kept.
 *
 * Stale-while-error: when refetching fails, the last good bundle is still served for up to
 * `maxStaleMs` past its max age; after that (or with no bundle at all) the error is thrown, so
 * verification fails closed. Retries after a failure wait for the cooldown.
 *
 * @param options - URL per trust domain, format, limits and timing.
 * @returns the source; `getBundle` resolves `undefined` for a trust domain that is not configured.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (non-https URL,
 * bad trust-domain name, non-finite limits). `getBundle`/`refresh` reject with `ProtocolError`
 * `ERR_BUNDLE_FETCH` (HTTP error, too large, malformed or invalid document, network error) or
 * `ERR_REMOTE_TIMEOUT` when no usable bundle is available, and with TypeError `ERR_INVALID_ARG_TYPE`
 * for a `signal` that is not an `AbortSignal`.
 *
 * @example
 * ```ts
 * import { remoteTrustBundle } from 'agentauth/bundle'
 * const trustBundles = remoteTrustBundle({
 *   urls: { 'example.org': 'https://spire.example.org/bundle' },
 *   format: 'spiffe',
 *   maxAgeMs: 5 * 60_000,
 * })
 * const bundle = await trustBundles.getBundle('example.org')
 * ```
 */
export function remoteTrustBundle(options: RemoteTrustBundleOptions): RemoteTrustBundleSource {
  assertObject(options, 'options')
  const format = options.format ?? 'jwks'
  if (format !== 'jwks' && format !== 'spiffe') throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.format must be "jwks" or "spiffe"')
  const timeoutMs = optionalNumber(options.timeoutMs, 'options.timeoutMs', 5000, { min: 1, max: 600_000 })
  const maxAgeMs = optionalNumber(options.maxAgeMs, 'options.maxAgeMs', 300_000, { min: 1 })
  const cooldownMs = optionalNumber(options.cooldownMs, 'options.cooldownMs', 30_000, { min: 0 })
  const maxStaleMs = optionalNumber(options.maxStaleMs, 'options.maxStaleMs', 3_600_000, { min: 0 })
  const maxBytes = optionalNumber(options.maxBytes, 'options.maxBytes', 262_144, { min: 2, max: 16 * 1024 * 1024, integer: true })
  const maxKeys = optionalNumber(options.maxKeys, 'options.maxKeys', 100, { min: 1, max: 10_000, integer: true })
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  if (typeof fetchImpl !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.fetch must be a function')
  const clock = options.clock ?? Date.now
  if (typeof clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  const now = (): number => {
    const t = clock()
    if (typeof t !== 'number' || !Number.isFinite(t)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.clock must return finite milliseconds')
    return t
  }

  if (!isPlainObject(options.urls)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.urls must be an object of trust domain → URL')
  const byURL = new Map<string, Entry>()
  const byDomain = new Map<string, Entry>()
  for (const [domain, value] of Object.entries(options.urls)) {
    if (!isTrustDomainName(domain)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `"${domain}" is not a trust domain name`)
    const href = checkURL(value, `options.urls["${domain}"]`)
    let entry = byURL.get(href)
    if (entry === undefined) {
      entry = { url: href, domains: [], bundles: undefined, expiresAt: 0, lastAttempt: -Infinity, lastError: undefined, inflight: undefined }
      byURL.set(href, entry)
    }
    entry.domains.push(domain)
    byDomain.set(domain, entry)
  }
  if (byDomain.size === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.urls must name at least one trust domain')
  const issuers = new Map<string, readonly string[]>()
  if (options.issuers !== undefined) {
    if (!isPlainObject(options.issuers)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.issuers must be an object of trust domain → issuers')
    const argFail: Fail = (message) => {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', message)
    }
    for (const [domain, list] of Object.entries(options.issuers)) {
      if (!byDomain.has(domain)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.issuers names "${domain}", which has no URL`)
      issuers.set(domain, validateIssuers(list, `options.issuers["${domain}"]`, argFail)!)
    }
  }

  async function fetchEntry(entry: Entry): Promise<void> {
    entry.lastAttempt = now()
    try {
      const doc = await fetchJSONDocument(entry.url, { fetch: fetchImpl, timeoutMs, maxBytes })
      const fail: Fail = (message) => {
        throw new ProtocolError('ERR_BUNDLE_FETCH', `trust bundle ${entry.url}: ${message}`, { status: 200 })
      }
      const keys: readonly PublicJWK[] = validateKeys(doc.keys, 'document', fail, maxKeys)
      let ageMs = maxAgeMs
      if (format === 'spiffe') {
        keys.forEach((k, i) => {
          if (k.use === undefined) fail(`key ${i} has no use (SPIFFE bundles require it)`)
        })
        const hint = refreshHint(doc, fail)
        if (hint !== undefined) ageMs = Math.min(maxAgeMs, Math.max(hint, cooldownMs))
      }
      const bundles = new Map<string, TrustBundle>()
      for (const d of entry.domains) bundles.set(d, freezeBundle(d, keys, issuers.get(d)))
      entry.bundles = bundles
      entry.expiresAt = now() + ageMs
      entry.lastError = undefined
    } catch (err) {
      entry.lastError = err instanceof ProtocolError ? err : new ProtocolError('ERR_BUNDLE_FETCH', `trust bundle ${entry.url} could not be loaded`, { cause: err })
      throw entry.lastError
    }
  }

  /** The cached bundle if it may still be served after a failed refetch. */
  function usable(entry: Entry, domain: string, t: number): TrustBundle | undefined {
    return entry.bundles !== undefined && t < entry.expiresAt + maxStaleMs ? entry.bundles.get(domain) : undefined
  }

  async function load(entry: Entry, domain: string, signal: AbortSignal | undefined): Promise<TrustBundle | undefined> {
    if (signal?.aborted) return raceSignal(Promise.resolve(undefined), signal)
    if (entry.inflight === undefined) {
      if (now() - entry.lastAttempt < cooldownMs) {
        // Fetched (or tried) moments ago: answer from what we have.
        const cached = usable(entry, domain, now())
        if (cached !== undefined) return cached
        if (entry.lastError !== undefined) throw entry.lastError
      }
      entry.inflight = fetchEntry(entry).finally(() => {
        entry.inflight = undefined
      })
      entry.inflight.catch(() => undefined)
    }
    try {
      await raceSignal(entry.inflight, signal)
    } catch (err) {
      const stale = usable(entry, domain, now())
      if (stale !== undefined && !signal?.aborted) return stale
      throw err
    }
    return entry.bundles?.get(domain)
  }

  const source: RemoteTrustBundleSource = {
    trustDomains: Object.freeze([...byDomain.keys()]),
    getBundle(trustDomain: string, getOptions?: GetBundleOptions): Promise<TrustBundle | undefined> {
      let signal: AbortSignal | undefined
      try {
        signal = readSignal(getOptions)
      } catch (err) {
        return Promise.reject(err)
      }
      const entry = byDomain.get(trustDomain)
      if (entry === undefined) return Promise.resolve(undefined)
      if (entry.bundles !== undefined && now() < entry.expiresAt) return Promise.resolve(entry.bundles.get(trustDomain))
      return load(entry, trustDomain, signal)
    },
    refresh(trustDomain: string, refreshOptions?: GetBundleOptions): Promise<TrustBundle | undefined> {
      let signal: AbortSignal | undefined
      try {
        signal = readSignal(refreshOptions)
      } catch (err) {
        return Promise.reject(err)
      }
      const entry = byDomain.get(trustDomain)
      if (entry === undefined) return Promise.resolve(undefined)
      return load(entry, trustDomain, signal)
    },
  }
  return Object.freeze(source)
}
