// Loss-free, exactly-once-when-healthy processing of SETs by `iss` + `jti`, shared by the push and
// poll receivers. Two keys per SET in one claim + release cache:
//
//   lease:set:<n>:<iss>:<jti>  short claim (leaseSeconds) held while one delivery runs the handler;
//   set:<n>:<iss>:<jti>        the done marker, written only AFTER the handler resolved, kept for the
//                          dedupe window.
//
// A delivery: claim the lease (held → "busy": someone is on it, come back later) → test the done
// marker (held → "duplicate") → run the handler → write the done marker → release the lease.
// Testing uses claim(key, 1): under the ReplayCache contract a claim whose expiresAt is already
// past resolves false while the key is held, true otherwise, and records nothing — a pure read.
//
// Why no SET is lost: the only thing that makes a later copy be acknowledged without processing is
// the done marker, and it is written only after the handler succeeded. A store failure at any other
// step leaves at most a lease, which expires by itself after leaseSeconds. What degrades, and only
// under store failures or a handler outliving its lease, is exactly-once → at-least-once.
import type { Clock } from '../internal/time.js'
import { nowSeconds } from '../internal/time.js'
import type { EventDedupeCache } from './dedupe.js'
import { replayKey, type CheckedVerifyOptions, type SecurityEventToken } from './set.js'

/** What {@link SETDedupe.run} did with one SET. */
export type DedupeOutcome = 'processed' | 'duplicate' | 'busy'

/** Runs a SET's handler at most once per dedupe window while the store is healthy, never zero times. */
export interface SETDedupe {
  /**
   * `processed`: the handler resolved (its done marker may have failed to be written — reported to
   * `report`; a later copy may then be processed again). `duplicate`: already processed, the handler
   * was not called. `busy`: another delivery holds the lease; not processed, not acknowledged.
   * Rejects with the handler's error (lease released), or with the store's error when the lease or
   * the done marker could not be read (nothing recorded). `report` hears of swallowed store errors.
   */
  run(set: SecurityEventToken, handler: () => Promise<void> | void, report: (error: unknown) => void): Promise<DedupeOutcome>
}

/** Epoch second 1: always past, so a claim with it only tests whether the key is held. */
const PROBE_AT = 1
export const DEFAULT_LEASE_SECONDS = 30

/**
 * Seconds since the epoch until which a processed SET stays marked done. One second past the last
 * whole second in which verification still accepts it (`now - iat <= maxTokenAge + clockTolerance`
 * on whole seconds), so a copy arriving in that last second still finds the marker.
 */
function doneUntil(set: SecurityEventToken, verify: CheckedVerifyOptions, now: number): number {
  const end = verify.maxTokenAge !== undefined ? set.iat + verify.maxTokenAge : now + verify.replayWindow
  return Math.ceil(end + verify.clockTolerance) + 1
}

export function createSETDedupe(
  cache: EventDedupeCache,
  verify: CheckedVerifyOptions,
  leaseSeconds: number,
): SETDedupe {
  const clock: Clock | undefined = verify.clock
  return {
    async run(set, handler, report) {
      const done = replayKey(set)
      const lease = `lease:${done}`
      const now = nowSeconds(clock)
      if (!(await cache.claim(lease, now + leaseSeconds))) return 'busy'
      let releaseLease = true
      try {
        if (!(await cache.claim(done, PROBE_AT))) return 'duplicate'
        await handler()
        try {
          await cache.claim(done, doneUntil(set, verify, now))
        } catch (error) {
          // Processed but not marked: a later copy is processed again (at-least-once). Keep the
          // lease so copies arriving within leaseSeconds are still turned away.
          releaseLease = false
          report(error)
        }
        return 'processed'
      } finally {
        if (releaseLease) await cache.release(lease).catch(report)
      }
    },
  }
}
