import { describe, expect, it } from 'vitest'
import { createMemoryDedupeCache, createPollReceiver } from '../../../src/ssf/index.js'
import { testKey, verifyOptions } from '../../helpers/ssf.js'

const key = await testKey()

/** Runs the loop against a transmitter that answers `body` at once, until it sent `rounds` polls. */
async function loopAgainst(body: unknown, returnImmediately: boolean, rounds = 5) {
  let calls = 0
  const sleeps: number[] = []
  const rx = createPollReceiver({
    endpoint: 'https://tx.example.com/ssf/poll/1',
    verify: verifyOptions(key),
    replayCache: createMemoryDedupeCache(),
    onEvent: () => {},
    returnImmediately,
    idleDelay: 2000,
    fetch: async () => {
      calls++
      await new Promise((r) => setImmediate(r))
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
    },
    sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, 1)) },
  })
  rx.start()
  for (let i = 0; i < 500 && calls < rounds; i++) await new Promise((r) => setTimeout(r, 2))
  await rx.stop()
  return { calls, sleeps }
}

describe('createPollReceiver loop', () => {
  it('waits between polls when a long poll comes back empty at once (no busy loop)', async () => {
    const { calls, sleeps } = await loopAgainst({ sets: {} }, false)
    expect(calls).toBeGreaterThanOrEqual(5)
    // Every poll after the first followed a wait of (at most) idleDelay.
    expect(sleeps.length).toBeGreaterThanOrEqual(calls - 1)
    for (const ms of sleeps) expect(ms).toBeGreaterThan(0)
    for (const ms of sleeps) expect(ms).toBeLessThanOrEqual(2000)
  })

  it('waits idleDelay after an empty short poll even when the transmitter claims moreAvailable', async () => {
    const { calls, sleeps } = await loopAgainst({ sets: {}, moreAvailable: true }, true)
    expect(calls).toBeGreaterThanOrEqual(5)
    expect(sleeps.length).toBeGreaterThanOrEqual(calls - 1)
    for (const ms of sleeps) expect(ms).toBe(2000)
  })
})
