import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createTokenExchangeHandler, type AuthenticatedClient, type VerifiedToken } from '../../../src/token-service/index.js'
import type { Signer } from '../../../src/signer/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const CALENDAR = 'https://calendar.example.com'
const AGENT = 'spiffe://example.com/agents/tool'

describe('createTokenExchangeHandler (review 9): expires_in and onIssued.expiresAt', () => {
  it('match the issued token\'s exp when signing crosses a second boundary (a slow KMS, say)', async () => {
    let ms = 1_800_000_000_900
    const clock = (): number => ms
    const inner = await oauthTestSigner('ES256', 'sts-1')
    // The signer takes 200 ms: the clock moves from x.900 to (x+1).100 while the token is signed.
    const signer: Signer = { alg: inner.alg, kid: inner.kid, publicJwk: () => inner.publicJwk(), sign: async (input, o) => { ms += 200; return inner.sign(input, o) } }
    const issued: number[] = []
    const client: AuthenticatedClient = Object.freeze({ clientId: AGENT, method: 'private_key_jwt', client: { clientId: AGENT }, wit: undefined, workloadId: undefined, jkt: undefined })
    const handler = createTokenExchangeHandler({
      issuer: STS,
      signer,
      clock,
      clientAuthentication: async () => client,
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: async () => ({ subject: 'alice', scopes: ['calendar:read'], actors: [], expiresAt: undefined, claims: {} }) as unknown as VerifiedToken },
      policy: { targets: [CALENDAR], lifetime: 300 },
      onIssued: (e) => void issued.push(e.expiresAt),
    })
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: 'opaque', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR })
    const response = await handler(new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }))
    expect(response.status).toBe(200)
    const json = (await response.json()) as { access_token: string; expires_in: number }
    const exp = decodeJwt(json.access_token).exp!
    expect(issued).toEqual([exp])
    // Never longer than the token really lives, seen from when the answer is sent.
    expect(json.expires_in).toBeLessThanOrEqual(exp - Math.floor(ms / 1000))
  })
})
