// Review round 6 regressions for agentauth/x509.
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { staticX509Bundles, verifyX509SVID } from '../../../src/x509/index.js'
import { CA_KU, clock, issue, leafUnder, type NameConstraintsSpec } from '../../helpers/x509.js'

async function verifyUnder(nameConstraints: NameConstraintsSpec, dns: string[]): Promise<unknown> {
  const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints })
  const leaf = await leafUnder(root, { dns })
  return verifyX509SVID(leaf.der, { bundles: staticX509Bundles({ 'example.org': root.der }), clock }).then(
    (svid) => svid,
    (err: unknown) => err,
  )
}

describe('DNS name constraints and wildcard DNS SANs (CVE-2025-61727 pattern)', () => {
  it.each([
    ['evil.example.org', '*.example.org'],
    ['EVIL.example.org', '*.example.org'],
    ['evil.example.org', '*.EXAMPLE.org'],
  ])('an excluded %s also excludes the wildcard %s that covers it', async (excluded, wildcard) => {
    const err = await verifyUnder({ permitted: [{ type: 'dns', value: 'example.org' }], excluded: [{ type: 'dns', value: excluded }] }, [wildcard])
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_X509_CHAIN_INVALID')
    expect((err as VerificationError).reason).toBe(`the name constraints of bundle certificate 0 of example.org excludes DNS name ${wildcard}`)
  })

  it.each([
    // A wildcard stands for one label: it never reaches two labels down, and a one-label exclusion
    // (a TLD) excludes only names under it (Go's first fix rejected every wildcard there, go#76935).
    [{ excluded: [{ type: 'dns' as const, value: 'a.b.example.org' }] }, '*.example.org'],
    [{ excluded: [{ type: 'dns' as const, value: '.evil.example.org' }] }, '*.example.org'],
    [{ excluded: [{ type: 'dns' as const, value: 'com' }] }, '*.example.org'],
    [{ excluded: [{ type: 'dns' as const, value: 'evil.other.org' }] }, '*.example.org'],
    [{ permitted: [{ type: 'dns' as const, value: 'example.org' }] }, '*.example.org'],
  ])('%j leaves the wildcard %s alone', async (nameConstraints, wildcard) => {
    const svid = await verifyUnder(nameConstraints, [wildcard])
    expect(svid).not.toBeInstanceOf(Error)
  })

  it('a permitted single name does not permit a wildcard beside it (already refused)', async () => {
    const err = await verifyUnder({ permitted: [{ type: 'dns', value: 'accept.example.org' }] }, ['*.example.org'])
    expect((err as VerificationError).code).toBe('ERR_X509_CHAIN_INVALID')
  })
})
