// Review round 8: the approval hook keeps the options it was built with (a caller mutating its
// options object afterwards could make every approval end in an uncoded TypeError), and provider
// refusals of client authentication (attestation challenge) are typed rejections.
import { describe, expect, it } from 'vitest'
import { cibaApproval, createCibaNotificationWaiter, createClientNotificationToken, defaultSleep, pollCibaToken, processBackchannelAuthenticationResponse, processCibaTokenResponse, type CibaApprovalOptions } from '../../../src/ciba/index.js'
import { ProtocolError } from '../../../src/errors/index.js'
import { client, fakeOP, fakeTime, OP } from '../../helpers/ciba-fake-op.js'

describe('cibaApproval options after construction (review 8)', () => {
  it('uses the request builder, fetch, clock, sleep and hooks it was built with, whatever happens to the options object later', async () => {
    const op = fakeOP(['pending', 'approve'])
    const time = fakeTime()
    const approved: unknown[] = []
    const options: CibaApprovalOptions<{ user: string }> = {
      server: OP, client, fetch: op.fetch, clock: time.clock, sleep: time.sleep,
      request: ({ user }) => ({ scope: 'openid', loginHint: user, bindingMessage: 'PAY-1' }),
      onApproved: (_tokens, ctx) => void approved.push(ctx),
    }
    const approve = cibaApproval(options)
    ;(options as { request: unknown }).request = 'not a function'
    ;(options as { fetch: unknown }).fetch = undefined // would send the next approval to the real network
    ;(options as { sleep: unknown }).sleep = 7
    ;(options as { onApproved: unknown }).onApproved = 'x'
    await expect(approve({ user: 'alice@example.com' })).resolves.toBe(true)
    expect(op.requests.map((r) => r.form.get('login_hint') ?? r.form.get('grant_type'))).toEqual(['alice@example.com', 'urn:openid:params:grant-type:ciba', 'urn:openid:params:grant-type:ciba'])
    expect(approved).toEqual([{ user: 'alice@example.com' }])
  })

  it('ping delivery keeps its token and waiter', async () => {
    const op = fakeOP(['approve'])
    const waiter = createCibaNotificationWaiter()
    const delivery = { clientNotificationToken: createClientNotificationToken(), waiter }
    const token = delivery.clientNotificationToken
    const approve = cibaApproval({ server: OP, client, fetch: op.fetch, delivery, request: () => ({ scope: 'openid', loginHint: 'bob' }) })
    ;(delivery as { waiter: unknown }).waiter = null
    ;(delivery as { clientNotificationToken: unknown }).clientNotificationToken = 'short'
    waiter.onNotification('req-1') // the ping arrives first; the waiter remembers it
    await expect(approve({})).resolves.toBe(true)
    expect(op.requests[0]!.form.get('client_notification_token')).toBe(token)
  })

  it('refuses a hook signal that is not an AbortSignal with a coded TypeError, before any request', async () => {
    const op = fakeOP(['approve'])
    const approve = cibaApproval({ server: OP, client, fetch: op.fetch, request: () => ({ scope: 'openid', loginHint: 'a' }) })
    await expect(approve({}, { signal: 'soon' as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    expect(op.requests).toHaveLength(0)
  })
})

describe('attestation-based client authentication challenges (lead 1, review 8)', () => {
  it('a use_attestation_challenge / use_fresh_attestation answer is a typed ERR_OAUTH_ERROR: the request is refused, the poll stops, the hook rejects', async () => {
    for (const error of ['use_attestation_challenge', 'use_fresh_attestation', 'invalid_client']) {
      const refusal = { status: 400, body: { error } }
      const backchannel = new Response(JSON.stringify(refusal.body), { status: 400, headers: { 'content-type': 'application/json', 'oauth-client-attestation-challenge': 'abc' } })
      await expect(processBackchannelAuthenticationResponse(backchannel)).rejects.toMatchObject({ code: 'ERR_OAUTH_ERROR', error })
      const op = fakeOP([refusal, 'approve'])
      const time = fakeTime()
      await expect(pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60, interval: 1 }, { fetch: op.fetch, clock: time.clock, sleep: time.sleep })).rejects.toMatchObject({ code: 'ERR_OAUTH_ERROR', error })
      expect(op.requests).toHaveLength(1) // no retry
      const denied = fakeOP()
      denied.authResponse = refusal
      const err = await cibaApproval({ server: OP, client, fetch: denied.fetch, request: () => ({ scope: 'openid', loginHint: 'a' }) })({}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ProtocolError)
      expect((err as ProtocolError).error).toBe(error)
    }
  })
})

describe('an abort during a request rejects with the abort reason (review 8)', () => {
  // As fetch does: an aborted request rejects with the signal's reason (a TimeoutError for
  // AbortSignal.timeout, or whatever abort(reason) was given).
  const hangingFetch = (calls: string[]) => (input: Request | URL | string, init?: RequestInit) => {
    calls.push(String(input))
    return new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal
      if (signal?.aborted) return reject(signal.reason)
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
  }

  it('pollCibaToken: a timeout or abort while a poll is in flight is the signal reason, not ERR_TOKEN_EXCHANGE_FAILED', async () => {
    for (const reason of [new DOMException('The operation was aborted due to timeout', 'TimeoutError'), new Error('shutting down')]) {
      const calls: string[] = []
      const controller = new AbortController()
      const time = fakeTime()
      const polling = pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60, interval: 1 }, { fetch: hangingFetch(calls), clock: time.clock, sleep: time.sleep, signal: controller.signal })
      await new Promise((r) => setTimeout(r, 10))
      expect(calls).toHaveLength(1)
      controller.abort(reason)
      await expect(polling).rejects.toBe(reason)
    }
  })

  it('cibaApproval: an abort while the backchannel request or the poll is in flight is the signal reason', async () => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    const calls: string[] = []
    const approve = cibaApproval({ server: OP, client, fetch: hangingFetch(calls), request: () => ({ scope: 'openid', loginHint: 'a' }) })
    const controller = new AbortController()
    const pending = approve({}, { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 10))
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(calls).toEqual([OP.backchannelAuthenticationEndpoint])
  })
})

describe('a connection lost while the answer is read (review 8)', () => {
  // What undici's fetch does when the socket closes mid-body: the body stream errors with an
  // uncoded TypeError('terminated').
  const cutOff = (status: number, text: string) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text))
        queueMicrotask(() => controller.error(new TypeError('terminated')))
      },
    })
    return new Response(body, { status, headers: { 'content-type': 'application/json', 'content-length': '500' } })
  }
  const unreachable = expect.objectContaining({ name: 'ProtocolError', code: 'ERR_TOKEN_EXCHANGE_FAILED' })

  it('is ERR_TOKEN_EXCHANGE_FAILED from both processors, not an uncoded TypeError', async () => {
    await expect(processBackchannelAuthenticationResponse(cutOff(200, '{"auth_req_id":"r'))).rejects.toEqual(unreachable)
    await expect(processCibaTokenResponse(cutOff(400, '{"error":"authoriz'))).rejects.toEqual(unreachable)
  })

  it('rejects the poller and the approval hook with ERR_TOKEN_EXCHANGE_FAILED', async () => {
    const time = fakeTime()
    const fetch = async () => cutOff(400, '{"error":"authoriz')
    await expect(pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60 }, { fetch, clock: time.clock, sleep: time.sleep })).rejects.toEqual(unreachable)
    const bcFetch = async () => cutOff(200, '{"auth_req_id":"r')
    await expect(cibaApproval({ server: OP, client, fetch: bcFetch, request: () => ({ scope: 'openid', loginHint: 'a' }) })({})).rejects.toEqual(unreachable)
  })

  it('an abort while the answer is read is the abort reason', async () => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    const controller = new AbortController()
    const time = fakeTime()
    // As fetch does: aborting errors the body stream with the signal's reason.
    const fetch = async (_input: unknown, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"error":'))
          init!.signal!.addEventListener('abort', () => c.error(init!.signal!.reason), { once: true })
        },
      })
      queueMicrotask(() => controller.abort(reason))
      return new Response(body, { status: 400, headers: { 'content-type': 'application/json' } })
    }
    await expect(pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60 }, { fetch, clock: time.clock, sleep: time.sleep, signal: controller.signal })).rejects.toBe(reason)
  })
})

describe('an injected clock that answers no number (review 8)', () => {
  it('pollCibaToken refuses it with a coded TypeError instead of polling without waiting and without a deadline', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined, '1800000000000']) {
      const op = fakeOP(Array.from({ length: 50 }, () => 'pending' as const))
      const controller = new AbortController()
      const waits: number[] = []
      const sleep = async (ms: number) => {
        waits.push(ms)
        if (waits.length >= 20) controller.abort(new Error('runaway poller'))
      }
      const outcome = await pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60, interval: 5 }, { fetch: op.fetch, clock: () => bad as number, sleep, signal: controller.signal }).catch((e: unknown) => e)
      expect(outcome).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
      expect(op.requests).toHaveLength(0)
    }
  })
})

describe('the notification waiter (review 8)', () => {
  it('refuses a signal that is not an AbortSignal with a coded TypeError (it was an uncoded "addEventListener is not a function")', async () => {
    const waiter = createCibaNotificationWaiter()
    for (const signal of [{}, { aborted: false }, 'soon']) {
      await expect(waiter.wait('req-1', { signal: signal as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    }
    // A remembered ping is not consumed by the refused call.
    waiter.onNotification('req-2')
    await expect(waiter.wait('req-2', { signal: {} as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    await expect(waiter.wait('req-2')).resolves.toBeUndefined()
  })
})

describe('a signal that is not an AbortSignal (review 8)', () => {
  it('pollCibaToken and defaultSleep reject it with a coded TypeError before arming a timer (the timer then threw uncaught and ended the process)', async () => {
    const op = fakeOP(['approve'])
    await expect(pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 60 }, { fetch: op.fetch, signal: {} as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    expect(op.requests).toHaveLength(0)
    await expect(defaultSleep(1, { aborted: false } as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    // Nothing fires later: an uncaught exception from a timer would fail this test file.
    await new Promise((r) => setTimeout(r, 20))
  })
})
