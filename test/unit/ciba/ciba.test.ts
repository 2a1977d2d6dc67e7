import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/errors/index.js'
import {
  backchannelAuthenticationRequest,
  cibaApproval,
  cibaTokenRequest,
  createCibaNotificationWaiter,
  createCibaPingHandler,
  createClientNotificationToken,
  GRANT_TYPE_CIBA,
  pollCibaToken,
  processBackchannelAuthenticationResponse,
  processCibaTokenResponse,
  SPEC,
} from '../../../src/ciba/index.js'
import { client, fakeOP, fakeTime, OP } from '../../helpers/ciba-fake-op.js'
import { unhandledDuring } from '../../helpers/unhandled.js'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

async function rejection(p: Promise<unknown>): Promise<ProtocolError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(ProtocolError)
  return err as ProtocolError
}

describe('backchannelAuthenticationRequest', () => {
  it('sends the CIBA parameters to the backchannel endpoint with client authentication', async () => {
    const op = fakeOP()
    const token = createClientNotificationToken()
    const res = await backchannelAuthenticationRequest(OP, client, {
      scope: ['openid', 'payments'], loginHint: 'alice@example.com', bindingMessage: 'PAY-4711', userCode: '1234',
      requestedExpiry: 300, acrValues: 'urn:acr:strong', clientNotificationToken: token, extra: { purpose: 'pay' },
    }, { fetch: op.fetch })
    expect(res.status).toBe(200)
    const { url, form } = op.requests[0]!
    expect(url).toBe(OP.backchannelAuthenticationEndpoint)
    expect(Object.fromEntries(form)).toEqual({
      scope: 'openid payments', login_hint: 'alice@example.com', binding_message: 'PAY-4711', user_code: '1234',
      requested_expiry: '300', acr_values: 'urn:acr:strong', client_notification_token: token, purpose: 'pay', client_id: 'agent-broker',
    })
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it.each([
    ['no openid scope', { scope: 'payments', loginHint: 'a' }],
    ['no hint', { scope: 'openid' }],
    ['two hints', { scope: 'openid', loginHint: 'a', idTokenHint: 'b' }],
    ['a binding message with a newline', { scope: 'openid', loginHint: 'a', bindingMessage: 'a\nb' }],
    ['a fractional expiry', { scope: 'openid', loginHint: 'a', requestedExpiry: 1.5 }],
    ['a short notification token', { scope: 'openid', loginHint: 'a', clientNotificationToken: 'short' }],
    ['a notification token with spaces', { scope: 'openid', loginHint: 'a', clientNotificationToken: 'a b'.repeat(20) }],
    ['an extra that overrides login_hint', { scope: 'openid', loginHint: 'a', extra: { login_hint: 'b' } }],
  ])('refuses %s', async (_name, params) => {
    await expect(backchannelAuthenticationRequest(OP, client, params as never, { fetch: fakeOP().fetch })).rejects.toMatchObject({ name: 'TypeError' })
  })
})

describe('processBackchannelAuthenticationResponse', () => {
  it('reads auth_req_id, expires_in and interval (default 5)', async () => {
    await expect(processBackchannelAuthenticationResponse(json({ auth_req_id: 'r', expires_in: 120, interval: 2 }))).resolves.toEqual({ authReqId: 'r', expiresIn: 120, interval: 2 })
    await expect(processBackchannelAuthenticationResponse(json({ auth_req_id: 'r', expires_in: 120 }))).resolves.toEqual({ authReqId: 'r', expiresIn: 120, interval: 5 })
  })

  it.each([
    [{ expires_in: 120 }],
    [{ auth_req_id: '', expires_in: 120 }],
    [{ auth_req_id: 'r\n', expires_in: 120 }],
    [{ auth_req_id: 'r', expires_in: 0 }],
    [{ auth_req_id: 'r', expires_in: '120' }],
    [{ auth_req_id: 'r', expires_in: 1.5 }],
    [{ auth_req_id: 'r', expires_in: 120, interval: -1 }],
    [{ auth_req_id: 'r', expires_in: 120, interval: 'soon' }],
  ])('refuses %j', async (body) => {
    expect((await rejection(processBackchannelAuthenticationResponse(json(body)))).code).toBe('ERR_OAUTH_RESPONSE_INVALID')
  })

  it('surfaces CIBA errors', async () => {
    expect(await rejection(processBackchannelAuthenticationResponse(json({ error: 'unknown_user_id' }, 400)))).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'unknown_user_id' })
  })
})

describe('pollCibaToken', () => {
  it('waits the interval, continues while pending, and returns the tokens', async () => {
    const op = fakeOP(['pending', 'pending', 'approve'])
    const t = fakeTime()
    const tokens = await pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 120, interval: 2 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep })
    expect(tokens).toMatchObject({ accessToken: 'at-1', tokenType: 'Bearer', idToken: expect.stringMatching(/^eyJ/) })
    expect(t.waits).toEqual([2000, 2000, 2000])
    expect(op.requests.map((r) => r.form.get('grant_type'))).toEqual([GRANT_TYPE_CIBA, GRANT_TYPE_CIBA, GRANT_TYPE_CIBA])
    expect(op.requests[0]!.form.get('auth_req_id')).toBe('req-1')
  })

  it('waits at least 1 s between polls when the provider sends interval 0', async () => {
    const op = fakeOP(['pending', 'pending', 'approve'])
    const t = fakeTime()
    await pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 120, interval: 0 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep })
    expect(t.waits).toEqual([1000, 1000, 1000])
  })

  it('adds 5 seconds to the interval on slow_down', async () => {
    const op = fakeOP(['slow_down', 'pending', 'slow_down', 'approve'])
    const t = fakeTime()
    await pollCibaToken(OP, client, { authReqId: 'req-1', expiresIn: 120 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep })
    expect(t.waits).toEqual([5000, 10_000, 10_000, 15_000])
  })

  it('maps access_denied to ERR_APPROVAL_DENIED and expired_token to ERR_APPROVAL_EXPIRED', async () => {
    const t = fakeTime()
    expect(await rejection(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { fetch: fakeOP(['pending', 'deny']).fetch, clock: t.clock, sleep: t.sleep }))).toMatchObject({ code: 'ERR_APPROVAL_DENIED', error: 'access_denied' })
    expect(await rejection(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { fetch: fakeOP(['expired']).fetch, clock: t.clock, sleep: t.sleep }))).toMatchObject({ code: 'ERR_APPROVAL_EXPIRED' })
  })

  it('gives up at expires_in without asking the provider again', async () => {
    const op = fakeOP([])
    const t = fakeTime()
    expect((await rejection(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 9, interval: 2 }, { fetch: op.fetch, clock: t.clock, sleep: t.sleep }))).code).toBe('ERR_APPROVAL_EXPIRED')
    expect(op.requests).toHaveLength(4)
  })

  it('stops when the signal aborts, and passes other OAuth errors through', async () => {
    const controller = new AbortController()
    controller.abort(new Error('shutdown'))
    await expect(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { fetch: fakeOP().fetch, signal: controller.signal, sleep: fakeTime().sleep })).rejects.toThrow('shutdown')
    const t = fakeTime()
    expect(await rejection(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { fetch: fakeOP([{ status: 400, body: { error: 'invalid_grant' } }]).fetch, clock: t.clock, sleep: t.sleep }))).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_grant' })
  })

  it('wraps network failures as ERR_TOKEN_EXCHANGE_FAILED', async () => {
    const t = fakeTime()
    const failing = async () => {
      throw new TypeError('fetch failed')
    }
    expect((await rejection(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60 }, { fetch: failing, clock: t.clock, sleep: t.sleep }))).code).toBe('ERR_TOKEN_EXCHANGE_FAILED')
  })

  it('refuses bad arguments', async () => {
    await expect(pollCibaToken(OP, client, { authReqId: '', expiresIn: 60 })).rejects.toThrow(TypeError)
    await expect(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: Number.NaN })).rejects.toThrow(TypeError)
    await expect(pollCibaToken(OP, client, { authReqId: 'r', expiresIn: 60, interval: -1 })).rejects.toThrow(TypeError)
  })
})

describe('processCibaTokenResponse', () => {
  it.each([
    ['a bad id_token', { access_token: 'a', token_type: 'Bearer', id_token: 'not a jwt' }],
    ['no token_type', { access_token: 'a' }],
    ['a numeric access_token', { access_token: 1, token_type: 'Bearer' }],
  ])('refuses %s', async (_name, body) => {
    expect((await rejection(processCibaTokenResponse(json(body)))).code).toBe('ERR_OAUTH_RESPONSE_INVALID')
  })

  it('refuses a used body or a non-Response with typed errors', async () => {
    const used = json({ access_token: 'a', token_type: 'Bearer' })
    await used.text()
    expect((await rejection(processCibaTokenResponse(used))).code).toBe('ERR_OAUTH_RESPONSE_INVALID')
    await expect(processCibaTokenResponse({} as Response)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('builds the token request', async () => {
    const op = fakeOP(['approve'])
    const res = await cibaTokenRequest(OP, client, { authReqId: 'req-9' }, { fetch: op.fetch })
    expect((await processCibaTokenResponse(res)).accessToken).toBe('at-1')
    expect(Object.fromEntries(op.requests[0]!.form)).toEqual({ grant_type: GRANT_TYPE_CIBA, auth_req_id: 'req-9', client_id: 'agent-broker' })
  })
})

describe('createCibaPingHandler', () => {
  const token = createClientNotificationToken()
  const notify = (headers: Record<string, string>, body: string, method = 'POST') =>
    new Request('https://broker.example/ciba/notify', { method, headers, ...(method === 'POST' ? { body } : {}) })

  it('accepts a ping with the right bearer token and calls onNotification', async () => {
    const seen: string[] = []
    const handler = createCibaPingHandler({ clientNotificationToken: token, onNotification: (id) => void seen.push(id) })
    const res = await handler(notify({ authorization: `Bearer ${token}`, 'content-type': 'application/json' }, '{"auth_req_id":"req-1"}'))
    expect(res.status).toBe(204)
    const lower = await handler(notify({ authorization: `bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, '{"auth_req_id":"req-2"}'))
    expect(lower.status).toBe(204)
    expect(seen).toEqual(['req-1', 'req-2'])
  })

  it('refuses wrong tokens, bad bodies and other methods without calling onNotification', async () => {
    const seen: string[] = []
    const errors: unknown[] = []
    const handler = createCibaPingHandler({ clientNotificationToken: token, onNotification: (id) => void seen.push(id), onError: (e) => void errors.push(e) })
    const ok = { 'content-type': 'application/json' }
    const cases: [Request, number][] = [
      [notify({ ...ok }, '{"auth_req_id":"r"}'), 401],
      [notify({ ...ok, authorization: `Bearer ${token}x` }, '{"auth_req_id":"r"}'), 401],
      [notify({ ...ok, authorization: `Basic ${token}` }, '{"auth_req_id":"r"}'), 401],
      [notify({ ...ok, authorization: `Bearer  ${token}` }, '{"auth_req_id":"r"}'), 401],
      [notify({ authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, '{"auth_req_id":"r"}'), 400],
      [notify({ ...ok, authorization: `Bearer ${token}` }, '{"auth_req_id":1}'), 400],
      [notify({ ...ok, authorization: `Bearer ${token}` }, '[]'), 400],
      [notify({ ...ok, authorization: `Bearer ${token}` }, `{"auth_req_id":"${'a'.repeat(5000)}"}`), 400],
      [notify({ authorization: `Bearer ${token}` }, '', 'GET'), 405],
    ]
    for (const [i, [request, status]] of cases.entries()) {
      const res = await handler(request)
      expect(res.status, `case ${i}`).toBe(status)
      // RFC 6750 §3.1: no error code when no Bearer credentials were presented (cases 0 and 2).
      if (status === 401) expect(res.headers.get('www-authenticate'), `case ${i}`).toBe(i === 0 || i === 2 ? 'Bearer' : 'Bearer error="invalid_token"')
    }
    expect(seen).toEqual([])
    expect(errors.every((e) => (e as { code?: string }).code === 'ERR_CIBA_NOTIFICATION_INVALID')).toBe(true)
  })

  it('an async onError that rejects changes no answer and is not an unhandled rejection', async () => {
    const handler = createCibaPingHandler({
      clientNotificationToken: token,
      onNotification: () => { throw new Error('queue down') },
      onError: async () => { throw new Error('log sink down') },
    })
    const seen = await unhandledDuring(async () => {
      expect((await handler(notify({ 'content-type': 'application/json' }, '{"auth_req_id":"r"}'))).status).toBe(401)
      expect((await handler(notify({ authorization: `Bearer ${token}`, 'content-type': 'application/json' }, '{"auth_req_id":"r"}'))).status).toBe(500)
    })
    expect(seen).toEqual([])
  })

  it('refuses weak notification tokens at construction', () => {
    expect(() => createCibaPingHandler({ clientNotificationToken: 'short', onNotification: () => undefined })).toThrow(TypeError)
  })
})

describe('createCibaNotificationWaiter', () => {
  it('resolves waiters, remembers early pings and honours abort', async () => {
    const w = createCibaNotificationWaiter({ maxPending: 2 })
    const waiting = w.wait('a')
    w.onNotification('a')
    await expect(waiting).resolves.toBeUndefined()
    w.onNotification('early')
    await expect(w.wait('early')).resolves.toBeUndefined()
    const c = new AbortController()
    const aborted = w.wait('never', { signal: c.signal })
    c.abort(new Error('gave up'))
    await expect(aborted).rejects.toThrow('gave up')
    w.onNotification('x')
    w.onNotification('y')
    w.onNotification('z') // evicts x
    const stillWaiting = w.wait('x', { signal: AbortSignal.timeout(20) })
    await expect(stillWaiting).rejects.toBeDefined()
  })
})

describe('cibaApproval', () => {
  const request = (action: { user: string }) => ({ scope: 'openid', loginHint: action.user, bindingMessage: 'PAY-4711' })

  it('resolves true on approval (poll) and hands the tokens over', async () => {
    const op = fakeOP(['pending', 'approve'])
    const t = fakeTime()
    const approved: string[] = []
    const approve = cibaApproval({ server: OP, client, request, fetch: op.fetch, clock: t.clock, sleep: t.sleep, onApproved: (tokens, ctx) => void approved.push(`${ctx.user}:${tokens.accessToken}`) })
    await expect(approve({ user: 'alice' })).resolves.toBe(true)
    expect(approved).toEqual(['alice:at-1'])
    expect(op.requests[0]!.form.get('login_hint')).toBe('alice')
  })

  it('resolves false on denial or expiry, and rejects on other failures', async () => {
    const t = fakeTime()
    await expect(cibaApproval({ server: OP, client, request, fetch: fakeOP(['deny']).fetch, clock: t.clock, sleep: t.sleep })({ user: 'a' })).resolves.toBe(false)
    await expect(cibaApproval({ server: OP, client, request, fetch: fakeOP(['expired']).fetch, clock: t.clock, sleep: t.sleep })({ user: 'a' })).resolves.toBe(false)
    const broken = fakeOP([], { auth_req_id: 'r' })
    await expect(cibaApproval({ server: OP, client, request, fetch: broken.fetch, clock: t.clock, sleep: t.sleep })({ user: 'a' })).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE_INVALID' })
    const unknown = fakeOP()
    unknown.authResponse = { status: 400, body: { error: 'unknown_user_id' } }
    await expect(cibaApproval({ server: OP, client, request, fetch: unknown.fetch })({ user: 'a' })).rejects.toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'unknown_user_id' })
  })

  it('waits for the ping, then asks the token endpoint once', async () => {
    const op = fakeOP(['approve'])
    const waiter = createCibaNotificationWaiter()
    const clientNotificationToken = createClientNotificationToken()
    const approve = cibaApproval({ server: OP, client, request, fetch: op.fetch, delivery: { clientNotificationToken, waiter } })
    const decision = approve({ user: 'alice' })
    await new Promise((r) => setTimeout(r, 5))
    expect(op.requests[0]!.form.get('client_notification_token')).toBe(clientNotificationToken)
    waiter.onNotification('req-1')
    await expect(decision).resolves.toBe(true)
    expect(op.requests).toHaveLength(2)
  })

  it('refuses bad options', () => {
    expect(() => cibaApproval({ server: OP, client, request: undefined as never })).toThrow(TypeError)
    expect(() => cibaApproval({ server: OP, client, request, delivery: { clientNotificationToken: 1 } as never })).toThrow(TypeError)
  })

  it('names its spec', () => {
    expect(SPEC.name).toContain('Client-Initiated Backchannel Authentication')
  })
})
