// Signers: a non-extractable Web Crypto key, a development key saved to disk and loaded back,
// thumbprints, and a JWS any JOSE library verifies.
// Run: npx tsx examples/signer.ts
import { compactVerify, importJWK, type JWK } from 'jose'
import {
  createCompactJWS,
  createCryptoKeySigner,
  createJWKSigner,
  generateSigner,
  jwkThumbprint,
} from '../src/signer/index.js'

// 1. Production-style: the private key is created non-extractable; only its public half leaves.
const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
const signer = createCryptoKeySigner({ privateKey, publicKey, alg: 'ES256', kid: 'issuer-2026' })
const publicJwk = await signer.publicJwk() // { kty, crv, x, y, alg: 'ES256', kid: 'issuer-2026' }
console.log('public JWK', publicJwk)
console.log('thumbprint (cnf.jkt)', await jwkThumbprint(publicJwk))

// 2. Any Signer produces a compact JWS; the signature is in JOSE form, so jose verifies it as is.
const jws = await createCompactJWS({ typ: 'JWT' }, { sub: 'spiffe://example.org/billing' }, signer)
const { payload } = await compactVerify(jws, await importJWK(publicJwk as JWK, 'ES256'))
console.log('jose verified', new TextDecoder().decode(payload))

// 3. Development: generate an exportable key once (as `agentauth keygen` would), load it later.
//    The re-imported key is non-extractable again.
const dev = await generateSigner('EdDSA', { kid: 'dev', extractable: true })
const saved = JSON.stringify(await dev.exportPrivateJwk()) // keep secret: file mode 0600, secret manager …
const loaded = await createJWKSigner({ privateJwk: JSON.parse(saved) as JsonWebKey })
console.log('loaded', loaded.alg, loaded.kid, await loaded.publicJwk())

// 4. An extractable private key is refused unless you say so explicitly.
const extractable = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
try {
  createCryptoKeySigner({ privateKey: extractable.privateKey, publicKey: extractable.publicKey, alg: 'EdDSA' })
} catch (err) {
  console.log('refused:', (err as { code?: string }).code)
}
