// fast-check (review round 6): chains of replacement Txn-Tokens (draft §13.15) never widen the
// scope, never change txn / sub / aud or an existing tctx / rctx member, never outlive the replaced
// token (unless extendLifetime), never replace an expired token, and stop at maxReplacements.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../src/errors/index.js'
import { TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { requestTxnToken, verifyTxnToken, type VerifiedTxnToken } from '../../src/txn-token/index.js'
import { TRUST_DOMAIN, txnFixture } from '../helpers/txn-service.js'

const SCOPES = ['trade.stocks', 'trade.read']
const KEYS = ['action', 'ticker', 'note', 'limit']

const step = fc.record({
  scope: fc.oneof(
    { weight: 4, arbitrary: fc.subarray(SCOPES, { minLength: 1 }) },
    { weight: 1, arbitrary: fc.subarray(['trade.stocks', 'trade.read', 'payments.send'], { minLength: 1 }) },
  ),
  details: fc.option(fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('BUY', 'MSFT', 'x'), { maxKeys: 3 }), { nil: undefined }),
  advance: fc.integer({ min: 0, max: 120 }),
})

describe('replacement Txn-Tokens (property)', () => {
  it('keep the invariants of §13.15 over random chains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (steps, extendLifetime, maxReplacements) => {
        const f = await txnFixture({ replacement: { extendLifetime, maxReplacements } })
        const verify = (t: string) => verifyTxnToken(t, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })
        const first = await requestTxnToken(f.server, f.gateway, {
          subjectToken: await f.accessToken(), subjectTokenType: TOKEN_TYPE.ACCESS_TOKEN, audience: TRUST_DOMAIN,
          scope: SCOPES, requestDetails: { action: 'BUY', ticker: 'MSFT' },
        }, { fetch: f.fetch })
        let token = first.txnToken
        let current: VerifiedTxnToken = await verify(token)
        const original = current
        let replacements = 0
        for (const s of steps) {
          f.clock.advance(s.advance)
          const result = await requestTxnToken(f.server, f.batch, {
            subjectToken: token, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: s.scope,
            ...(s.details === undefined ? {} : { requestDetails: s.details }),
          }, { fetch: f.fetch }).then((r) => r, (e: unknown) => e)
          const expired = f.clock.seconds() >= current.expiresAt
          const widens = s.scope.some((x) => !current.scopes.includes(x))
          const changes = s.details !== undefined && Object.entries(s.details).some(([k, v]) => Object.hasOwn(current.tctx ?? {}, k) && current.tctx![k] !== v)
          const exhausted = replacements >= maxReplacements
          if (expired || widens || changes || exhausted) {
            expect(result).toBeInstanceOf(ProtocolError)
            continue
          }
          expect(result).not.toBeInstanceOf(Error)
          const replaced = token
          token = (result as { txnToken: string }).txnToken
          const next = await verify(token)
          expect(next.txn).toBe(original.txn)
          expect(next.subject).toBe(original.subject)
          expect(next.trustDomain).toBe(TRUST_DOMAIN)
          expect(next.scopes.every((x) => current.scopes.includes(x))).toBe(true)
          for (const [k, v] of Object.entries(current.tctx ?? {})) expect(next.tctx?.[k]).toEqual(v)
          expect(next.rctx).toEqual(current.rctx)
          if (!extendLifetime) expect(next.expiresAt).toBeLessThanOrEqual(current.expiresAt)
          expect(next.requesterChain).toHaveLength(current.requesterChain.length + 1)
          // Each token is replaced once (the fixture has a replay cache).
          const again = await requestTxnToken(f.server, f.batch, { subjectToken: replaced, subjectTokenType: TOKEN_TYPE.TXN_TOKEN, audience: TRUST_DOMAIN, scope: next.scopes }, { fetch: f.fetch }).then(() => 'issued', () => 'refused')
          expect(again).toBe('refused')
          current = next
          replacements++
        }
      }),
      { numRuns: 40 },
    )
  }, 60_000)
})
