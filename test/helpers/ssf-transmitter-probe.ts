// A transmitter wired for probe tests: one receiver ('Bearer rx', push endpoint on RX), a manual
// clock, deterministic retries (1 s, no jitter, 4 attempts), no long polling, and a fetch that
// answers each push with `onPush(token)`'s status. `call` drives the SSF HTTP API as that receiver.
import { EVENT_TYPE_URIS } from '../../src/ssf/index.js'
import { createMemoryOutbox, createTransmitter, type OutboxStore, type Transmitter } from '../../src/ssf/transmitter/index.js'
import { manualClock, testKey } from './ssf.js'

export const TX = 'https://tx.example.com'
export const RX = 'https://rx.example.com'
export const AGENT = { format: 'uri', uri: 'spiffe://example.org/agent/7' } as const
export const SESSION_REVOKED: string = EVENT_TYPE_URIS['session-revoked']
export const PUSH = { method: 'urn:ietf:rfc:8935', endpoint_url: `${RX}/ssf` } as const
export const txKey: Awaited<ReturnType<typeof testKey>> = await testKey('tx-key')

/** The payload of a compact JWS, decoded without verification. */
export const claimsOf = (token: string): Record<string, unknown> => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>

export function probeTransmitter(onPush: (token: string) => Promise<number> | number, outbox: OutboxStore = createMemoryOutbox(), extra: Record<string, unknown> = {}) {
  const clock = manualClock()
  const transmitter: Transmitter = createTransmitter({
    issuer: TX, signer: txKey.signer, clock, outbox,
    retry: { initialDelay: 1000, jitter: 0, maxAttempts: 4 },
    authorizeReceiver: (req) => ({ 'Bearer rx': 'rx' })[req.headers.get('authorization') ?? ''],
    allowDeliveryUrl: (u) => u.origin === RX,
    longPollTimeout: 0,
    fetch: async (_u: unknown, init?: RequestInit) => new Response(null, { status: await onPush(String(init?.body)) }),
    ...extra,
  })
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await transmitter.handle(new Request(`${TX}/ssf/${path}`, { method, headers: { authorization: 'Bearer rx', 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }))
    const text = await r.text()
    return { status: r.status, body: text === '' ? undefined : JSON.parse(text) }
  }
  return { clock, transmitter, call, outbox }
}
