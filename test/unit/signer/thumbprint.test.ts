import { calculateJwkThumbprint } from 'jose'
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { JWS_ALGORITHMS, generateSigner, jwkThumbprint } from '../../../src/signer/index.js'
import { testSigner } from '../../helpers/signer-keys.js'

describe('jwkThumbprint', () => {
  it.each(JWS_ALGORITHMS)('%s key: equals jose calculateJwkThumbprint', async (alg) => {
    const jwk = await (await testSigner(alg, { kid: 'ignored' })).publicJwk()
    const ours = await jwkThumbprint(jwk)
    expect(ours).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(ours).toBe(await calculateJwkThumbprint(jwk as never, 'sha256'))
    // Optional members (alg, kid, use) do not change the thumbprint; a cached repeat is identical.
    expect(await jwkThumbprint({ ...jwk, kid: 'other', use: 'sig' })).toBe(ours)
  })

  it('hashes only the required public members of a private JWK', async () => {
    const signer = await generateSigner('ES256', { extractable: true })
    const priv = await signer.exportPrivateJwk()
    expect(await jwkThumbprint(priv as never)).toBe(await jwkThumbprint(await signer.publicJwk()))
  })

  it('matches the RFC 7638 §3.1 canonical form for a fixed OKP key', async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
    const canonical = '{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)))
    expect(await jwkThumbprint(jwk)).toBe(Buffer.from(digest).toString('base64url'))
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'))
  })

  it.each([
    ['symmetric key', { kty: 'oct', k: 'c2VjcmV0' }],
    ['missing y', { kty: 'EC', crv: 'P-256', x: 'eA' }],
    ['numeric e', { kty: 'RSA', n: 'bg', e: 65537 }],
    ['no kty', { crv: 'Ed25519', x: 'eA' }],
    ['inherited kty', Object.create({ kty: '__proto__' }) as Record<string, unknown>],
  ])('rejects %s with ERR_KEY_INVALID', async (_name, jwk) => {
    await expect(jwkThumbprint(jwk)).rejects.toBeInstanceOf(VerificationError)
    await expect(jwkThumbprint(jwk)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
