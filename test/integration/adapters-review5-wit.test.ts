// Review 5 regression: when this service's WIT source fails with a VerificationError (its WIT
// expired or is invalid), the response signer rejected with it, and the adapters answered 401 with
// a Bearer challenge blaming the caller; it is now SignerError ERR_SIGNER_FAILED (500).
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { workloadAuth, type WorkloadEnv } from '../../src/adapters/hono/index.js'
import { SignerError, VerificationError } from '../../src/errors/index.js'
import { createResponseSigner } from '../../src/server/index.js'
import { adapterFixture, credentialed } from '../helpers/adapters-fixtures.js'

describe('response signer with a failing WIT source', () => {
  it('rejects with ERR_SIGNER_FAILED, answered 500 without a challenge', async () => {
    const fx = await adapterFixture()
    const cause = new VerificationError('ERR_WIT_EXPIRED', 'the WIT of this source has expired', { claim: 'exp' })
    const signResponse = createResponseSigner({ wit: { getWIT: () => Promise.reject(cause) }, signer: fx.service.signer })
    const req = await credentialed('httpsig', fx.agent, '/doc')
    const err = await signResponse(new Response('x'), { request: req }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SignerError)
    expect(err).toMatchObject({ code: 'ERR_SIGNER_FAILED', cause })

    const app = new Hono<WorkloadEnv>()
    app.use('*', workloadAuth(fx.verify, { signResponse }))
    app.get('/doc', (c) => c.text('secret'))
    const again = await credentialed('httpsig', fx.agent, '/doc')
    const res = await app.request(again.url, { headers: again.headers })
    expect(res.status).toBe(500)
    expect(res.headers.get('www-authenticate')).toBeNull()
    expect(await res.json()).toMatchObject({ code: 'ERR_SIGNER_FAILED' })
  })
})
