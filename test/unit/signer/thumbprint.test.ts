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

  describe('one key, one thumbprint: non-canonical encodings of a key are refused', () => {
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // Sets the lowest spare bit of the last character (same bytes when decoded leniently).
    const spareBit = (v: string) => v.slice(0, -1) + B64[B64.indexOf(v.at(-1)!) | 1]
    const leadingZero = (v: string) => Buffer.concat([Buffer.of(0), Buffer.from(v, 'base64url')]).toString('base64url')
    it.each([
      ['ES256', 'x with a spare bit set', (j: Record<string, string>) => ({ ...j, x: spareBit(j.x!) })],
      ['ES256', 'x with padding', (j: Record<string, string>) => ({ ...j, x: `${j.x}=` })],
      ['ES256', 'x with a leading zero byte', (j: Record<string, string>) => ({ ...j, x: leadingZero(j.x!) })],
      ['ES384', 'y with a leading zero byte', (j: Record<string, string>) => ({ ...j, y: leadingZero(j.y!) })],
      ['RS256', 'n with a spare bit set', (j: Record<string, string>) => ({ ...j, n: spareBit(j.n!) })],
      ['EdDSA', 'x with a spare bit set', (j: Record<string, string>) => ({ ...j, x: spareBit(j.x!) })],
      ['RS256', 'n with a leading zero byte', (j: Record<string, string>) => ({ ...j, n: leadingZero(j.n!) })],
      ['RS256', 'e with a leading zero byte', (j: Record<string, string>) => ({ ...j, e: leadingZero(j.e!) })],
      ['ES256', 'x in standard base64', (j: Record<string, string>) => ({ ...j, x: Buffer.from(j.x!, 'base64url').toString('base64').replace(/=+$/, '') })],
    ] as const)('%s %s', async (alg, _name, mutate) => {
      const jwk = (await (await testSigner(alg)).publicJwk()) as unknown as Record<string, string>
      let variant = mutate(jwk)
      // A key whose x has no '-'/'_' has no distinct standard-base64 spelling: force one in.
      if (JSON.stringify(variant) === JSON.stringify(jwk)) variant = { ...jwk, x: `${jwk.x!.slice(0, -1)}+` }
      expect(variant).not.toEqual(jwk)
      await expect(jwkThumbprint(variant)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
      expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as never, 'sha256'))
    })
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
