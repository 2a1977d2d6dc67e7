// Review round 9: a signer whose algorithm has no fixed signature length (RSA) returning no bytes
// is refused (ERR_SIGNER_FAILED), as createCompactJWS does; it gave the field value `sig1=::`.
import { describe, expect, it } from 'vitest'
import { signRequest } from '../../../src/httpsig/index.js'
import type { Signer } from '../../../src/signer/types.js'

describe('an RSA signer returning an empty signature', () => {
  it('is ERR_SIGNER_FAILED', async () => {
    for (const alg of ['PS512', 'RS256'] as const) {
      const signer = { alg, sign: async () => new Uint8Array(0) } as unknown as Signer
      await expect(signRequest({ method: 'GET', url: 'https://a.example/', headers: {} }, { signer, components: ['@method'] })).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' })
    }
  })
})
