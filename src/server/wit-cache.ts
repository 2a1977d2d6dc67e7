// A bounded cache of verified WITs keyed by the exact token string, so a WIT reused across many
// requests costs one signature verification, not one per request. Entries expire with the WIT and
// never outlive `maxAge` (policy.witCacheMaxAge: after it the WIT is verified again, so an issuer
// key removed from the trust bundle stops being honoured), are re-checked against the clock on every
// hit, and are dropped when a revocation matches. Insertion-ordered Map = LRU with O(1) refresh.
import type { WorkloadIdentifier } from '../identifier/index.js'
import type { VerifiedWIT } from '../wit/types.js'

export interface CachedWIT {
  readonly wit: VerifiedWIT
  readonly identifier: WorkloadIdentifier
  readonly jkt: string
  readonly expiresAt: number
}

export class VerifiedWITCache {
  readonly #max: number
  readonly #maxAge: number
  readonly #map = new Map<string, CachedWIT>()

  constructor(maxEntries: number, maxAgeSeconds: number) {
    this.#max = maxEntries
    this.#maxAge = maxAgeSeconds
  }

  get(token: string, now: number): CachedWIT | undefined {
    const e = this.#map.get(token)
    if (e === undefined) return undefined
    if (e.expiresAt <= now) {
      this.#map.delete(token)
      return undefined
    }
    // Refresh recency only when eviction is near: below half capacity nothing is evicted, and a
    // hit then costs one lookup instead of a delete and a re-insert.
    if (this.#map.size > this.#max >> 1) {
      this.#map.delete(token)
      this.#map.set(token, e)
    }
    return e
  }

  set(token: string, wit: VerifiedWIT, identifier: WorkloadIdentifier, jkt: string, now: number): void {
    if (this.#max === 0) return
    const expiresAt = Math.min(wit.claims.exp, now + this.#maxAge)
    if (expiresAt <= now) return
    if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value as string)
    this.#map.set(token, { wit, identifier, jkt, expiresAt })
  }

  delete(token: string): void {
    this.#map.delete(token)
  }

  get size(): number {
    return this.#map.size
  }
}
