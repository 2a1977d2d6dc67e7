// Worker thread of the proof pool: signs `count` fresh proofs (WPT, or WIMSE HTTP signature) for
// one GET of the benchmark URL with the library's own createWPT / signWIMSERequest on nodeCrypto(),
// and returns only the per-request parts (the WIT is the same for all and stays in the client).
import { parentPort } from 'node:worker_threads'
import { nodeCrypto } from '../../src/adapters/node/index.js'
import { createJWKSigner, type Signer } from '../../src/signer/index.js'
import { signWIMSERequest } from '../../src/wimse-httpsig/index.js'
import { createWPT } from '../../src/wpt/index.js'
import { ORIGIN, PATH } from './config.js'

export interface PoolJob {
  readonly privateJwk: JsonWebKey
  readonly wit: string
  readonly proof: 'wpt' | 'httpsig'
  readonly count: number
  /** Seconds each proof stays valid (it must outlive generation + warm-up + run). */
  readonly lifetime: number
}

/** WPT: the token; HTTP signature: `[Signature-Input, Signature]`. */
export type PoolEntry = string | readonly [string, string]

const crypto = nodeCrypto()
const signers = new Map<string, Signer>()
const URL_ = ORIGIN + PATH

async function run(job: PoolJob): Promise<PoolEntry[]> {
  const keyId = JSON.stringify(job.privateJwk)
  let signer = signers.get(keyId)
  if (signer === undefined) {
    signer = await createJWKSigner({ privateJwk: job.privateJwk, crypto })
    signers.set(keyId, signer)
  }
  const out: PoolEntry[] = new Array(job.count)
  for (let i = 0; i < job.count; i++) {
    if (job.proof === 'wpt') {
      out[i] = await createWPT({ wit: job.wit, signer, uri: URL_, method: 'GET', lifetime: job.lifetime, crypto })
    } else {
      const signed = await signWIMSERequest({ method: 'GET', url: URL_, headers: {} }, { wit: job.wit, signer, lifetime: job.lifetime, crypto })
      out[i] = [signed.signatureInput, signed.signature]
    }
  }
  return out
}

parentPort?.on('message', (job: PoolJob) => {
  run(job).then((entries) => parentPort!.postMessage({ entries }), (err: unknown) => parentPort!.postMessage({ error: String((err as Error)?.stack ?? err) }))
})
