// End-to-end fixtures shared by test/integration/e2e-*.test.ts: a manual clock, workloads whose WITs
// are minted on that clock, request verifiers served on real node:http loopback servers (each with
// its own Redis connection, stores and verified-WIT cache, as separate processes would have), and
// the SSF pipeline transmitter (Redis outbox) → push or poll → receiver → Redis revocation store.
// Every resource started inside a test is closed when that test finishes.
import { randomUUID } from 'node:crypto'
import { onTestFinished } from 'vitest'
import type { TrustBundleSource } from '../../src/bundle/index.js'
import { matchTrustDomain } from '../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type ProofKind, type RequestVerifier } from '../../src/server/index.js'
import { generateSigner, jwkThumbprint, type Signer } from '../../src/signer/index.js'
import {
  applyToStore, createPollReceiver, createPushReceiver, createRedisDedupeCache, createStreamClient, EVENT_TYPE_URIS,
  type EventDedupeCache, type KnownEventType, type PollReceiver, type StreamClient,
} from '../../src/ssf/index.js'
import { createRedisOutbox, createTransmitter, type Transmitter } from '../../src/ssf/transmitter/index.js'
import { createMemoryReplayCache, type ReplayCache, type RevocationStore } from '../../src/stores/index.js'
import { createRedisReplayCache, createRedisRevocationStore } from '../../src/stores/redis/index.js'
import { createWIT } from '../../src/wit/index.js'
import type { RedisServer } from './redis-server.js'
import type { TrustDomainFixture, Workload } from './server-fixtures.js'
import { serve } from './ssf-http.js'

/** The public origin every verifier instance serves (as behind one load balancer). */
export const PUBLIC_ORIGIN = 'https://api.example.com'

/** Closes `fn` when the running test finishes (no-op outside a test: the caller closes). */
export function closeAfterTest(fn: () => Promise<void> | void): void {
  try {
    onTestFinished(async () => {
      await fn()
    })
  } catch {
    // not inside a running test
  }
}

/** A millisecond clock that only moves when told to; starts at the current whole second. */
export interface ManualClock {
  (): number
  advance(seconds: number): void
  /** Current epoch seconds. */
  seconds(): number
}

export function manualClock(startMs: number = Math.floor(Date.now() / 1000) * 1000): ManualClock {
  let ms = startMs
  return Object.assign(() => ms, {
    advance: (seconds: number) => void (ms += seconds * 1000),
    seconds: () => Math.floor(ms / 1000),
  })
}

/** A workload with its key, plus the key's RFC 7638 thumbprint and the WIT's `jti`. */
export interface E2EWorkload extends Workload {
  readonly jkt: string
  readonly jti: string
}

/** Mints a WIT for `spiffe://<td><path>` at the clock's current time (a new key unless `signer` is given). */
export async function mintWorkload(td: TrustDomainFixture, path: string, clock: ManualClock, signer?: Signer): Promise<E2EWorkload> {
  const key = signer ?? (await generateSigner('ES256'))
  const jwk = await key.publicJwk()
  const id = `spiffe://${td.name}${path}`
  const jti = randomUUID()
  const wit = await createWIT({ sub: id, cnf: { jwk }, jti }, { signer: td.issuer, lifetime: 3600, clock })
  return { id, signer: key, wit, jti, jkt: await jwkThumbprint(jwk) }
}

/** What an agent saw when it called a verifier over HTTP. */
export interface CallResult {
  readonly status: number
  /** `code` of the problem body (refusals), or undefined. */
  readonly code: string | undefined
  /** The authenticated workload id (200 only). */
  readonly workload: string | undefined
  readonly retryAfter: string | null
}

export interface VerifierInstanceOptions {
  readonly name: string
  readonly clock: ManualClock
  /** Shared across instances: the same prefix means shared state. */
  readonly replayPrefix: string
  readonly revocationPrefix: string
  readonly proof?: ProofKind
  /** Redis command timeout of both stores, ms. Default 1000. */
  readonly timeoutMs?: number
  /** `memory` gives this instance a private in-process replay cache (to isolate the revocation step). */
  readonly replayCache?: 'redis' | 'memory'
}

/** One verifier "process": own Redis connection, own stores, own verified-WIT cache, own HTTP server. */
export interface VerifierInstance {
  readonly name: string
  readonly verify: RequestVerifier
  readonly replayCache: ReplayCache
  readonly revocations: RevocationStore
  /** Loopback origin of this instance's HTTP server. */
  readonly origin: string
  /** How many times this instance asked its trust-bundle source (each is one full WIT verification). */
  bundleLookups(): number
  /** Forwards a request addressed to {@link PUBLIC_ORIGIN} to this instance over loopback HTTP. */
  send(request: Request): Promise<CallResult>
}

export async function startVerifier(redis: RedisServer, td: TrustDomainFixture, options: VerifierInstanceOptions): Promise<VerifierInstance> {
  const command = redis.newCommand()
  const timeoutMs = options.timeoutMs ?? 1000
  let lookups = 0
  const trustBundles: TrustBundleSource = {
    getBundle: (domain, o) => {
      lookups++
      return td.trustBundles.getBundle(domain, o)
    },
  }
  const replayCache = options.replayCache === 'memory'
    ? createMemoryReplayCache({ clock: options.clock })
    : createRedisReplayCache({ command, prefix: options.replayPrefix, timeoutMs })
  const revocations = createRedisRevocationStore({ command, prefix: options.revocationPrefix, timeoutMs, clock: options.clock })
  const verify = createRequestVerifier({
    trustBundles,
    origin: PUBLIC_ORIGIN,
    proof: options.proof ?? 'either',
    authorize: matchTrustDomain(td.name),
    replayCache,
    revocations,
    clock: options.clock,
  })
  const server = await serve(async (request) => {
    try {
      const caller = await verify(request)
      return Response.json({ workload: caller.workload.id, proof: caller.proof.type })
    } catch (err) {
      return errorResponse(err, { realm: PUBLIC_ORIGIN })
    }
  })
  closeAfterTest(() => server.close())
  return {
    name: options.name,
    verify,
    replayCache,
    revocations,
    origin: server.origin,
    bundleLookups: () => lookups,
    async send(request) {
      const url = new URL(request.url)
      const body = request.body === null ? undefined : await request.arrayBuffer()
      const response = await fetch(`${server.origin}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, ...(body ? { body } : {}) })
      const json = (await response.json()) as { code?: string; workload?: string }
      return { status: response.status, code: json.code, workload: json.workload, retryAfter: response.headers.get('retry-after') }
    },
  }
}

/** Prefixes unique to one test, so tests share a Redis server without seeing each other's keys. */
export function freshPrefixes(): { replayPrefix: string; revocationPrefix: string; ssfPrefix: string } {
  const id = randomUUID()
  return { replayPrefix: `e2e:${id}:replay:`, revocationPrefix: `e2e:${id}:revoked:`, ssfPrefix: `e2e:${id}:ssf:` }
}

export interface SSFPipelineOptions {
  readonly delivery: 'push' | 'poll'
  readonly events: readonly KnownEventType[]
  readonly clock: ManualClock
  /** The revocation prefix the verifiers check. */
  readonly revocationPrefix: string
  /** Prefix of the transmitter outbox and the receiver's dedupe keys. */
  readonly ssfPrefix: string
  /**
   * The receiver's jti dedupe: `replay-cache` uses `createRedisReplayCache` (a plain store
   * `ReplayCache` with `release`), `dedupe-cache` uses `createRedisDedupeCache` from agentauth/ssf.
   */
  readonly dedupe: 'replay-cache' | 'dedupe-cache'
}

/** Transmitter → (push | poll) → receiver → Redis revocation store, all on loopback HTTP. */
export interface SSFPipeline {
  readonly tx: Transmitter
  readonly client: StreamClient
  readonly streamId: string
  /** Moves every queued SET to the receiver and resolves once each is applied (and, for poll, acknowledged). */
  deliverAll(): Promise<readonly string[]>
}

export async function startSSFPipeline(redis: RedisServer, options: SSFPipelineOptions): Promise<SSFPipeline> {
  let tx: Transmitter | undefined
  const txServer = await serve((r) => tx!.handle(r))
  closeAfterTest(() => txServer.close())
  tx = createTransmitter({
    issuer: txServer.origin,
    signer: await generateSigner('ES256', { kid: 'e2e-tx' }),
    outbox: createRedisOutbox({ command: redis.newCommand(), prefix: `${options.ssfPrefix}tx:` }),
    authorizeReceiver: (r) => (r.headers.get('authorization') === 'Bearer rx-token' ? 'rx' : undefined),
    allowDeliveryUrl: (u) => u.hostname === '127.0.0.1',
    retry: { initialDelay: 10, maxDelay: 50, jitter: 0, maxAttempts: 5 },
    longPollTimeout: 200,
    clock: options.clock,
  })
  closeAfterTest(() => tx!.stop())
  const client = createStreamClient({ issuer: txServer.origin, authorization: 'Bearer rx-token', audience: 'rx' })
  const jwks = (await (await fetch(`${txServer.origin}/ssf/jwks`)).json()) as { keys: never[] }
  const verify = { issuer: txServer.origin, audience: 'rx', keys: jwks, clock: options.clock }
  const receiverCommand = redis.newCommand()
  const replayCache: EventDedupeCache = options.dedupe === 'replay-cache'
    ? createRedisReplayCache({ command: receiverCommand, prefix: `${options.ssfPrefix}rx:` })
    : createRedisDedupeCache({ command: receiverCommand, prefix: `${options.ssfPrefix}rx:` })
  const onEvent = applyToStore(createRedisRevocationStore({ command: receiverCommand, prefix: options.revocationPrefix, clock: options.clock }), { clock: options.clock })
  const events_requested = options.events.map((e) => EVENT_TYPE_URIS[e])

  if (options.delivery === 'push') {
    const rxServer = await serve(createPushReceiver({ verify, authorization: 'Bearer push-secret', replayCache, onEvent }))
    closeAfterTest(() => rxServer.close())
    const stream = await client.createStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${rxServer.origin}/ssf/events`, authorization_header: 'Bearer push-secret' }, events_requested })
    return {
      tx, client, streamId: stream.stream_id,
      async deliverAll() {
        const report = await tx!.deliver()
        if (report.retrying.length + report.failed.length + report.held.length > 0) throw new Error(`push delivery incomplete: ${JSON.stringify(report)}`)
        return report.delivered
      },
    }
  }
  const stream = await client.createStream({ delivery: { method: 'urn:ietf:rfc:8936' }, events_requested })
  const poller: PollReceiver = createPollReceiver({ endpoint: stream.delivery.endpoint_url!, authorization: 'Bearer rx-token', verify, replayCache, onEvent, returnImmediately: true })
  return {
    tx, client, streamId: stream.stream_id,
    async deliverAll() {
      const result = await poller.poll()
      if (result.failed.length + result.rejected.length > 0 || result.moreAvailable) throw new Error(`poll incomplete: ${JSON.stringify(result)}`)
      await poller.flush()
      if (poller.pending.ack !== 0) throw new Error('acks still pending after flush')
      return result.processed
    },
  }
}
