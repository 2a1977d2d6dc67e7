// RFC 9421 sign/verify beside one raw verification, and the two npm RFC 9421 libraries verifying
// the same signed request in the same process. The message is a POST with a Content-Digest;
// covered: @method, @target-uri, content-type, content-digest.
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { createRequire } from 'node:module'
import * as cf from 'http-message-sig'
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { createContentDigest, signRequest, verifyRequestSignature } from '../../src/httpsig/index.js'
import { createCryptoKeySigner, type PublicJWK } from '../../src/signer/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'

const require = createRequire(import.meta.url)
const dh = require('http-message-signatures') as typeof import('http-message-signatures')

type Alg = 'ES256' | 'EdDSA'
const HTTP_ALG = { ES256: 'ecdsa-p256-sha256', EdDSA: 'ed25519' } as const
const URL_ = 'https://api.example.com/orders/42?expand=items'
const COMPONENTS = ['@method', '@target-uri', 'content-type', 'content-digest']

async function fixture(alg: Alg) {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')
  const privateJwk = pair.privateKey.export({ format: 'jwk' })
  const publicJwk = createPublicKey(pair.privateKey).export({ format: 'jwk' }) as PublicJWK
  const params = alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' }
  const privateKey = await crypto.subtle.importKey('jwk', privateJwk, params, false, ['sign'])
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk as JsonWebKey, params, true, ['verify'])
  const signer = createCryptoKeySigner({ privateKey, publicKey, alg })
  const body = JSON.stringify({ item: 'ice cream', flavor: 'vanilla', quantity: 2 })
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-digest': await createContentDigest(body) }
  const fields = await signRequest({ method: 'POST', url: URL_, headers }, { signer, components: COMPONENTS, lifetime: 3600, keyid: 'k1' })
  const signedHeaders = { ...headers, 'signature-input': fields.signatureInput, signature: fields.signature }
  return { signer, publicJwk, publicKey, pair, headers, signedHeaders, body }
}

function ours(alg: Alg, provider: 'webcrypto' | 'node'): BenchCase {
  return {
    name: `verifyRequestSignature ${alg} (${provider === 'node' ? 'nodeCrypto()' : 'Web Crypto'})`,
    reference: alg,
    setup: async () => {
      const f = await fixture(alg)
      const message = { method: 'POST', url: URL_, headers: f.signedHeaders }
      const options = {
        algorithms: [alg],
        key: () => ({ key: f.publicJwk, algorithm: alg }),
        requiredComponents: COMPONENTS,
        ...(provider === 'node' ? { crypto: nodeCrypto() } : {}),
      }
      return () => verifyRequestSignature(message, options)
    },
  }
}

function signing(alg: Alg): BenchCase {
  return {
    name: `signRequest ${alg} (Web Crypto)`,
    reference: alg,
    setup: async () => {
      const f = await fixture(alg)
      const message = { method: 'POST', url: URL_, headers: f.headers }
      return () => signRequest(message, { signer: f.signer, components: COMPONENTS, lifetime: 300 })
    },
  }
}

function dhPeer(alg: Alg): BenchCase {
  return {
    name: `http-message-signatures verifyMessage ${alg}`,
    reference: alg,
    kind: 'peer',
    setup: async () => {
      const f = await fixture(alg)
      const verifier = dh.createVerifier(f.pair.publicKey, HTTP_ALG[alg])
      const message = { method: 'POST', url: URL_, headers: f.signedHeaders }
      const config = { keyLookup: async () => ({ id: 'k1', algs: [HTTP_ALG[alg]], verify: verifier }), requiredFields: COMPONENTS }
      return async () => {
        if ((await dh.httpbis.verifyMessage(config, message)) !== true) throw new Error('peer verify failed')
      }
    },
  }
}

function cfPeer(alg: Alg): BenchCase {
  return {
    name: `http-message-sig verifySignature ${alg}`,
    reference: alg,
    kind: 'peer',
    setup: async () => {
      const f = await fixture(alg)
      const request = new Request(URL_, { method: 'POST', headers: f.signedHeaders })
      const verifier: cf.Verifier = {
        algorithm: HTTP_ALG[alg],
        verify: (data, sig) => crypto.subtle.verify(alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' }, f.publicKey, sig as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>),
      }
      const options = { policy: { algorithms: [HTTP_ALG[alg]], requiredComponents: COMPONENTS, requiredParameters: ['created', 'keyid'], maxAge: 7200 }, resolveVerifier: () => verifier }
      return () => cf.verifySignature(request, options as never)
    },
  }
}

const suite: BenchSuite = {
  name: 'httpsig',
  cases: (['ES256', 'EdDSA'] as const).flatMap((alg) => [ours(alg, 'webcrypto'), ours(alg, 'node'), signing(alg), dhPeer(alg), cfPeer(alg)]),
}
export default suite
