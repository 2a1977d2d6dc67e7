/**
 * An OpenID SSF 1.0 transmitter for platform teams and tests: transmitter metadata, JWKS, stream
 * management, verification events, SETs signed with any `Signer`, RFC 8935 push delivery with
 * retries and exponential backoff, an RFC 8936 poll endpoint that holds SETs until acknowledged,
 * and an outbox (memory or Redis) so undelivered events survive a restart.
 *
 * @example
 * ```ts
 * import { createTransmitter, createRedisOutbox } from 'agentauth/ssf/transmitter'
 *
 * const transmitter = createTransmitter({ issuer, signer, outbox: createRedisOutbox({ command }), authorizeReceiver })
 * transmitter.start()
 * await transmitter.emit({ type: 'credential-change', credential_type: 'x509', change_type: 'revoke' },
 *   { format: 'uri', uri: 'spiffe://example.org/agent/7' })
 * ```
 *
 * Reachable from `agentauth/ssf/transmitter`.
 *
 * @module ssf/transmitter
 */
export { createTransmitter, type Transmitter, type TransmitterOptions, type EmitEvent, type EmitOptions, type EmittedSET } from './transmitter.js'
export { createMemoryOutbox, type OutboxStore, type OutboxEntry, type FailedEntry, type StoredStream, type MemoryOutboxOptions } from './outbox.js'
export { createRedisOutbox, type RedisOutboxOptions } from './redis-outbox.js'
export type { RetryPolicy, DeliveryReport } from './delivery.js'
