// Review round 8: fast-check on the token exchange handler with an authenticated client, so random
// and mutated parameters reach the subject/actor token, target, scope and delegation code.
import fc from 'fast-check'
import { expectCodedTokenAnswer } from '../helpers/token-endpoint-property.js'
import { describe, it } from 'vitest'
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../src/token-exchange/index.js'
import { AGENT_A, AGENT_B, CALENDAR, STS, createStsFixture } from '../helpers/oauth-sts.js'

const mutate = (s: string) =>
  fc.oneof(
    fc.constant(s),
    fc.tuple(fc.nat({ max: s.length }), fc.string({ maxLength: 4 })).map(([i, x]) => s.slice(0, i) + x + s.slice(i)),
    fc.tuple(fc.nat({ max: s.length }), fc.nat({ max: 8 })).map(([i, n]) => s.slice(0, i) + s.slice(i + n)),
  )

describe('createTokenExchangeHandler (review 8, fast-check)', () => {
  it('answers any authenticated request with a token or an OAuth error; every refusal carries a code', async () => {
    const f = await createStsFixture()
    const subject = await f.userToken({ may_act: { sub: AGENT_A } })
    const actor = await f.userToken({ sub: AGENT_B })
    const auth = privateKeyJwt(f.agents[AGENT_A]!, { clock: f.clock.now })
    const types = fc.constantFrom(TOKEN_TYPE.ACCESS_TOKEN, TOKEN_TYPE.JWT, TOKEN_TYPE.ID_JAG, TOKEN_TYPE.TXN_TOKEN, TOKEN_TYPE.REFRESH_TOKEN, 'x')
    const param = fc.record({
      grant_type: fc.oneof({ arbitrary: fc.constant(GRANT_TYPE_TOKEN_EXCHANGE), weight: 9 }, fc.string({ maxLength: 8 })),
      requested_token_type: fc.oneof({ arbitrary: fc.constant(TOKEN_TYPE.ACCESS_TOKEN), weight: 3 }, types),
      audience: fc.oneof(fc.constant(CALENDAR), mutate(CALENDAR)),
      resource: fc.oneof(fc.constant(CALENDAR + '/x'), mutate(CALENDAR), fc.string({ maxLength: 12 })),
      scope: fc.oneof(fc.constant('calendar:read'), mutate('calendar:read files:read'), fc.string({ maxLength: 12 })),
      subject_token: fc.oneof({ arbitrary: fc.constant(subject), weight: 3 }, mutate(subject)),
      subject_token_type: fc.oneof({ arbitrary: fc.constant(TOKEN_TYPE.ACCESS_TOKEN), weight: 4 }, types),
      actor: fc.option(fc.tuple(fc.oneof({ arbitrary: fc.constant(actor), weight: 3 }, mutate(actor)), fc.oneof({ arbitrary: fc.constant(TOKEN_TYPE.ACCESS_TOKEN), weight: 3 }, types))),
    }, { requiredKeys: ['grant_type', 'subject_token', 'subject_token_type', 'actor'] }).map(({ actor: a, ...rest }) => (a === null ? rest : { ...rest, actor_token: a[0], actor_token_type: a[1] }))
    await fc.assert(
      fc.asyncProperty(param, (p) =>
        expectCodedTokenAnswer(f.handler, `${STS}/token`, p as Record<string, string>, (body, headers) => auth({ issuer: STS, tokenEndpoint: `${STS}/token`, clientId: AGENT_A, body, headers }), f.errors),
      ),
      { numRuns: 150 },
    )
  }, 20_000)
})
