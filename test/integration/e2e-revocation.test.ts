// End to end, across modules, over loopback HTTP and a real redis-server: a Shared Signals event
// leaves the transmitter (Redis outbox), reaches the receiver by push (RFC 8935) or poll (RFC 8936),
// is written to the Redis revocation store, and the agent's very next call is refused by two
// independent verifier instances that had already verified — and cached — its WIT. Other agents
// are unaffected. Lifecycle deprovisioning reaches the same verifiers through the same store.
// No loss across a receiver crash is covered in ssf-redis.test.ts ("no loss (poll)" / "(push)").
import { describe, expect, it } from 'vitest'
import { createIdentityRegistry, createRedisRegistryBackend } from '../../src/lifecycle/index.js'
import { JWK_THUMBPRINT_FORMAT, type KnownEventType, type SubjectId } from '../../src/ssf/index.js'
import type { EmitEvent } from '../../src/ssf/transmitter/index.js'
import { createRedisRevocationStore } from '../../src/stores/redis/index.js'
import {
  freshPrefixes, manualClock, mintWorkload, PUBLIC_ORIGIN, startSSFPipeline, startVerifier,
  type E2EWorkload, type ManualClock, type VerifierInstance,
} from '../helpers/e2e-fixtures.js'
import { useRedis } from '../helpers/redis-server.js'
import { signedRequest, trustDomain, wptRequest } from '../helpers/server-fixtures.js'

const redis = useRedis()
const td = await trustDomain('example.org')
const TOOL = `${PUBLIC_ORIGIN}/tools/search?q=weather`

/** A fresh proof for every call (alternating WPT and WIMSE HTTP signatures), as a real agent would send. */
let n = 0
function call(instance: VerifierInstance, w: E2EWorkload, clock: ManualClock) {
  return (async () => instance.send(n++ % 2 === 0 ? await wptRequest(w, TOOL, {}, { clock }) : await signedRequest(w, TOOL, {}, { clock })))()
}

async function expectAccepted(instances: readonly VerifierInstance[], w: E2EWorkload, clock: ManualClock): Promise<void> {
  for (const v of instances) expect(await call(v, w, clock), `${v.name} accepts ${w.id}`).toMatchObject({ status: 200, workload: w.id })
}

async function expectRevoked(instances: readonly VerifierInstance[], w: E2EWorkload, clock: ManualClock): Promise<void> {
  for (const v of instances) {
    // Both proof kinds are refused: the revocation step runs after either.
    expect(await v.send(await wptRequest(w, TOOL, {}, { clock })), `${v.name} refuses ${w.id} (WPT)`).toMatchObject({ status: 401, code: 'ERR_CREDENTIAL_REVOKED' })
    expect(await v.send(await signedRequest(w, TOOL, {}, { clock })), `${v.name} refuses ${w.id} (HTTP sig)`).toMatchObject({ status: 401, code: 'ERR_CREDENTIAL_REVOKED' })
  }
}

/** Two verifier "processes" sharing Redis state, both having verified `agents` once (WITs cached). */
async function warmVerifiers(clock: ManualClock, prefixes: ReturnType<typeof freshPrefixes>, agents: readonly E2EWorkload[]): Promise<VerifierInstance[]> {
  const instances = [await startVerifier(redis(), td, { name: 'A', clock, ...prefixes }), await startVerifier(redis(), td, { name: 'B', clock, ...prefixes })]
  for (const w of agents) await expectAccepted(instances, w, clock)
  const lookups = instances.map((v) => v.bundleLookups())
  for (const w of agents) await expectAccepted(instances, w, clock)
  // The second round came from each instance's verified-WIT cache (no WIT re-verification).
  expect(instances.map((v) => v.bundleLookups())).toEqual(lookups)
  return instances
}

interface Scenario {
  readonly title: string
  readonly eventType: KnownEventType
  readonly event: EmitEvent
  /** The SET subject naming the victim (its WIT `sub`, `jti` or key thumbprint). */
  readonly subject: (victim: E2EWorkload) => SubjectId
  /** What still passes afterwards, besides other agents. */
  readonly after: 'credentials issued later pass' | 'the same key stays revoked' | 'other WITs of the agent pass'
}

const SCENARIOS: readonly Scenario[] = [
  {
    title: 'CAEP credential-change (revoke), uri subject = WIT sub',
    eventType: 'credential-change',
    event: { type: 'credential-change', credential_type: 'x509', change_type: 'revoke' },
    subject: (w) => ({ format: 'uri', uri: w.id }),
    after: 'credentials issued later pass',
  },
  {
    title: 'CAEP session-revoked, uri subject = WIT sub',
    eventType: 'session-revoked',
    event: { type: 'session-revoked', reason_admin: { en: 'agent session terminated' } },
    subject: (w) => ({ format: 'uri', uri: w.id }),
    after: 'credentials issued later pass',
  },
  {
    title: 'RISC account-disabled, uri subject = WIT sub',
    eventType: 'account-disabled',
    event: { type: 'account-disabled', reason: 'hijacking' },
    subject: (w) => ({ format: 'uri', uri: w.id }),
    after: 'credentials issued later pass',
  },
  {
    title: 'CAEP credential-change (revoke), jwt_id subject = WIT jti',
    eventType: 'credential-change',
    event: { type: 'credential-change', credential_type: 'x509', change_type: 'revoke' },
    subject: (w) => ({ format: 'jwt_id', iss: 'https://wit-issuer.example.org', jti: w.jti }),
    after: 'other WITs of the agent pass',
  },
  {
    title: 'CAEP credential-change (revoke), jwk_thumbprint subject = WIT cnf key',
    eventType: 'credential-change',
    event: { type: 'credential-change', credential_type: 'x509', change_type: 'revoke' },
    subject: (w) => ({ format: JWK_THUMBPRINT_FORMAT, jkt: w.jkt }),
    after: 'the same key stays revoked',
  },
]

for (const delivery of ['push', 'poll'] as const) {
  describe(`revocation at request time, ${delivery} delivery`, () => {
    for (const s of SCENARIOS) {
      it(`${s.title}: the agent's next call is refused by both verifiers; another agent is unaffected`, async () => {
        const clock = manualClock()
        const prefixes = freshPrefixes()
        const victim = await mintWorkload(td, '/agents/planner', clock)
        const bystander = await mintWorkload(td, '/agents/calendar-bot', clock)
        const verifiers = await warmVerifiers(clock, prefixes, [victim, bystander])
        const ssf = await startSSFPipeline(redis(), { delivery, events: [s.eventType], clock, ...prefixes, dedupe: delivery === 'push' ? 'replay-cache' : 'dedupe-cache' })

        clock.advance(5) // the event happens after the WITs were issued
        const emitted = await ssf.tx.emit(s.event, s.subject(victim))
        expect(emitted).toHaveLength(1)
        expect(await ssf.deliverAll()).toEqual([emitted[0]!.jti])

        const lookups = verifiers.map((v) => v.bundleLookups())
        for (const v of verifiers) expect(await v.send(await wptRequest(victim, TOOL, {}, { clock }))).toMatchObject({ status: 401, code: 'ERR_CREDENTIAL_REVOKED' })
        // That WIT came from each instance's cache: the revocation check applies to cached WITs…
        expect(verifiers.map((v) => v.bundleLookups())).toEqual(lookups)
        await expectRevoked(verifiers, victim, clock)
        // …and each hit drops the cache entry: both later calls verified the WIT afresh (and were refused).
        expect(verifiers.map((v) => v.bundleLookups())).toEqual(lookups.map((l) => l + 2))
        await expectAccepted(verifiers, bystander, clock)

        clock.advance(5)
        if (s.after === 'credentials issued later pass') {
          // Subject-wide revocations carry issuedBefore = event time: a WIT issued afterwards passes.
          const reissued = await mintWorkload(td, '/agents/planner', clock, victim.signer)
          await expectAccepted(verifiers, reissued, clock)
          await expectRevoked(verifiers, victim, clock)
        } else if (s.after === 'other WITs of the agent pass') {
          // A jti revocation names one credential only: the agent's other WIT (minted before the event) works.
          const other = await mintWorkload(td, '/agents/planner', manualClock(clock() - 60_000), victim.signer)
          await expectAccepted(verifiers, other, clock)
        } else {
          // A key revocation is unconditional: a WIT issued later for the same key is refused too.
          const sameKey = await mintWorkload(td, '/agents/planner', clock, victim.signer)
          await expectRevoked(verifiers, sameKey, clock)
          const newKey = await mintWorkload(td, '/agents/planner', clock)
          await expectAccepted(verifiers, newKey, clock)
        }
        await expectAccepted(verifiers, bystander, clock)
      })
    }

    it('an event that revokes nothing (credential-change create) is delivered and leaves the agent working', async () => {
      const clock = manualClock()
      const prefixes = freshPrefixes()
      const agent = await mintWorkload(td, '/agents/planner', clock)
      const verifiers = await warmVerifiers(clock, prefixes, [agent])
      const ssf = await startSSFPipeline(redis(), { delivery, events: ['credential-change'], clock, ...prefixes, dedupe: 'replay-cache' })
      clock.advance(5)
      const [created] = await ssf.tx.emit({ type: 'credential-change', credential_type: 'x509', change_type: 'create' }, { format: 'uri', uri: agent.id })
      expect(await ssf.deliverAll()).toEqual([created!.jti])
      await expectAccepted(verifiers, agent, clock)
      // The same stream then carries a revoke for the agent, which does take effect.
      const [revoked] = await ssf.tx.emit({ type: 'credential-change', credential_type: 'x509', change_type: 'revoke' }, { format: 'uri', uri: agent.id })
      expect(await ssf.deliverAll()).toEqual([revoked!.jti])
      await expectRevoked(verifiers, agent, clock)
    })
  })
}

describe('lifecycle: deprovisioning through the Redis-backed identity registry', () => {
  it('makes both verifiers refuse the agent at once, even for WITs minted later, and refuses re-registration', async () => {
    const clock = manualClock()
    const prefixes = freshPrefixes()
    const backendPrefix = `${prefixes.ssfPrefix}registry:`
    const registry = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command: redis().newCommand(), prefix: backendPrefix }),
      revocations: createRedisRevocationStore({ command: redis().newCommand(), prefix: prefixes.revocationPrefix, clock }),
      revocationTtl: 7 * 86_400,
      clock,
    })
    const agentId = `spiffe://${td.name}/agents/support-bot`
    expect(await registry.register(agentId, { actor: 'provisioner' })).toBe(true)
    await registry.assertIssuable(agentId)
    const agent = await mintWorkload(td, '/agents/support-bot', clock)
    const bystander = await mintWorkload(td, '/agents/calendar-bot', clock)
    const verifiers = await warmVerifiers(clock, prefixes, [agent, bystander])

    await registry.deprovision(agentId, { reason: 'agent retired', actor: 'ops' })

    await expectRevoked(verifiers, agent, clock)
    await expectAccepted(verifiers, bystander, clock)
    // No issuedBefore: a WIT minted after deprovisioning (by a misbehaving issuer) is refused too.
    clock.advance(60)
    await expectRevoked(verifiers, await mintWorkload(td, '/agents/support-bot', clock), clock)

    // A second registry process on the same Redis refuses the identifier, and so does the issuer check.
    const other = createIdentityRegistry({
      backend: createRedisRegistryBackend({ command: redis().newCommand(), prefix: backendPrefix }),
      revocations: createRedisRevocationStore({ command: redis().newCommand(), prefix: prefixes.revocationPrefix, clock }),
      clock,
    })
    await expect(other.register(agentId)).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED', status: 403 })
    await expect(registry.assertIssuable(agentId)).rejects.toMatchObject({ code: 'ERR_IDENTITY_RETAINED' })
    expect((await registry.auditTrail(agentId)).map((r) => r.action)).toEqual(['registered', 'deprovisioned', 'refused'])
  })
})
