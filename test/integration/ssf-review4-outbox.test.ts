// Review round 4: moving a queued entry between push and poll (a stream's delivery method changed)
// must take it in and out of the push schedule, in both OutboxStore implementations.
import { describe, expect, it } from 'vitest'
import { createMemoryOutbox, createRedisOutbox, type OutboxEntry, type OutboxStore } from '../../src/ssf/transmitter/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()

const entry = (jti: string, over: Partial<OutboxEntry> = {}): OutboxEntry =>
  ({ jti, streamId: 'A', token: `t.${jti}.s`, delivery: 'push', control: false, createdAt: 1000, attempts: 0, nextAttemptAt: 1000, ...over })

function contract(name: string, make: () => Promise<OutboxStore>) {
  describe(`OutboxStore update across delivery methods: ${name}`, () => {
    it('push → poll leaves the push schedule; poll → push joins it', async () => {
      const o = await make()
      await o.enqueue(entry('p'))
      await o.enqueue(entry('q', { delivery: 'poll' }))
      await o.update({ ...entry('p'), delivery: 'poll' })
      await o.update({ ...entry('q'), delivery: 'push', nextAttemptAt: 2000 })
      expect((await o.due(1e12, 10)).map((e) => e.jti)).toEqual(['q'])
      expect((await o.pending('A', 10)).entries.map((e) => e.delivery).sort()).toEqual(['poll', 'push'])
    })
  })
}

contract('memory', async () => createMemoryOutbox())
contract('redis', async () => {
  await redis().flush()
  return createRedisOutbox({ command: redis().command, prefix: 'ssf:review4:' })
})
