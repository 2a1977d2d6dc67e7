// A scripted in-process CIBA provider for unit tests: it records requests and answers token polls
// from a queue of outcomes, so tests control pending / slow_down / approve / deny precisely.
import type { OAuthClient } from '../../src/client-auth/index.js'

export const OP = {
  issuer: 'https://op.example.com',
  tokenEndpoint: 'https://op.example.com/token',
  backchannelAuthenticationEndpoint: 'https://op.example.com/backchannel',
}

export type Outcome = 'pending' | 'slow_down' | 'approve' | 'deny' | 'expired' | { status: number; body: unknown; contentType?: string }

export interface FakeOP {
  fetch: (input: Request | URL | string, init?: RequestInit) => Promise<Response>
  requests: { url: string; form: URLSearchParams; headers: Headers }[]
  outcomes: Outcome[]
  authResponse: { status: number; body: unknown }
}

export const client: OAuthClient = {
  clientId: 'agent-broker',
  auth: async (ctx) => {
    ctx.body.set('client_id', ctx.clientId)
  },
}

export function fakeOP(outcomes: Outcome[] = [], authBody: unknown = { auth_req_id: 'req-1', expires_in: 120, interval: 2 }): FakeOP {
  const op: FakeOP = {
    requests: [],
    outcomes,
    authResponse: { status: 200, body: authBody },
    async fetch(input, init) {
      const request = new Request(input, init)
      const form = new URLSearchParams(await request.text())
      op.requests.push({ url: request.url, form, headers: request.headers })
      const json = (body: unknown, status = 200, contentType = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } })
      if (request.url === OP.backchannelAuthenticationEndpoint) return json(op.authResponse.body, op.authResponse.status)
      const next = op.outcomes.shift() ?? 'pending'
      switch (next) {
        case 'pending':
          return json({ error: 'authorization_pending' }, 400)
        case 'slow_down':
          return json({ error: 'slow_down' }, 400)
        case 'deny':
          return json({ error: 'access_denied', error_description: 'user said no' }, 400)
        case 'expired':
          return json({ error: 'expired_token' }, 400)
        case 'approve':
          return json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 60, id_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln', scope: 'openid' })
        default:
          return json(next.body, next.status, next.contentType)
      }
    },
  }
  return op
}

/** A clock and sleep pair: sleeping advances the clock instantly and records the waits. */
export function fakeTime(start = 1_800_000_000_000): { clock: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; waits: number[] } {
  let now = start
  const waits: number[] = []
  return {
    clock: () => now,
    waits,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      waits.push(ms)
      now += ms
    },
  }
}
