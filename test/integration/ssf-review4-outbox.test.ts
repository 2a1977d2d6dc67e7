// Review round 4, both OutboxStore implementations: moving a queued entry between push and poll (a
// stream's delivery method changed) takes it in and out of the push schedule; pendingControl.
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

    it('pendingControl lists the stream-control entries only, and forgets removed, failed and deleted ones', async () => {
      const o = await make()
      await o.enqueue(entry('e1', { createdAt: 1 }))
      await o.enqueue(entry('c1', { control: true, createdAt: 2 }))
      await o.enqueue(entry('e2', { createdAt: 3, delivery: 'poll' }))
      await o.enqueue(entry('c2', { control: true, createdAt: 4, delivery: 'poll' }))
      await o.enqueue(entry('c3', { control: true, createdAt: 5 }))
      await o.enqueue(entry('b1', { streamId: 'B', control: true, createdAt: 6 }))
      expect((await o.pendingControl!('A', 10)).map((e) => e.jti)).toEqual(['c1', 'c2', 'c3'])
      expect((await o.pendingControl!('A', 2)).map((e) => e.jti)).toEqual(['c1', 'c2'])
      await o.remove('A', ['c1'])
      await o.fail('A', 'c2', 'x', 9)
      expect((await o.pendingControl!('A', 10)).map((e) => e.jti)).toEqual(['c3'])
      await o.deleteStream('A')
      expect(await o.pendingControl!('A', 10)).toEqual([])
      expect((await o.pendingControl!('B', 10)).map((e) => e.jti)).toEqual(['b1'])
    })
  })
}

contract('memory', async () => createMemoryOutbox())
contract('redis', async () => {
  await redis().flush()
  return createRedisOutbox({ command: redis().command, prefix: 'ssf:review4:' })
})
