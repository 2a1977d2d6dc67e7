import { jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { delegationChain, verifyAccessToken } from '../../../src/access-token/index.js'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { decodeJWT } from '../../helpers/oauth-signer.js'
import { AGENT_A, AGENT_B, AGENT_C, CALENDAR, createStsFixture, PARTNER, STS, type StsFixture } from '../../helpers/oauth-sts.js'

async function refusal(f: StsFixture, p: Promise<unknown>): Promise<{ oauth: ProtocolError; typed: VerificationError }> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(ProtocolError)
  const typed = f.errors.at(-1)
  expect(typed).toBeInstanceOf(VerificationError)
  return { oauth: err as ProtocolError, typed: typed as VerificationError }
}

/** user → A (aud B) → B (aud C) → C (aud calendar): each hop's token is for the next agent. */
async function threeHops(f: StsFixture, finalScope = 'calendar:read') {
  const user = await f.userToken()
  const t1 = await f.exchange(AGENT_A, { subjectToken: user, audience: AGENT_B, scope: 'calendar:read calendar:write' })
  const t2 = await f.exchange(AGENT_B, { subjectToken: t1.accessToken, audience: AGENT_C, scope: 'calendar:read calendar:write' })
  const t3 = await f.exchange(AGENT_C, { subjectToken: t2.accessToken, audience: CALENDAR, scope: finalScope })
  return { user, t1, t2, t3 }
}

describe('token exchange delegation', () => {
  it('a three-hop chain yields three nested actors, current actor first', async () => {
    const f = await createStsFixture()
    const { t1, t3 } = await threeHops(f)
    expect(t3.issuedTokenType).toBe(TOKEN_TYPE.ACCESS_TOKEN)
    expect(t3.tokenType).toBe('Bearer')
    expect(t3.scope).toBe('calendar:read')
    const verified = await verifyAccessToken(t3.accessToken, { issuer: STS, audience: CALENDAR, keys: { keys: [f.sts.jwk] }, requiredScopes: ['calendar:read'], delegation: { maxDepth: 3 } })
    expect(verified.subject).toBe('alice')
    expect(verified.clientId).toBe(AGENT_C)
    expect(verified.actors.map((a) => a.sub)).toEqual([AGENT_C, AGENT_B, AGENT_A])
    expect(verified.actors[0]!.trustDomain).toBe('example.com')
    // nested, never flattened
    const { payload, header } = decodeJWT(t3.accessToken)
    expect(header.typ).toBe('at+jwt')
    expect(payload.act).toEqual({ sub: AGENT_C, act: { sub: AGENT_B, act: { sub: AGENT_A } } })
    expect(delegationChain(payload).length).toBe(3)
    // jose verifies every minted token
    for (const t of [t1.accessToken, t3.accessToken]) {
      const r = await jwtVerify(t, f.sts.publicKey, { issuer: STS, typ: 'at+jwt', algorithms: ['ES256'] })
      expect(r.payload.sub).toBe('alice')
      for (const c of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']) expect(r.payload).toHaveProperty(c)
    }
  })

  it('refuses a widened scope with invalid_scope (never silently narrowed or widened)', async () => {
    const f = await createStsFixture()
    const user = await f.userToken({ scope: 'calendar:read' })
    const { oauth, typed } = await refusal(f, f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR, scope: 'calendar:read calendar:write' }))
    expect(oauth.error).toBe('invalid_scope')
    expect(oauth.status).toBe(400)
    expect(typed.code).toBe('ERR_SCOPE_NOT_ALLOWED')
    // a later hop cannot regain a scope an earlier hop dropped
    const t1 = await f.exchange(AGENT_A, { subjectToken: await f.userToken(), audience: AGENT_B, scope: 'files:read' })
    const again = await refusal(f, f.exchange(AGENT_B, { subjectToken: t1.accessToken, audience: CALENDAR, scope: 'calendar:read' }))
    expect(again.typed.code).toBe('ERR_SCOPE_NOT_ALLOWED')
  })

  it('a token without scope claim grants no scope unless the policy bounds it', async () => {
    const f = await createStsFixture({ scopes: () => ['calendar:read'] })
    const user = await f.userToken({ scope: undefined })
    const ok = await f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR, scope: 'calendar:read' })
    expect(ok.scope).toBe('calendar:read')
    const { typed } = await refusal(f, f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR, scope: 'calendar:write' }))
    expect(typed.code).toBe('ERR_SCOPE_NOT_ALLOWED')
  })

  it('refuses a wrong audience (invalid_target) and a subject token not meant for the client', async () => {
    const f = await createStsFixture()
    const user = await f.userToken()
    const target = await refusal(f, f.exchange(AGENT_A, { subjectToken: user, audience: 'https://evil.example.com' }))
    expect(target.oauth.error).toBe('invalid_target')
    expect(target.typed.code).toBe('ERR_TARGET_NOT_ALLOWED')
    const none = await refusal(f, f.exchange(AGENT_A, { subjectToken: user }))
    expect(none.typed.code).toBe('ERR_TARGET_NOT_ALLOWED')
    // t1 is for B; C presenting it is refused
    const t1 = await f.exchange(AGENT_A, { subjectToken: user, audience: AGENT_B })
    const stolen = await refusal(f, f.exchange(AGENT_C, { subjectToken: t1.accessToken, audience: CALENDAR }))
    expect(stolen.oauth.error).toBe('invalid_request')
    expect(stolen.typed.code).toBe('ERR_SUBJECT_TOKEN_INVALID')
    expect(stolen.typed.claim).toBe('aud')
  })

  it('enforces may_act', async () => {
    const f = await createStsFixture()
    const user = await f.userToken({ may_act: { sub: AGENT_A } })
    const ok = await f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR })
    expect(decodeJWT(ok.accessToken).payload.act).toEqual({ sub: AGENT_A })
    const { oauth, typed } = await refusal(f, f.exchange(AGENT_B, { subjectToken: user, audience: CALENDAR }))
    expect(oauth.error).toBe('invalid_request')
    expect(typed.code).toBe('ERR_MAY_ACT_MISMATCH')
    const strict = await createStsFixture({ requireMayAct: true })
    const noMayAct = await refusal(strict, strict.exchange(AGENT_A, { subjectToken: await strict.userToken(), audience: CALENDAR }))
    expect(noMayAct.typed.code).toBe('ERR_MAY_ACT_MISMATCH')
  })

  it('limits chain depth', async () => {
    const f = await createStsFixture({ maxDepth: 2 })
    const user = await f.userToken()
    const t1 = await f.exchange(AGENT_A, { subjectToken: user, audience: AGENT_B })
    const t2 = await f.exchange(AGENT_B, { subjectToken: t1.accessToken, audience: AGENT_C })
    const { typed } = await refusal(f, f.exchange(AGENT_C, { subjectToken: t2.accessToken, audience: CALENDAR }))
    expect(typed.code).toBe('ERR_DELEGATION_DEPTH')
  })

  it('refuses a cycle (an actor already in the chain)', async () => {
    const f = await createStsFixture()
    const user = await f.userToken()
    const t1 = await f.exchange(AGENT_A, { subjectToken: user, audience: AGENT_B })
    const t2 = await f.exchange(AGENT_B, { subjectToken: t1.accessToken, audience: AGENT_A })
    const { oauth, typed } = await refusal(f, f.exchange(AGENT_A, { subjectToken: t2.accessToken, audience: CALENDAR }))
    expect(oauth.error).toBe('invalid_request')
    expect(typed.code).toBe('ERR_DELEGATION_CYCLE')
  })

  it('refuses an actor from a disallowed trust domain; a hook can admit a third-party agent', async () => {
    const f = await createStsFixture({ allowedActorTrustDomains: ['example.com'] })
    const { typed } = await refusal(f, f.exchange(PARTNER, { subjectToken: await f.userToken({ aud: PARTNER }), audience: CALENDAR }))
    expect(typed.code).toBe('ERR_ACTOR_NOT_ALLOWED')
    const hooked = await createStsFixture({
      authorizeActor: ({ actor, subject, audiences }) => actor.trustDomain === 'example.com' || (actor.sub === PARTNER && subject.subject === 'alice' && audiences.every((a) => a === CALENDAR)),
    })
    const ok = await hooked.exchange(PARTNER, { subjectToken: await hooked.userToken({ aud: PARTNER }), audience: CALENDAR, scope: 'calendar:read' })
    expect(decodeJWT(ok.accessToken).payload.act).toEqual({ sub: PARTNER })
    const denied = await refusal(hooked, hooked.exchange(PARTNER, { subjectToken: await hooked.userToken({ aud: PARTNER }), audience: AGENT_A }))
    expect(denied.typed.code).toBe('ERR_ACTOR_NOT_ALLOWED')
  })

  it('never issues a token that outlives its subject token', async () => {
    const f = await createStsFixture({ lifetime: 3600 })
    const user = await f.userToken()
    const { exp } = decodeJWT(user).payload as { exp: number }
    const t = await f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR })
    expect(decodeJWT(t.accessToken).payload.exp).toBeLessThanOrEqual(exp)
  })

  it('refuses an expired subject token (also inside the clock tolerance)', async () => {
    let now = Date.now()
    const f = await createStsFixture({}, { now: () => now })
    const user = await f.userToken()
    now += 3600 * 1000 + 10_000 // 10 s past exp, within the verifier's 30 s tolerance
    const { oauth, typed } = await refusal(f, f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR }))
    expect(oauth.error).toBe('invalid_request')
    expect(typed.code).toBe('ERR_TOKEN_EXPIRED')
    now += 60_000
    const later = await refusal(f, f.exchange(AGENT_A, { subjectToken: user, audience: CALENDAR }))
    expect(later.typed.code).toBe('ERR_TOKEN_EXPIRED')
  })
})
