/**
 * A clock returning milliseconds since the Unix epoch, like `Date.now`. Every verifier accepts one
 * so tests inject time instead of sleeping or mocking globals.
 */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

/** Current time in whole seconds (NumericDate). */
export function nowSeconds(clock: Clock | undefined): number {
  const ms = (clock ?? systemClock)()
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError('clock() must return finite milliseconds')
  return Math.floor(ms / 1000)
}
