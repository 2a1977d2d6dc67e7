// Review round 4: createCompactJWS holds every Signer to the JOSE-form contract (docs/signer.md).
import { describe, expect, it } from 'vitest'
import { createCompactJWS, generateSigner, joseToDerSignature, type Signer } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'

const code = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => String(e.code))

describe('signer/createCompactJWS: a custom signer must return a JOSE-form signature', () => {
  it('refuses DER, an ArrayBuffer, an empty or wrong-length signature with ERR_SIGNER_FAILED', async () => {
    const real = await generateSigner('ES256')
    const custom = (sign: (input: Uint8Array) => Promise<unknown>): Signer => ({ alg: 'ES256', publicJwk: real.publicJwk, sign: sign as Signer['sign'] })
    const der = custom(async (i) => joseToDerSignature(await real.sign(i), 'ES256'))
    expect(await code(createCompactJWS({ typ: 'JWT' }, { a: 1 }, der))).toBe('ERR_SIGNER_FAILED')
    expect(await code(createCompactJWS({ typ: 'JWT' }, { a: 1 }, custom(async (i) => (await real.sign(i)).buffer)))).toBe('ERR_SIGNER_FAILED')
    expect(await code(createCompactJWS({ typ: 'JWT' }, { a: 1 }, custom(async () => new Uint8Array(0))))).toBe('ERR_SIGNER_FAILED')
    expect(await code(createCompactJWS({ typ: 'JWT' }, { a: 1 }, custom(async (i) => (await real.sign(i)).subarray(1))))).toBe('ERR_SIGNER_FAILED')
    // … and so does every minting path built on it
    expect(await code(createWIT({ sub: 'wimse://example.org/a', publicJwk: await real.publicJwk() }, { signer: der }))).toBe('ERR_SIGNER_FAILED')
    // a conforming custom signer (Buffer output included) still works
    const buffer = custom(async (i) => Buffer.from(await real.sign(i)))
    expect((await createCompactJWS({ typ: 'JWT' }, { a: 1 }, buffer)).split('.')[2]).toHaveLength(86)
    const rsa = await generateSigner('PS256')
    expect((await createCompactJWS({ typ: 'JWT' }, { a: 1 }, rsa)).split('.')[2]).toHaveLength(342)
  })

  it('refuses a signer whose alg is not a supported asymmetric algorithm (no unsigned-looking tokens)', async () => {
    const real = await generateSigner('ES256')
    for (const alg of ['none', 'HS256', 'es256']) {
      const bad = { alg, publicJwk: real.publicJwk, sign: real.sign } as unknown as Signer
      await expect(createCompactJWS({ typ: 'JWT' }, { a: 1 }, bad)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
  })
})
