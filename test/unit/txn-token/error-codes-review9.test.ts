import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/errors/codes.js'
import { VerificationError } from '../../../src/errors/index.js'
import { verifyTxnTokenHeader } from '../../../src/txn-token/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

describe('Txn-Token error codes against docs/errors.md (review 9)', () => {
  it('several Txn-Token values are ERR_HEADER_INVALID, as the ERR_TXN_TOKEN_MISSING entry now says', async () => {
    const signer = await oauthTestSigner('ES256', 'tts-1')
    const headers = new Headers()
    headers.append('txn-token', 'a.b.c')
    headers.append('txn-token', 'd.e.f')
    const err = await verifyTxnTokenHeader(headers, { required: true, trustDomain: 'bank.example', keys: [signer.jwk] }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_HEADER_INVALID')
    expect(ERROR_CODES.ERR_TXN_TOKEN_MISSING.description).not.toMatch(/more than one/)
    expect(ERROR_CODES.ERR_TXN_TOKEN_MISSING.description).toMatch(/ERR_HEADER_INVALID/)
  })

  it('ERR_TXN_TOKEN_REPLACEMENT names the single-use refusal and no longer claims txn/sub/aud changes (they are copied, never refused)', () => {
    expect(ERROR_CODES.ERR_TXN_TOKEN_REPLACEMENT.description).toMatch(/already replaced/)
    expect(ERROR_CODES.ERR_TXN_TOKEN_REPLACEMENT.description).not.toMatch(/txn\/sub\/aud/)
  })
})
