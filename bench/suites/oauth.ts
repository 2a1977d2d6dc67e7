// OAuth-tier throughput beside one raw ES256 verification: verifyAccessToken (RFC 9068 at+jwt:
// size, JWS, typ, alg allow-list, iss, key, signature, aud, exp/iat, scope and act parsing) for
// ES256 and RS256 (RFC 9068 requires RS256), verifyTxnToken (createTxnTokenVerifier, ES256), and
// the RFC 8693 token-exchange handler end to end on in-memory Requests: form parsing,
// private_key_jwt client authentication (assertion verified and its jti claimed), subject token
// verification, policy, minting and signing an ES256 access token. Every handler call carries a
// fresh client assertion from a pre-built pool (building is not timed). The handler's own signing
// cost (createCompactJWS with an ES256 Web Crypto signer) is measured beside it.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { nodeCrypto } from '../../src/adapters/node/crypto.js'
import { verifyAccessToken } from '../../src/access-token/index.js'
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { generateSigner, type JWSAlgorithm, type Signer } from '../../src/signer/index.js'
import { createCompactJWS } from '../../src/signer/jws.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { tokenExchangeRequest, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../../src/token-service/index.js'
import { createTxnToken, createTxnTokenVerifier } from '../../src/txn-token/index.js'
import type { BenchCase, BenchSuite } from '../lib.js'

const IDP = 'https://idp.example.com'
const STS = 'https://sts.example.com'
const TOOL = 'https://calendar.example.com'
const AGENT = 'spiffe://example.com/agents/planner'
const POOL = Number(process.env.BENCH_POOL ?? 20_000)

type Provider = 'webcrypto' | 'node'
const label = (p: Provider): string => (p === 'node' ? 'nodeCrypto()' : 'Web Crypto')

/** A node:crypto ES256 signer for minting large pools quickly (pool minting is not timed). */
function poolSigner(kid: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256', kid }
  return {
    alg: 'ES256',
    kid,
    publicJwk: async () => jwk as never,
    sign: async (input) => new Uint8Array(nodeSign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  }
}

async function jwks(signer: Signer): Promise<{ keys: never[] }> {
  return { keys: [{ ...(await signer.publicJwk()), kid: signer.kid }] as never[] }
}

function accessTokenCase(alg: JWSAlgorithm & ('ES256' | 'RS256'), provider: Provider): BenchCase {
  return {
    name: `verifyAccessToken ${alg} (${label(provider)})`,
    reference: 'ES256',
    setup: async () => {
      const sts = await generateSigner(alg, { kid: 'sts-1' })
      const token = await createAccessToken(
        { iss: STS, sub: 'alice', aud: TOOL, client_id: AGENT, scope: 'calendar:read calendar:write', act: { sub: AGENT } },
        { signer: sts, lifetime: 3600 },
      )
      const options = { issuer: STS, audience: TOOL, keys: await jwks(sts), requiredScopes: ['calendar:read'], ...(provider === 'node' ? { crypto: nodeCrypto() } : {}) }
      return () => verifyAccessToken(token, options)
    },
  }
}

function txnTokenCase(provider: Provider): BenchCase {
  return {
    name: `verifyTxnToken ES256 (${label(provider)})`,
    reference: 'ES256',
    setup: async () => {
      const tts = await generateSigner('ES256', { kid: 'tts-1' })
      const token = await createTxnToken(
        { sub: 'user-42', scope: 'trade.stocks', req_wl: 'spiffe://bank.example/gateway', tctx: { action: 'BUY', ticker: 'MSFT', quantity: 10 } },
        { signer: tts, trustDomain: 'bank.example', lifetime: 300 },
      )
      const verify = createTxnTokenVerifier({ trustDomain: 'bank.example', keys: await jwks(tts), ...(provider === 'node' ? { crypto: nodeCrypto() } : {}) })
      return () => verify(token)
    },
  }
}

function exchangeCase(): BenchCase {
  return {
    name: 'token-exchange handler: private_key_jwt + subject token → ES256 at+jwt (Web Crypto)',
    reference: 'ES256',
    setup: async () => {
      const idp = await generateSigner('ES256', { kid: 'idp-1' })
      const sts = await generateSigner('ES256', { kid: 'sts-1' })
      const agent = poolSigner('agent-1')
      const handler = createTokenExchangeHandler({
        issuer: STS,
        signer: sts,
        clientAuthentication: createClientAuthenticator({
          issuer: STS,
          clients: { [AGENT]: { clientId: AGENT, keys: await jwks(agent) } },
          replayCache: createMemoryReplayCache({ maxEntries: POOL + 10 }),
        }),
        subjectTokenVerifiers: {
          [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: IDP, keys: await jwks(idp), typ: 'at+jwt', audience: ({ client }) => [STS, client.clientId] }),
        },
        policy: { targets: [TOOL] },
      })
      const userToken = await createAccessToken(
        { iss: IDP, sub: 'alice', aud: STS, client_id: 'web-app', scope: 'calendar:read calendar:write files:read' },
        { signer: idp, lifetime: 3600 },
      )
      // Build the requests with the real client code; the capturing fetch only records them.
      const requests: Request[] = []
      const capture = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
        requests.push(new Request(input, init))
        return new Response('{}')
      }
      const auth = privateKeyJwt(agent)
      const params = { subjectToken: userToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TOOL, scope: 'calendar:read' }
      for (let i = 0; i < POOL; i++) await tokenExchangeRequest({ issuer: STS, tokenEndpoint: `${STS}/token` }, { clientId: AGENT, auth }, params, { fetch: capture })
      let i = 0
      return async () => {
        const request = requests[i++]
        if (request === undefined) throw new Error('request pool exhausted: raise BENCH_POOL')
        const response = await handler(request)
        if (response.status !== 200) throw new Error(`token-exchange handler answered ${response.status}: ${await response.text()}`)
      }
    },
  }
}

function signCase(): BenchCase {
  return {
    name: 'createCompactJWS ES256 sign (Web Crypto signer; the handler signs once per request)',
    reference: 'ES256',
    setup: async () => {
      const signer = await generateSigner('ES256', { kid: 'sts-1' })
      const header = { alg: 'ES256', kid: 'sts-1', typ: 'at+jwt' }
      const payload = { iss: STS, sub: 'alice', aud: TOOL, client_id: AGENT, scope: 'calendar:read', iat: 1_800_000_000, exp: 1_800_000_300, jti: 'j', act: { sub: AGENT } }
      return () => createCompactJWS(header, payload, signer)
    },
  }
}

const suite: BenchSuite = {
  name: 'oauth',
  cases: [
    accessTokenCase('ES256', 'webcrypto'),
    accessTokenCase('ES256', 'node'),
    accessTokenCase('RS256', 'node'),
    txnTokenCase('webcrypto'),
    txnTokenCase('node'),
    exchangeCase(),
    signCase(),
  ],
}
export default suite
