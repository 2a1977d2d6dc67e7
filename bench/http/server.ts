// One server variant of the HTTP benchmark, in its own process (the orchestrator pins it to core 0
// with taskset). Listens on 127.0.0.1 port 0, prints `PORT <n>` on stdout, exits on SIGTERM (so
// `node --cpu-prof` writes its profile). Configuration: JSON in BENCH_HTTP_SERVER (see config.ts).
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import { importJWK, jwtVerify, type JWK } from 'jose'
import type { VerifiedRequest } from '../../src/server/index.js'
import { AUDIENCE, BODY, CONFIG_ENV, ORIGIN, TRUST_DOMAIN, type ServerConfig } from './config.js'

// The library as users run it: the compiled package in dist/ (built by bench/http.ts first), unless
// BENCH_HTTP_TARGET=src (the TypeScript sources through tsx, whose per-closure __name helpers
// cost a little on every request). Types always come from src/.
const root = process.env.BENCH_HTTP_TARGET === 'src' ? '../../src' : '../../dist'
const { createNodeHandler, nodeCrypto, verifyIncomingMessage } = await import(`${root}/adapters/node/index.js`) as typeof import('../../src/adapters/node/index.js')
const { staticTrustBundles } = await import(`${root}/bundle/index.js`) as typeof import('../../src/bundle/index.js')
const { matchTrustDomain } = await import(`${root}/identifier/index.js`) as typeof import('../../src/identifier/index.js')
const { createRequestVerifier } = await import(`${root}/server/index.js`) as typeof import('../../src/server/index.js')
const { createMemoryReplayCache } = await import(`${root}/stores/index.js`) as typeof import('../../src/stores/index.js')

const config = JSON.parse(process.env[CONFIG_ENV] ?? 'null') as ServerConfig | null
if (config === null) throw new Error(`${CONFIG_ENV} is not set`)

const JSON_HEADERS = { 'content-type': 'application/json' }

function answer(res: ServerResponse): void {
  res.writeHead(200, JSON_HEADERS)
  res.end(BODY)
}

// The client's sanity check causes one refusal (a replay); say why for the first few.
let refusals = 0
function logRefusal(err: unknown): void {
  if (refusals++ < 3) console.error('refused:', err)
}

function refuse(res: ServerResponse, err: unknown): void {
  logRefusal(err)
  if (!res.headersSent) res.writeHead(401, JSON_HEADERS)
  res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }))
}

/** (a) No verification: the reference. */
function plain(): RequestListener {
  return (_req, res) => answer(res)
}

/** Adapter cost only: createNodeHandler with a verifier that verifies nothing. */
function adapterOnly(): RequestListener {
  const fake = Object.freeze({}) as VerifiedRequest
  return createNodeHandler(async () => fake, () => new Response(BODY, { headers: JSON_HEADERS }))
}

function verifier(proof: 'wpt' | 'httpsig', cfg: ServerConfig) {
  return createRequestVerifier({
    trustBundles: staticTrustBundles({ [TRUST_DOMAIN]: [cfg.issuerJwk] }),
    origin: ORIGIN,
    proof,
    authorize: matchTrustDomain(TRUST_DOMAIN),
    replayCache: createMemoryReplayCache({ maxEntries: cfg.replayEntries }),
    crypto: nodeCrypto(),
  })
}

/** (b)/(c) agentauth: createNodeHandler + createRequestVerifier, WPT or WIMSE HTTP-signature mode. */
function agentauth(proof: 'wpt' | 'httpsig', cfg: ServerConfig): RequestListener {
  const verify = verifier(proof, cfg)
  return createNodeHandler(verify, () => new Response(BODY, { headers: JSON_HEADERS }), {
    publicOrigin: ORIGIN,
    // A refusal makes the client abort the run (failures are never timed); say why.
    onError: logRefusal,
  })
}

/** The same verifier through verifyIncomingMessage, answering like `plain` (no fetch Response). */
function agentauthDirect(proof: 'wpt' | 'httpsig', cfg: ServerConfig): RequestListener {
  const verify = verifier(proof, cfg)
  // Frozen: verifyIncomingMessage then validates the options once, not on every call.
  const options = Object.freeze({ publicOrigin: ORIGIN })
  return async (req, res) => {
    try {
      await verifyIncomingMessage(req, verify, options)
      answer(res)
    } catch (err) {
      refuse(res, err)
    }
  }
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name]
  if (typeof v !== 'string' || v.length === 0 || v.length > 8192) throw new Error(`missing or bad ${name}`)
  return v
}

/** (d) What a developer would hand-roll from jose calls: every request verifies both tokens. */
async function joseComposed(cfg: ServerConfig): Promise<RequestListener> {
  const issuerKey = await importJWK(cfg.issuerJwk as JWK, 'ES256')
  const seen = new Set<string>()
  return async (req, res) => {
    try {
      const wit = header(req, 'workload-identity-token')
      const { payload } = await jwtVerify(wit, issuerKey, { typ: 'wit+jwt', algorithms: ['ES256'], requiredClaims: ['sub', 'exp', 'cnf'] })
      if (typeof payload.sub !== 'string' || !payload.sub.startsWith(`spiffe://${TRUST_DOMAIN}/`)) throw new Error('foreign trust domain')
      const jwk = (payload.cnf as { jwk?: JWK } | undefined)?.jwk
      if (jwk === undefined || typeof jwk.alg !== 'string') throw new Error('no cnf.jwk')
      const key = await importJWK(jwk, jwk.alg)
      const wpt = header(req, 'workload-proof-token')
      const { payload: p } = await jwtVerify(wpt, key, { typ: 'wpt+jwt', algorithms: [jwk.alg], audience: AUDIENCE, requiredClaims: ['exp', 'jti', 'wth'] })
      if (p.wth !== createHash('sha256').update(wit).digest('base64url')) throw new Error('wth mismatch')
      if (seen.has(p.jti!)) throw new Error('replayed')
      seen.add(p.jti!)
      answer(res)
    } catch (err) {
      refuse(res, err)
    }
  }
}

async function listener(cfg: ServerConfig): Promise<RequestListener> {
  switch (cfg.variant) {
    case 'plain': return plain()
    case 'adapter': return adapterOnly()
    case 'wpt': return agentauth('wpt', cfg)
    case 'wpt-direct': return agentauthDirect('wpt', cfg)
    case 'httpsig-direct': return agentauthDirect('httpsig', cfg)
    case 'httpsig': return agentauth('httpsig', cfg)
    case 'jose': return joseComposed(cfg)
  }
}

const server = createServer({ keepAliveTimeout: 30_000 }, await listener(config))
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  process.stdout.write(`PORT ${address.port}\n`)
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
