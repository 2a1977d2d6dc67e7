// Review round 8: fast-check on the Txn-Token Service with an authenticated client, so random and
// mutated parameters reach the subject-token, scope and context parsers (not only client auth).
import fc from 'fast-check'
import { expectCodedTokenAnswer } from '../helpers/token-endpoint-property.js'
import { describe, it } from 'vitest'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { TRUST_DOMAIN, TTS_ENDPOINT, TTS_ISSUER, txnFixture } from '../helpers/txn-service.js'

const mutate = (s: string) =>
  fc.oneof(
    fc.constant(s),
    fc.tuple(fc.nat({ max: s.length }), fc.string({ maxLength: 4 })).map(([i, x]) => s.slice(0, i) + x + s.slice(i)),
    fc.tuple(fc.nat({ max: s.length }), fc.nat({ max: 8 })).map(([i, n]) => s.slice(0, i) + s.slice(i + n)),
  )
const jsonish = fc.oneof(
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).map((o) => JSON.stringify(o)), weight: 6 },
  fc.json({ maxDepth: 4 }),
  fc.constantFrom('{"__proto__":{"a":1}}', '{"a":1,"a":2}', '[' .repeat(200), '{"a":'.repeat(100), '{"x":1e999}', '{"x":"\\ud800"}', '{}', 'null', '\uFEFF{}'),
)

describe('createTxnTokenService (review 8, fast-check)', () => {
  it('answers any authenticated request with a token or an OAuth error; every refusal carries a code', async () => {
    const f = await txnFixture()
    const subject = await f.accessToken()
    const param = fc.record({
      grant_type: fc.oneof({ arbitrary: fc.constant(GRANT_TYPE_TOKEN_EXCHANGE), weight: 9 }, fc.string({ maxLength: 8 })),
      requested_token_type: fc.oneof({ arbitrary: fc.constant(TOKEN_TYPE.TXN_TOKEN), weight: 9 }, fc.string({ maxLength: 8 })),
      audience: fc.oneof({ arbitrary: fc.constant(TRUST_DOMAIN), weight: 4 }, mutate(TRUST_DOMAIN)),
      scope: fc.oneof({ arbitrary: fc.constant('trade.stocks'), weight: 3 }, mutate('trade.stocks trade.read'), fc.string({ maxLength: 12 })),
      subject_token: fc.oneof({ arbitrary: fc.constant(subject), weight: 3 }, mutate(subject), jsonish),
      subject_token_type: fc.constantFrom(TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.SELF_SIGNED, TOKEN_TYPE.UNSIGNED_JSON, TOKEN_TYPE.REFRESH_TOKEN, 'x'),
      request_context: jsonish,
      request_details: jsonish,
    }, { requiredKeys: ['grant_type', 'requested_token_type', 'audience', 'scope', 'subject_token', 'subject_token_type'] })
    await fc.assert(
      fc.asyncProperty(param, (p) =>
        expectCodedTokenAnswer(f.handler, TTS_ENDPOINT, p as Record<string, string>, (body, headers) => f.gateway.auth({ issuer: TTS_ISSUER, tokenEndpoint: TTS_ENDPOINT, clientId: f.gateway.clientId, body, headers }), f.errors),
      ),
      { numRuns: 150 },
    )
  }, 20_000)
})
