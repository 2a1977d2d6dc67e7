// Review round 8: ALGORITHMS is frozen all the way down. Its Web Crypto parameter objects were
// not, so code in the process could change e.g. the hash every RS256 key is imported with.
import { describe, expect, it } from 'vitest'
import { importPublicJWK } from '../../../src/internal/keys.js'
import { ALGORITHMS, JWS_ALGORITHMS, generateSigner } from '../../../src/signer/index.js'

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
