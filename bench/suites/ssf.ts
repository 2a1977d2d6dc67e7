// Shared Signals receiver throughput beside one raw ES256 verification: verifySET (full SSF-profile
// verification of one SET: size, compact JWS, typ/alg, iss, key by kid, signature, aud, iat, jti,
// sub_id, events) with Web Crypto and with nodeCrypto(), and the RFC 8935 push receiver end to end
// on in-memory Requests (Authorization compare, body read, verifySET, jti dedupe claim, the
// applyToStore handler writing a revocation to a memory store, 202). Every push call carries a
// fresh SET from a pre-signed pool (signing is not timed), since a repeated jti is only
// acknowledged, not processed.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { createCompactJWS } from '../../src/signer/jws.js'
import { generateSigner, type Signer } from '../../src/signer/index.js'
import { applyToStore, createMemoryDedupeCache, createPushReceiver, EVENT_TYPE_URIS, verifySET } from '../../src/ssf/index.js'
import { createMemoryRevocationStore } from '../../src/stores/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'

const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'
const POOL = Number(process.env.BENCH_POOL ?? 40_000)

async function transmitterKey(): Promise<{ signer: Signer; jwks: { keys: never[] } }> {
  const signer = await generateSigner('ES256', { kid: 'tx-1' })
  return { signer, jwks: { keys: [{ ...(await signer.publicJwk()), kid: 'tx-1' }] as never[] } }
}

/** A node:crypto signer for minting large pools quickly (pool minting is not timed). */
function poolSigner(): { signer: Signer; jwks: { keys: never[] } } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256', kid: 'tx-1' }
  const signer: Signer = {
    alg: 'ES256',
    kid: 'tx-1',
    publicJwk: async () => jwk as never,
    sign: async (input) => new Uint8Array(nodeSign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  }
  return { signer, jwks: { keys: [jwk] as never[] } }
}

/** A CAEP credential-change SET for an agent, as an SSF transmitter sends it (~600 bytes). */
function claims(jti: string): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    iat: Math.floor(Date.now() / 1000),
    jti,
    txn: 'bench-txn',
    sub_id: { format: 'uri', uri: 'spiffe://example.org/agents/bench' },
    events: {
      [EVENT_TYPE_URIS['credential-change']]: { credential_type: 'x509', change_type: 'revoke', event_timestamp: Math.floor(Date.now() / 1000), initiating_entity: 'policy' },
    },
  }
}

function verifyCase(provider: 'webcrypto' | 'node'): BenchCase {
  return {
    name: `verifySET ES256 (${provider === 'node' ? 'nodeCrypto()' : 'Web Crypto'})`,
    reference: 'ES256',
    setup: async () => {
      const { signer, jwks } = await transmitterKey()
      const token = await createCompactJWS({ alg: 'ES256', kid: 'tx-1', typ: 'secevent+jwt' }, claims('jti-1'), signer)
      const options = { issuer: ISSUER, audience: AUDIENCE, keys: jwks, ...(provider === 'node' ? { crypto: nodeCrypto() } : {}) }
      return () => verifySET(token, options)
    },
  }
}

function pushCase(): BenchCase {
  return {
    name: 'push receiver: POST → verifySET → dedupe → revocation → 202, ES256 (nodeCrypto())',
    reference: 'ES256',
    setup: async () => {
      const { signer, jwks } = poolSigner()
      const fast = nodeCrypto()
      const header = { alg: 'ES256', kid: 'tx-1', typ: 'secevent+jwt' }
      const requests: Request[] = []
      for (let i = 0; i < POOL; i++) {
        const token = await createCompactJWS(header, claims(`jti-${i}`), signer)
        requests.push(new Request(`${AUDIENCE}/ssf/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt', authorization: 'Bearer push-secret' },
          body: token,
        }))
      }
      const receive = createPushReceiver({
        verify: { issuer: ISSUER, audience: AUDIENCE, keys: jwks, crypto: fast },
        authorization: 'Bearer push-secret',
        replayCache: createMemoryDedupeCache({ maxEntries: POOL + 10 }),
        onEvent: applyToStore(createMemoryRevocationStore()),
      })
      let i = 0
      return async () => {
        const request = requests[i++]
        if (request === undefined) throw new Error('SET pool exhausted: raise BENCH_POOL')
        const response = await receive(request)
        if (response.status !== 202) throw new Error(`push receiver answered ${response.status}`)
      }
    },
  }
}

const suite: BenchSuite = {
  name: 'ssf',
  cases: [verifyCase('webcrypto'), verifyCase('node'), pushCase()],
}
export default suite
