import { describe, expect, it } from 'vitest'
import { cibaApproval, createCibaNotificationWaiter, createClientNotificationToken, processBackchannelAuthenticationResponse, processCibaTokenResponse, pollCibaToken } from '../../../src/ciba/index.js'
import { client, fakeOP, OP } from '../../helpers/ciba-fake-op.js'

const big = (status = 200) => new Response(JSON.stringify({ access_token: 'x', token_type: 'Bearer', expires_in: 60, pad: 'p'.repeat(100_000) }), { status, headers: { 'content-type': 'application/json' } })

function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)))
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

describe('processCibaTokenResponse (review)', () => {
  it('refuses an oversized 200 body instead of hanging', async () => {
    await expect(settlesWithin(processCibaTokenResponse(big()), 2000)).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    const chunk = new TextEncoder().encode('{"access_token":"x","token_type":"Bearer","p":"' + 'p'.repeat(70_000) + '"}')
    const streamed = new Response(new ReadableStream({ pull(c) { c.enqueue(chunk); c.close() } }), { headers: { 'content-type': 'application/json' } })
    await expect(settlesWithin(processCibaTokenResponse(streamed), 2000)).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })

  it('still returns the id_token of a valid response and maps errors', async () => {
    const ok = new Response(JSON.stringify({ access_token: 'x', token_type: 'Bearer', id_token: 'a.b.c' }), { headers: { 'content-type': 'application/json' } })
    expect((await processCibaTokenResponse(ok)).idToken).toBe('a.b.c')
    const denied = new Response(JSON.stringify({ error: 'access_denied' }), { status: 403, headers: { 'content-type': 'application/json' } })
    await expect(processCibaTokenResponse(denied)).rejects.toMatchObject({ code: 'ERR_APPROVAL_DENIED' })
    await expect(processCibaTokenResponse(new Response(null, { status: 204 }))).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
  })

  it('refuses a maxBytes that would disable the size cap', async () => {
    for (const maxBytes of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1, 1.5]) {
      await expect(processCibaTokenResponse(big(), { maxBytes })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(processBackchannelAuthenticationResponse(big(), { maxBytes })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { maxBytes, sleep: async () => undefined })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    }
  })
})

describe('cibaApproval ping delivery (review)', () => {
  it('keeps waiting when the provider grants a long expires_in (no timer overflow)', async () => {
    for (const expiresIn of [3_000_000, 31_536_000]) {
      const op = fakeOP(['approve'], { auth_req_id: 'req-1', expires_in: expiresIn })
      const waiter = createCibaNotificationWaiter()
      const approve = cibaApproval({ server: OP, client, request: () => ({ scope: 'openid', loginHint: 'alice' }), fetch: op.fetch, delivery: { clientNotificationToken: createClientNotificationToken(), waiter } })
      const decision = approve({})
      await new Promise((r) => setTimeout(r, 30))
      waiter.onNotification('req-1')
      await expect(decision).resolves.toBe(true)
    }
  })
})
