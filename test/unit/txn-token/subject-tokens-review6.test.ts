// Review round 6: self-signed subject tokens (draft §11.2.1).
import { describe, expect, it } from 'vitest'
import { createCompactJWS } from '../../../src/signer/index.js'
import { selfSignedSubjectToken } from '../../../src/txn-token/index.js'
import { oauthTestSigner, testClock } from '../../helpers/oauth-signer.js'

const TTS = 'https://tts.bank.example'
const BATCH = 'spiffe://bank.example/batch'

describe('selfSignedSubjectToken (review 6)', () => {
  it('refuses a token whose lifetime exp - iat exceeds maxTokenAge, as documented (not only its remaining life)', async () => {
    const clock = testClock()
    const signer = await oauthTestSigner('ES256')
    const verify = selfSignedSubjectToken({ audience: TTS, keys: () => [signer.jwk], clock: clock.now, maxTokenAge: 300 })
    const context = { client: { clientId: BATCH }, request: new Request(`${TTS}/token`, { method: 'POST' }), replayCache: undefined }
    const now = clock.seconds()
    const token = (iat: number, exp: number) => createCompactJWS({ typ: 'JWT' }, { iss: BATCH, sub: 'job-7', aud: TTS, iat, exp, scope: 'reports.read' }, signer)
    // Issued 200 s ago, valid for 500 s in all: older than nothing, but it lives longer than 300 s.
    await expect(verify(await token(now - 200, now + 300), context)).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' })
    await expect(verify(await token(now - 10, now + 290), context)).resolves.toMatchObject({ subject: 'job-7' })
    await expect(verify(await token(now, now + 300), context)).resolves.toMatchObject({ subject: 'job-7' })
  })
})
