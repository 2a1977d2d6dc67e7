// Token bucket per destination origin, on the injected clock. The default clock is the wall clock,
// which NTP or an operator may step back: refills then count from the new time instead of waiting
// for the clock to pass the last reading again (which stalled the destination for as long as the step).
import type { Clock } from '../internal/time.js'

export interface TokenBucket {
  /** 0 when a token was taken, else the seconds until one is available (≥ 1, for Retry-After). */
  take(): number
}

export function createTokenBucket(requests: number, interval: number, burst: number, clock: Clock): TokenBucket {
  const perMs = requests / (interval * 1000)
  let tokens = burst
  let last = clock()
  return {
    take() {
      const now = clock()
      if (now > last) tokens = Math.min(burst, tokens + (now - last) * perMs)
      last = now
      if (tokens >= 1) {
        tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))
    },
  }
}
