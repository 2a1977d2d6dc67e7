// Full createRequestVerifier() on the warm path (verified WIT cached by its exact bytes), in WPT
// mode and in WIMSE HTTP-signature mode, with the memory replay cache: every timed call verifies a
// fresh request from a pre-built pool (building and signing is not timed). Beside it: the same
// WIT + WPT checks composed from jose calls, as a hand-rolled verifier would do them, and the floor
// (bench/minimal-verifier.ts): what a verifier that skips most checks reaches on this machine.
import { createHash } from 'node:crypto'
import { compactVerify, decodeJwt, importJWK, jwtVerify } from 'jose'
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { matchTrustDomain } from '../../src/identifier/index.js'
import { createRequestVerifier } from '../../src/server/index.js'
import { generateSigner, type PublicJWK } from '../../src/signer/index.js'
import { signWIMSERequest } from '../../src/wimse-httpsig/index.js'
import { createWPT } from '../../src/wpt/index.js'
import { createWIT } from '../../src/wit/index.js'
import { staticTrustBundles } from '../../src/bundle/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'
import { minimalVerifier } from '../minimal-verifier.js'

type Alg = 'ES256' | 'EdDSA'
const ORIGIN = 'https://api.example.com'
const URL_ = `${ORIGIN}/tools/search?q=weather`
const POOL = Number(process.env.BENCH_POOL ?? 40_000)

async function fixture(alg: Alg) {
  const issuer = await generateSigner('ES256', { kid: 'issuer-1' })
  const agent = await generateSigner(alg)
  const wit = await createWIT({ sub: 'spiffe://example.org/agents/bench', cnf: { jwk: await agent.publicJwk() } }, { signer: issuer, lifetime: 3600 })
  return { issuer, agent, wit, trustBundles: staticTrustBundles({ 'example.org': [await issuer.publicJwk()] }), issuerJwk: await issuer.publicJwk() }
}

async function pool(f: Awaited<ReturnType<typeof fixture>>, proof: 'wpt' | 'httpsig'): Promise<Request[]> {
  const fast = nodeCrypto()
  const out: Request[] = []
  for (let i = 0; i < POOL; i++) {
    if (proof === 'wpt') {
      const wpt = await createWPT({ wit: f.wit, signer: f.agent, uri: URL_, method: 'GET', crypto: fast })
      out.push(new Request(URL_, { headers: { 'workload-identity-token': f.wit, 'workload-proof-token': wpt } }))
    } else {
      const fields = await signWIMSERequest({ method: 'GET', url: URL_, headers: {} }, { wit: f.wit, signer: f.agent, crypto: fast })
      out.push(new Request(URL_, { headers: fields.headers }))
    }
  }
  return out
}

function ours(alg: Alg, proof: 'wpt' | 'httpsig', provider: 'webcrypto' | 'node'): BenchCase {
  return {
    name: `verifyRequest ${proof === 'wpt' ? 'WPT' : 'HTTP sig'} ${alg}, cached WIT (${provider === 'node' ? 'nodeCrypto()' : 'Web Crypto'})`,
    reference: alg,
    setup: async () => {
      const f = await fixture(alg)
      const requests = await pool(f, proof)
      const verify = createRequestVerifier({
        trustBundles: f.trustBundles, origin: ORIGIN, proof, authorize: matchTrustDomain('example.org'),
        replayCache: createMemoryReplayCache({ maxEntries: POOL + 10 }),
        ...(provider === 'node' ? { crypto: nodeCrypto() } : {}),
      })
      let i = 0
      return () => {
        const r = requests[i++]
        if (r === undefined) throw new Error('request pool exhausted: raise BENCH_POOL')
        return verify(r)
      }
    },
  }
}

/** WIT + WPT verification composed from jose calls on every request (no WIT cache), as hand-rolled code would. */
function joseComposed(alg: Alg): BenchCase {
  return {
    name: `WIT + WPT composed from jose calls ${alg}, every request`,
    reference: alg,
    kind: 'baseline',
    setup: async () => {
      const f = await fixture(alg)
      const requests = await pool(f, 'wpt')
      const issuerKey = await importJWK(f.issuerJwk as never, 'ES256')
      const seen = new Set<string>()
      let i = 0
      return async () => {
        const r = requests[i++]!
        const wit = r.headers.get('workload-identity-token')!
        const { payload } = await jwtVerify(wit, issuerKey, { typ: 'wit+jwt' })
        const jwk = (payload.cnf as { jwk: PublicJWK }).jwk
        const key = await importJWK(jwk as never, jwk.alg)
        const wpt = r.headers.get('workload-proof-token')!
        const { payload: p } = await jwtVerify(wpt, key, { typ: 'wpt+jwt', audience: `${ORIGIN}/tools/search` })
        if (p.wth !== createHash('sha256').update(wit).digest('base64url')) throw new Error('wth')
        if (seen.has(p.jti!)) throw new Error('replay')
        seen.add(p.jti!)
        void compactVerify
        void decodeJwt
      }
    },
  }
}

/** The floor: a deliberately minimal cached-WIT WPT verifier (bench/minimal-verifier.ts) on the same kind of pool. */
const floor: BenchCase = {
  name: 'minimal WPT verifier ES256, cached WIT (floor: skips most checks)',
  reference: 'ES256',
  kind: 'baseline',
  setup: () => minimalVerifier(POOL),
}

const suite: BenchSuite = {
  name: 'server',
  cases: [
    ...(['ES256', 'EdDSA'] as const).flatMap((alg) => [
      ours(alg, 'wpt', 'webcrypto'), ours(alg, 'wpt', 'node'), ours(alg, 'httpsig', 'webcrypto'), ours(alg, 'httpsig', 'node'), joseComposed(alg),
    ]),
    floor,
  ],
}
export default suite
