// The client's pool of fresh proofs. Replay protection refuses a proof seen before, so every
// request of a verifying run carries its own: the pool is signed before the run (on both cores, by
// worker threads, while no server is running) and each request takes the next entry. A pool that
// runs dry is reported, never recycled.
import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import { createWIT } from '../../src/wit/index.js'
import { generateSigner, type PublicJWK } from '../../src/signer/index.js'
import type { Alg } from './config.js'
import type { PoolEntry, PoolJob } from './pool-worker.js'

export interface Fixture {
  readonly alg: Alg
  readonly issuerJwk: PublicJWK
  readonly agentPrivateJwk: JsonWebKey
  readonly agentJwk: PublicJWK
  readonly wit: string
}

/** An ES256 issuer, an agent key of `alg`, and the agent's WIT (valid for an hour). */
export async function createFixture(alg: Alg): Promise<Fixture> {
  const issuer = await generateSigner('ES256', { kid: 'issuer-1' })
  const agent = await generateSigner(alg, { extractable: true })
  const agentJwk = await agent.publicJwk()
  const wit = await createWIT({ sub: 'spiffe://example.org/agents/bench', cnf: { jwk: agentJwk } }, { signer: issuer, lifetime: 3600 })
  return { alg, issuerJwk: await issuer.publicJwk(), agentPrivateJwk: await agent.exportPrivateJwk(), agentJwk, wit }
}

export interface ProofPool {
  readonly proof: 'wpt' | 'httpsig'
  readonly entries: readonly PoolEntry[]
}

/** Header set of one pool entry. */
export function headersOf(fixture: Fixture, proof: 'wpt' | 'httpsig', entry: PoolEntry): Record<string, string> {
  if (typeof entry === 'string') return { 'workload-identity-token': fixture.wit, 'workload-proof-token': entry }
  if (proof !== 'httpsig') throw new Error('pool entry does not match the proof kind')
  return { 'workload-identity-token': fixture.wit, 'signature-input': entry[0], signature: entry[1] }
}

/** A few worker threads (one per core) reused for every pool. */
export class PoolSigner {
  readonly #workers: Worker[]

  constructor(threads = Math.max(1, Math.min(cpus().length, 4))) {
    // Worker threads do not inherit tsx's loader: register it, then load the TypeScript worker.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./pool-worker.ts', import.meta.url).href)}) })`
    this.#workers = Array.from({ length: threads }, () => new Worker(boot, { eval: true }))
  }

  async sign(fixture: Fixture, proof: 'wpt' | 'httpsig', count: number, lifetime: number): Promise<ProofPool> {
    const n = this.#workers.length
    const parts = await Promise.all(this.#workers.map((worker) => {
      const job: PoolJob = { privateJwk: fixture.agentPrivateJwk, wit: fixture.wit, proof, count: Math.ceil(count / n), lifetime }
      return new Promise<PoolEntry[]>((resolve, reject) => {
        const onError = (err: Error): void => reject(err)
        worker.once('error', onError)
        worker.once('message', (m: { entries?: PoolEntry[]; error?: string }) => {
          worker.off('error', onError)
          if (m.entries) resolve(m.entries)
          else reject(new Error(m.error))
        })
        worker.postMessage(job)
      })
    }))
    return { proof, entries: parts.flat() }
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }
}
