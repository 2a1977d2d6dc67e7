// Review 8: the access-token step's options are validated when the verifier is built, but the
// verifiers that use them are built later, one per caller key (cnf.jkt binding), from the same
// arrays: a requiredScopes, audience or delegation list changed after construction was used by
// every caller key seen afterwards (and the keys seen before kept the old one). The step is now
// read once, at construction.
import { describe, expect, it } from 'vitest'
import { matchTrustDomain } from '../../../src/identifier/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { generateSigner, jwkThumbprint } from '../../../src/signer/index.js'
import { createAccessToken } from '../../../src/token-service/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'
const AS = 'https://as.example.com'

describe('createRequestVerifier: the access-token step is read once', () => {
  it('a requiredScopes or audience list changed after construction changes nothing', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const as = await generateSigner('ES256', { kid: 'as-1' })
    const requiredScopes = ['orders:write']
    const audience = [ORIGIN]
    const allowedTrustDomains = ['example.org']
    const verify = createRequestVerifier({
      trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchTrustDomain('example.org'),
      accessToken: { mode: 'required', issuer: AS, audience, keys: [await as.publicJwk()], requiredScopes, delegation: { allowedTrustDomains } },
    })
    requiredScopes.length = 0
    audience.push('https://other.example.com')
    allowedTrustDomains.push('evil.example')
    const jkt = await jwkThumbprint(await agent.signer.publicJwk())
    const claims = { iss: AS, sub: 'alice', client_id: 'agent-app', cnf: { jkt } }
    const readOnly = await createAccessToken({ ...claims, aud: ORIGIN, scope: 'orders:read' }, { signer: as, lifetime: 300 })
    await expect(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: readOnly }))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE' })
    const elsewhere = await createAccessToken({ ...claims, aud: 'https://other.example.com', scope: 'orders:write' }, { signer: as, lifetime: 300 })
    await expect(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: elsewhere }))).rejects.toMatchObject({ status: 401 })
    const delegated = await createAccessToken({ ...claims, aud: ORIGIN, scope: 'orders:write', act: { sub: 'spiffe://evil.example/agents/x' } }, { signer: as, lifetime: 300 })
    await expect(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: delegated }))).rejects.toMatchObject({ status: 403 })
    const good = await createAccessToken({ ...claims, aud: ORIGIN, scope: 'orders:write' }, { signer: as, lifetime: 300 })
    await expect(verify(await wptRequest(agent, `${ORIGIN}/orders`, {}, { accessToken: good }))).resolves.toMatchObject({ workload: { id: agent.id } })
  })
})
