/**
 * Node entry point of the credential broker: {@link startBroker} runs `createCredentialBroker`
 * from a JSON config on a Unix domain socket (mode 0600) or a loopback port, with the agent's key
 * loaded from a JWK file, its WIT from a file / command / URL, the capability token from an
 * environment variable or file, and an append-only JSON-lines audit file
 * ({@link createFileAuditSink}). `node dist/broker/node/main.js --config broker.json` is the
 * command-line form.
 *
 * @example
 * ```ts
 * import { startBroker } from 'agentauth/broker/node'
 *
 * const broker = await startBroker({ config: './broker.json' })
 * console.log(`broker on ${broker.socketPath ?? broker.url}`)
 * ```
 *
 * Reachable from `agentauth/broker/node`.
 *
 * @module broker/node
 */
export { startBroker, type RunningBroker, type StartBrokerOptions } from './start.js'
export { createFileAuditSink, type FileAuditSink, type FileAuditSinkOptions } from './file-audit.js'
export type { BrokerConfig } from './config.js'
