/**
 * Agent identity lifecycle: register agent identifiers, deprovision them (revoking every
 * credential through the shared `RevocationStore`, so verifiers refuse the agent on its next
 * call) and keep deprovisioned identifiers in a retained, never-reissued list with an audit trail.
 * Memory and Redis backends.
 *
 * @example
 * ```ts
 * import { createIdentityRegistry } from 'agentauth/lifecycle'
 * import { createMemoryRevocationStore } from 'agentauth/stores'
 *
 * const registry = createIdentityRegistry({ revocations: createMemoryRevocationStore() })
 * await registry.register('spiffe://example.org/agent/7')
 * await registry.deprovision('spiffe://example.org/agent/7', { reason: 'retired' })
 * await registry.isRetained('spiffe://example.org/agent/7') // true
 * ```
 *
 * Reachable from `agentauth/lifecycle`.
 *
 * @module lifecycle
 */
export {
  createIdentityRegistry,
  createMemoryRegistryBackend,
  type MemoryRegistryBackendOptions,
  type IdentityRegistry,
  type IdentityRegistryOptions,
  type IdentityRegistryBackend,
  type AuditRecord,
  type RetainedIdentity,
  type DeprovisionOptions,
} from './registry.js'
export { createRedisRegistryBackend, type RedisRegistryBackendOptions } from './redis-backend.js'
