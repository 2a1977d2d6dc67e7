import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SignerError } from '../../src/errors/index.js'
import { derToJoseSignature, joseToDerSignature, type ECDSAAlgorithm } from '../../src/signer/index.js'

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 2000)
const WIDTH: Record<ECDSAAlgorithm, number> = { ES256: 32, ES384: 48, ES512: 66 }
const alg = fc.constantFrom<ECDSAAlgorithm>('ES256', 'ES384', 'ES512')

function onlyTypedErrors(der: Uint8Array, a: ECDSAAlgorithm): Uint8Array | undefined {
  try {
    return derToJoseSignature(der, a)
  } catch (err) {
    if (!(err instanceof SignerError) || err.code !== 'ERR_SIGNER_FAILED') throw err
    return undefined
  }
}

// A JOSE signature with r and s in [1, 2^(8w)-1], top byte of ES512 limited to 0x01 (521 bits).
const jose = alg.chain((a) =>
  fc.tuple(fc.constant(a), fc.uint8Array({ minLength: WIDTH[a] * 2, maxLength: WIDTH[a] * 2 })).map(([a, bytes]) => {
    const w = WIDTH[a]
    if (a === 'ES512') {
      bytes[0] = bytes[0]! & 0x01
      bytes[w] = bytes[w]! & 0x01
    }
    bytes[w - 1] = bytes[w - 1]! | 1 // non-zero r
    bytes[2 * w - 1] = bytes[2 * w - 1]! | 1 // non-zero s
    return [a, bytes] as const
  }),
)

describe('derToJoseSignature (property)', () => {
  it('never throws anything but SignerError ERR_SIGNER_FAILED on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), alg, (bytes, a) => {
      const out = onlyTypedErrors(bytes, a)
      if (out !== undefined) expect(out).toHaveLength(WIDTH[a] * 2)
    }), { numRuns: NUM_RUNS })
  })

  it('never throws anything but SignerError on DER-shaped inputs (SEQUENCE of two INTEGERs, mutated)', () => {
    const shaped = jose.chain(([a, sig]) => {
      const der = joseToDerSignature(sig, a)
      return fc.tuple(fc.constant(a), fc.constant(der), fc.nat({ max: der.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -3, max: 3 }))
    })
    fc.assert(fc.property(shaped, ([a, der, index, value, resize]) => {
      const mutated = new Uint8Array(der)
      mutated[index] = value
      const sized = resize >= 0 ? Uint8Array.from([...mutated, ...new Uint8Array(resize)]) : mutated.subarray(0, mutated.length + resize)
      const out = onlyTypedErrors(sized, a)
      // Whatever is accepted re-encodes to exactly the accepted bytes (DER is canonical).
      if (out !== undefined) expect(Buffer.from(joseToDerSignature(out, a)).equals(Buffer.from(sized))).toBe(true)
    }), { numRuns: NUM_RUNS })
  })

  it('round-trips: jose → DER → jose is the identity', () => {
    fc.assert(fc.property(jose, ([a, sig]) => {
      const back = derToJoseSignature(joseToDerSignature(sig, a), a)
      expect(Buffer.from(back).equals(Buffer.from(sig))).toBe(true)
    }), { numRuns: NUM_RUNS })
  })
})
