// verifyWIT throughput beside one raw signature verification of the same algorithm. Each figure is
// one full verification (no verified-WIT cache): parse, typ/alg checks, trust-domain key lookup,
// signature, claims, cnf.jwk checks.
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { staticTrustBundles } from '../../src/bundle/index.js'
import { generateSigner, type JWSAlgorithm } from '../../src/signer/index.js'
import { createWITVerifier, createWIT } from '../../src/wit/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'

function witCase(alg: JWSAlgorithm & ('ES256' | 'EdDSA'), provider: 'webcrypto' | 'node'): BenchCase {
  return {
    name: `verifyWIT ${alg} (${provider === 'node' ? 'nodeCrypto()' : 'Web Crypto'})`,
    reference: alg,
    setup: async () => {
      const issuer = await generateSigner(alg, { kid: 'issuer-1' })
      const agent = await generateSigner(alg)
      const token = await createWIT({ sub: 'spiffe://example.org/agents/bench', cnf: { jwk: await agent.publicJwk() } }, { signer: issuer, lifetime: 3600 })
      const verify = createWITVerifier({
        trustBundles: staticTrustBundles({ 'example.org': [await issuer.publicJwk()] }),
        ...(provider === 'node' ? { crypto: nodeCrypto() } : {}),
      })
      return () => verify(token)
    },
  }
}

const suite: BenchSuite = {
  name: 'wit',
  cases: [witCase('ES256', 'webcrypto'), witCase('ES256', 'node'), witCase('EdDSA', 'webcrypto'), witCase('EdDSA', 'node')],
}
export default suite
