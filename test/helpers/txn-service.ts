// Fixtures for the Txn-Token tests: a Txn-Token Service wired with the token service's client
// authentication and access-token verification, a client that authenticates with private_key_jwt,
// and a loopback HTTP server for any (Request) => Promise<Response> handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import { verifyAccessToken } from '../../src/access-token/index.js'
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { ProtocolError, VerificationError } from '../../src/errors/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { createAccessToken, createClientAuthenticator, type AuthenticatedClient } from '../../src/token-service/index.js'
import { createTxnTokenService, requestTxnToken, selfSignedSubjectToken, unsignedJsonSubjectToken, type TxnTokenRequestParameters, type TxnTokenServiceOptions } from '../../src/txn-token/index.js'
import { oauthTestSigner, testClock, type TestSigner } from './oauth-signer.js'

export const TRUST_DOMAIN = 'bank.example'
export const TTS_ISSUER = 'https://tts.bank.example'
export const TTS_ENDPOINT = 'https://tts.bank.example/token'
export const AS_ISSUER = 'https://as.bank.example'
export const API = 'https://api.bank.example'
export const GATEWAY = 'spiffe://bank.example/gateway'
export const BATCH = 'spiffe://bank.example/batch'

export interface TxnFixture {
  clock: ReturnType<typeof testClock>
  tts: TestSigner
  as: TestSigner
  gatewaySigner: TestSigner
  batchSigner: TestSigner
  handler: (request: Request) => Promise<Response>
  errors: unknown[]
  server: { issuer: string; tokenEndpoint: string }
  gateway: { clientId: string; auth: ReturnType<typeof privateKeyJwt> }
  batch: { clientId: string; auth: ReturnType<typeof privateKeyJwt> }
  /** A fetch that routes to the handler in-process. */
  fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>
  accessToken(claims?: Record<string, unknown>, lifetime?: number): Promise<string>
}

/** Builds a Txn-Token Service with access-token, self-signed and unsigned JSON subject tokens. */
export async function txnFixture(overrides: Partial<TxnTokenServiceOptions<AuthenticatedClient>> = {}): Promise<TxnFixture> {
  const clock = testClock()
  const [tts, as, gatewaySigner, batchSigner] = await Promise.all([oauthTestSigner('ES256'), oauthTestSigner('ES256'), oauthTestSigner('ES256'), oauthTestSigner('EdDSA')])
  const replayCache = createMemoryReplayCache({ clock: clock.now })
  const errors: unknown[] = []
  const authenticateClient = createClientAuthenticator({
    issuer: TTS_ISSUER,
    tokenEndpoint: TTS_ENDPOINT,
    clients: {
      [GATEWAY]: { clientId: GATEWAY, keys: [gatewaySigner.jwk] },
      [BATCH]: { clientId: BATCH, keys: [batchSigner.jwk] },
    },
    replayCache,
    clock: clock.now,
  })
  const handler = createTxnTokenService<AuthenticatedClient>({
    trustDomain: TRUST_DOMAIN,
    signer: tts,
    issuer: TTS_ISSUER,
    authenticateClient,
    subjectTokens: {
      [TOKEN_TYPE.ACCESS_TOKEN]: (token) => verifyAccessToken(token, { issuer: AS_ISSUER, audience: API, keys: [as.jwk], clock: clock.now }),
      [TOKEN_TYPE.SELF_SIGNED]: selfSignedSubjectToken({
        audience: TTS_ISSUER,
        keys: (iss) => (iss === BATCH ? [batchSigner.jwk] : undefined),
        clock: clock.now,
      }),
      [TOKEN_TYPE.UNSIGNED_JSON]: unsignedJsonSubjectToken({ scopes: (_claims, { client }) => (client.clientId === BATCH ? ['reports.read'] : undefined) }),
    },
    clock: clock.now,
    replayCache,
    onError: (err) => errors.push(err),
    ...overrides,
  })
  const fetch = async (input: Request | URL | string, init?: RequestInit) => handler(new Request(input, init))
  return {
    clock,
    tts,
    as,
    gatewaySigner,
    batchSigner,
    handler,
    errors,
    server: { issuer: TTS_ISSUER, tokenEndpoint: TTS_ENDPOINT },
    gateway: { clientId: GATEWAY, auth: privateKeyJwt(gatewaySigner, { clock: clock.now }) },
    batch: { clientId: BATCH, auth: privateKeyJwt(batchSigner, { clock: clock.now }) },
    fetch,
    accessToken: (claims = {}, lifetime = 600) =>
      createAccessToken({ iss: AS_ISSUER, sub: 'user-42', aud: API, client_id: 'mobile-app', scope: 'trade.stocks trade.read', ...claims }, { signer: as, clock: clock.now, lifetime }),
  }
}

/** Posts a raw form to the handler (for requests our client refuses to build). */
export async function postForm(handler: (r: Request) => Promise<Response>, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
  return handler(new Request(TTS_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }))
}

/** Serves a web handler on 127.0.0.1:0. */
export async function serveLoopback(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      const body = chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, ...(body === undefined ? {} : { body }) })
      handler(request)
        .then(async (response) => {
          res.statusCode = response.status
          response.headers.forEach((v, k) => res.setHeader(k, v))
          res.end(Buffer.from(await response.arrayBuffer()))
        })
        .catch(() => {
          res.statusCode = 500
          res.end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Requests a Txn-Token for the gateway (or `client`) with an access token as subject. */
export async function issue(f: TxnFixture, params: Partial<TxnTokenRequestParameters> = {}, client = f.gateway) {
  return requestTxnToken(f.server, client, {
    subjectToken: params.subjectToken ?? (await f.accessToken()),
    subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN,
    audience: TRUST_DOMAIN,
    scope: 'trade.stocks',
    ...params,
  }, { fetch: f.fetch })
}

/** The ProtocolError a refused request rejects with. */
export async function refusal(p: Promise<unknown>): Promise<ProtocolError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(ProtocolError)
  return err as ProtocolError
}

/** The last error the service reported to onError, as a VerificationError. */
export function lastError(f: TxnFixture): VerificationError {
  const err = f.errors.at(-1)
  expect(err).toBeInstanceOf(VerificationError)
  return err as VerificationError
}
