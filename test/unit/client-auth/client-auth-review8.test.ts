// Review round 8 regressions for agentauth/client-auth.
import { describe, expect, it } from 'vitest'
import { clientSecretBasic, clientSecretPost, privateKeyJwt, witClientAuth } from '../../../src/client-auth/index.js'
import type { Signer } from '../../../src/signer/types.js'
import { oauthTestSigner } from '../../helpers/oauth-signer.js'

const context = (signal?: AbortSignal, clientId = 'spiffe://example.org/agent') => ({
  issuer: 'https://as.example.com',
  tokenEndpoint: 'https://as.example.com/token',
  clientId,
  body: new URLSearchParams(),
  headers: new Headers(),
  ...(signal === undefined ? {} : { signal }),
})
const WIT = { token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', expiresAt: 2_000_000_000_000 }
const claims = (jws: string): Record<string, unknown> => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>

describe('a request signal ends the wait for a WIT source or signer that ignores it (the request hung)', () => {
  it('witClientAuth: a WIT source that never answers', async () => {
    const signer = await oauthTestSigner('ES256', null)
    const auth = witClientAuth({ wit: { getWIT: () => new Promise(() => undefined) }, signer })
    const err = await auth(context(AbortSignal.timeout(20))).catch((e: unknown) => e)
    expect((err as Error).name).toBe('TimeoutError')
  })

  it.each(['privateKeyJwt', 'witClientAuth'])('%s: a signer that never answers', async (which) => {
    const real = await oauthTestSigner('ES256', null)
    const signer: Signer = { ...real, alg: real.alg, sign: () => new Promise(() => undefined) } as Signer
    const auth = which === 'privateKeyJwt' ? privateKeyJwt(signer) : witClientAuth({ wit: { getWIT: async () => WIT }, signer })
    const controller = new AbortController()
    const pending = auth(context(controller.signal)).catch((e: unknown) => e)
    setTimeout(() => controller.abort(), 10)
    expect((await pending as Error).name).toBe('AbortError')
  })
})

describe('options changed after construction are not used unchecked', () => {
  it('privateKeyJwt keeps the audience and client id it validated', async () => {
    const options: { audience?: string; clientId?: string } = { audience: 'https://as.example.com/aud', clientId: 'spiffe://example.org/agent' }
    const auth = privateKeyJwt(await oauthTestSigner('ES256', null), options)
    options.audience = 42 as never
    options.clientId = 'spiffe://example.org/other'
    const c = context()
    await auth(c)
    expect(claims(c.body.get('client_assertion')!)).toMatchObject({ aud: 'https://as.example.com/aud', iss: 'spiffe://example.org/agent' })
  })

  it('witClientAuth keeps the audience it validated', async () => {
    const options: { wit: { getWIT: () => Promise<typeof WIT> }; signer: Signer; audience?: string } = {
      wit: { getWIT: async () => WIT },
      signer: await oauthTestSigner('ES256', null),
      audience: 'https://as.example.com/aud',
    }
    const auth = witClientAuth(options)
    options.audience = { evil: true } as never
    const c = context()
    await auth(c)
    expect(claims(c.headers.get('oauth-client-attestation-pop')!).aud).toBe('https://as.example.com/aud')
  })
})

describe('client secrets and ids with a lone surrogate', () => {
  it.each([
    ['clientSecretPost', clientSecretPost],
    ['clientSecretBasic', clientSecretBasic],
  ])('%s refuses the secret at construction (post sent U+FFFD, a different secret; basic threw an uncoded URIError)', (_, make) => {
    expect(() => make('s\uD800cret')).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => make('s\uD83D\uDE00cret')).not.toThrow()
  })

  it('clientSecretBasic refuses such a client id at use with a coded TypeError', async () => {
    await expect(clientSecretBasic('secret')(context(undefined, 'agent\uDC00'))).rejects.toEqual(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
