import { describe, expect, it } from 'vitest'
import { createCompactJWS, generateSigner } from '../../../src/signer/index.js'

describe('createCompactJWS: bad arguments are coded TypeErrors (review 9)', () => {
  it('refuses a null or array header, a non-object payload and a signer without sign, before signing', async () => {
    const signer = await generateSigner('ES256')
    let signed = 0
    const counting = { alg: signer.alg, publicJwk: () => signer.publicJwk(), sign: (i: Uint8Array) => { signed++; return signer.sign(i) } }
    const bad: [unknown, unknown, unknown][] = [
      [null, {}, counting], [[], {}, counting], ['x', {}, counting],
      [{}, null, counting], [{}, [1, 2], counting], [{}, 'x', counting], [{}, 7, counting],
      [{}, {}, null], [{}, {}, { alg: 'ES256' }],
    ]
    for (const [header, payload, s] of bad) {
      const err = await createCompactJWS(header as never, payload as never, s as never).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TypeError)
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    }
    expect(signed).toBe(0)
    await expect(createCompactJWS({}, new Uint8Array([123, 125]), counting)).resolves.toMatch(/^[\w-]+\.e30\.[\w-]+$/)
    await expect(createCompactJWS({ typ: 'JWT' }, Object.create(null) as Record<string, unknown>, counting)).resolves.toMatch(/\.e30\./)
  })
})

describe('joseToHTTPSignatureAlgorithm: an unsupported name is a coded TypeError (review 9)', () => {
  it('throws ERR_INVALID_ARG_VALUE for none, HS256, undefined and prototype names; maps the supported ones', async () => {
    const { joseToHTTPSignatureAlgorithm } = await import('../../../src/signer/index.js')
    for (const bad of ['none', 'HS256', undefined, 'toString', '__proto__']) {
      expect(() => joseToHTTPSignatureAlgorithm(bad as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    }
    expect(joseToHTTPSignatureAlgorithm('EdDSA')).toBe('ed25519')
    expect(joseToHTTPSignatureAlgorithm('ES512')).toBeUndefined()
  })
})
