// Agent identity lifecycle: identifiers are registered, used, and deprovisioned. Deprovisioning
// revokes the agent's credentials in the shared RevocationStore and moves the identifier to a
// retained list: it is never issued again (a new agent gets a new identifier), so audit records
// that name it stay unambiguous.
import { StoreError, VerificationError, codedTypeError, isAgentAuthError } from '../errors/index.js'
import { assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { nowSeconds, type Clock } from '../internal/time.js'
import { checkWellFormed } from '../stores/contract.js'
import type { RevocationEntry, RevocationStore } from '../stores/types.js'

/**
 * One audit record.
 *
 * @example
 * ```ts
 * for (const r of await registry.auditTrail(agentId)) console.log(r.at, r.action, r.actor, r.reason)
 * ```
 */
export interface AuditRecord {
  readonly id: string
  readonly action: 'registered' | 'deprovisioned' | 'refused'
  /** Epoch seconds. */
  readonly at: number
  readonly reason?: string
  /** Who did it (free text from the caller). */
  readonly actor?: string
}

/**
 * A retained (deprovisioned) identifier.
 *
 * @example
 * ```ts
 * const retained: RetainedIdentity = await registry.deprovision(agentId, { reason: 'retired' })
 * ```
 */
export interface RetainedIdentity {
  readonly id: string
  readonly deprovisionedAt: number
  readonly reason: string
  readonly actor?: string
}

/**
 * Options of {@link IdentityRegistry.deprovision}.
 *
 * @example
 * ```ts
 * await registry.deprovision(agentId, { reason: 'key leaked', actor: 'security-oncall' } satisfies DeprovisionOptions)
 * ```
 */
export interface DeprovisionOptions {
  /** Why (kept in the audit trail and the revocation entry). */
  reason: string
  /** Who (kept in the audit trail and the retention record; at most 1024 characters, well-formed Unicode). */
  actor?: string
}

/**
 * The storage behind a registry: memory or Redis. All methods fail closed (StoreError).
 *
 * @example
 * ```ts
 * const backend: IdentityRegistryBackend = createRedisRegistryBackend({ command })
 * ```
 */
export interface IdentityRegistryBackend {
  /** Marks `id` active unless retained; resolves 'created', 'exists' or 'retained'. */
  register(id: string, record: AuditRecord): Promise<'created' | 'exists' | 'retained'>
  /** Retains `id` (first retention wins) and clears its active mark; resolves false when it was already retained. */
  retain(identity: RetainedIdentity, record: AuditRecord): Promise<boolean>
  isActive(id: string): Promise<boolean>
  retained(id: string): Promise<RetainedIdentity | undefined>
  audit(record: AuditRecord): Promise<void>
  /** Audit records, oldest first (of one id, or all when `id` is undefined), at most `limit`. */
  trail(id: string | undefined, limit: number): Promise<readonly AuditRecord[]>
}

/**
 * Registry of agent identifiers with retention of deprovisioned ones.
 *
 * @example
 * ```ts
 * const registry: IdentityRegistry = createIdentityRegistry({ revocations })
 * await registry.assertIssuable(agentId) // before minting a WIT
 * ```
 */
export interface IdentityRegistry {
  /**
   * Registers an identifier before credentials are issued for it. Resolves `true` when new,
   * `false` when already active.
   * @throws VerificationError `ERR_IDENTITY_RETAINED` when the identifier was deprovisioned.
   */
  register(id: string, options?: { actor?: string }): Promise<boolean>
  /**
   * Deprovisions: revokes every credential of `id` (a `sub` revocation in the RevocationStore)
   * and retains the identifier. Idempotent; resolves the retention record.
   */
  deprovision(id: string, options: DeprovisionOptions): Promise<RetainedIdentity>
  /** True when `id` was deprovisioned (it must never be issued again). */
  isRetained(id: string): Promise<boolean>
  /** True when `id` is registered and not retained. */
  isActive(id: string): Promise<boolean>
  /** Throws unless `id` is active: call it before minting a credential. */
  assertIssuable(id: string): Promise<void>
  /** The audit trail (of one identifier, or of all), oldest first. */
  auditTrail(id?: string, options?: { limit?: number }): Promise<readonly AuditRecord[]>
}

/**
 * Options of {@link createIdentityRegistry}.
 *
 * @example
 * ```ts
 * createIdentityRegistry({ backend: createMemoryRegistryBackend(), revocations, revocationTtl: 7 * 86400 })
 * ```
 */
export interface IdentityRegistryOptions {
  /** Where identities live: `createMemoryRegistryBackend()` (default) or `createRedisRegistryBackend({ command })`. */
  backend?: IdentityRegistryBackend
  /** The revocation store your verifiers check; deprovisioning writes to it. Required. */
  revocations: RevocationStore
  /**
   * How long (seconds) the `sub` revocation of a deprovisioned agent lives: at least the longest
   * credential lifetime plus the verifiers' `clockTolerance`. Default 30 days, at most 100 years
   * (3 153 600 000). Issuers must also call `assertIssuable` before minting.
   */
  revocationTtl?: number
  /** Milliseconds clock. */
  clock?: Clock
}

const MAX_ID = 2048
/** Longest `revocationTtl` (100 years): `now + ttl` must stay within what every store records. */
const MAX_REVOCATION_TTL = 100 * 365 * 86_400

// Well-formed like every revocation value: a lone surrogate could be registered but never
// deprovisioned (the store refuses it), and Redis stores it as U+FFFD (distinct ids collide).
function checkId(id: unknown): asserts id is string {
  assertString(id, 'id')
  if (id.length > MAX_ID) throw codedTypeError('ERR_INVALID_ARG_VALUE', `id must be at most ${MAX_ID} characters`)
  checkWellFormed(id, 'id')
}

/** `text` cut to at most `max` code units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const code = text.charCodeAt(max - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

/**
 * Wraps a registry method so that a failure of a dependency (backend, revocation store) carrying no
 * agentauth code rejects as `StoreError` `ERR_STORE_UNAVAILABLE` (fail closed, 503), as the
 * verifiers do for their stores; agentauth errors and coded `TypeError`s pass unchanged.
 */
function failClosed<A extends unknown[], R>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await method(...args)
    } catch (cause) {
      if (isAgentAuthError(cause) || (cause instanceof TypeError && typeof (cause as { code?: unknown }).code === 'string')) throw cause
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'identity registry storage failed', { cause })
    }
  }
}

/** An optional `actor`: a string of at most 1024 well-formed code units (it is kept forever). */
function checkActor(actor: unknown): void {
  if (actor === undefined) return
  assertString(actor, 'options.actor')
  if (actor.length > 1024) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.actor must be at most 1024 characters')
  checkWellFormed(actor, 'options.actor')
}

function optionsObject<T>(value: T | undefined, name: string): T | Record<string, never> {
  if (value === undefined) return {}
  assertObject(value, name)
  return value
}

/**
 * Creates an identity registry for agents (workload identifiers): `register` refuses a retained
 * identifier, `deprovision` revokes the agent's credentials and retains its identifier forever,
 * every action is appended to an audit trail.
 *
 * @param options - {@link IdentityRegistryOptions}; `revocations` is required.
 * @returns an {@link IdentityRegistry}.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options; the registry's methods reject with it for
 *   a bad id (empty, over 2048 characters, a lone surrogate), reason or actor (over 1024
 *   characters, a lone surrogate) or options object, and with
 *   `StoreError` (`ERR_STORE_UNAVAILABLE`, or the store's own code such as `ERR_STORE_FULL`) when
 *   the backend or the revocation store fails — an uncoded failure of a store you wrote yourself
 *   becomes `ERR_STORE_UNAVAILABLE`, never a request to let an issuer mint.
 *
 * @example
 * ```ts
 * import { createIdentityRegistry, createRedisRegistryBackend } from 'agentauth/lifecycle'
 * import { createRedisRevocationStore } from 'agentauth/stores/redis'
 * const registry = createIdentityRegistry({
 *   backend: createRedisRegistryBackend({ command }),
 *   revocations: createRedisRevocationStore({ command }),
 * })
 * await registry.register('spiffe://example.org/agent/7')
 * await registry.deprovision('spiffe://example.org/agent/7', { reason: 'agent retired', actor: 'ops' })
 * await registry.register('spiffe://example.org/agent/7') // throws ERR_IDENTITY_RETAINED
 * ```
 */
export function createIdentityRegistry(options: IdentityRegistryOptions): IdentityRegistry {
  assertObject(options, 'options')
  const revocations = options.revocations
  if (typeof revocations !== 'object' || revocations === null || typeof revocations.revoke !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.revocations must be a RevocationStore')
  const backend = options.backend ?? createMemoryRegistryBackend()
  if (typeof backend !== 'object' || typeof backend.register !== 'function' || typeof backend.retain !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.backend must be an IdentityRegistryBackend')
  const ttl = optionalNumber(options.revocationTtl, 'options.revocationTtl', 30 * 86_400, { min: 1, max: MAX_REVOCATION_TTL, integer: true })
  if (options.clock !== undefined && typeof options.clock !== 'function') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must be a function')
  const clock = options.clock as Clock | undefined
  const stamp = (id: string, action: AuditRecord['action'], reason?: string, actor?: string): AuditRecord =>
    Object.freeze({ id, action, at: nowSeconds(clock), ...(reason === undefined ? {} : { reason }), ...(actor === undefined ? {} : { actor }) })

  const registry: IdentityRegistry = {
    async register(id, options) {
      checkId(id)
      const o: { actor?: string } = optionsObject(options, 'options')
      checkActor(o.actor)
      const outcome = await backend.register(id, stamp(id, 'registered', undefined, o.actor))
      if (outcome === 'retained') {
        await backend.audit(stamp(id, 'refused', 'identifier is retained', o.actor))
        throw new VerificationError('ERR_IDENTITY_RETAINED', 'identifier was deprovisioned and is never issued again', { claim: 'sub' })
      }
      return outcome === 'created'
    },
    async deprovision(id, o) {
      checkId(id)
      assertObject(o, 'options')
      assertString(o.reason, 'options.reason')
      if (o.reason.length > 1024) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.reason must be at most 1024 characters')
      checkWellFormed(o.reason, 'options.reason')
      checkActor(o.actor)
      const now = nowSeconds(clock)
      // Revoke first: if retention then fails, the agent is already locked out (fail closed).
      const entry: RevocationEntry = { sub: id, until: now + ttl, reason: truncate(`deprovisioned: ${o.reason}`, 1024), revokedAt: now }
      await revocations.revoke(entry)
      const identity: RetainedIdentity = Object.freeze({ id, deprovisionedAt: now, reason: o.reason, ...(o.actor === undefined ? {} : { actor: o.actor }) })
      await backend.retain(identity, stamp(id, 'deprovisioned', o.reason, o.actor))
      return (await backend.retained(id)) ?? identity
    },
    async isRetained(id) {
      checkId(id)
      return (await backend.retained(id)) !== undefined
    },
    async isActive(id) {
      checkId(id)
      return (await backend.retained(id)) === undefined && (await backend.isActive(id))
    },
    async assertIssuable(id) {
      checkId(id)
      if ((await backend.retained(id)) !== undefined) throw new VerificationError('ERR_IDENTITY_RETAINED', 'identifier was deprovisioned and is never issued again', { claim: 'sub' })
      if (!(await backend.isActive(id))) throw new VerificationError('ERR_POLICY_DENIED', 'identifier is not registered', { claim: 'sub' })
    },
    async auditTrail(id, options) {
      if (id !== undefined) checkId(id)
      const o: { limit?: number } = optionsObject(options, 'options')
      return backend.trail(id, optionalNumber(o.limit, 'options.limit', 1000, { min: 1, max: 100_000, integer: true }))
    },
  }
  return Object.freeze({
    register: failClosed(registry.register),
    deprovision: failClosed(registry.deprovision),
    isRetained: failClosed(registry.isRetained),
    isActive: failClosed(registry.isActive),
    assertIssuable: failClosed(registry.assertIssuable),
    auditTrail: failClosed(registry.auditTrail),
  })
}

/**
 * Options of {@link createMemoryRegistryBackend}.
 *
 * @example
 * ```ts
 * import { createMemoryRegistryBackend, type MemoryRegistryBackendOptions } from 'agentauth/lifecycle'
 * const options: MemoryRegistryBackendOptions = { maxAudit: 10_000 }
 * const backend = createMemoryRegistryBackend(options)
 * ```
 */
export interface MemoryRegistryBackendOptions {
  /** Records kept in the global audit list and in each identifier's list (newest kept). Default 100000. */
  readonly maxAudit?: number
}

/**
 * Creates an in-memory {@link IdentityRegistryBackend} (one process; lost on restart — use the
 * Redis backend for anything that must be retained). Like the Redis backend it keeps one audit list
 * per identifier and a global one, each capped at `maxAudit` (the newest records are kept, so
 * repeated refused registrations of a retained id cannot grow memory without bound).
 *
 * @param options - `maxAudit`.
 * @returns the backend.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { createIdentityRegistry, createMemoryRegistryBackend } from 'agentauth/lifecycle'
 * const registry = createIdentityRegistry({ backend: createMemoryRegistryBackend(), revocations })
 * ```
 */
export function createMemoryRegistryBackend(options: MemoryRegistryBackendOptions = {}): IdentityRegistryBackend {
  assertObject(options, 'options')
  const maxAudit = optionalNumber(options.maxAudit, 'options.maxAudit', 100_000, { min: 1, integer: true })
  const active = new Set<string>()
  const retainedMap = new Map<string, RetainedIdentity>()
  const byId = new Map<string, AuditRecord[]>()
  const log: AuditRecord[] = []
  function append(record: AuditRecord): void {
    const list = byId.get(record.id)
    if (list === undefined) byId.set(record.id, [record])
    else {
      list.push(record)
      if (list.length >= 2 * maxAudit) list.splice(0, list.length - maxAudit)
    }
    log.push(record)
    // Trimmed in batches (amortised O(1)); trail() never shows more than the last maxAudit.
    if (log.length >= 2 * maxAudit) log.splice(0, log.length - maxAudit)
  }
  return Object.freeze({
    async register(id: string, record: AuditRecord): Promise<'created' | 'exists' | 'retained'> {
      if (retainedMap.has(id)) return 'retained'
      if (active.has(id)) return 'exists'
      active.add(id)
      append(record)
      return 'created'
    },
    async retain(identity: RetainedIdentity, record: AuditRecord): Promise<boolean> {
      active.delete(identity.id)
      if (retainedMap.has(identity.id)) return false
      retainedMap.set(identity.id, identity)
      append(record)
      return true
    },
    async isActive(id: string): Promise<boolean> {
      return active.has(id)
    },
    async retained(id: string): Promise<RetainedIdentity | undefined> {
      return retainedMap.get(id)
    },
    async audit(record: AuditRecord): Promise<void> {
      append(record)
    },
    async trail(id: string | undefined, limit: number): Promise<readonly AuditRecord[]> {
      const n = Math.min(limit, maxAudit)
      return (id === undefined ? log : (byId.get(id) ?? [])).slice(-n)
    },
  })
}
