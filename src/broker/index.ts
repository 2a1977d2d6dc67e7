/**
 * The credential broker: a separate process that holds an AI agent's private key, WIT and any
 * bearer tokens, applies a destination policy (origins, path prefixes, methods, rate limits, body
 * limits, human approval) and issues credentials for one request at a time — as headers (proof
 * mode, for `remoteCredentials` in `agentauth/fetch`) or by forwarding the request itself (proxy
 * mode, for `createProxyFetch`; the identity proxy of draft-ni-wimse-ai-agent-identity). Every
 * decision is written to an append-only audit sink.
 *
 * Runtime-agnostic: {@link createCredentialBroker} returns a `(Request) => Promise<Response>`
 * handler. `agentauth/broker/node` starts one from a JSON config on a Unix domain socket or a
 * loopback port.
 *
 * @example
 * ```ts
 * import { createCredentialBroker } from 'agentauth/broker'
 *
 * const broker = createCredentialBroker({
 *   signer, wit, proof: 'wpt',
 *   policy: { destinations: { 'https://api.example.com': { paths: ['/v1/'], methods: ['GET'] } } },
 *   audit: (record) => console.log(JSON.stringify(record)),
 *   capabilityTokens: capabilityToken,
 * })
 * ```
 *
 * Reachable from `agentauth/broker`.
 *
 * @module broker
 */
export { createCredentialBroker } from './broker.js'
export { redactURL } from './audit.js'
export type {
  ApprovalContext,
  ApprovalHook,
  AuditRecord,
  AuditSink,
  BrokerMode,
  BrokerPolicy,
  CredentialBroker,
  CredentialBrokerOptions,
  DestinationPolicy,
  RateLimit,
} from './types.js'
export type { RedirectPolicy } from '../fetch/redirects.js'
