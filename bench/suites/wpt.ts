// createWPT / verifyWPT beside one raw verification. verifyWPT runs with a memory replay cache, so
// every timed call verifies a fresh WPT from a pre-minted pool (minting is not timed).
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { staticTrustBundles } from '../../src/bundle/index.js'
import { generateSigner } from '../../src/signer/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { createWIT, verifyWIT } from '../../src/wit/index.js'
import { createWPT, verifyWPT } from '../../src/wpt/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'

type Alg = 'ES256' | 'EdDSA'
const URI = 'https://api.example.com/tools/search'
const POOL = Number(process.env.BENCH_POOL ?? 40_000)

async function fixture(alg: Alg) {
  const issuer = await generateSigner('ES256', { kid: 'issuer-1' })
  const agent = await generateSigner(alg)
  const wit = await createWIT({ sub: 'spiffe://example.org/agents/bench', cnf: { jwk: await agent.publicJwk() } }, { signer: issuer, lifetime: 3600 })
  const verified = await verifyWIT(wit, { trustBundles: staticTrustBundles({ 'example.org': [await issuer.publicJwk()] }) })
  return { agent, wit, verified }
}

function create(alg: Alg): BenchCase {
  return {
    name: `createWPT ${alg} (Web Crypto signer)`,
    reference: alg,
    setup: async () => {
      const f = await fixture(alg)
      return () => createWPT({ wit: f.wit, signer: f.agent, uri: URI, method: 'GET' })
    },
  }
}

function verify(alg: Alg, provider: 'webcrypto' | 'node'): BenchCase {
  return {
    name: `verifyWPT ${alg} (${provider === 'node' ? 'nodeCrypto()' : 'Web Crypto'}, replay cache)`,
    reference: alg,
    setup: async () => {
      const f = await fixture(alg)
      const pool: string[] = []
      for (let i = 0; i < POOL; i++) pool.push(await createWPT({ wit: f.wit, signer: f.agent, uri: URI, method: 'GET', crypto: nodeCrypto() }))
      const replayCache = createMemoryReplayCache({ maxEntries: POOL + 10 })
      const options = { wit: f.verified, uri: URI, method: 'GET', replayCache, ...(provider === 'node' ? { crypto: nodeCrypto() } : {}) }
      let i = 0
      return () => {
        const token = pool[i++]
        if (token === undefined) throw new Error('WPT pool exhausted: raise BENCH_POOL')
        return verifyWPT(token, options)
      }
    },
  }
}

const suite: BenchSuite = {
  name: 'wpt',
  cases: (['ES256', 'EdDSA'] as const).flatMap((alg) => [create(alg), verify(alg, 'webcrypto'), verify(alg, 'node')]),
}
export default suite
