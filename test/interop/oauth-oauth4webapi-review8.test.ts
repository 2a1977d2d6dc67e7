// Review round 8: differential tests. Token responses through processTokenExchangeResponse and
// oauth4webapi's processGenericTokenEndpointResponse; RFC 9068 access tokens through
// verifyAccessToken and jose's jwtVerify. agentauth may be stricter, never more lenient (apart from
// the documented cases below), and both must read the same OAuth error code.
import { base64url, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { verifyAccessToken } from '../../src/access-token/index.js'
import { processTokenExchangeResponse } from '../../src/token-exchange/index.js'
import { oauthTestSigner } from '../helpers/oauth-signer.js'

const as: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }
const client: oauth.Client = { client_id: 'c' }
const VALUES: unknown[] = ['', ' ', 'a', 'a b', 'a  b', ' a', 'é', 'a\u0000', 'Bearer', 'bearer', 'DPoP', 'x y', 0, -1, 1.5, 1e20, null, true, [], {}, ['a'], '\t', 'a\nb', undefined]
const BASE = { access_token: 'tok', token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', expires_in: 300, scope: 'a b', refresh_token: 'r' }

describe('token responses: agentauth vs oauth4webapi (review 8)', () => {
  it('accepts only what oauth4webapi accepts (a null member is taken as omitted, RFC 6749 §5.1) and reads the same error code', async () => {
    let compared = 0
    for (const field of [...Object.keys(BASE), 'error']) {
      for (const v of VALUES) {
        for (const status of [200, 400, 401]) {
          const body: Record<string, unknown> = { ...BASE }
          if (v === undefined) delete body[field]
          else body[field] = v
          if (status !== 200) body.error ??= 'invalid_request'
          const make = () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
          const ours = await processTokenExchangeResponse(make()).then(() => undefined, (e: unknown) => e as { code: string; error?: string })
          const theirs = await oauth.processGenericTokenEndpointResponse(as, client, make()).then(() => undefined, (e: unknown) => e as { error?: string })
          compared++
          if (ours === undefined && theirs !== undefined) {
            // oauth4webapi refuses a member sent as null; RFC 6749 §5.1 asks servers to omit those.
            // oauth4webapi also knows only the Bearer and DPoP token types (RFC 6749 §7.1 allows more).
            expect(v === null || (field === 'token_type' && typeof v === 'string')).toBe(true)
          }
          if (status !== 200 && ours?.code === 'ERR_OAUTH_ERROR') expect(theirs?.error).toBe(ours.error)
        }
      }
    }
    expect(compared).toBe(7 * VALUES.length * 3)
  })
})

describe('RFC 9068 access tokens: agentauth vs jose (review 8)', () => {
  it('accepts only what jose accepts with the RFC 9068 §4 checks (typ, iss, aud, exp, required claims)', async () => {
    const NOW = 1_800_000_000
    const ISS = 'https://as.example'
    const AUD = 'https://rs.example'
    const s = await oauthTestSigner('ES256', 'k1')
    const baseH: Record<string, unknown> = { alg: 'ES256', typ: 'at+jwt', kid: 'k1' }
    const baseP: Record<string, unknown> = { iss: ISS, sub: 'alice', aud: AUD, exp: NOW + 60, iat: NOW - 10, jti: 'j1', client_id: 'c1', scope: 'a b' }
    const header: [string, unknown][] = [['typ', 'AT+JWT'], ['typ', 'application/at+jwt'], ['typ', 'jwt'], ['typ', undefined], ['typ', 'at+jwt '], ['crit', ['exp']], ['crit', []], ['b64', false], ['zip', 'DEF'], ['alg', 'none'], ['alg', 'ES384']]
    const payload: [string, unknown][] = [
      ['iss', `${ISS}/`], ['iss', [ISS]], ['iss', undefined], ['aud', [AUD]], ['aud', []], ['aud', ['x', AUD]], ['aud', ''], ['aud', undefined], ['aud', `${AUD}/`],
      ['exp', NOW], ['exp', NOW + 0.5], ['exp', NOW - 0.5], ['exp', String(NOW + 60)], ['exp', undefined], ['nbf', NOW], ['nbf', NOW + 1], ['nbf', NOW + 0.5], ['nbf', 'x'],
      ['iat', undefined], ['iat', 'x'], ['sub', undefined], ['jti', undefined], ['client_id', undefined],
    ]
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [[baseH, baseP]]
    for (const [k, v] of header) { const h = { ...baseH }; if (v === undefined) delete h[k]; else h[k] = v; cases.push([h, baseP]) }
    for (const [k, v] of payload) { const p = { ...baseP }; if (v === undefined) delete p[k]; else p[k] = v; cases.push([baseH, p]) }
    let accepted = 0
    for (const [h, p] of cases) {
      const enc = (o: unknown) => base64url.encode(JSON.stringify(o))
      const input = `${enc(h)}.${h.b64 === false ? JSON.stringify(p) : enc(p)}`
      const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, s.privateKey, new TextEncoder().encode(input)))
      const token = `${input}.${base64url.encode(sig)}`
      const ours = await verifyAccessToken(token, { issuer: ISS, audience: AUD, keys: [s.jwk], clock: () => NOW * 1000 }).then(() => true, () => false)
      const theirs = await jwtVerify(token, s.publicKey, {
        issuer: ISS, audience: AUD, typ: 'at+jwt', algorithms: ['ES256'], currentDate: new Date(NOW * 1000),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
      }).then(() => true, () => false)
      if (ours) {
        accepted++
        expect({ h, p, theirs }).toEqual({ h, p, theirs: true })
      }
    }
    // The base token, typ spelled AT+JWT / application/at+jwt, aud as a list, nbf = now.
    expect(accepted).toBeGreaterThanOrEqual(5)
  })
})
