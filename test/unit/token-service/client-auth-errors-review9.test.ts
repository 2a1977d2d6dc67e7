import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '../../../src/token-exchange/index.js'
import { createClientCredentialsHandler, createTokenExchangeHandler, type ClientAuthenticator, type VerifiedToken } from '../../../src/token-service/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const STS = 'https://sts.example.com'
const CALENDAR = 'https://calendar.example.com'

// A custom authenticator (an mTLS or WIT wrapper, say) whose verifier fails with its own code.
const failing: ClientAuthenticator = async () => {
  throw new VerificationError('ERR_JWS_INVALID', 'client proof signature does not verify')
}

const post = (body: Record<string, string>) => new Request(`${STS}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) })

describe('token endpoints (review 9): any client authentication failure is invalid_client (RFC 6749 §5.2)', () => {
  it('the exchange handler answers 401 invalid_client, not 400 invalid_grant', async () => {
    const handler = createTokenExchangeHandler({
      issuer: STS,
      signer: await oauthTestSigner('ES256', 'sts-1'),
      clientAuthentication: failing,
      subjectTokenVerifiers: { [TOKEN_TYPE.ACCESS_TOKEN]: async () => ({ subject: 'alice', actors: [] }) as unknown as VerifiedToken },
      policy: { targets: [CALENDAR] },
    })
    const response = await handler(post({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: 'x', subject_token_type: TOKEN_TYPE.ACCESS_TOKEN, audience: CALENDAR }))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('the client credentials handler answers 401 invalid_client too', async () => {
    const handler = createClientCredentialsHandler({
      issuer: STS,
      signer: await oauthTestSigner('ES256', 'sts-1'),
      clientAuthentication: failing,
      policy: { targets: () => true, scopes: () => [] },
    })
    const response = await handler(post({ grant_type: 'client_credentials', audience: CALENDAR }))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })
})
