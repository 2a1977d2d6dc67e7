/**
 * Per-call options agentauth passes to a {@link RedisCommand}.
 *
 * @example
 * ```ts
 * import type { RedisCommand, RedisCommandOptions } from 'agentauth/stores/redis'
 *
 * const command: RedisCommand = (args, options?: RedisCommandOptions) =>
 *   upstash.post(args, { signal: options?.signal }) // cancel when agentauth gives up waiting
 * ```
 */
export interface RedisCommandOptions {
  /**
   * Aborted when agentauth stops waiting for the reply (its `timeoutMs` elapsed). Clients that can
   * cancel (an HTTP-based Redis over `fetch`) should pass it on; others may ignore it — agentauth
   * fails closed on the timeout either way.
   */
  readonly signal?: AbortSignal
}

/**
 * The one function agentauth needs from a Redis client: send one command, get its reply.
 *
 * - ioredis: `ioredisCommand(redis)`, i.e. `(args) => redis.call(args[0], args.slice(1))`
 * - node-redis: `nodeRedisCommand(client)`, i.e. `(args) => client.sendCommand([...args])`
 *
 * Replies follow RESP as JavaScript values: `'OK'`, `null` for nil, integers, strings, arrays.
 * Prefer string replies; `Buffer` / `Uint8Array` replies are accepted too (an `'OK'` in bytes, stored
 * revocations as strict UTF-8), and integers as decimal strings or bigints (ioredis `stringNumbers`). Configure the client to reject on error replies.
 *
 * @example
 * ```ts
 * import type { RedisCommand } from 'agentauth/stores/redis'
 *
 * // An HTTP Redis (REST) adapter, honouring the abort signal:
 * const command: RedisCommand = async (args, options) => {
 *   const res = await fetch('https://redis.internal/', { method: 'POST', body: JSON.stringify(args), signal: options?.signal })
 *   if (!res.ok) throw new Error(`redis http ${res.status}`)
 *   return ((await res.json()) as { result: unknown }).result
 * }
 * ```
 */
export type RedisCommand = (args: readonly string[], options?: RedisCommandOptions) => Promise<unknown>
