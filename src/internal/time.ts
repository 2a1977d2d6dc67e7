import { codedTypeError } from '../errors/index.js'

/**
 * A clock returning milliseconds since the Unix epoch, like `Date.now`. Every verifier accepts one
 * so tests inject time instead of sleeping or mocking globals.
 *
 * @example
 * ```ts
 * import { verifyWIT, type Clock } from 'agentauth'
 *
 * let now = Date.parse('2025-06-01T12:00:00Z')
 * const clock: Clock = () => now
 * await verifyWIT(wit, { trustBundles, clock }) // valid now…
 * now += 2 * 3600_000 // …two hours later, without sleeping
 * await verifyWIT(wit, { trustBundles, clock }).catch((err) => console.log(err.code)) // 'ERR_WIT_EXPIRED'
 * ```
 */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

/** Current time in whole seconds (NumericDate), for claims a token is minted with. */
export function nowSeconds(clock: Clock | undefined): number {
  return Math.floor(nowExactSeconds(clock))
}

/**
 * Current time in seconds with its fraction, for comparing received time claims: a NumericDate may
 * be fractional (RFC 7519 §2), and against whole seconds an `exp` of `t + 0.5` passed as valid
 * until `t + 1` and an `nbf` of `t + 0.5` was refused until then. For whole-second claims and
 * tolerances every comparison gives the same answer as with {@link nowSeconds}.
 */
export function nowExactSeconds(clock: Clock | undefined): number {
  const ms = (clock ?? systemClock)()
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'clock() must return finite milliseconds')
  return ms / 1000
}
