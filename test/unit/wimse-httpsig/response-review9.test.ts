// Review round 9: other parties' signatures on the request do not break signing or verifying the
// WIMSE response (the request then simply has no WIMSE nonce to echo).
import { describe, expect, it } from 'vitest'
import { signWIMSEResponse, verifyWIMSEResponse } from '../../../src/wimse-httpsig/index.js'
import { at, makeWorkload } from '../../helpers/wpt.js'

const NOW = 1_800_000_000
const ORIGIN = 'https://svcb.example.com'

describe('a request carrying several signatures, none of them WIMSE', () => {
  it('signing and verifying the response work, without wimse-req-nonce', async () => {
    const server = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcB' })
    const request = {
      method: 'GET', url: `${ORIGIN}/orders`,
      headers: { 'signature-input': 'bot=("@authority");created=1;tag="web-bot-auth", proxy=("@method");created=1', signature: 'bot=:YWJjZA==:, proxy=:YWJjZA==:' },
    }
    const response = { status: 200, headers: { 'content-type': 'text/plain' } as Record<string, string>, body: 'ok' }
    const signed = await signWIMSEResponse(response, { request, wit: server.wit, signer: server.signer, clock: at(NOW) })
    expect(signed.signatureInput).not.toContain('wimse-req-nonce')
    Object.assign(response.headers, signed.headers)
    await expect(verifyWIMSEResponse(response, { request, wit: server.verified, clock: at(NOW) })).resolves.toMatchObject({ label: 'wimse', requestNonce: undefined })
    await expect(verifyWIMSEResponse(response, { request, wit: server.verified, clock: at(NOW), required: true })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_INVALID' })
  })
})
