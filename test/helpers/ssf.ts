// Test helpers for the SSF module: a transmitter key, SET minting with arbitrary header/claims,
// and an in-memory revocation store stand-in.
import { createCompactJWS } from '../../src/signer/jws.js'
import { generateSigner } from '../../src/signer/index.js'
import type { PublicJWK, Signer } from '../../src/signer/types.js'
import { encode } from '../../src/internal/base64url.js'
import { utf8 } from '../../src/internal/bytes.js'

export const ISSUER = 'https://idp.example.com/'
export const AUDIENCE = 'https://api.example.com/ssf'
export const NOW = 1_700_000_000

export interface TestKey {
  signer: Signer
  jwk: PublicJWK
  jwks: { keys: PublicJWK[] }
}

export async function testKey(kid = 'tx-1', alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<TestKey> {
  const signer = await generateSigner(alg, { kid })
  const jwk = { ...(await signer.publicJwk()), kid }
  return { signer, jwk, jwks: { keys: [jwk] } }
}

export function baseClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    iat: NOW,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    sub_id: { format: 'uri', uri: 'spiffe://example.org/agent/7' },
    events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} },
    ...overrides,
  }
}

export async function mintSET(signer: Signer, claims: Record<string, unknown> = baseClaims(), header: Record<string, unknown> = { typ: 'secevent+jwt' }): Promise<string> {
  return createCompactJWS(header, claims, signer)
}

/** An unsigned token with `alg: none`. */
export function unsignedSET(claims: Record<string, unknown> = baseClaims()): string {
  return `${encode(utf8(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' })))}.${encode(utf8(JSON.stringify(claims)))}.`
}

export const clockAt = (seconds: number) => (): number => seconds * 1000

export function verifyOptions(key: TestKey, extra: Record<string, unknown> = {}) {
  return { issuer: ISSUER, audience: AUDIENCE, keys: key.jwks, clock: clockAt(NOW + 5), ...extra }
}

/** A fetch that dispatches to in-process handlers by origin (no network). */
export function routeFetch(routes: Record<string, (request: Request) => Promise<Response>>) {
  return async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const handler = routes[new URL(request.url).origin]
    if (handler === undefined) throw new TypeError(`fetch failed: no route for ${request.url}`)
    return handler(request)
  }
}

/** A mutable millisecond clock. */
export function manualClock(startSeconds = NOW) {
  let ms = startSeconds * 1000
  const clock = (): number => ms
  return Object.assign(clock, { advance: (seconds: number) => { ms += seconds * 1000 }, seconds: () => Math.floor(ms / 1000) })
}
