// Review round 4: createCompactJWS holds every Signer to the JOSE-form contract (docs/signer.md).
import { describe, expect, it } from 'vitest'
import { createCompactJWS, generateSigner, joseToDerSignature, type Signer } from '../../../src/signer/index.js'
import { createWIT } from '../../../src/wit/index.js'
import { createWPT } from '../../../src/wpt/index.js'

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

describe('signer/createCompactJWS: never mints a token every verifier refuses (lone surrogates)', () => {
  const argValue = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })

  it('refuses a lone surrogate in a header or payload key or string, also through createWIT and createWPT', async () => {
    const signer = await generateSigner('ES256')
    await expect(createCompactJWS({ typ: 'JWT', kid: 'k\ud800' }, { a: 1 }, signer)).rejects.toEqual(argValue)
    await expect(createCompactJWS({ typ: 'JWT' }, { a: ['x', { b: '\udc00y' }] }, signer)).rejects.toEqual(argValue)
    await expect(createCompactJWS({ typ: 'JWT' }, { ['\ud83d']: 1 }, signer)).rejects.toEqual(argValue)
    const workload = await generateSigner('ES256')
    await expect(createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk(), iss: 'https://id\ud800' }, { signer })).rejects.toEqual(argValue)
    const wit = await createWIT({ sub: 'wimse://example.org/a', publicJwk: await workload.publicJwk() }, { signer })
    await expect(createWPT({ wit, signer: workload, uri: 'https://api.example.org/x', jti: '\udc00' })).rejects.toEqual(argValue)
  })

  it('still mints well-formed non-ASCII text, pairs and escaped-looking text', async () => {
    const signer = await generateSigner('ES256')
    const payload = { emoji: '\ud83d\ude00', text: 'caf\u00e9 \\ud800 literally', nested: { '\u00fc': ['\ud83d\udc4d'] } }
    const token = await createCompactJWS({ typ: 'JWT' }, payload, signer)
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))).toEqual(payload)
  })
})
