// createRequestVerifier's access-token step (tier 2, WIMSE + OAuth): the caller proves its WIT key
// with a WPT whose `ath` hashes the access token, and the token (RFC 9068) says who the call is for.
// The step verifies the token, binds it to the caller's key (`cnf.jkt`), checks its revocation
// (`sub`, `jti`, `sid`) and answers refusals with a Bearer challenge (RFC 6750 §3).
import { describe, expect, it } from 'vitest'
import { createMemoryRevocationStore } from '../../../src/stores/index.js'
import { matchTrustDomain } from '../../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type AccessTokenStep } from '../../../src/server/index.js'
import { generateSigner, jwkThumbprint, type Signer } from '../../../src/signer/index.js'
import { createAccessToken } from '../../../src/token-service/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'
const AS = 'https://as.example.com'

async function setup(step: Partial<AccessTokenStep> = {}) {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  const as = await generateSigner('ES256', { kid: 'as-1' })
  const revocations = createMemoryRevocationStore()
  const verify = createRequestVerifier({
    trustBundles: td.trustBundles,
    origin: ORIGIN,
    proof: 'wpt',
    authorize: matchTrustDomain('example.org'),
    revocations,
    accessToken: { mode: 'required', issuer: AS, audience: ORIGIN, keys: [await as.publicJwk()], ...step },
  })
  const jkt = await jwkThumbprint(await agent.signer.publicJwk())
  return { td, agent, as, verify, revocations, jkt }
}

function token(as: Signer, claims: Record<string, unknown> = {}): Promise<string> {
  return createAccessToken({ iss: AS, sub: 'alice', aud: ORIGIN, client_id: 'agent-app', scope: 'orders:read', ...claims }, { signer: as, lifetime: 300 })
}

async function refusal(p: Promise<unknown>): Promise<{ code?: string; status?: number; challenge: string | null }> {
  try {
    await p
  } catch (err) {
    const e = err as { code?: string; status?: number }
    return { code: e.code, status: e.status, challenge: errorResponse(err).headers.get('www-authenticate') }
  }
  throw new Error('expected a refusal')
}

describe('createRequestVerifier: access-token step', () => {
  it('accepts a token bound to the caller\'s key, with the user, scopes and delegation chain in the result', async () => {
    const { agent, as, verify, jkt } = await setup()
    const at = await token(as, { cnf: { jkt }, act: { sub: agent.id, act: { sub: 'spiffe://example.org/agents/planner' } } })
    const result = await verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: at }))
    expect(result.workload.id).toBe(agent.id)
    expect(result.accessToken?.subject).toBe('alice')
    expect(result.accessToken?.confirmation).toBeDefined()
    expect(result.delegation.map((a) => a.sub)).toEqual([agent.id, 'spiffe://example.org/agents/planner'])
  })

  it('mode required: no Authorization is 401 with a bare Bearer challenge (no error code, RFC 6750 §3.1)', async () => {
    const { agent, verify } = await setup()
    const r = await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`)))
    expect(r).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 401 })
    expect(r.challenge).toBe('Bearer')
    const err = await verify(await wptRequest(agent, `${ORIGIN}/orders`)).then(() => undefined, (e: unknown) => e)
    expect(errorResponse(err, { realm: 'orders' }).headers.get('www-authenticate')).toBe('Bearer realm="orders"')
  })

  it('mode optional: a request without a token passes with no accessToken; one with a token has it verified', async () => {
    const { agent, as, verify } = await setup({ mode: 'optional' })
    const plain = await verify(await wptRequest(agent, `${ORIGIN}/orders`))
    expect(plain.accessToken).toBeUndefined()
    expect(plain.delegation).toEqual([])
    const other = await generateSigner('ES256', { kid: 'as-1' })
    const forged = await token(other)
    const r = await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: forged })))
    expect(r.status).toBe(401)
    expect(r.challenge).toMatch(/^Bearer error="invalid_token"/)
  })

  it('refuses a token bound to another key (ERR_CONFIRMATION_MISMATCH), and an unbound one under requireBinding', async () => {
    const { agent, as, verify, td } = await setup()
    const thief = await td.workload('/agents/thief')
    const theirs = await token(as, { cnf: { jkt: await jwkThumbprint(await agent.signer.publicJwk()) } })
    // The thief binds the agent's token under its own WIT: the WPT ath matches, cnf.jkt does not.
    const r = await refusal(verify(await wptRequest(thief, `${ORIGIN}/orders`, {}, { accessToken: theirs })))
    expect(r).toMatchObject({ code: 'ERR_CONFIRMATION_MISMATCH', status: 401 })
    expect(r.challenge).toMatch(/^Bearer /)

    const strict = await setup({ requireBinding: true })
    const unbound = await token(strict.as)
    const s = await refusal(strict.verify(await wptRequest(strict.agent, `${ORIGIN}/orders`, {}, { accessToken: unbound })))
    expect(s).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 401 })
    expect(s.challenge).toMatch(/^Bearer error="invalid_token"/)
  })

  it('refuses a token the WPT does not bind (no ath) and a WPT binding another token', async () => {
    const { agent, as, verify, jkt } = await setup()
    const at = await token(as, { cnf: { jkt } })
    const url = `${ORIGIN}/orders`
    const noAth = await createWPT({ wit: agent.wit, signer: agent.signer, uri: url, method: 'GET' })
    const req = new Request(url, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': noAth, authorization: `Bearer ${at}` } })
    expect((await refusal(verify(req))).code).toBe('ERR_WPT_BINDING_MISMATCH')
    const otherAth = await createWPT({ wit: agent.wit, signer: agent.signer, uri: url, method: 'GET', accessToken: await token(as, { cnf: { jkt }, scope: 'orders:write' }) })
    const req2 = new Request(url, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': otherAth, authorization: `Bearer ${at}` } })
    expect((await refusal(verify(req2))).code).toBe('ERR_WPT_BINDING_MISMATCH')
  })

  it('refuses insufficient scope with 403 insufficient_scope', async () => {
    const { agent, as, verify, jkt } = await setup({ requiredScopes: ['orders:write'] })
    const r = await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: await token(as, { cnf: { jkt } }) })))
    expect(r).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 })
    expect(r.challenge).toMatch(/^Bearer error="insufficient_scope"/)
  })

  it('refuses a token whose session, subject or jti is revoked (ERR_CREDENTIAL_REVOKED, Bearer invalid_token)', async () => {
    const { agent, as, verify, revocations, jkt } = await setup()
    const until = Math.floor(Date.now() / 1000) + 3600
    await revocations.revoke({ sid: 'session-1', until })
    const r = await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: await token(as, { cnf: { jkt }, sid: 'session-1' }) })))
    expect(r).toMatchObject({ code: 'ERR_CREDENTIAL_REVOKED', status: 401 })
    expect(r.challenge).toMatch(/^Bearer error="invalid_token"/)
    // Another session of the same user still works; revoking the user stops it.
    const fresh = await token(as, { cnf: { jkt }, sid: 'session-2' })
    expect((await verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: fresh }))).accessToken?.subject).toBe('alice')
    await revocations.revoke({ sub: 'alice', until })
    const again = await token(as, { cnf: { jkt }, sid: 'session-2' })
    expect((await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: again })))).code).toBe('ERR_CREDENTIAL_REVOKED')
  })

  it('an empty sid is no revocation key: the token is checked by sub and jti, not answered 503', async () => {
    const { agent, as, verify, revocations, jkt } = await setup()
    const ok = await verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: await token(as, { cnf: { jkt }, sid: '' }) }))
    expect(ok.accessToken?.subject).toBe('alice')
    await revocations.revoke({ sub: 'alice', until: Math.floor(Date.now() / 1000) + 3600 })
    const r = await refusal(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: await token(as, { cnf: { jkt }, sid: '' }) })))
    expect(r).toMatchObject({ code: 'ERR_CREDENTIAL_REVOKED', status: 401 })
  })

  it('another scheme in Authorization is 401 with a bare Bearer challenge', async () => {
    const { agent, verify } = await setup()
    const req = await wptRequest(agent, `${ORIGIN}/orders`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    const r = await refusal(verify(req))
    expect(r).toMatchObject({ code: 'ERR_ACCESS_TOKEN_INVALID', status: 401 })
    expect(r.challenge).toBe('Bearer')
  })
})
