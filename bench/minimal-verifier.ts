// A deliberately minimal cached-WIT WPT verifier over a pool of fetch Requests (ES256,
// nodeCrypto-style synchronous verification): header iteration, a Map as WIT cache, the JWS header
// parsed once, payload base64url + UTF-8 + JSON.parse, one node:crypto verify, aud/exp/jti/wth
// compared inline, a Map as replay cache, a frozen result. It skips most of what verifyRequest
// checks (typ variants, nbf, iss, WIT expiry, ath/tth/oth/htm bindings, claim shapes, expiring
// replay entries, authorisation, the deep-frozen result): a floor to read verifyRequest against,
// not a verifier to use. Shared by bench/floor.ts and the server suite.
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { nodeCrypto } from '../src/adapters/node/crypto.js'
import { staticTrustBundles } from '../src/bundle/index.js'
import { decodeCanonical, decodeCanonicalInto, decodedLength } from '../src/internal/base64url.js'
import { copyToSignatureScratch, decodeUtf8Strict, scratchBuffer, utf8Scratch } from '../src/internal/bytes.js'
import { generateSigner } from '../src/signer/index.js'
import { createWIT, verifyWIT } from '../src/wit/index.js'
import { createWPT } from '../src/wpt/index.js'
import type { Operation } from './lib.js'

const ORIGIN = 'https://api.example.com'
const URL_ = `${ORIGIN}/tools/search?q=weather`
const AUD = `${ORIGIN}/tools/search`

/** Builds the pool (`size` fresh proofs) and returns the timed operation. */
export async function minimalVerifier(size: number): Promise<Operation> {
  const fast = nodeCrypto()
  const issuer = await generateSigner('ES256', { kid: 'issuer-1' })
  const agent = await generateSigner('ES256')
  const wit = await createWIT({ sub: 'spiffe://example.org/agents/bench', cnf: { jwk: await agent.publicJwk() } }, { signer: issuer, lifetime: 3600 })
  const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
  const pool: Request[] = []
  for (let i = 0; i < size; i++) {
    const wpt = await createWPT({ wit, signer: agent, uri: URL_, method: 'GET', crypto: fast })
    pool.push(new Request(URL_, { headers: { 'workload-identity-token': wit, 'workload-proof-token': wpt } }))
  }
  const witCache = new Map<string, { id: string; key: KeyObject; wth: string }>()
  const headers = new Map<string, { alg?: unknown; typ?: unknown }>()
  const seen = new Map<string, number>()
  let next = 0
  return async () => {
    const r = pool[next++]
    if (r === undefined) throw new Error('request pool exhausted: raise BENCH_POOL')
    let w: string | null = null
    let p: string | null = null
    let total = 0
    for (const [name, value] of r.headers) {
      total += name.length + value.length
      if (name === 'workload-identity-token') w = value
      else if (name === 'workload-proof-token') p = value
    }
    if (total > 16_384 || w === null || p === null) throw new Error('missing credentials')
    let entry = witCache.get(w)
    if (entry === undefined) {
      const v = await verifyWIT(w, { trustBundles, crypto: fast })
      entry = { id: v.id, key: createPublicKey({ key: v.key as never, format: 'jwk' }), wth: createHash('sha256').update(w).digest('base64url') }
      witCache.set(w, entry)
    }
    const d1 = p.indexOf('.')
    const d2 = p.indexOf('.', d1 + 1)
    let header = headers.get(p.slice(0, d1))
    if (header === undefined) {
      header = JSON.parse(decodeUtf8Strict(decodeCanonical(p, 0, d1) as Uint8Array)) as { alg?: unknown; typ?: unknown }
      headers.set(p.slice(0, d1), header)
    }
    if (header.alg !== 'ES256' || header.typ !== 'wpt+jwt') throw new Error('header')
    const length = decodedLength(d2 - d1 - 1)
    const bytes = scratchBuffer(length)
    if (decodeCanonicalInto(bytes, p, d1 + 1, d2) !== undefined) throw new Error('payload encoding')
    const payload = JSON.parse(decodeUtf8Strict(bytes.subarray(0, length))) as Record<string, unknown>
    const signature = decodeCanonical(p, d2 + 1, p.length) as Uint8Array
    if (!nodeVerify('sha256', utf8Scratch(p.slice(0, d2)), { key: entry.key, dsaEncoding: 'ieee-p1363' }, copyToSignatureScratch(signature))) throw new Error('signature')
    const now = Math.floor(Date.now() / 1000)
    const exp = payload.exp
    if (payload.aud !== AUD || typeof exp !== 'number' || exp <= now - 30 || exp - now > 330) throw new Error('aud/exp')
    if (typeof payload.jti !== 'string' || payload.wth !== entry.wth) throw new Error('jti/wth')
    const key = `wpt:${entry.id}:${payload.jti}`
    if (seen.has(key)) throw new Error('replayed')
    seen.set(key, exp)
    return Object.freeze({ id: entry.id, claims: Object.freeze(payload) })
  }
}
