// Review round 9: a crypto provider without getRandomValues and nonce: true is a coded TypeError.
import { describe, expect, it } from 'vitest'
import { signRequest } from '../../../src/httpsig/index.js'

describe('nonce: true with a crypto provider that cannot make random bytes', () => {
  it('is ERR_INVALID_ARG_TYPE, not a bare TypeError', async () => {
    const crypto = { subtle: globalThis.crypto.subtle } as unknown as Crypto
    await expect(signRequest({ method: 'GET', url: 'https://a.example/', headers: {} }, { hmacKey: new Uint8Array(32).fill(1), nonce: true, crypto }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
  })
})
