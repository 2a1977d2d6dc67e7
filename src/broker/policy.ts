// The destination policy, normalised once: exact origins, segment-aware path prefixes, methods,
// modes, rate limits and body limits.
import { codedTypeError } from '../errors/index.js'
import { normaliseOrigin } from '../fetch/headers.js'
import { assertNumber, assertObject, optionalNumber } from '../internal/assert.js'
import type { Clock } from '../internal/time.js'
import { createTokenBucket, type TokenBucket } from './rate-limit.js'
import type { BrokerMode, BrokerPolicy, DestinationPolicy } from './types.js'

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const ENCODED_SEPARATOR = /%(?:2f|5c)/i
const ENCODED_DOT = /%2e/gi
const ENCODED_SEMICOLON = /%3b/gi

export interface Destination {
  readonly origin: string
  readonly paths: readonly string[]
  readonly methods: ReadonlySet<string>
  readonly modes: ReadonlySet<BrokerMode>
  readonly proof: 'wpt' | 'httpsig' | undefined
  readonly bucket: TokenBucket | undefined
  readonly maxBodyBytes: number
}

export type PolicyDecision =
  | { readonly allowed: true; readonly destination: Destination }
  | { readonly allowed: false; readonly reason: 'origin_not_allowed' | 'mode_not_allowed' | 'path_not_allowed' | 'method_not_allowed' | 'rate_limited'; readonly retryAfter?: number }

const ENCODED_PERCENT = /%25/g

const DESTINATION_KEYS: ReadonlySet<string> = new Set(['paths', 'methods', 'modes', 'proof', 'rateLimit', 'maxBodyBytes'])
const RATE_LIMIT_KEYS: ReadonlySet<string> = new Set(['requests', 'interval', 'burst'])

/**
 * Refuses members the policy does not define: a misspelt limit (`ratelimit`, `mode`,
 * `maxBodySize`) would otherwise be ignored, leaving the destination without the rule its
 * operator wrote.
 */
function onlyKnownKeys(value: object, known: ReadonlySet<string>, name: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} has an unknown member "${key}" (known: ${[...known].join(', ')})`)
  }
}

/**
 * `path` with `%25` decoded until none is left (bounded), for the checks only: an upstream that
 * decodes twice (a proxy, then the application) would read `%252e%252e` as `..` and `%252f` as `/`.
 */
function undoubled(path: string): string {
  let p = path
  for (let i = 0; i < 8 && p.includes('%25'); i++) p = p.replace(ENCODED_PERCENT, '%')
  return p
}

function hasEncodedSeparator(path: string): boolean {
  return ENCODED_SEPARATOR.test(undoubled(path))
}

/**
 * True when a segment of `path` is `.` or `..` once `%2e` / `%3b` are decoded and its `;` path
 * parameters removed. The URL parser has already resolved plain dot segments, but it leaves `..;`
 * alone, and servers that strip `;params` before resolving (Tomcat, Jetty, Spring) would turn
 * `/api/..;/admin` into `/admin`.
 */
function hasDotSegment(path: string): boolean {
  for (const segment of undoubled(path).split('/')) {
    const decoded = segment.replace(ENCODED_DOT, '.').replace(ENCODED_SEMICOLON, ';')
    const semicolon = decoded.indexOf(';')
    const bare = semicolon === -1 ? decoded : decoded.slice(0, semicolon)
    if (bare === '.' || bare === '..') return true
  }
  return false
}

function pathPrefix(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2048) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a path starting with /`)
  if (/[?#\s]/.test(value) || hasEncodedSeparator(value) || hasDotSegment(value)) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} must be a plain path prefix (no query, fragment, dot segments or encoded separators)`)
  }
  return value
}

/** Segment-aware prefix match: `/a/b` matches `/a/b` and `/a/b/c`, not `/a/bc`. */
export function matchPath(path: string, prefix: string): boolean {
  if (prefix === '/' || path === prefix) return true
  if (!path.startsWith(prefix)) return false
  return prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47 /* / */
}

function destination(origin: string, policy: DestinationPolicy, name: string, clock: Clock): Destination {
  assertObject(policy, name)
  onlyKnownKeys(policy, DESTINATION_KEYS, name)
  if (!Array.isArray(policy.paths) || policy.paths.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.paths must be a non-empty array of path prefixes`)
  const paths = policy.paths.map((p, i) => pathPrefix(p, `${name}.paths[${i}]`))
  if (!Array.isArray(policy.methods) || policy.methods.length === 0 || !policy.methods.every((m) => typeof m === 'string' && METHOD.test(m))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.methods must be a non-empty array of HTTP methods`)
  }
  const modes = policy.modes ?? ['proof', 'proxy']
  if (!Array.isArray(modes) || modes.length === 0 || !modes.every((m) => m === 'proof' || m === 'proxy')) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.modes must be a non-empty array of 'proof' / 'proxy'`)
  }
  if (policy.proof !== undefined && policy.proof !== 'wpt' && policy.proof !== 'httpsig') throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.proof must be 'wpt' or 'httpsig'`)
  let bucket: TokenBucket | undefined
  if (policy.rateLimit !== undefined) {
    const r = policy.rateLimit
    assertObject(r, `${name}.rateLimit`)
    onlyKnownKeys(r, RATE_LIMIT_KEYS, `${name}.rateLimit`)
    assertNumber(r.requests, `${name}.rateLimit.requests`, { min: 1, max: 1e9 })
    assertNumber(r.interval, `${name}.rateLimit.interval`, { min: 0.001, max: 86_400 * 366 })
    const { requests, interval } = r
    const burst = optionalNumber(r.burst, `${name}.rateLimit.burst`, requests, { min: 1, max: 1e9 })
    bucket = createTokenBucket(requests, interval, burst, clock)
  }
  return Object.freeze({
    origin,
    paths: Object.freeze(paths),
    methods: new Set(policy.methods),
    modes: new Set(modes),
    proof: policy.proof,
    bucket,
    maxBodyBytes: optionalNumber(policy.maxBodyBytes, `${name}.maxBodyBytes`, 1024 * 1024, { min: 0, max: 2 ** 31 - 1, integer: true }),
  })
}

export interface NormalisedPolicy {
  readonly destinations: ReadonlyMap<string, Destination>
  decide(url: URL, method: string, mode: BrokerMode): PolicyDecision
}

export function normalisePolicy(policy: BrokerPolicy, clock: Clock): NormalisedPolicy {
  assertObject(policy, 'options.policy')
  onlyKnownKeys(policy, new Set(['destinations']), 'options.policy')
  assertObject(policy.destinations, 'options.policy.destinations')
  const destinations = new Map<string, Destination>()
  for (const [key, value] of Object.entries(policy.destinations)) {
    const origin = normaliseOrigin(key, 'options.policy.destinations key')
    if (destinations.has(origin)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `options.policy.destinations lists ${origin} twice`)
    destinations.set(origin, destination(origin, value, `options.policy.destinations["${key}"]`, clock))
  }
  if (destinations.size === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.policy.destinations must list at least one origin')
  return Object.freeze({
    destinations,
    decide(url: URL, method: string, mode: BrokerMode): PolicyDecision {
      const d = destinations.get(url.origin)
      if (d === undefined) return { allowed: false, reason: 'origin_not_allowed' }
      if (!d.modes.has(mode)) return { allowed: false, reason: 'mode_not_allowed' }
      const path = url.pathname
      if (hasEncodedSeparator(path) || hasDotSegment(path) || !d.paths.some((p) => matchPath(path, p))) return { allowed: false, reason: 'path_not_allowed' }
      if (!d.methods.has(method)) return { allowed: false, reason: 'method_not_allowed' }
      if (d.bucket !== undefined) {
        const wait = d.bucket.take()
        if (wait > 0) return { allowed: false, reason: 'rate_limited', retryAfter: wait }
      }
      return { allowed: true, destination: d }
    },
  })
}
