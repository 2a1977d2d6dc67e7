// Workload Identity Tokens: an Identity Server mints a WIT for a workload key, the workload keeps
// it fresh with a WITSource, a receiving service verifies it against the trust bundle of the
// workload's trust domain. The WIT alone authenticates nothing: it travels with a proof of
// possession of cnf.jwk (a WPT, see examples/wpt.ts, or an HTTP message signature).
// Run: npx tsx examples/wit.ts
import { staticTrustBundles } from '../src/bundle/index.js'
import { VerificationError } from '../src/errors/index.js'
import { generateSigner } from '../src/signer/index.js'
import {
  createWIT,
  createWITVerifier,
  decodeWIT,
  refreshingWITSource,
  SPEC,
  verifyWIT,
  WIT_HEADER,
} from '../src/wit/index.js'

console.log(`${SPEC.document}, ${SPEC.revision}`)

// --- Identity Server side: mint --------------------------------------------------------------
// The issuer key would live in a KMS or behind a credential broker; any Signer works.
const issuer = await generateSigner('ES256', { kid: 'issuer-2026-11' })
// The workload generates its own key pair and sends only the public JWK to the Identity Server.
const workloadKey = await generateSigner('EdDSA')

const wit = await createWIT(
  {
    sub: 'wimse://example.org/payments/api',
    iss: 'https://id.example.org',
    publicJwk: await workloadKey.publicJwk(), // cnf.jwk; alg EdDSA is taken from the key
    lifetime: 3600,
  },
  { signer: issuer },
)
console.log(`${WIT_HEADER}: ${wit.slice(0, 40)}…`)

// --- Workload side: hold a current WIT ---------------------------------------------------------
// In production fetchWIT asks the Identity Server or a local agent; here it mints directly.
const source = refreshingWITSource(
  async () => createWIT({ sub: 'wimse://example.org/payments/api', publicJwk: await workloadKey.publicJwk() }, { signer: issuer }),
  { refreshBefore: 300 },
)
const current = await source.getWIT()
console.log('expires at', new Date(current.expiresAt * 1000).toISOString())

// decodeWIT is UNVERIFIED: fine for reading your own token's expiry, never for authorisation.
console.log('unverified sub:', decodeWIT(current.token).claims.sub)

// --- Receiving service: verify ----------------------------------------------------------------
// Trust anchors are configured per trust domain, out of band; keys are never found through `iss`.
const trustBundles = staticTrustBundles({
  'example.org': { keys: [await issuer.publicJwk()], issuers: ['https://id.example.org'] },
})
const verified = await verifyWIT(wit, { trustBundles, algorithms: ['ES256'], proofAlgorithms: ['EdDSA', 'ES256'] })
console.log(verified.id, verified.trustDomain, verified.proofAlgorithm, verified.issuerKid)
// → wimse://example.org/payments/api example.org EdDSA issuer-2026-11
// Next: verify the WPT / HTTP signature of the request with verified.key (cnf.jwk).

// On a hot path, validate the options once:
const verify = createWITVerifier({ trustBundles, maxLifetime: 3600 })
await verify(wit)

// Every failure is a VerificationError with a stable code and status 400 (workload-creds §5.2).
const stranger = await generateSigner('ES256', { kid: 'issuer-2026-11' })
const forged = await createWIT({ sub: 'wimse://example.org/payments/api', publicJwk: await workloadKey.publicJwk() }, { signer: stranger })
for (const token of [forged, `${wit}x`, 'not-a-token']) {
  try {
    await verify(token)
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err
    console.log(err.status, err.code) // 400 ERR_WIT_SIGNATURE, then ERR_WIT_INVALID twice (bad base64url, not a JWS)
  }
}
