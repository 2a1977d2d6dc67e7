// Review round 9: documented defaults and limits of the ping handler and the notification waiter,
// at the boundary.
import { describe, expect, it } from 'vitest'
import { createCibaNotificationWaiter, createCibaPingHandler, createClientNotificationToken } from '../../../src/ciba/index.js'

function ping(token: string, body: string): Request {
  return new Request('https://client.example/ciba/notify', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
}

/** A JSON body of exactly `n` bytes naming `id`. */
function bodyOf(id: string, n: number): string {
  const base = JSON.stringify({ auth_req_id: id, pad: '' })
  return JSON.stringify({ auth_req_id: id, pad: 'x'.repeat(n - base.length) })
}

describe('CIBA limits (review 9)', () => {
  it('the ping handler takes a body of maxBodyBytes (default 4096) and refuses one byte more', async () => {
    const clientNotificationToken = createClientNotificationToken()
    const seen: string[] = []
    for (const [max, options] of [[4096, {}], [64, { maxBodyBytes: 64 }], [65_536, { maxBodyBytes: 65_536 }]] as const) {
      const handler = createCibaPingHandler({ clientNotificationToken, onNotification: (id) => void seen.push(id), ...options })
      expect((await handler(ping(clientNotificationToken, bodyOf(`at-${max}`, max)))).status).toBe(204)
      expect((await handler(ping(clientNotificationToken, bodyOf(`over-${max}`, max + 1)))).status).toBe(400)
    }
    expect(seen).toEqual(['at-4096', 'at-64', 'at-65536'])
    const noop = (): void => {}
    expect(() => createCibaPingHandler({ clientNotificationToken, onNotification: noop, maxBodyBytes: 63 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createCibaPingHandler({ clientNotificationToken, onNotification: noop, maxBodyBytes: 65_537 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('the waiter remembers maxPending early pings (default 1024) and drops the oldest beyond', async () => {
    for (const [max, waiter] of [[1024, createCibaNotificationWaiter()], [3, createCibaNotificationWaiter({ maxPending: 3 })]] as const) {
      for (let i = 0; i <= max; i++) waiter.onNotification(`id-${i}`)
      // id-0 was dropped: its wait does not resolve before the abort.
      await expect(waiter.wait('id-0', { signal: AbortSignal.abort(new Error('not remembered')) })).rejects.toThrow('not remembered')
      for (let i = 1; i <= max; i++) await waiter.wait(`id-${i}`)
      // Each remembered ping is consumed by one wait.
      await expect(waiter.wait(`id-${max}`, { signal: AbortSignal.abort(new Error('consumed')) })).rejects.toThrow('consumed')
    }
  })
})

describe('cibaApproval @throws (review 9)', () => {
  it('rejects with a coded TypeError when the request builder produces bad parameters, before anything is sent', async () => {
    const { cibaApproval } = await import('../../../src/ciba/index.js')
    let sent = 0
    const approve = cibaApproval({
      server: { tokenEndpoint: 'https://op.example/token', backchannelAuthenticationEndpoint: 'https://op.example/bc' },
      client: { clientId: 'c', auth: { apply: () => undefined } as never },
      request: (code: string) => ({ scope: 'openid', loginHint: 'alice@example.com', bindingMessage: code }),
      fetch: async () => { sent++; return new Response(null, { status: 500 }) },
    })
    await expect(approve('PAY\n4711')).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    expect(sent).toBe(0)
  })
})
