// Recipe: a Signer backed by a cloud KMS or HSM. The private key never leaves the KMS; the KMS
// returns ECDSA signatures DER-encoded (AWS KMS `Sign`, GCP KMS `asymmetricSign`, Vault transit
// with `marshaling_algorithm=asn1`, PKCS#11 via OpenSSL), and JWS / RFC 9421 need the JOSE form
// r‖s, so `derToJoseSignature` sits in between. No cloud SDK is needed here: `fakeKms` stands in
// for the SDK call and is built on node:crypto so the example runs anywhere.
// Run: npx tsx examples/kms-signer.ts
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { staticTrustBundles, selectKey } from '../src/bundle/index.js'
import { SignerError } from '../src/errors/index.js'
import {
  createCompactJWS,
  derToJoseSignature,
  type PublicJWK,
  type SignOptions,
  type Signer,
} from '../src/signer/index.js'

// --- Stand-in for the KMS SDK -------------------------------------------------------------------
// Real KMS APIs take the message (or its SHA-256 digest with `MessageType: 'DIGEST'`) and a key id,
// and return DER. Their public key comes from a `GetPublicKey` call (SPKI/PEM → JWK).
const kmsKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const fakeKms = {
  async sign(_keyId: string, message: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted()
    return new Uint8Array(nodeSign('sha256', message, { key: kmsKey.privateKey, dsaEncoding: 'der' }))
  },
  async getPublicJwk(_keyId: string): Promise<JsonWebKey> {
    return kmsKey.publicKey.export({ format: 'jwk' })
  },
}

// --- The Signer -----------------------------------------------------------------------------
function createKmsSigner(keyId: string, kid: string): Signer {
  let publicJwk: Promise<PublicJWK> | undefined
  return Object.freeze({
    alg: 'ES256' as const,
    kid,
    publicJwk(): Promise<PublicJWK> {
      // Publish only the public members (never pass through what an API returns unfiltered).
      publicJwk ??= fakeKms.getPublicJwk(keyId).then(({ kty, crv, x, y }) => Object.freeze({ kty: kty!, crv, x, y, alg: 'ES256', kid }))
      return publicJwk
    },
    async sign(input: Uint8Array, options?: SignOptions): Promise<Uint8Array> {
      let der: Uint8Array
      try {
        der = await fakeKms.sign(keyId, input, options?.signal)
      } catch (cause) {
        throw new SignerError('ERR_SIGNER_FAILED', 'KMS signing failed', { cause })
      }
      return derToJoseSignature(der, 'ES256') // strict DER; a garbled answer is ERR_SIGNER_FAILED
    },
  })
}

// --- Use it like any other signer -----------------------------------------------------------------
const signer = createKmsSigner('projects/p/locations/global/keyRings/r/cryptoKeys/wit-issuer/cryptoKeyVersions/1', 'wit-issuer-1')
const jws = await createCompactJWS({ typ: 'JWT' }, { sub: 'spiffe://example.org/billing' }, signer)

// A verifier that trusts the KMS key through a trust bundle (any JOSE library accepts the JWS).
const trustBundles = staticTrustBundles({ 'example.org': [await signer.publicJwk()] })
const { kid } = decodeProtectedHeader(jws)
const jwk = selectKey((await trustBundles.getBundle('example.org'))!, { kid, alg: 'ES256' })
await compactVerify(jws, await importJWK(jwk as JWK, 'ES256'), { algorithms: ['ES256'] })
console.log('KMS-signed JWS verified with kid', jwk.kid)
