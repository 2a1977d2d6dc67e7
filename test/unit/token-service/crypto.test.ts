// The token service's verifiers take an injected Web Crypto provider (`crypto`), so a deployment
// can use nodeCrypto() (synchronous node:crypto) or another provider. Here each component gets its
// own @peculiar/webcrypto provider wrapped to count calls: every import, verify and digest of a
// token exchange must go through the provider of the component that does it, none through the
// platform's.
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { privateKeyJwt, witClientAuth } from '../../../src/client-auth/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { exchangeToken, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createAccessToken, createClientAuthenticator, createJWTTokenVerifier, createTokenExchangeHandler } from '../../../src/token-service/index.js'
import { createCompactJWS } from '../../../src/signer/index.js'
import { createTxnTokenService, requestTxnToken, selfSignedSubjectToken } from '../../../src/txn-token/index.js'
import { createWIT, createWITVerifier, staticWITSource } from '../../../src/wit/index.js'
import { decodeJWT, oauthTestSigner } from '../../helpers/oauth-signer.js'
import { TRUST_DOMAIN, txnFixture } from '../../helpers/txn-service.js'

const STS = 'https://sts.example.com'
const WORKLOAD = 'spiffe://example.org/agents/nightly'
const REPORTS = 'https://reports.example.com'

type Counted = 'importKey' | 'verify' | 'digest' | 'sign'

/** A @peculiar/webcrypto provider whose subtle counts the calls made through it. */
function countingCrypto(): { crypto: Crypto; counts: Record<Counted, number> } {
  const base = new PeculiarCrypto()
  const counts: Record<Counted, number> = { importKey: 0, verify: 0, digest: 0, sign: 0 }
  const subtle = new Proxy(base.subtle, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (prop in counts) counts[prop as Counted]++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  const crypto = { subtle, getRandomValues: <T extends ArrayBufferView | null>(a: T) => base.getRandomValues(a as never) as T, randomUUID: () => base.randomUUID() }
  return { crypto: crypto as unknown as Crypto, counts }
}

afterEach(() => { vi.restoreAllMocks() })

async function setup() {
  const sts = await oauthTestSigner('ES256', 'sts')
  const witIssuer = await oauthTestSigner('ES256', 'wit-issuer')
  const workloadKey = await oauthTestSigner('ES256', null)
  const brokerKey = await oauthTestSigner('ES256')
  const wit = await createWIT({ sub: WORKLOAD, publicJwk: workloadKey.jwk }, { signer: witIssuer, lifetime: 3600 })
  const auth = countingCrypto()
  const subject = countingCrypto()
  const witCrypto = countingCrypto()
  const errors: unknown[] = []
  const handler = createTokenExchangeHandler({
    issuer: STS,
    signer: sts,
    clientAuthentication: createClientAuthenticator({
      issuer: STS,
      clients: { broker: { clientId: 'broker', keys: [brokerKey.jwk] }, [WORKLOAD]: { clientId: WORKLOAD } },
      replayCache: createMemoryReplayCache(),
      witVerifier: createWITVerifier({ trustBundles: staticTrustBundles({ 'example.org': [witIssuer.jwk] }), crypto: witCrypto.crypto }),
      crypto: auth.crypto,
    }),
    subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: createJWTTokenVerifier({ issuer: STS, keys: [sts.jwk], typ: 'at+jwt', audience: STS, crypto: subject.crypto }) },
    policy: { targets: [REPORTS] },
    onError: (e) => errors.push(e),
  })
  const subjectToken = await createAccessToken({ iss: STS, sub: 'alice', aud: STS, client_id: 'app', scope: 'reports:read' }, { signer: sts })
  const platformCalls: number[] = []
  // Only the handler's work is watched on the platform provider (the client side signs before).
  const fetch = async (input: Request | URL | string, init?: RequestInit) => {
    const request = new Request(input, init)
    const platform = { verify: vi.spyOn(globalThis.crypto.subtle, 'verify'), importKey: vi.spyOn(globalThis.crypto.subtle, 'importKey'), digest: vi.spyOn(globalThis.crypto.subtle, 'digest') }
    try {
      const response = await handler(request)
      platformCalls.push(platform.verify.mock.calls.length + platform.importKey.mock.calls.length + platform.digest.mock.calls.length)
      return response
    } finally {
      vi.restoreAllMocks()
    }
  }
  const exchange = (clientId: string, clientAuth: Parameters<typeof exchangeToken>[1]['auth']) =>
    exchangeToken({ issuer: STS, tokenEndpoint: `${STS}/token` }, { clientId, auth: clientAuth }, { subjectToken, subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: REPORTS }, { fetch })
  return { auth, subject, witCrypto, errors, exchange, platformCalls, wit, workloadKey, brokerKey }
}

describe('token service: injected crypto', () => {
  it('private_key_jwt exchange: the client assertion and the subject token are verified through their injected providers, none through the platform', async () => {
    const s = await setup()
    const r = await s.exchange('broker', privateKeyJwt(s.brokerKey))
    expect(s.errors).toEqual([])
    expect(decodeJWT(r.accessToken).payload).toMatchObject({ sub: 'alice', client_id: 'broker', aud: REPORTS })
    expect(s.auth.counts).toMatchObject({ importKey: 1, verify: 1 })
    expect(s.subject.counts).toMatchObject({ importKey: 1, verify: 1 })
    expect(s.platformCalls).toEqual([0])
    // Imported keys are cached per provider: a second exchange only verifies.
    await s.exchange('broker', privateKeyJwt(s.brokerKey))
    expect(s.auth.counts).toMatchObject({ importKey: 1, verify: 2 })
    expect(s.subject.counts).toMatchObject({ importKey: 1, verify: 2 })
    expect(s.platformCalls).toEqual([0, 0])
  })

  it('WIT + PoP exchange: PoP verification and the key thumbprint (cnf.jkt) use the authenticator\'s provider; the WIT its verifier\'s', async () => {
    const s = await setup()
    const r = await s.exchange(WORKLOAD, witClientAuth({ wit: staticWITSource(s.wit), signer: s.workloadKey }))
    expect(s.errors).toEqual([])
    expect(decodeJWT(r.accessToken).payload.cnf).toMatchObject({ jkt: expect.any(String) })
    expect(s.auth.counts.verify).toBe(1)
    expect(s.auth.counts.digest).toBeGreaterThanOrEqual(1)
    expect(s.witCrypto.counts.verify).toBe(1)
    expect(s.subject.counts.verify).toBe(1)
    expect(s.platformCalls).toEqual([0])
  })

  it('refuses a crypto option that is not a provider', () => {
    const base = { issuer: STS, clients: {}, replayCache: createMemoryReplayCache() }
    expect(() => createClientAuthenticator({ ...base, crypto: 'node' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createClientAuthenticator({ ...base, crypto: {} as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => createJWTTokenVerifier({ issuer: STS, keys: [], audience: STS, crypto: null as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('txn-token service: injected crypto (same audit)', () => {
  it('createTxnTokenService verifies and hashes the Txn-Token it replaces through its provider', async () => {
    const c = countingCrypto()
    const f = await txnFixture({ crypto: c.crypto })
    const first = await requestTxnToken(f.server, f.gateway, { subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.stocks trade.read' }, { fetch: f.fetch })
    expect(c.counts).toMatchObject({ verify: 0, digest: 0 }) // issuance from an access token: its verifier has its own provider
    const replaced = await requestTxnToken(f.server, f.batch, { subjectToken: first.txnToken, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: 'trade.read' }, { fetch: f.fetch })
    expect(f.errors).toEqual([])
    expect(decodeJWT(replaced.txnToken).payload.txn).toBe(decodeJWT(first.txnToken).payload.txn)
    expect(c.counts).toMatchObject({ importKey: 1, verify: 1, digest: 1 }) // signature + single-use hash
  })

  it('selfSignedSubjectToken verifies through its provider', async () => {
    const c = countingCrypto()
    const workload = await oauthTestSigner('ES256', null)
    const verifySelfSigned = selfSignedSubjectToken({ audience: 'https://tts.example', keys: () => [workload.jwk], crypto: c.crypto })
    const now = Math.floor(Date.now() / 1000)
    const token = await createCompactJWS({}, { iss: 'spiffe://example.org/batch', sub: 'u', aud: 'https://tts.example', iat: now, exp: now + 60 }, workload)
    const client = { clientId: 'spiffe://example.org/batch', workloadId: undefined }
    const info = await verifySelfSigned(token, { client, request: new Request('https://tts.example/token'), replayCache: undefined })
    expect(info.subject).toBe('u')
    expect(c.counts).toMatchObject({ importKey: 1, verify: 1 })
    expect(() => createTxnTokenService({ trustDomain: 'd', signer: workload, authenticateClient: async () => client, subjectTokens: {}, crypto: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => selfSignedSubjectToken({ audience: 'a', crypto: {} as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
