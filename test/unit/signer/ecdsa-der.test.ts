import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SignerError } from '../../../src/errors/index.js'
import { derToJoseSignature, generateSigner, joseToDerSignature, type ECDSAAlgorithm } from '../../../src/signer/index.js'

const CURVES: Array<[ECDSAAlgorithm, string, string, number]> = [
  ['ES256', 'prime256v1', 'sha256', 32],
  ['ES384', 'secp384r1', 'sha384', 48],
  ['ES512', 'secp521r1', 'sha512', 66],
]
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function derFail(der: Uint8Array, alg: ECDSAAlgorithm = 'ES256'): SignerError {
  try {
    derToJoseSignature(der, alg)
  } catch (err) {
    expect(err).toBeInstanceOf(SignerError)
    expect((err as SignerError).code).toBe('ERR_SIGNER_FAILED')
    return err as SignerError
  }
  throw new Error(`accepted ${toHex(der)}`)
}

describe('derToJoseSignature with KMS-style DER from node:crypto', () => {
  it.each(CURVES)('%s: DER from dsaEncoding "der" converts to a signature Web Crypto verifies', async (alg, curve, hash, width) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
    const jwk = publicKey.export({ format: 'jwk' })
    const webKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: jwk.crv! }, false, ['verify'])
    for (let i = 0; i < 25; i++) {
      const data = Buffer.from(`message ${i}`)
      const der = new Uint8Array(nodeSign(hash, data, { key: privateKey, dsaEncoding: 'der' }))
      const jose = derToJoseSignature(der, alg)
      expect(jose).toHaveLength(width * 2)
      expect(await crypto.subtle.verify({ name: 'ECDSA', hash: `SHA-${hash.slice(3)}` }, webKey, jose as Uint8Array<ArrayBuffer>, data)).toBe(true)
      // node:crypto DER is minimal, so the round trip is byte-exact.
      expect(toHex(joseToDerSignature(jose, alg))).toBe(toHex(der))
    }
  })

  it.each(CURVES)('%s: joseToDerSignature output verifies with node:crypto dsaEncoding "der"', async (alg, _curve, hash) => {
    const signer = await generateSigner(alg)
    const publicKey: KeyObject = createPublicKey({ key: (await signer.publicJwk()) as never, format: 'jwk' })
    for (let i = 0; i < 25; i++) {
      const data = Buffer.from(`payload ${i}`)
      const jose = await signer.sign(data)
      expect(nodeVerify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true)
      expect(nodeVerify(hash, data, { key: publicKey, dsaEncoding: 'der' }, joseToDerSignature(jose, alg))).toBe(true)
    }
  })
})

describe('derToJoseSignature fixed vectors', () => {
  it('left-pads short integers and strips the sign byte', () => {
    // r = 1 (one byte), s = 0x80 followed by 31 bytes (needs a 0x00 sign byte in DER)
    const s = `80${'11'.repeat(31)}`
    const der = hex(`30 26 02 01 01 02 21 00 ${s}`)
    expect(toHex(derToJoseSignature(der, 'ES256'))).toBe(`${'00'.repeat(31)}01${s}`)
    expect(toHex(joseToDerSignature(derToJoseSignature(der, 'ES256'), 'ES256'))).toBe(toHex(der))
  })

  it('parses a long-form (0x81) SEQUENCE length for ES512', () => {
    const r = `01${'ab'.repeat(65)}`
    const s = `01${'cd'.repeat(65)}`
    const der = hex(`30 81 88 02 42 ${r} 02 42 ${s}`)
    expect(toHex(derToJoseSignature(der, 'ES512'))).toBe(r + s)
    expect(toHex(joseToDerSignature(hex(r + s), 'ES512'))).toBe(toHex(der))
  })

  it('accepts the largest integers below the ES256 curve order (n - 1)', () => {
    const v = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550'
    const der = hex(`30 46 02 21 00 ${v} 02 21 00 ${v}`)
    expect(toHex(derToJoseSignature(der, 'ES256'))).toBe(v + v)
  })
})

describe('derToJoseSignature rejects non-DER input', () => {
  const r = '01'
  it.each([
    ['empty input', ''],
    ['wrong outer tag', '31 06 02 01 01 02 01 01'],
    ['trailing byte after the SEQUENCE', '30 06 02 01 01 02 01 01 00'],
    ['SEQUENCE length longer than input', '30 07 02 01 01 02 01 01'],
    ['SEQUENCE length shorter than content', '30 05 02 01 01 02 01 01'],
    ['extra element inside the SEQUENCE', '30 09 02 01 01 02 01 01 02 01 01'],
    ['only one INTEGER', '30 03 02 01 01'],
    ['non-minimal long-form length', '30 81 06 02 01 01 02 01 01'],
    ['indefinite length', '30 80 02 01 01 02 01 01 00 00'],
    ['four length octets', '30 84 00 00 00 06 02 01 01 02 01 01'],
    ['truncated long-form length', '30 82 01'],
    ['wrong INTEGER tag', '30 06 03 01 01 02 01 01'],
    ['negative r', '30 06 02 01 80 02 01 01'],
    ['negative s', '30 06 02 01 01 02 01 ff'],
    ['zero r', '30 06 02 01 00 02 01 01'],
    ['non-minimal INTEGER (00 01)', '30 07 02 02 00 01 02 01 01'],
    ['zero-length INTEGER', '30 05 02 00 02 01 01'],
    ['INTEGER length past the end', '30 06 02 05 01 02 01 01'],
    ['r longer than 32 bytes', `30 27 02 21 01${'00'.repeat(32)} 02 01 01`],
    ['truncated after the tag', '30'],
    ['non-minimal long-form INTEGER length', `30 08 02 81 01 ${r} 02 01 01`],
  ])('%s', (_name, h) => {
    derFail(hex(h))
  })

  it('rejects an ES384-sized integer for ES256 but accepts it for ES384', () => {
    const v = '7f'.repeat(48)
    const der = hex(`30 64 02 30 ${v} 02 30 ${v}`)
    derFail(der, 'ES256')
    expect(derToJoseSignature(der, 'ES384')).toHaveLength(96)
  })

  it('rejects bad arguments with coded TypeErrors', () => {
    expect(() => derToJoseSignature([1, 2] as unknown as Uint8Array, 'ES256')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => derToJoseSignature(new Uint8Array(8), 'EdDSA' as ECDSAAlgorithm)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => joseToDerSignature(new Uint8Array(63), 'ES256')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => joseToDerSignature(new Uint8Array(64), 'RS256' as ECDSAAlgorithm)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

