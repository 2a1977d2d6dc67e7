import { describe, expect, it } from 'vitest'
import { createCompactJWS } from '../../../src/signer/index.js'
import { isTxnToken, TXN_TOKEN_TYP } from '../../../src/txn-token/index.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

describe('isTxnToken (review 9)', () => {
  it('recognises a Txn-Token whose protected header is longer than 4096 characters (an x5c chain, say)', async () => {
    const signer = await oauthTestSigner('ES256', 'tts-1')
    // Two DER certificates in x5c make a header of several KiB; the token stays far below 64 KiB.
    const cert = btoa(String.fromCharCode(...new Uint8Array(1800).fill(0x30)))
    const token = await createCompactJWS({ typ: TXN_TOKEN_TYP, x5c: [cert, cert] }, { sub: 'user-42', txn: 't-1' }, signer)
    expect(token.indexOf('.')).toBeGreaterThan(4096)
    expect(isTxnToken(token)).toBe(true)
  })

  it('still answers false past the 64 KiB token cap and for a header-only string', () => {
    const header = btoa(JSON.stringify({ typ: TXN_TOKEN_TYP, pad: 'x'.repeat(70_000) })).replace(/=+$/, '')
    expect(isTxnToken(`${header}.e30.c2ln`)).toBe(false)
    expect(isTxnToken(btoa(JSON.stringify({ typ: TXN_TOKEN_TYP })).replace(/=+$/, ''))).toBe(false)
  })
})
