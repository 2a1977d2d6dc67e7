import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import { defaultSleep, pollCibaToken } from '../../../src/ciba/index.js'
import { client, fakeOP, fakeTime, OP } from '../../helpers/ciba-fake-op.js'

describe('pollCibaToken stops at expires_in (review 7)', () => {
  it('does not wait a provider interval longer than the request lifetime', async () => {
    const op = fakeOP([])
    const t = fakeTime()
    const start = t.clock()
    const err = await pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 120, interval: 3600 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toBe('ERR_APPROVAL_EXPIRED')
    expect(t.clock() - start).toBeLessThanOrEqual(120_000)
    expect(op.requests).toHaveLength(0)
  })

  it('does not let slow_down push the last wait past the deadline', async () => {
    const op = fakeOP(['slow_down', 'slow_down', 'slow_down'])
    const t = fakeTime()
    const start = t.clock()
    const err = await pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 40, interval: 5 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep }).catch((e: unknown) => e)
    expect((err as ProtocolError).code).toBe('ERR_APPROVAL_EXPIRED')
    // 5 s, then 10 s, then 15 s (30 s in all), then at most the 10 s left of the 40 s lifetime.
    expect(t.waits).toEqual([5000, 10_000, 15_000, 10_000])
    expect(t.clock() - start).toBe(40_000)
  })
})

describe('defaultSleep (review 7)', () => {
  it('waits longer than the 2^31-1 ms a single timer holds instead of resolving at once', async () => {
    const controller = new AbortController()
    const long = defaultSleep(2 ** 31 + 1000, controller.signal).then(() => 'long', () => 'aborted')
    const short = new Promise<string>((resolve) => setTimeout(() => resolve('short'), 50))
    expect(await Promise.race([long, short])).toBe('short')
    controller.abort(new Error('done'))
    expect(await long).toBe('aborted')
  })
})
