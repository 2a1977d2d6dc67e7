// Baselines from the benchmarking guide, measured in the same run as our figures: jose's generic
// JWT pipeline on a WIT-shaped token, and SHA-256 of 1 KB through Web Crypto.
import { SignJWT, generateKeyPair, jwtVerify } from 'jose'
import type { BenchSuite } from '../lib.js'

const suite: BenchSuite = {
  name: 'baseline',
  cases: [
    {
      name: 'jose.jwtVerify of a WIT (ES256, CryptoKey given)',
      reference: 'ES256',
      kind: 'baseline',
      setup: async () => {
        const { privateKey, publicKey } = await generateKeyPair('ES256')
        const now = Math.floor(Date.now() / 1000)
        const token = await new SignJWT({ cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: '1CXXvflN_LVVsIsYXsUvB03JmlGWeCHqQVuouCF92bg', alg: 'EdDSA' } } })
          .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'k1' })
          .setSubject('spiffe://example.org/agent').setIssuedAt(now).setExpirationTime(now + 3600).setJti('x-_1CTL2cca3CSE4cwb_l')
          .sign(privateKey)
        return () => jwtVerify(token, publicKey, { typ: 'wit+jwt' })
      },
    },
    {
      name: 'crypto.subtle.digest SHA-256 of 1 KB',
      reference: 'ES256',
      kind: 'baseline',
      setup: async () => {
        const data = new Uint8Array(1024).fill(7)
        return () => crypto.subtle.digest('SHA-256', data)
      },
    },
  ],
}
export default suite
