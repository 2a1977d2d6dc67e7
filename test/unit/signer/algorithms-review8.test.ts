// Review round 8: ALGORITHMS is frozen all the way down. Its Web Crypto parameter objects were
// not, so code in the process could change e.g. the hash every RS256 key is imported with. Neither
// table has a prototype: HTTP_SIGNATURE_TO_JOSE['constructor'] was the Object function.
import { describe, expect, it } from 'vitest'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { ALGORITHMS, HTTP_SIGNATURE_TO_JOSE, JWS_ALGORITHMS, generateSigner } from '../../../src/signer/index.js'

describe('ALGORITHMS is deeply frozen', () => {
  it.each(JWS_ALGORITHMS)('%s: the entry and its import and sign parameters cannot be changed', (alg) => {
    const info = ALGORITHMS[alg]
    expect(Object.isFrozen(info)).toBe(true)
    expect(Object.isFrozen(info.importParams)).toBe(true)
    expect(Object.isFrozen(info.signParams)).toBe(true)
    expect(() => {
      ;(info.importParams as { hash?: string }).hash = 'SHA-1'
    }).toThrow(TypeError)
    expect(() => {
      ;(info.signParams as { saltLength?: number }).saltLength = 0
    }).toThrow(TypeError)
  })

  it('RS256 keys are still imported for SHA-256', async () => {
    const jwk = await (await generateSigner('RS256')).publicJwk()
    const key = await importPublicJWK({ ...jwk }, 'RS256')
    expect((key.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe('SHA-256')
  })
})

describe('algorithm tables and untrusted names', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('%s is in neither table', (name) => {
    expect((HTTP_SIGNATURE_TO_JOSE as Record<string, unknown>)[name]).toBeUndefined()
    expect((ALGORITHMS as Record<string, unknown>)[name]).toBeUndefined()
  })

  it('still maps every listed name and lists the same algorithms', () => {
    expect(HTTP_SIGNATURE_TO_JOSE['ecdsa-p256-sha256']).toBe('ES256')
    expect(HTTP_SIGNATURE_TO_JOSE.ed25519).toBe('EdDSA')
    expect(Object.keys(ALGORITHMS)).toEqual([...JWS_ALGORITHMS])
    expect(JSON.parse(JSON.stringify(HTTP_SIGNATURE_TO_JOSE))).toMatchObject({ 'rsa-pss-sha512': 'PS512' })
  })
})
