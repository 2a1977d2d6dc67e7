/**
 * The one function agentauth needs from a Redis client: send one command, get its reply.
 *
 * - ioredis: `(args) => redis.call(args[0], ...args.slice(1))`
 * - node-redis: `(args) => client.sendCommand([...args])`
 *
 * Replies follow RESP: `'OK'`, `null`, integers, strings, arrays.
 */
export type RedisCommand = (args: readonly string[]) => Promise<unknown>
