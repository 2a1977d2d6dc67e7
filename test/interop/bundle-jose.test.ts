// remoteTrustBundle + selectKey against jose: the same JWKS endpoint, the same tokens, the same
// decisions as jose's createRemoteJWKSet — including key rotation without a restart.
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { remoteTrustBundle, selectKey, type RemoteTrustBundleSource } from '../../src/bundle/index.js'
import type { JWSAlgorithm } from '../../src/signer/index.js'
import { startBundleServer, type BundleServer } from '../helpers/bundle-server.js'

let server: BundleServer
let time = 0
beforeEach(async () => {
  server = await startBundleServer()
  time = 1_000_000
})
afterEach(() => server.close())

async function issuerKey(alg: JWSAlgorithm, kid: string, use = 'wit-svid') {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use }
  const sign = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg, kid, typ: 'wit+jwt' }).setExpirationTime('5m').sign(privateKey)
  return { jwk, sign }
}

async function verifyOurs(source: RemoteTrustBundleSource, token: string) {
  const { kid, alg } = decodeProtectedHeader(token) as { kid: string; alg: JWSAlgorithm }
  let bundle = (await source.getBundle('example.org'))!
  if (!bundle.keys.some((k) => k.kid === kid)) bundle = (await source.refresh('example.org'))!
  const jwk = selectKey(bundle, { kid, alg, use: ['wit-svid', 'sig'] })
  return jwtVerify(token, await importJWK(jwk as JWK, alg), { algorithms: [alg] })
}

describe('remoteTrustBundle interop with jose', () => {
  it('serves keys jose exported, for every key type, and agrees with createRemoteJWKSet', async () => {
    const keys = await Promise.all((['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const).map((alg, i) => issuerKey(alg, `k${i}`, 'sig')))
    server.serve({ keys: keys.map((k) => k.jwk), spiffe_refresh_hint: 300 })
    const ours = remoteTrustBundle({ urls: { 'example.org': server.url }, format: 'spiffe', clock: () => time })
    const theirs = createRemoteJWKSet(new URL(server.url))
    for (const k of keys) {
      const token = await k.sign('spiffe://example.org/svc')
      expect((await verifyOurs(ours, token)).payload.sub).toBe('spiffe://example.org/svc')
      expect((await jwtVerify(token, theirs)).payload.sub).toBe('spiffe://example.org/svc')
    }
    expect(server.requests).toBe(2) // one fetch each
  })

  it('accepts SPIFFE "wit-svid" keys, which jose\'s JWKS matcher skips (it only takes use "sig")', async () => {
    const k = await issuerKey('ES256', 'w')
    server.serve({ keys: [k.jwk] })
    const token = await k.sign('spiffe://example.org/w')
    const ours = remoteTrustBundle({ urls: { 'example.org': server.url }, format: 'spiffe', clock: () => time })
    expect((await verifyOurs(ours, token)).payload.sub).toBe('spiffe://example.org/w')
    await expect(jwtVerify(token, createRemoteJWKSet(new URL(server.url)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
  })

  it('picks up a rotated key through refresh on an unknown kid, once per cooldown', async () => {
    const old = await issuerKey('ES256', 'old')
    server.serve({ keys: [old.jwk] })
    const source = remoteTrustBundle({ urls: { 'example.org': server.url }, clock: () => time, cooldownMs: 30_000 })
    await verifyOurs(source, await old.sign('a'))

    const next = await issuerKey('ES256', 'new')
    server.serve({ keys: [old.jwk, next.jwk] })
    const token = await next.sign('b')
    time += 29_999
    await expect(verifyOurs(source, token)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
    time += 1
    expect((await verifyOurs(source, token)).payload.sub).toBe('b')
    expect(server.requests).toBe(2)

    server.serve({ keys: [next.jwk] }) // old key retired
    time += 300_000
    await expect(verifyOurs(source, await old.sign('c'))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' })
  })
})
