// The references every figure is divided by: one raw signature verification of a ~300-byte message
// with node:crypto (pre-imported KeyObject) and with crypto.subtle (pre-imported CryptoKey).
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import type { Operation } from './lib.js'

export type ReferenceAlg = 'ES256' | 'EdDSA'

export async function referenceOperations(alg: ReferenceAlg): Promise<{ node: Operation; subtle: Operation }> {
  const message = new Uint8Array(300).map((_, i) => (i * 31) & 0xff)
  if (alg === 'ES256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const sig = nodeSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    const key = createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' })
    const jwk = publicKey.export({ format: 'jwk' })
    const ck = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    const params = { name: 'ECDSA', hash: 'SHA-256' }
    return {
      node: () => {
        if (!nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('reference verify failed')
      },
      subtle: async () => {
        if (!(await crypto.subtle.verify(params, ck, sig, message))) throw new Error('reference verify failed')
      },
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const sig = nodeSign(null, message, privateKey)
  const jwk = publicKey.export({ format: 'jwk' })
  const ck = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify'])
  return {
    node: () => {
      if (!nodeVerify(null, message, publicKey, sig)) throw new Error('reference verify failed')
    },
    subtle: async () => {
      if (!(await crypto.subtle.verify({ name: 'Ed25519' }, ck, sig, message))) throw new Error('reference verify failed')
    },
  }
}
