// Review round 8: token endpoints report a misused handler (no Request, a body already read) to
// onError with a coded TypeError, not an uncoded one or a runtime-specific stream error.
import { describe, expect, it } from 'vitest'
import { TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createStsFixture, STS } from '../../helpers/oauth-sts.js'
import { txnFixture, TTS_ENDPOINT } from '../../helpers/txn-service.js'

describe('token endpoints (review 8): misuse is a coded server_error', () => {
  it('the exchange handler called without a Request: 500, onError sees ERR_INVALID_ARG_TYPE', async () => {
    const f = await createStsFixture()
    const response = await f.handler({ method: 'POST' } as unknown as Request)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: 'server_error' })
    expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('a request whose body was already read: 500, onError sees ERR_INVALID_ARG_VALUE', async () => {
    const f = await txnFixture()
    const request = new Request(TTS_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `subject_token_type=${TOKEN_TYPE.ACCESS_TOKEN}` })
    await request.text()
    const response = await f.handler(request)
    expect(response.status).toBe(500)
    expect(f.errors.at(-1)).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    // The same for the exchange handler.
    const g = await createStsFixture()
    const used = new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })
    await used.arrayBuffer()
    expect((await g.handler(used)).status).toBe(500)
    expect(g.errors.at(-1)).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })
})
