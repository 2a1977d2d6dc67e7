// Hostile bytes: random mutations of valid certificates (bytes flipped, inserted, removed,
// truncated) never make parse or verify throw anything but a coded agentauth error, and never
// verify unless the chain is byte-identical to the original.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { isAgentAuthError } from '../../../src/errors/index.js'
import { createX509SVIDVerifier, parseX509SVID, staticX509Bundles, type X509SVIDVerifier } from '../../../src/x509/index.js'
import { clock, createPKI, type TestPKI } from '../../helpers/x509.js'

let pki: TestPKI
let verifier: X509SVIDVerifier

beforeAll(async () => {
  pki = await createPKI()
  verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock })
})

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
)

function mutate(der: Uint8Array, m: { kind: string; at: number; mask?: number; byte?: number }): Uint8Array {
  const at = m.at % der.length
  const bytes = [...der]
  if (m.kind === 'flip') bytes[at] = bytes[at]! ^ m.mask!
  else if (m.kind === 'insert') bytes.splice(at, 0, m.byte!)
  else if (m.kind === 'delete') bytes.splice(at, 1)
  else bytes.length = at
  return new Uint8Array(bytes)
}

describe('mutated certificates', () => {
  it('only ever fail with coded errors, and a changed leaf never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), mutation, async (mutateLeaf, m) => {
        const leaf = mutateLeaf ? mutate(pki.leaf.der, m) : pki.leaf.der
        const intermediate = mutateLeaf ? pki.intermediate.der : mutate(pki.intermediate.der, m)
        for (const run of [() => parseX509SVID([leaf, intermediate]), () => verifier([leaf, intermediate])]) {
          try {
            await run()
          } catch (err) {
            if (!isAgentAuthError(err)) throw err
          }
        }
        const verified = await verifier([leaf, intermediate]).then(
          () => true,
          () => false,
        )
        // Every mutation changes the bytes, and the signed part or the (single-encoding) signature
        // with them, so nothing mutated may verify.
        expect(verified).toBe(false)
      }),
      { numRuns: 300 },
    )
  })
})
