// Review 9 (bounded state, lead 3): the verified-WIT cache holds at most `witCacheSize` entries
// (least recently used evicted first once it is more than half full), and no entry outlives its WIT's
// `exp` or `witCacheMaxAge` (seconds), checked at the boundary. Verifications are counted through
// the trust bundle source, which each uncached WIT is verified against.
import { describe, expect, it } from 'vitest'
import type { TrustBundleSource } from '../../../src/bundle/index.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { trustDomain, wptRequest, type Workload } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

async function setup(options: { witCacheSize?: number; witCacheMaxAge?: number; lifetime?: number }) {
  const t0 = Date.now()
  let now = t0
  const td = await trustDomain('example.org')
  let verifications = 0
  const trustBundles: TrustBundleSource = {
    getBundle: (domain, o) => {
      verifications++
      return td.trustBundles.getBundle(domain, o)
    },
  }
  const clock = (): number => now
  const verify = createRequestVerifier({
    trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), clock, clockTolerance: 0,
    ...(options.witCacheSize !== undefined ? { witCacheSize: options.witCacheSize } : {}),
    ...(options.witCacheMaxAge !== undefined ? { witCacheMaxAge: options.witCacheMaxAge } : {}),
  })
  const workload = (path: string): Promise<Workload> => td.workload(path, { clock, lifetime: options.lifetime ?? 3600 })
  const send = async (w: Workload): Promise<number> => {
    const before = verifications
    await verify(await wptRequest(w, `${ORIGIN}/x`, {}, { clock }))
    return verifications - before
  }
  return { workload, send, advance: (seconds: number) => { now += seconds * 1000 } }
}

describe('createRequestVerifier: verified-WIT cache bounds', () => {
  it('holds at most witCacheSize WITs: the least recently used one is verified again', async () => {
    const { workload, send } = await setup({ witCacheSize: 2 })
    const [a, b, c] = [await workload('/a'), await workload('/b'), await workload('/c')]
    expect([await send(a), await send(b), await send(a), await send(b)]).toEqual([1, 1, 0, 0])
    expect(await send(a)).toBe(0) // a is now the most recently used
    expect(await send(c)).toBe(1) // evicts b
    expect([await send(a), await send(c), await send(b)]).toEqual([0, 0, 1])
  })

  it('witCacheMaxAge is in seconds: a hit one second before it, a new verification at it', async () => {
    const { workload, send, advance } = await setup({ witCacheMaxAge: 60 })
    const a = await workload('/a')
    expect(await send(a)).toBe(1)
    advance(59)
    expect(await send(a)).toBe(0)
    advance(1)
    expect(await send(a)).toBe(1)
  })

  it('an entry never outlives its WIT: at exp the WIT is verified again (and refused)', async () => {
    const { workload, send, advance } = await setup({ witCacheMaxAge: 300, lifetime: 30 })
    const a = await workload('/a')
    expect(await send(a)).toBe(1)
    advance(29)
    expect(await send(a)).toBe(0)
    advance(1)
    await expect(send(a)).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
  })

  it('witCacheSize 0 verifies every request', async () => {
    const { workload, send } = await setup({ witCacheSize: 0 })
    const a = await workload('/a')
    expect([await send(a), await send(a)]).toEqual([1, 1])
  })
})
