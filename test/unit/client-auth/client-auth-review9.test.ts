// Review round 9: privateKeyJwt and witClientAuth took any `clock` option unchecked; a clock that
// is not a function failed at use with an uncoded "is not a function" TypeError. It is now a coded
// TypeError at construction, like every other bad option.
import { describe, expect, it } from 'vitest'
import { privateKeyJwt, witClientAuth } from '../../../src/client-auth/index.js'
import type { Signer } from '../../../src/signer/types.js'

const signer = { alg: 'ES256', kid: 'k', sign: async () => new Uint8Array(64) } as unknown as Signer
const wit = { getWIT: async () => ({ token: 'a.b.c' }) } as never

describe('client-auth clock option', () => {
  for (const clock of ['x', 42, null, {}]) {
    it(`privateKeyJwt refuses clock ${JSON.stringify(clock)} at construction`, () => {
      expect(() => privateKeyJwt(signer, { clock: clock as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    })
    it(`witClientAuth refuses clock ${JSON.stringify(clock)} at construction`, () => {
      expect(() => witClientAuth({ wit, signer, clock: clock as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    })
  }

  it('a function clock is still used', async () => {
    const auth = privateKeyJwt(signer, { clock: () => 1_700_000_000_000 })
    const body = new URLSearchParams()
    await auth({ clientId: 'c', body, headers: new Headers(), tokenEndpoint: 'https://as.example/token' } as never)
    const payload = JSON.parse(Buffer.from(body.get('client_assertion')!.split('.')[1]!, 'base64url').toString()) as { iat: number }
    expect(payload.iat).toBe(1_700_000_000)
  })
})
