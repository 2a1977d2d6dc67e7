// Redirect targets of authorised requests, remembered with the credential values the request
// carried, so a follower the interceptor cannot see through (`undici.fetch`'s own redirect loop,
// or `interceptors.redirect` behind a wrapper that hides its inner handler) cannot hand them to
// an origin that is not allow-listed.
import type { Dispatcher } from 'undici'

const REDIRECT_STATUS = new Set([300, 301, 302, 303, 307, 308])
/** Remembered targets; the oldest is forgotten first. */
const MAX_TARGETS = 256
/**
 * Credential values remembered per target; the oldest is forgotten first. A follower sends the hop
 * right after the redirect answer, so the latest values are the ones that matter, and one target
 * redirected to on every request (a new Txn-Token each time) must not grow without bound.
 */
const MAX_VALUES = 64

export interface RedirectWatch {
  /** Wraps `handler` so a redirect answer's `Location` is remembered with `values`. */
  wrap(handler: Dispatcher.DispatchHandler, requestURL: string, values: readonly string[]): Dispatcher.DispatchHandler
  /** True when `url` is a remembered redirect target of a request that carried one of `values`. */
  isTarget(url: string, values: readonly string[]): boolean
  /** True while nothing is remembered (requests to other origins need no look). */
  isEmpty(): boolean
}

function locations(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return []
}

/** `origin + path + query` of `location` resolved against `base`; undefined when unusable. */
function target(location: string, base: string): string | undefined {
  try {
    const url = new URL(location, base)
    return url.origin + url.pathname + url.search
  } catch {
    return undefined
  }
}

export function createRedirectWatch(isAllowed: (origin: string) => boolean): RedirectWatch {
  const targets = new Map<string, Set<string>>()

  const remember = (url: string, values: readonly string[]): void => {
    const known = targets.get(url) ?? new Set<string>()
    targets.delete(url)
    for (const v of values) {
      known.delete(v)
      known.add(v)
    }
    while (known.size > MAX_VALUES) known.delete(known.values().next().value as string)
    targets.set(url, known)
    while (targets.size > MAX_TARGETS) targets.delete(targets.keys().next().value as string)
  }

  return {
    wrap(handler, requestURL, values) {
      const inner = handler as Dispatcher.DispatchHandler & Record<string, unknown>
      return {
        handler,
        onRequestStart: (controller, context) => inner.onRequestStart?.(controller, context),
        onRequestUpgrade: (controller, statusCode, headers, socket) => inner.onRequestUpgrade?.(controller, statusCode, headers, socket),
        onResponseStart(controller, statusCode, headers, statusMessage) {
          if (REDIRECT_STATUS.has(statusCode)) {
            for (const location of locations((headers as Record<string, unknown> | undefined)?.location)) {
              const url = target(location, requestURL)
              if (url !== undefined && !isAllowed(new URL(url).origin)) remember(url, values)
            }
          }
          return inner.onResponseStart?.(controller, statusCode, headers, statusMessage)
        },
        onResponseData: (controller, chunk) => inner.onResponseData?.(controller, chunk),
        onResponseEnd: (controller, trailers) => inner.onResponseEnd?.(controller, trailers),
        onResponseError: (controller, err) => inner.onResponseError?.(controller, err),
      } as Dispatcher.DispatchHandler
    },
    isEmpty: () => targets.size === 0,
    isTarget(url, values) {
      const known = targets.get(url)
      return known !== undefined && values.some((v) => known.has(v))
    },
  }
}
