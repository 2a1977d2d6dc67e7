import { describe, expect, it } from 'vitest'
import { cibaApproval, createCibaNotificationWaiter, pollCibaToken, processBackchannelAuthenticationResponse, processCibaTokenResponse } from '../../../src/ciba/index.js'
import { client, fakeOP, OP } from '../../helpers/ciba-fake-op.js'

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
const coded = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })

describe('a null options object is a coded TypeError (review 7)', () => {
  it('in the CIBA response processors and the poller', async () => {
    await expect(processCibaTokenResponse(json({ access_token: 'a', token_type: 'Bearer' }), null as never)).rejects.toEqual(coded)
    await expect(processBackchannelAuthenticationResponse(json({ auth_req_id: 'r', expires_in: 60 }), null as never)).rejects.toEqual(coded)
    await expect(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, null as never)).rejects.toEqual(coded)
  })

  it('in the notification waiter and the approval hook', async () => {
    expect(() => createCibaNotificationWaiter(null as never)).toThrow(coded)
    await expect(createCibaNotificationWaiter().wait('r', null as never)).rejects.toEqual(coded)
    const op = fakeOP()
    const approve = cibaApproval({ server: OP, client, request: () => ({ scope: 'openid', loginHint: 'a' }), fetch: op.fetch })
    await expect(approve({}, null as never)).rejects.toEqual(coded)
    expect(op.requests).toHaveLength(0)
  })
})
