// Review round 6: derToJoseSignature refuses an r or s that is not below the curve order n (SEC 1
// §4.1.3: both lie in [1, n - 1]); it converted them into a JOSE signature no verifier accepts, so a
// faulty KMS minted tokens nobody could verify instead of failing with ERR_SIGNER_FAILED.
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { derToJoseSignature, joseToDerSignature, type ECDSAAlgorithm } from '../../../src/signer/index.js'

const CURVES: Array<[ECDSAAlgorithm, string, string, number, bigint]> = [
  ['ES256', 'prime256v1', 'sha256', 32, 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n],
  ['ES384', 'secp384r1', 'sha384', 48, 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n],
  ['ES512', 'secp521r1', 'sha512', 66, BigInt(`0x01ff${'ff'.repeat(28)}fffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409`)],
]
const fixed = (v: bigint, width: number): Buffer => Buffer.from(v.toString(16).padStart(width * 2, '0'), 'hex')

describe('derToJoseSignature and the curve order', () => {
  it.each(CURVES)('%s: the order constant is n (s and n - s both verify)', (_alg, curve, hash, width, n) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
    const sig = nodeSign(hash, Buffer.from('m'), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    const s = BigInt(`0x${sig.subarray(width).toString('hex')}`)
    const flipped = Buffer.concat([sig.subarray(0, width), fixed(n - s, width)])
    expect(nodeVerify(hash, Buffer.from('m'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, flipped)).toBe(true)
  })

  it.each(CURVES)('%s: r or s equal to n, or above it, is ERR_SIGNER_FAILED; n - 1 converts', (alg, _curve, _hash, width, n) => {
    const one = fixed(1n, width)
    const der = (r: bigint, s: bigint): Uint8Array => joseToDerSignature(Buffer.concat([fixed(r, width), fixed(s, width)]), alg)
    for (const bad of [n, n + 1n, (1n << BigInt(width * 8 - (alg === 'ES512' ? 7 : 0))) - 1n]) {
      expect(() => derToJoseSignature(der(bad, 1n), alg)).toThrow(expect.objectContaining({ code: 'ERR_SIGNER_FAILED' }))
      expect(() => derToJoseSignature(der(1n, bad), alg)).toThrow(expect.objectContaining({ code: 'ERR_SIGNER_FAILED' }))
    }
    expect(Buffer.from(derToJoseSignature(der(n - 1n, n - 1n), alg)).toString('hex')).toBe(fixed(n - 1n, width).toString('hex').repeat(2))
    expect(derToJoseSignature(der(1n, 1n), alg)).toEqual(new Uint8Array(Buffer.concat([one, one])))
  })
})
