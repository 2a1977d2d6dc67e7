// Replay protection and revocation shared by several verifier instances through Redis.
// Run: REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/redis-stores.ts
// (Redis >= 6.2; for production run it with appendonly yes, appendfsync always, noeviction.)
import { Redis } from 'ioredis'
import { StoreError } from '../src/errors/index.js'
import { createMemoryReplayCache } from '../src/stores/index.js'
import { createRedisReplayCache, createRedisRevocationStore, ioredisCommand, type RedisCommand } from '../src/stores/redis/index.js'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `example:${Date.now()}:` // one namespace per application; a fresh one per run here
const now = (): number => Math.floor(Date.now() / 1000)

// Two verifier processes, simulated by two connections. enableOfflineQueue: false makes calls fail
// at once while disconnected instead of waiting for timeoutMs.
const connect = async (): Promise<Redis> => {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  await new Promise<void>((resolve, reject) => client.once('ready', resolve).once('error', reject))
  return client
}
const [clientA, clientB] = await Promise.all([connect(), connect()])
const verifierA = createRedisReplayCache({ command: ioredisCommand(clientA), prefix: `${prefix}replay:`, timeoutMs: 250 })
const verifierB = createRedisReplayCache({ command: ioredisCommand(clientB), prefix: `${prefix}replay:`, timeoutMs: 250 })

// --- Replay: a proof accepted by instance A is refused by instance B ---------------------------
const proofExp = now() + 60
const tolerance = 60 // keep the key as long as the verifier would still accept the proof
const sender = 'spiffe://example.org/billing'
const key = `wpt:${sender.length}:${sender}:3c1e9a0f` // the verifiers' format: the sender is length-prefixed
console.log('A accepts the proof:', await verifierA.claim(key, proofExp + tolerance)) // true
console.log('B refuses the replay:', !(await verifierB.claim(key, proofExp + tolerance))) // true

// --- Revocation: an SSF receiver revokes, every verifier sees it ------------------------------
const receiverStore = createRedisRevocationStore({ command: ioredisCommand(clientA), prefix: `${prefix}revoked:` })
const verifierStore = createRedisRevocationStore({ command: ioredisCommand(clientB), prefix: `${prefix}revoked:` })
const eventTime = now()
const maxLifetime = 3600 // the longest lifetime of a credential this covers
const clockTolerance = 30 // the verifiers' (createRequestVerifier's default)
await receiverStore.revoke({
  sub: 'spiffe://example.org/billing',
  // Forget the revocation only once no covered credential verifies any more: the latest expiry plus
  // the tolerance a verifier grants past exp (with `eventTime + maxLifetime` alone, a credential
  // issued just before the event would be accepted again for the length of the tolerance).
  until: eventTime + maxLifetime + clockTolerance,
  issuedBefore: eventTime, // CAEP credential-change: everything issued before it
  reason: 'credential-change',
})
const old = await verifierStore.check({ sub: 'spiffe://example.org/billing', jti: 'wit-1' }, eventTime - 10)
const fresh = await verifierStore.check({ sub: 'spiffe://example.org/billing', jti: 'wit-2' }, eventTime + 1)
console.log('credential issued before the event:', old?.reason ?? 'not revoked') // credential-change
console.log('credential issued after the event:', fresh?.reason ?? 'not revoked') // not revoked

// --- Failure: a broken or slow Redis fails closed with a 503 StoreError -----------------------
const unreachable: RedisCommand = () => new Promise(() => {}) // never answers
const broken = createRedisReplayCache({ command: unreachable, timeoutMs: 100 })
try {
  await broken.claim('wpt:any', proofExp)
} catch (err) {
  if (!(err instanceof StoreError)) throw err
  console.log(`store down → answer ${err.status} (${err.code}), never let the request through`)
}

// --- One process only? The memory cache has the same contract ---------------------------------
const local = createMemoryReplayCache({ maxEntries: 10_000 })
console.log('memory cache, first sighting:', await local.claim(key, proofExp + tolerance))

clientA.disconnect()
clientB.disconnect()
