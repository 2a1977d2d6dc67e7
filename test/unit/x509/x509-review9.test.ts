// Review round 9: "Inputs are copied" (staticX509Bundles) and "DER copies" (parseX509SVID
// certificates, a verified chain) did not hold for a Node Buffer (what fs.readFile returns): the
// copies were made with .slice(), which on a Buffer is a view of the caller's bytes, so changing
// the Buffer afterwards changed the configured CA certificates and the returned DER.
import { beforeAll, describe, expect, it } from 'vitest'
import { createX509SVIDVerifier, parseX509SVID, staticX509Bundles } from '../../../src/x509/index.js'
import { clock, createPKI, type TestPKI } from '../../helpers/x509.js'

let pki: TestPKI
beforeAll(async () => {
  pki = await createPKI('example.org')
})

describe('x509 copies Buffer input', () => {
  it('staticX509Bundles: changing the Buffer later changes nothing', async () => {
    const buf = Buffer.from(pki.root.der)
    const source = staticX509Bundles({ 'example.org': buf })
    buf.fill(0)
    const bundle = await source.getX509Bundle('example.org')
    expect(bundle!.certificates[0]).toEqual(pki.root.der)
    const verifier = createX509SVIDVerifier({ bundles: source, clock })
    expect((await verifier([pki.leaf.der, pki.intermediate.der])).id.id).toBe('spiffe://example.org/workload')
  })

  it('staticX509Bundles with a SPIFFE bundle document is unaffected too', async () => {
    const source = staticX509Bundles({ 'example.org': { keys: [{ use: 'x509-svid', kty: 'EC', x5c: [Buffer.from(pki.root.der).toString('base64')] }] } })
    expect((await source.getX509Bundle('example.org'))!.certificates[0]).toEqual(pki.root.der)
  })

  it('parseX509SVID and a verified chain return copies', async () => {
    const input = Buffer.concat([Buffer.from(pki.leaf.der), Buffer.from(pki.intermediate.der)])
    const svid = await parseX509SVID(input)
    const verified = await createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock })(input)
    input.fill(0)
    expect(svid.certificates[0]).toEqual(pki.leaf.der)
    expect(svid.certificates[1]).toEqual(pki.intermediate.der)
    expect(verified.chain[0]).toEqual(pki.leaf.der)
    expect(verified.chain[1]).toEqual(pki.intermediate.der)
  })
})
