import { assertFunction, assertObject } from '../../internal/assert.js'
import type { RedisCommand } from './command.js'

/**
 * The part of an ioredis `Redis` (or `Cluster`) client that {@link ioredisCommand} uses.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { ioredisCommand, type IORedisLike } from 'agentauth/stores/redis'
 *
 * const client: IORedisLike = new Redis('redis://127.0.0.1:6379')
 * const command = ioredisCommand(client)
 * ```
 */
export interface IORedisLike {
  call(command: string, args: string[]): Promise<unknown>
}

/**
 * The part of a node-redis (`redis` package, v4/v5) client that {@link nodeRedisCommand} uses.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { nodeRedisCommand, type NodeRedisLike } from 'agentauth/stores/redis'
 *
 * const client: NodeRedisLike = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * const command = nodeRedisCommand(client)
 * ```
 */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>
}

/**
 * Adapts an ioredis client to a {@link RedisCommand} through `client.call(name, args)`. Typed
 * structurally: agentauth does not depend on ioredis.
 *
 * With ioredis' default offline queue, commands sent while Redis is down wait for a reconnect;
 * the stores' `timeoutMs` bounds that wait and fails closed.
 *
 * @param client - an ioredis `Redis` or `Cluster` instance (anything with `call(name, args)`).
 * @returns a command function for `createRedisReplayCache` / `createRedisRevocationStore`.
 * @throws `TypeError` `ERR_INVALID_ARG_TYPE` when `client.call` is not a function.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisReplayCache, ioredisCommand } from 'agentauth/stores/redis'
 *
 * const replayCache = createRedisReplayCache({ command: ioredisCommand(new Redis('redis://127.0.0.1:6379')) })
 * ```
 */
export function ioredisCommand(client: IORedisLike): RedisCommand {
  assertObject(client, 'client')
  assertFunction(client.call, 'client.call')
  return (args) => client.call(args[0]!, args.slice(1))
}

/**
 * Adapts a node-redis client (`createClient()` from the `redis` package) to a
 * {@link RedisCommand} through `client.sendCommand(args)`. Typed structurally: agentauth does not
 * depend on node-redis. (node-redis cluster clients take a different `sendCommand` signature; wrap
 * them yourself.)
 *
 * @param client - a connected node-redis client (anything with `sendCommand(args)`).
 * @returns a command function for `createRedisReplayCache` / `createRedisRevocationStore`.
 * @throws `TypeError` `ERR_INVALID_ARG_TYPE` when `client.sendCommand` is not a function.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createRedisRevocationStore, nodeRedisCommand } from 'agentauth/stores/redis'
 *
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * const revocations = createRedisRevocationStore({ command: nodeRedisCommand(client) })
 * ```
 */
export function nodeRedisCommand(client: NodeRedisLike): RedisCommand {
  assertObject(client, 'client')
  assertFunction(client.sendCommand, 'client.sendCommand')
  return (args) => client.sendCommand([...args])
}
