// fast-check: every parser of the Txn-Token module meets hostile input with typed errors only —
// token responses, compact tokens, signed payloads with arbitrary claims, the Txn-Token header,
// and whole token requests at the service.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError, VerificationError } from '../../src/errors/index.js'
import { createCompactJWS } from '../../src/signer/index.js'
import { TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { processTxnTokenResponse, verifyTxnToken, verifyTxnTokenHeader } from '../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../helpers/oauth-signer.js'
import { GATEWAY, TRUST_DOMAIN, TTS_ISSUER, txnFixture } from '../helpers/txn-service.js'

const RUNS = { numRuns: 200 }
const TD = TRUST_DOMAIN

function expectTyped(err: unknown, kind: 'protocol' | 'verification'): void {
  if (kind === 'protocol') {
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toMatch(/^ERR_OAUTH_(RESPONSE_INVALID|ERROR)$/)
  } else {
    expect(err).toBeInstanceOf(VerificationError)
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const tokenish = fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,20}$/), fc.constant('a.b.c'))

describe('processTxnTokenResponse', () => {
  it('accepts only conforming bodies and otherwise throws ProtocolError', async () => {
    const body = fc.record(
      {
        access_token: fc.oneof(tokenish, jsonValue),
        token_type: fc.oneof(fc.constantFrom('N_A', 'Bearer', 'n_a', ''), jsonValue),
        issued_token_type: fc.oneof(fc.constant(TOKEN_TYPE.TXN_TOKEN), fc.constant(TOKEN_TYPE.ACCESS_TOKEN), jsonValue),
        expires_in: fc.oneof(fc.integer(), fc.double(), jsonValue),
        refresh_token: fc.oneof(fc.string(), jsonValue),
        scope: fc.oneof(fc.string(), jsonValue),
        error: fc.oneof(fc.string(), jsonValue),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(body.map((b) => JSON.stringify(b)), fc.string(), fc.uint8Array({ maxLength: 64 }).map((u) => new TextDecoder().decode(u))),
        fc.constantFrom(200, 200, 400, 401, 500),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/jwt+json'),
        async (text, status, contentType) => {
          const res = new Response(text, { status, headers: { 'content-type': contentType } })
          try {
            const out = await processTxnTokenResponse(res)
            const parsed = JSON.parse(text) as Record<string, unknown>
            expect(parsed.token_type).toBe('N_A')
            expect(parsed.issued_token_type).toBe(TOKEN_TYPE.TXN_TOKEN)
            expect(parsed.refresh_token ?? null).toBeNull()
            expect(out.txnToken.split('.')).toHaveLength(3)
          } catch (err) {
            expectTyped(err, 'protocol')
          }
        },
      ),
      RUNS,
    )
  })
})

describe('verifyTxnToken', () => {
  it('throws VerificationError for any unsigned string', async () => {
    const signer = await oauthTestSigner('ES256')
    await fc.assert(
      fc.asyncProperty(tokenish, async (token) => {
        const err = await verifyTxnToken(token, { trustDomain: TD, keys: [signer.jwk] }).catch((e: unknown) => e)
        expectTyped(err, 'verification')
      }),
      RUNS,
    )
  })

  it('either accepts a signed payload with a sound shape or refuses it with a VerificationError', async () => {
    const signer = await oauthTestSigner('ES256')
    const clock = testClock()
    const now = clock.seconds()
    const claim = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: good }, { weight: 1, arbitrary: jsonValue })
    const payload = fc.record(
      {
        iat: claim(fc.integer({ min: now - 600, max: now + 5 })),
        exp: claim(fc.integer({ min: now - 5, max: now + 1200 })),
        aud: claim(fc.constantFrom(TD, [TD], 'other.example', [TD, 'x'])),
        txn: claim(fc.string({ minLength: 1, maxLength: 40 })),
        sub: claim(fc.string({ minLength: 1, maxLength: 40 })),
        scope: claim(fc.constantFrom('trade.stocks', 'a b', 'a  b', '', ' a')),
        purp: claim(fc.constantFrom('trade.stocks', '')),
        tctx: claim(fc.dictionary(fc.string(), jsonValue, { maxKeys: 4 })),
        azd: claim(fc.dictionary(fc.string(), jsonValue, { maxKeys: 2 })),
        rctx: claim(fc.dictionary(fc.string(), jsonValue, { maxKeys: 4 })),
        req_wl: claim(fc.string({ minLength: 1, maxLength: 40 })),
        req_wl_chain: claim(fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 })),
        iss: claim(fc.string({ minLength: 1 })),
      },
      { requiredKeys: ['iat', 'exp', 'aud', 'txn', 'sub', 'scope', 'req_wl'] },
    )
    const typ = fc.constantFrom('txntoken+jwt', 'application/txntoken+jwt', 'at+jwt', undefined)
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(payload, typ, async (claims, t) => {
        const token = await createCompactJWS(t === undefined ? {} : { typ: t }, claims as Record<string, unknown>, signer)
        try {
          const v = await verifyTxnToken(token, { trustDomain: TD, keys: [signer.jwk], clock: clock.now })
          expect(v.trustDomain).toBe(TD)
          expect(v.scopes.length).toBeGreaterThan(0)
          expect(v.expiresAt).toBeGreaterThan(now)
          expect(v.expiresAt - v.issuedAt).toBeLessThanOrEqual(900)
          expect(typeof v.txn === 'string' && typeof v.subject === 'string' && typeof v.requestingWorkload === 'string').toBe(true)
          expect(Object.isFrozen(v)).toBe(true)
          accepted++
        } catch (err) {
          expectTyped(err, 'verification')
        }
      }),
      { numRuns: 300 },
    )
    expect(accepted).toBeGreaterThan(0)
  })
})

describe('verifyTxnTokenHeader', () => {
  it('refuses arbitrary header values with VerificationError only', async () => {
    const signer = await oauthTestSigner('ES256')
    const policy = { required: false, trustDomain: TD, keys: [signer.jwk] }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/), { minLength: 1, maxLength: 3 }), async (values) => {
        const headers = new Headers()
        for (const v of values) headers.append('txn-token', v)
        const err = await verifyTxnTokenHeader(headers, policy).catch((e: unknown) => e)
        expectTyped(err, 'verification')
      }),
      RUNS,
    )
  })
})

describe('createTxnTokenService', () => {
  it('answers arbitrary token requests with 200 or an OAuth error, never a crash', async () => {
    const f = await txnFixture()
    const accessToken = await f.accessToken()
    const names = ['grant_type', 'requested_token_type', 'audience', 'scope', 'subject_token', 'subject_token_type', 'request_context', 'request_details', 'actor_token', 'resource']
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.REFRESH_TOKEN, TOKEN_TYPE.SELF_SIGNED, TOKEN_TYPE.UNSIGNED_JSON, TD, 'trade.stocks', accessToken),
      jsonValue.map((j) => JSON.stringify(j)),
    )
    const statuses = new Set<number>()
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 }), fc.boolean(), async (patch, authenticate) => {
        const body = new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: TOKEN_TYPE.TXN_TOKEN, audience: TD,
          scope: 'trade.stocks', subject_token: accessToken, subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, ...patch,
        })
        const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' })
        if (authenticate) await f.gateway.auth({ issuer: TTS_ISSUER, tokenEndpoint: f.server.tokenEndpoint, clientId: GATEWAY, body, headers })
        const res = await f.handler(new Request(f.server.tokenEndpoint, { method: 'POST', headers, body }))
        expect([200, 400, 401]).toContain(res.status)
        statuses.add(res.status)
        expect(res.headers.get('cache-control')).toBe('no-store')
        const json = (await res.json()) as Record<string, unknown>
        if (res.status === 200) expect(json.token_type).toBe('N_A')
        else expect(typeof json.error).toBe('string')
      }),
      { numRuns: 150 },
    )
    expect([...statuses].sort()).toEqual([200, 400, 401])
  })
})
