// One contract for both OutboxStore implementations (memory, and Redis on a real redis-server).
import { describe, expect, it } from 'vitest'
import { createMemoryOutbox, createRedisOutbox, type OutboxEntry, type OutboxStore, type StoredStream } from '../../src/ssf/transmitter/index.js'
import { useRedis } from '../helpers/redis-server.js'

const redis = useRedis()
let n = 0

function entry(streamId: string, over: Partial<OutboxEntry> = {}): OutboxEntry {
  n++
  return { jti: `j${n}`, streamId, token: `t.${n}.s`, delivery: 'push', control: false, createdAt: 1000 + n, attempts: 0, nextAttemptAt: 1000 + n, ...over }
}
const stream = (id: string): StoredStream => ({ config: { stream_id: id, iss: 'https://tx', aud: 'rx', delivery: { method: 'urn:ietf:rfc:8936' } }, owner: 'rx', status: 'enabled', subjects: [], excluded: [] })

function contract(name: string, make: () => Promise<OutboxStore>) {
  describe(`OutboxStore contract: ${name}`, () => {
    it('queues per stream in creation order and pages with more', async () => {
      const o = await make()
      const a = [entry('A'), entry('A'), entry('A')]
      for (const e of a) await o.enqueue(e)
      await o.enqueue(entry('B'))
      const page = await o.pending('A', 2)
      expect(page.entries.map((e) => e.jti)).toEqual([a[0]!.jti, a[1]!.jti])
      expect(page.more).toBe(true)
      expect((await o.pending('A', 3)).more).toBe(false)
    })

    it('schedules push entries by nextAttemptAt; update reschedules; poll entries are never due', async () => {
      const o = await make()
      const p = entry('A')
      const q = entry('A', { delivery: 'poll' })
      await o.enqueue(p)
      await o.enqueue(q)
      expect((await o.due(p.nextAttemptAt, 10)).map((e) => e.jti)).toEqual([p.jti])
      await o.update({ ...p, attempts: 1, nextAttemptAt: 5000, lastError: 'HTTP 503' })
      expect(await o.due(4999, 10)).toEqual([])
      expect(await o.due(5000, 10)).toMatchObject([{ jti: p.jti, attempts: 1, lastError: 'HTTP 503' }])
    })

    it('removes only the jtis of the given stream; update after removal does not resurrect', async () => {
      const o = await make()
      const a = entry('A')
      const b = entry('B')
      await o.enqueue(a)
      await o.enqueue(b)
      await o.remove('A', [a.jti, b.jti])
      expect((await o.pending('A', 10)).entries).toEqual([])
      expect((await o.pending('B', 10)).entries.map((e) => e.jti)).toEqual([b.jti])
      await o.update({ ...a, attempts: 2 })
      expect((await o.pending('A', 10)).entries).toEqual([])
      expect(await o.due(1e12, 10)).toMatchObject([{ jti: b.jti }])
    })

    it('moves failed entries to the failed list with the error', async () => {
      const o = await make()
      const a = entry('A')
      await o.enqueue(a)
      await o.fail('B', a.jti, 'wrong stream', 1)
      expect((await o.pending('A', 10)).entries).toHaveLength(1)
      await o.fail('A', a.jti, '400 invalid_key', 9999)
      expect((await o.pending('A', 10)).entries).toHaveLength(0)
      expect(await o.due(1e12, 10)).toEqual([])
      expect((await o.failed()).at(-1)).toMatchObject({ jti: a.jti, token: a.token, error: '400 invalid_key', failedAt: 9999 })
    })

    it('counts the entries queued per stream through enqueue, remove, fail and deleteStream', async () => {
      const o = await make()
      expect(await o.queued!('A')).toBe(0)
      const a = [entry('A'), entry('A'), entry('A')]
      for (const e of a) await o.enqueue(e)
      await o.enqueue(entry('B'))
      expect(await o.queued!('A')).toBe(3)
      expect(await o.queued!('B')).toBe(1)
      await o.remove('A', [a[0]!.jti, 'unknown'])
      await o.remove('B', [a[1]!.jti]) // another stream's jti: ignored
      expect(await o.queued!('A')).toBe(2)
      await o.fail('A', a[1]!.jti, 'gone', 1)
      expect(await o.queued!('A')).toBe(1)
      await o.deleteStream('A')
      expect(await o.queued!('A')).toBe(0)
      expect(await o.queued!('B')).toBe(1)
    })

    it('stores streams and deletes a stream with its queue', async () => {
      const o = await make()
      await o.putStream(stream('S1'))
      await o.putStream({ ...stream('S2'), status: 'paused' })
      expect(await o.getStream('S2')).toMatchObject({ status: 'paused' })
      expect((await o.listStreams()).map((s) => s.config.stream_id).sort()).toEqual(['S1', 'S2'])
      await o.enqueue(entry('S1'))
      await o.deleteStream('S1')
      expect(await o.getStream('S1')).toBeUndefined()
      expect((await o.pending('S1', 10)).entries).toEqual([])
      expect(await o.due(1e12, 10)).toEqual([])
    })
  })
}

contract('memory', async () => createMemoryOutbox())
contract('redis', async () => {
  await redis().flush()
  return createRedisOutbox({ command: redis().command, prefix: `t${n}:` })
})
