// Test keys for signer suites. RSA key generation dominates test time, so one RSA-2048 key is made
// per process and reused (imported per algorithm); EC and OKP keys are cheap and made fresh.
import { generateKeyPairSync } from 'node:crypto'
import { ALGORITHMS, createJWKSigner, generateSigner, type JWSAlgorithm, type Signer } from '../../src/signer/index.js'

let rsa: JsonWebKey | undefined

/** A private RSA-2048 JWK shared by every RSA algorithm in this process. */
export function sharedRSAPrivateJWK(): JsonWebKey {
  rsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  return rsa
}

/** A non-extractable signer for `alg` (RSA ones share one key). */
export function testSigner(alg: JWSAlgorithm, options: { kid?: string; crypto?: Crypto } = {}): Promise<Signer> {
  if (ALGORITHMS[alg].kty !== 'RSA') return generateSigner(alg, options)
  return createJWKSigner({ privateJwk: sharedRSAPrivateJWK(), alg, ...options })
}
