import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { delegationChain, verifyAccessToken } from '../../src/access-token/index.js'
import { verifyJWTAuthorizationGrant } from '../../src/assertion-grant/index.js'
import { processTokenResponse } from '../../src/client-auth/index.js'
import { ProtocolError, VerificationError } from '../../src/errors/index.js'
import { processTokenExchangeResponse, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { createAccessToken } from '../../src/token-service/index.js'
import { oauthTestSigner } from '../helpers/oauth-signer.js'
import { createStsFixture } from '../helpers/oauth-sts.js'

const RUNS = { numRuns: 150 }

const field = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }))
const hostileBody = fc.oneof(
  fc.record({ access_token: field, issued_token_type: field, token_type: field, expires_in: field, scope: field, refresh_token: field }, { requiredKeys: [] }),
  fc.record({ access_token: fc.constant('tok'), issued_token_type: fc.constant(TOKEN_TYPE.JWT), token_type: fc.constantFrom('Bearer', 'N_A', 'DPoP'), expires_in: field, scope: field }),
  fc.record({ error: field, error_description: field }, { requiredKeys: [] }),
  fc.jsonValue(),
)

describe('token response parsers (fast-check)', () => {
  it('accept or reject with ProtocolError only, and accepted results are well-typed', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.constantFrom(200, 200, 400, 401, 500), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html'), async (body, status, ct) => {
        for (const process of [processTokenExchangeResponse, processTokenResponse]) {
          const response = new Response(JSON.stringify(body), { status, headers: { 'content-type': ct } })
          try {
            const r = await process(response)
            expect(status).toBe(200)
            expect(typeof r.accessToken).toBe('string')
            expect(/^[\x20-\x7e]+$/.test(r.accessToken)).toBe(true)
            expect(typeof r.tokenType).toBe('string')
            if (r.expiresIn !== undefined) expect(Number.isInteger(r.expiresIn) && r.expiresIn >= 0).toBe(true)
            expect(Object.isFrozen(r)).toBe(true)
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError)
            expect(['ERR_OAUTH_RESPONSE_INVALID', 'ERR_OAUTH_ERROR']).toContain((err as ProtocolError).code)
          }
        }
      }),
      RUNS,
    )
  })

  it('arbitrary bytes never escape as anything but ProtocolError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const err = await processTokenExchangeResponse(new Response(bytes, { headers: { 'content-type': 'application/json' } })).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(ProtocolError)
      }),
      RUNS,
    )
  })
})

describe('claim parsers (fast-check)', () => {
  it('delegationChain returns well-formed actors or throws ERR_DELEGATION_INVALID', () => {
    const act: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.record({ sub: fc.oneof(fc.string(), fc.integer(), fc.constant('spiffe://example.org/a')), iss: fc.option(field, { nil: undefined }), act: fc.option(tie('node'), { nil: undefined }) }, { requiredKeys: [] }),
        field,
      ),
    })).node
    fc.assert(
      fc.property(act, (value) => {
        try {
          const chain = delegationChain({ sub: 'alice', act: value })
          for (const a of chain) {
            expect(typeof a.sub).toBe('string')
            expect(a.sub.length).toBeGreaterThan(0)
          }
          expect(Object.isFrozen(chain)).toBe(true)
        } catch (err) {
          expect(err).toBeInstanceOf(VerificationError)
          expect((err as VerificationError).code).toBe('ERR_DELEGATION_INVALID')
        }
      }),
      { numRuns: 300 },
    )
  })

  it('verifyAccessToken and verifyJWTAuthorizationGrant reject hostile tokens with VerificationError only', async () => {
    const signer = await oauthTestSigner('ES256', 'k')
    const valid = await createAccessToken({ iss: 'https://as', sub: 'a', aud: 'https://rs', client_id: 'c' }, { signer })
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
    const token = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ maxLength: 90 })).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
      fc.tuple(fc.record({ alg: fc.constantFrom('ES256', 'none', 'HS256', 'RS256'), typ: fc.constantFrom('at+jwt', 'JWT'), kid: fc.constantFrom('k', 'x'), crit: fc.option(fc.array(fc.string()), { nil: undefined }) }, { requiredKeys: ['alg'] }), fc.dictionary(fc.constantFrom('iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'act', 'cnf'), field)).map(([h, p]) => `${b64(h)}.${b64(p)}.${valid.split('.')[2]}`),
      fc.nat({ max: valid.length - 1 }).chain((i) => fc.string({ minLength: 1, maxLength: 1 }).map((c) => valid.slice(0, i) + c + valid.slice(i + 1))),
    )
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const a = await verifyAccessToken(t, { issuer: 'https://as', audience: 'https://rs', keys: [signer.jwk] }).then(() => 'ok', (e: unknown) => e)
        if (a !== 'ok') expect(a).toBeInstanceOf(VerificationError)
        else expect(t).toBe(valid)
        const g = await verifyJWTAuthorizationGrant(t, { trustedIssuers: [{ issuer: 'https://as', keys: [signer.jwk] }], audience: 'https://rs' }).then(() => 'ok', (e: unknown) => e)
        expect(g).toBeInstanceOf(VerificationError)
      }),
      RUNS,
    )
  })
})

describe('token exchange handler (fast-check)', () => {
  it('answers any form with an OAuth error JSON, never a token and never a throw', async () => {
    const f = await createStsFixture()
    const names = fc.constantFrom('grant_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource', 'scope', 'client_id', 'client_assertion', 'client_assertion_type', 'requested_token_type', 'x')
    const form = fc.array(fc.tuple(names, fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(TOKEN_TYPE.ACCESS_TOKEN, 'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'))), { maxLength: 10 })
    await fc.assert(
      fc.asyncProperty(form, fc.constantFrom('application/x-www-form-urlencoded', 'application/json', ''), async (pairs, ct) => {
        const body = new URLSearchParams(pairs).toString()
        const response = await f.handler(new Request('https://sts.example.com/token', { method: 'POST', body, headers: ct === '' ? {} : { 'content-type': ct } }))
        expect([400, 401]).toContain(response.status)
        expect(response.headers.get('cache-control')).toBe('no-store')
        const json = (await response.json()) as { error: string; access_token?: string }
        expect(typeof json.error).toBe('string')
        expect(json.access_token).toBeUndefined()
      }),
      { numRuns: 100 },
    )
    for (const e of f.errors) expect(e).toBeInstanceOf(VerificationError)
  })
})
