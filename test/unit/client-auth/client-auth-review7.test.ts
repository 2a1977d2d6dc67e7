import { describe, expect, it } from 'vitest'
import { processTokenResponse, witClientAuth } from '../../../src/client-auth/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

describe('processTokenResponse options (review 7)', () => {
  it('a null options object is a coded TypeError', async () => {
    const response = new Response(JSON.stringify({ access_token: 'a', token_type: 'Bearer' }), { status: 200, headers: { 'content-type': 'application/json' } })
    await expect(processTokenResponse(response, null as never)).rejects.toEqual(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('witClientAuth with a WIT source that returns garbage (review 7)', () => {
  const context = () => ({ issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token', clientId: 'spiffe://example.org/agent', body: new URLSearchParams(), headers: new Headers() })

  it.each([
    ['undefined', undefined],
    ['no token', { expiresAt: 2_000_000_000 }],
    ['a header-splitting token', { token: 'eyJ.a.b\r\nx-evil: 1' }],
    ['a token that is not a compact JWS', { token: 'not a jwt' }],
  ])('refuses %s with a coded TypeError and sends nothing', async (_name, value) => {
    const signer = await oauthTestSigner('ES256', null)
    const c = context()
    await expect(witClientAuth({ wit: { getWIT: async () => value as never }, signer })(c)).rejects.toEqual(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    expect(c.headers.has('oauth-client-attestation')).toBe(false)
  })
})
