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

/** Current time in whole seconds (NumericDate). */
export function nowSeconds(clock: Clock | undefined): number {
  const ms = (clock ?? systemClock)()
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'clock() must return finite milliseconds')
  return Math.floor(ms / 1000)
}
