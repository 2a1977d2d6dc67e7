// OutboxStore in Redis over a one-function RedisCommand. Layout (prefix P):
//   P entries  HASH  jti → entry JSON          P q:<stream>  ZSET jti by createdAt
//   P due      ZSET  push jti by nextAttemptAt P failed      LIST failed entry JSON (capped)
//   P s:<id>   STRING stream JSON              P streams     SET  stream ids
//   P c:<stream> ZSET control (verification, stream-updated) jti by createdAt
// Multi-key writes that must not be torn (enqueue, update, remove of one jti) are Lua scripts.
import { StoreError } from '../../errors/index.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../../internal/assert.js'
import { createCall as boundedRedisCall, unexpectedReply as redisReplyError } from '../../stores/redis/call.js'
import type { RedisCommand } from '../../stores/redis/command.js'
import type { FailedEntry, OutboxEntry, OutboxStore, StoredStream } from './outbox.js'

/**
 * Options of {@link createRedisOutbox}.
 *
 * @example
 * ```ts
 * createRedisOutbox({ command, prefix: 'ssf:prod:', timeoutMs: 500 })
 * ```
 */
export interface RedisOutboxOptions {
  /** One-function Redis client (`agentauth/stores/redis` `RedisCommand`). */
  readonly command: RedisCommand
  /** Key prefix. Default `agentauth:ssf:outbox:`. */
  readonly prefix?: string
  /** Per-command timeout in ms. Default 2000. */
  readonly timeoutMs?: number
  /** Failed entries kept. Default 1000. */
  readonly maxFailed?: number
}

// A stream record and its listing in one step: a failure between the two left a record no
// listing reached (SET then SADD).
const PUT_STREAM = `redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1`
const ENQUEUE = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
if ARGV[5] == '1' then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1]) end
return 1`
const UPDATE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1`
const REMOVE = `local n = 0
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('ZREM', KEYS[3], ARGV[i])
    redis.call('ZREM', KEYS[4], ARGV[i])
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n`
const FAIL = `if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
local e = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if e and tonumber(ARGV[3]) > 0 then
  redis.call('RPUSH', KEYS[4], ARGV[2] .. string.sub(e, 2))
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[3]), -1)
end
return 1`

function parse<T>(value: unknown, what: string): T {
  if (typeof value !== 'string') throw redisReplyError(what)
  try {
    return JSON.parse(value) as T
  } catch (cause) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', `corrupted ${what} in Redis`, { cause })
  }
}

/**
 * Creates an {@link OutboxStore} in Redis. Undelivered SETs and stream configurations survive a
 * transmitter restart: a new transmitter on the same Redis delivers what the old one left. Several
 * transmitter instances may share it (delivery is at-least-once; receivers dedupe by `jti`).
 * Uses `HSET`/`ZADD`/`ZRANGE`/`EVAL` and friends only, through the one-function `command`.
 *
 * @param options - {@link RedisOutboxOptions}.
 * @returns the store; methods reject with StoreError `ERR_STORE_UNAVAILABLE` when Redis fails.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisOutbox, createTransmitter } from 'agentauth/ssf/transmitter'
 * const redis = new Redis()
 * const outbox = createRedisOutbox({ command: (args) => redis.call(args[0]!, ...args.slice(1)) })
 * ```
 */
export function createRedisOutbox(options: RedisOutboxOptions): OutboxStore {
  assertObject(options, 'options')
  assertFunction(options.command, 'options.command')
  const p = options.prefix ?? 'agentauth:ssf:outbox:'
  assertString(p, 'options.prefix', { allowEmpty: true })
  const maxFailed = optionalNumber(options.maxFailed, 'options.maxFailed', 1000, { min: 0, integer: true })
  const call = boundedRedisCall(options.command, optionalNumber(options.timeoutMs, 'options.timeoutMs', 2000, { min: 1, max: 60_000, integer: true }))
  const ENTRIES = `${p}entries`
  const DUE = `${p}due`
  const FAILED = `${p}failed`
  const STREAMS = `${p}streams`
  const q = (streamId: string): string => `${p}q:${streamId}`
  const s = (streamId: string): string => `${p}s:${streamId}`
  const c = (streamId: string): string => `${p}c:${streamId}`

  async function load(jtis: readonly string[]): Promise<OutboxEntry[]> {
    if (jtis.length === 0) return []
    const reply = await call(['HMGET', ENTRIES, ...jtis])
    if (!Array.isArray(reply)) throw redisReplyError('HMGET')
    return reply.filter((v): v is string => v !== null).map((v) => parse<OutboxEntry>(v, 'outbox entry'))
  }

  function strings(reply: unknown, what: string): string[] {
    if (!Array.isArray(reply) || !reply.every((x) => typeof x === 'string')) throw redisReplyError(what)
    return reply as string[]
  }

  return Object.freeze({
    async enqueue(entry: OutboxEntry): Promise<void> {
      await call(['EVAL', ENQUEUE, '4', ENTRIES, q(entry.streamId), DUE, c(entry.streamId), entry.jti, JSON.stringify(entry), String(entry.createdAt), entry.delivery === 'push' ? String(entry.nextAttemptAt) : '', entry.control ? '1' : '0'])
    },
    async due(now: number, limit: number): Promise<readonly OutboxEntry[]> {
      const jtis = strings(await call(['ZRANGE', DUE, '-inf', String(now), 'BYSCORE', 'LIMIT', '0', String(limit)]), 'ZRANGE due')
      return load(jtis)
    },
    async pending(streamId: string, limit: number): Promise<{ readonly entries: readonly OutboxEntry[]; readonly more: boolean }> {
      const jtis = strings(await call(['ZRANGE', q(streamId), '0', String(limit)]), 'ZRANGE queue')
      const more = jtis.length > limit
      return { entries: await load(jtis.slice(0, limit)), more }
    },
    async queued(streamId: string): Promise<number> {
      const reply = await call(['ZCARD', q(streamId)])
      const n = typeof reply === 'string' && /^\d{1,15}$/.test(reply) ? Number(reply) : reply
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw redisReplyError('ZCARD queue')
      return n
    },
    async pendingControl(streamId: string, limit: number): Promise<readonly OutboxEntry[]> {
      // ZRANGE 0 -1 would be every control entry.
      if (!(limit >= 1)) return []
      return load(strings(await call(['ZRANGE', c(streamId), '0', String(limit - 1)]), 'ZRANGE control'))
    },
    async update(entry: OutboxEntry): Promise<void> {
      await call(['EVAL', UPDATE, '2', ENTRIES, DUE, entry.jti, JSON.stringify(entry), entry.delivery === 'push' ? String(entry.nextAttemptAt) : ''])
    },
    async remove(streamId: string, jtis: readonly string[]): Promise<void> {
      for (let i = 0; i < jtis.length; i += 500) {
        const batch = jtis.slice(i, i + 500)
        if (batch.length > 0) await call(['EVAL', REMOVE, '4', ENTRIES, q(streamId), DUE, c(streamId), ...batch])
      }
    },
    async fail(streamId: string, jti: string, error: string, now: number): Promise<void> {
      // The failed record is the entry JSON with two members spliced in front.
      const head = `{"failedAt":${Math.floor(now)},"error":${JSON.stringify(error)},`
      await call(['EVAL', FAIL, '5', ENTRIES, q(streamId), DUE, FAILED, c(streamId), jti, head, String(maxFailed)])
    },
    async failed(limit = 100): Promise<readonly FailedEntry[]> {
      // LRANGE -0 -1 is the whole list; NaN or a fraction made Redis fail the call.
      optionalNumber(limit, 'limit', 100, { min: 0, integer: true })
      if (limit === 0) return []
      return strings(await call(['LRANGE', FAILED, String(-limit), '-1']), 'LRANGE failed').map((v) => parse<FailedEntry>(v, 'failed entry'))
    },
    async putStream(stream: StoredStream): Promise<void> {
      await call(['EVAL', PUT_STREAM, '2', s(stream.config.stream_id), STREAMS, JSON.stringify(stream), stream.config.stream_id])
    },
    async getStream(streamId: string): Promise<StoredStream | undefined> {
      const v = await call(['GET', s(streamId)])
      return v === null ? undefined : parse<StoredStream>(v, 'stream')
    },
    async listStreams(): Promise<readonly StoredStream[]> {
      const ids = strings(await call(['SMEMBERS', STREAMS]), 'SMEMBERS').sort()
      if (ids.length === 0) return []
      const values = await call(['MGET', ...ids.map(s)])
      if (!Array.isArray(values)) throw redisReplyError('MGET')
      return values.filter((v): v is string => v !== null).map((v) => parse<StoredStream>(v, 'stream'))
    },
    async deleteStream(streamId: string): Promise<void> {
      // The stream record goes last: when a step fails, the stream is still there, so deleting it
      // again finishes the job (deleting the record first left the queued SETs with no stream to
      // delete them through). Unlisted first, so emits stop choosing it.
      const sweep = async (): Promise<void> => {
        const jtis = strings(await call(['ZRANGE', q(streamId), '0', '-1']), 'ZRANGE queue')
        for (let i = 0; i < jtis.length; i += 500) await call(['EVAL', REMOVE, '4', ENTRIES, q(streamId), DUE, c(streamId), ...jtis.slice(i, i + 500)])
      }
      await call(['SREM', STREAMS, streamId])
      await sweep()
      await call(['DEL', s(streamId)])
      // A SET enqueued by an emit that listed the stream before it was unlisted; later ones see the
      // stream gone and remove their own entry (transmitter).
      await sweep()
      await call(['DEL', c(streamId)])
    },
  })
}
