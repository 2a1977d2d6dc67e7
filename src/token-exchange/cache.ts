import { untilAborted } from '../internal/abort.js'
import type { OAuthClient, OAuthServer } from '../client-auth/types.js'
import { codedTypeError, ProtocolError } from '../errors/index.js'
import type { FetchLike } from '../internal/fetch-types.js'
import { checkFunction, checkObject } from '../internal/oauth-assert.js'
import { optionalNumber } from '../internal/assert.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { exchangeToken } from './exchange.js'
import type { TokenExchangeResponse } from './process-response.js'
import type { TokenTypeURI } from './token-types.js'

/**
 * Where a token is for: the cache key (order of list entries does not matter).
 *
 * @example
 * ```ts
 * import type { TokenTarget } from 'agentauth/token-exchange'
 * const target: TokenTarget = { audience: 'https://calendar.example.com', scope: ['calendar:read'] }
 * ```
 */
export interface TokenTarget {
  readonly audience?: string | readonly string[]
  readonly resource?: string | readonly string[]
  readonly scope?: string | readonly string[]
}

/**
 * A token held by a {@link TokenCache}.
 *
 * @example
 * ```ts
 * import type { CachedToken } from 'agentauth/token-exchange'
 * const { token, expiresAt }: CachedToken = await cache.get({ audience: 'https://tool.example.com' })
 * ```
 */
export interface CachedToken {
  readonly token: string
  readonly tokenType: string
  readonly issuedTokenType: string
  /** Epoch seconds, or undefined when the server gave no lifetime and `defaultLifetime` was 0. */
  readonly expiresAt: number | undefined
  readonly scope: string | undefined
}

/**
 * Tokens per target (audience + resource + scope), refreshed `refreshBefore` seconds ahead of
 * expiry; concurrent requests for the same target share one exchange (single flight). Lives in
 * the broker; its tokens are never exposed to the agent.
 *
 * @example
 * ```ts
 * import { createTokenExchangeCache, type TokenCache } from 'agentauth/token-exchange'
 * const cache: TokenCache = createTokenExchangeCache({ server, client, subject })
 * cache.invalidate({ audience: 'https://tool.example.com' })
 * ```
 */
export interface TokenCache {
  /** A valid token for `target`, exchanging a new one when missing or about to expire. */
  get(target: TokenTarget, options?: { signal?: AbortSignal }): Promise<CachedToken>
  /** Forgets the token of `target` (e.g. after a 401 `invalid_token`). */
  invalidate(target: TokenTarget): void
  /** Forgets everything. */
  clear(): void
}

/**
 * Options of {@link createTokenCache}.
 *
 * @example
 * ```ts
 * import { createTokenCache, type TokenCacheOptions } from 'agentauth/token-exchange'
 * const options: TokenCacheOptions = { fetchToken: (target) => exchangeToken(server, client, { ...params, ...target }), refreshBefore: 60 }
 * const cache = createTokenCache(options)
 * ```
 */
export interface TokenCacheOptions {
  /**
   * Obtains a fresh token for a target (usually an `exchangeToken` call). `signal` aborts when
   * `timeout` elapses; pass it on to `fetch`.
   */
  fetchToken: (target: TokenTarget, options: { signal: AbortSignal }) => Promise<TokenExchangeResponse>
  /** Seconds before `exp` at which a token is renewed (default 30). */
  refreshBefore?: number
  /** Lifetime assumed when the response has no `expires_in`; 0 (default) means such tokens are not cached. */
  defaultLifetime?: number
  /** Maximum number of targets held (default 256); the oldest entries go first. */
  maxEntries?: number
  /**
   * Seconds one exchange may take (default 30). After that the callers waiting for it get
   * `ERR_TOKEN_EXCHANGE_FAILED` and the next `get` starts a new exchange, so a token endpoint
   * that never answers cannot wedge a target.
   */
  timeout?: number
  clock?: Clock
}

interface Entry {
  value?: CachedToken
  refreshAt: number
  inflight?: Promise<CachedToken> | undefined
}

function sortedList(value: string | readonly string[] | undefined, split: boolean): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' ? (split ? value.split(' ') : [value]) : [...value]
  return [...new Set(list.filter((v) => v.length > 0))].sort()
}

function copyList(value: string | readonly string[] | undefined, name: string): string | readonly string[] | undefined {
  if (typeof value === 'string' || value === undefined) return value
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw codedTypeError('ERR_INVALID_ARG_TYPE', `target.${name} must be a string or an array of strings`)
  return Object.freeze([...value])
}

// What get() was asked for, frozen: the key and the exchange both read this copy, so a caller that
// mutates its target object afterwards cannot get a token for one target cached under another.
function snapshotTarget(target: TokenTarget): TokenTarget {
  if (typeof target !== 'object' || target === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'target must be an object')
  const audience = copyList(target.audience, 'audience')
  const resource = copyList(target.resource, 'resource')
  const scope = copyList(target.scope, 'scope')
  return Object.freeze({
    ...(audience === undefined ? {} : { audience }),
    ...(resource === undefined ? {} : { resource }),
    ...(scope === undefined ? {} : { scope }),
  })
}

// Stable key of a target.
function targetKey(target: TokenTarget): string {
  return JSON.stringify([sortedList(target.audience, false), sortedList(target.resource, false), sortedList(target.scope, true)])
}

/**
 * Creates a {@link TokenCache} around any token source.
 *
 * @param options - see {@link TokenCacheOptions}.
 * @returns the cache.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options. `get` rethrows the
 *   source's errors (nothing is cached on failure) and rejects with TypeError `ERR_INVALID_ARG_TYPE`
 *   for a target whose `audience`, `resource` or `scope` is not a string or a list of strings
 *   (`invalidate` throws it), or when `fetchToken` resolves to something without `accessToken` /
 *   `tokenType` strings (`ERR_INVALID_ARG_TYPE`) or with an `expiresIn` that is not a finite
 *   non-negative number (`ERR_INVALID_ARG_VALUE`); nothing is cached then.
 *
 * @example
 * ```ts
 * import { createTokenCache, exchangeToken, TOKEN_TYPE } from 'agentauth/token-exchange'
 * const cache = createTokenCache({
 *   fetchToken: (target) => exchangeToken(server, client, { subjectToken, subjectTokenType: TOKEN_TYPE.JWT, ...target }),
 * })
 * const { token } = await cache.get({ audience: 'https://tool.example.com', scope: 'files:read' })
 * ```
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  checkObject(options, 'options')
  checkFunction(options.fetchToken, 'options.fetchToken')
  const refreshBefore = optionalNumber(options.refreshBefore, 'options.refreshBefore', 30, { min: 0, max: 3600 })
  const defaultLifetime = optionalNumber(options.defaultLifetime, 'options.defaultLifetime', 0, { min: 0, max: 86_400 })
  const maxEntries = optionalNumber(options.maxEntries, 'options.maxEntries', 256, { min: 1, max: 1_000_000, integer: true })
  const timeoutMs = Math.ceil(optionalNumber(options.timeout, 'options.timeout', 30, { min: 0.001, max: 600 }) * 1000)
  const { fetchToken, clock } = options
  const entries = new Map<string, Entry>()

  function evict(now: number): void {
    if (entries.size < maxEntries) return
    for (const [k, e] of entries) if (e.inflight === undefined && e.refreshAt <= now) entries.delete(k)
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next()
      if (oldest.done === true) break
      entries.delete(oldest.value)
    }
  }

  // A custom fetchToken is outside the response parser: an expiresIn of "300" would be concatenated
  // into an expiry tens of thousands of years away, Infinity would cache the token for ever.
  function checkFetched(r: TokenExchangeResponse): TokenExchangeResponse {
    if (typeof r !== 'object' || r === null || typeof r.accessToken !== 'string' || r.accessToken.length === 0 || typeof r.tokenType !== 'string') {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'fetchToken must resolve to a token response with accessToken and tokenType strings')
    }
    const e: unknown = r.expiresIn
    if (e !== undefined && (typeof e !== 'number' || !Number.isFinite(e) || e < 0)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', 'fetchToken expiresIn must be a finite non-negative number of seconds or undefined')
    }
    return r
  }

  function refresh(key: string, target: TokenTarget, entry: Entry): Promise<CachedToken> {
    const signal = AbortSignal.timeout(timeoutMs)
    const fetched = untilAborted(new Promise<TokenExchangeResponse>((resolve) => resolve(fetchToken(target, { signal }))), signal).catch((err: unknown) => {
      if (signal.aborted && err === signal.reason) throw new ProtocolError('ERR_TOKEN_EXCHANGE_FAILED', `the token exchange took longer than ${timeoutMs} ms`, { cause: err })
      throw err
    }).then(checkFetched)
    const p = fetched.then(
      (r) => {
        const now = nowSeconds(clock)
        const lifetime = r.expiresIn ?? (defaultLifetime > 0 ? defaultLifetime : undefined)
        const value: CachedToken = Object.freeze({
          token: r.accessToken,
          tokenType: r.tokenType,
          issuedTokenType: r.issuedTokenType,
          expiresAt: lifetime === undefined ? undefined : now + lifetime,
          scope: r.scope,
        })
        entry.inflight = undefined
        if (lifetime === undefined || lifetime <= refreshBefore) {
          if (entries.get(key) === entry && entry.value === undefined) entries.delete(key)
        } else {
          entry.value = value
          entry.refreshAt = now + lifetime - refreshBefore
        }
        return value
      },
      (err: unknown) => {
        entry.inflight = undefined
        if (entries.get(key) === entry && entry.value === undefined) entries.delete(key)
        throw err
      },
    )
    entry.inflight = p
    return p
  }

  return {
    get(target, getOptions) {
      let snapshot: TokenTarget
      try {
        snapshot = snapshotTarget(target)
      } catch (err) {
        return Promise.reject(err)
      }
      const key = targetKey(snapshot)
      const now = nowSeconds(clock)
      let entry = entries.get(key)
      if (entry?.value !== undefined && now < entry.refreshAt) return Promise.resolve(entry.value)
      if (entry === undefined) {
        evict(now)
        entry = { refreshAt: 0 }
        entries.set(key, entry)
      }
      const pending = entry.inflight ?? refresh(key, snapshot, entry)
      return untilAborted(pending, getOptions?.signal)
    },
    invalidate(target) {
      entries.delete(targetKey(snapshotTarget(target)))
    },
    clear() {
      entries.clear()
    },
  }
}

/**
 * What a token exchange cache exchanges: the subject (and optional actor) token of the broker.
 *
 * @example
 * ```ts
 * import { TOKEN_TYPE, type ExchangeSubject } from 'agentauth/token-exchange'
 * const subject = (): ExchangeSubject => ({ token: userAccessToken, tokenType: TOKEN_TYPE.ACCESS_TOKEN })
 * ```
 */
export interface ExchangeSubject {
  readonly token: string
  readonly tokenType: TokenTypeURI
}

/**
 * Options of {@link createTokenExchangeCache}.
 *
 * @example
 * ```ts
 * import { createTokenExchangeCache, TOKEN_TYPE, type TokenExchangeCacheOptions } from 'agentauth/token-exchange'
 * const options: TokenExchangeCacheOptions = { server, client, subject: () => ({ token: userToken, tokenType: TOKEN_TYPE.ACCESS_TOKEN }) }
 * const cache = createTokenExchangeCache(options)
 * ```
 */
export interface TokenExchangeCacheOptions extends Omit<TokenCacheOptions, 'fetchToken'> {
  server: OAuthServer
  client: OAuthClient
  /**
   * The current subject token (called for every exchange, so it may rotate). Always the same
   * subject: cached tokens are keyed by target only, so use one cache per user or session.
   */
  subject: () => ExchangeSubject | Promise<ExchangeSubject>
  /** The current actor token, if the broker acts for the subject. */
  actor?: () => ExchangeSubject | Promise<ExchangeSubject>
  /** `requested_token_type` for every exchange. */
  requestedTokenType?: TokenTypeURI
  fetch?: FetchLike
}

/**
 * A {@link TokenCache} that obtains tokens with RFC 8693 token exchange: for each target it
 * exchanges the current subject (and actor) token for one scoped to that target.
 *
 * @param options - server, client, subject/actor sources, requested type, cache tuning.
 * @returns the cache.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options; `get` throws
 *   ProtocolError `ERR_OAUTH_ERROR` | `ERR_OAUTH_RESPONSE_INVALID` | `ERR_TOKEN_EXCHANGE_FAILED`.
 *
 * @example
 * ```ts
 * import { createTokenExchangeCache, TOKEN_TYPE } from 'agentauth/token-exchange'
 * const cache = createTokenExchangeCache({
 *   server, client,
 *   subject: () => ({ token: userAccessToken, tokenType: TOKEN_TYPE.ACCESS_TOKEN }),
 *   actor: () => ({ token: agentAssertion, tokenType: TOKEN_TYPE.JWT }),
 * })
 * ```
 */
export function createTokenExchangeCache(options: TokenExchangeCacheOptions): TokenCache {
  checkObject(options, 'options')
  checkObject(options.server, 'options.server')
  checkObject(options.client, 'options.client')
  checkFunction(options.subject, 'options.subject')
  if (options.actor !== undefined) checkFunction(options.actor, 'options.actor')
  const { server, client, subject, actor, requestedTokenType, fetch } = options
  return createTokenCache({
    ...options,
    async fetchToken(target, { signal }) {
      const s = await subject()
      const a = actor === undefined ? undefined : await actor()
      return exchangeToken(
        server,
        client,
        {
          subjectToken: s.token,
          subjectTokenType: s.tokenType,
          ...(a === undefined ? {} : { actorToken: a.token, actorTokenType: a.tokenType }),
          ...(requestedTokenType === undefined ? {} : { requestedTokenType }),
          ...(target.audience === undefined ? {} : { audience: target.audience }),
          ...(target.resource === undefined ? {} : { resource: target.resource }),
          ...(target.scope === undefined ? {} : { scope: target.scope }),
        },
        fetch === undefined ? { signal } : { fetch, signal },
      )
    },
  })
}
