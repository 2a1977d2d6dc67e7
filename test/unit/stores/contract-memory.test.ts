import { createMemoryReplayCache, createMemoryRevocationStore } from '../../../src/stores/index.js'
import { describeReplayCacheContract, describeRevocationStoreContract } from '../../helpers/store-contract.js'

function fakeClock(): { clock: () => number; now: () => number; advance: (s: number) => void } {
  let ms = 1_700_000_000_000
  return { clock: () => ms, now: () => Math.floor(ms / 1000), advance: (s) => void (ms += s * 1000) }
}

describeReplayCacheContract('memory', () => {
  const c = fakeClock()
  return { cache: createMemoryReplayCache({ clock: c.clock }), now: c.now, advance: c.advance }
}, { injectedClock: true })

describeReplayCacheContract('memory (system clock)', () => ({ cache: createMemoryReplayCache(), now: () => Math.floor(Date.now() / 1000) }))

describeRevocationStoreContract('memory', () => {
  const c = fakeClock()
  return { store: createMemoryRevocationStore({ clock: c.clock }), now: c.now, advance: c.advance }
}, { injectedClock: true })
