// Review round 6 regressions for agentauth/x509.
import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { parseX509SVID, staticX509Bundles, verifyX509SVID } from '../../../src/x509/index.js'
import { CA_KU, clock, issue, keyPair, leafUnder, NOW, x509, type NameConstraintsSpec } from '../../helpers/x509.js'

async function verifyUnder(nameConstraints: NameConstraintsSpec, dns: string[]): Promise<unknown> {
  const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints })
  const leaf = await leafUnder(root, { dns })
  return verifyX509SVID(leaf.der, { bundles: staticX509Bundles({ 'example.org': root.der }), clock }).then(
    (svid) => svid,
    (err: unknown) => err,
  )
}

/** What verifying `chain` under the one bundle certificate `rootDer` of `trustDomain` rejects with. */
function refusal(chain: Uint8Array | Uint8Array[], trustDomain: string, rootDer: Uint8Array): Promise<unknown> {
  return verifyX509SVID(chain, { bundles: staticX509Bundles({ [trustDomain]: rootDer }), clock }).then(() => undefined, (e: unknown) => e)
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

describe('X509LeafInfo.serialNumber is the hex of the INTEGER as encoded (types.ts)', () => {
  it.each([
    ['8f', '008f'],
    ['7f', '7f'],
    ['00ff01', '00ff01'],
  ])('serial %s reads as %s', async (serialNumber, expected) => {
    const keys = await keyPair()
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber,
        subject: 'CN=serial',
        issuer: 'CN=serial',
        notBefore: new Date(NOW - 60_000),
        notAfter: new Date(NOW + 60_000),
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as Algorithm,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'spiffe://example.org/serial' }]),
        ],
      },
      crypto,
    )
    // The generator writes the two's complement encoding (a 00 sign byte before 8f); the library's
    // serialNumber dropped leading zero bytes, so 8f and 008f (a negative and a positive serial) read alike.
    expect((await parseX509SVID(new Uint8Array(cert.rawData))).leaf.serialNumber).toBe(expected)
  })
})

describe('URI name constraints need a URI with an authority (RFC 5280 §4.2.1.10)', () => {
  it.each([
    'urn:x://good.example',
    'urn:good.example://good.example/',
    '1https://good.example/',
  ])('an intermediate URI %s has no host to check, so a URI-constrained path fails closed', async (uri) => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { permitted: [{ type: 'uri', value: 'good.example' }] } })
    const intermediate = await issue({ subject: 'CN=sub', issuer: root, ca: true, keyUsage: CA_KU, uris: [uri] })
    const leaf = await issue({ issuer: intermediate, uris: ['spiffe://good.example/workload'] })
    const err = await refusal([leaf.der, intermediate.der], 'good.example', root.der)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).reason).toBe(`the name constraints of bundle certificate 0 of good.example cannot be checked against URI name ${uri} (not a plain host name)`)
  })

  it('a URI with an authority is still checked by its host', async () => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { permitted: [{ type: 'uri', value: 'good.example' }] } })
    const intermediate = await issue({ subject: 'CN=sub', issuer: root, ca: true, keyUsage: CA_KU, uris: ['spiffe://good.example', 'https://x@good.example:8443/a'] })
    const leaf = await issue({ issuer: intermediate, uris: ['spiffe://good.example/workload'] })
    const svid = await verifyX509SVID([leaf.der, intermediate.der], { bundles: staticX509Bundles({ 'good.example': root.der }), clock })
    expect(svid.id.id).toBe('spiffe://good.example/workload')
  })
})

describe('URI name constraints refuse a URI whose host is an IPv4 address (RFC 5280 §4.2.1.10, docs/x509.md)', () => {
  it.each(['https://10.0.0.1/', 'https://x@127.0.0.1:8443/a', 'https://0x7f.1/', 'https://2130706433/'])('an intermediate URI %s fails closed', async (uri) => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { excluded: [{ type: 'uri', value: 'evil.example' }] } })
    const intermediate = await issue({ subject: 'CN=sub', issuer: root, ca: true, keyUsage: CA_KU, uris: [uri] })
    const leaf = await issue({ issuer: intermediate, uris: ['spiffe://example.org/workload'] })
    const err = await refusal([leaf.der, intermediate.der], 'example.org', root.der)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).reason).toBe(`the name constraints of bundle certificate 0 of example.org cannot be checked against URI name ${uri} (not a plain host name)`)
  })

  it('a SPIFFE ID whose trust domain is a dotted quad is refused under URI constraints too', async () => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { excluded: [{ type: 'uri', value: 'evil.example' }] } })
    const leaf = await issue({ issuer: root, uris: ['spiffe://10.0.0.1/workload'] })
    const err = await refusal(leaf.der, '10.0.0.1', root.der)
    expect((err as VerificationError).code).toBe('ERR_X509_CHAIN_INVALID')
  })

  it('host names with numeric labels that are not the last are still hosts', async () => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { excluded: [{ type: 'uri', value: 'evil.example' }] } })
    const leaf = await issue({ issuer: root, uris: ['spiffe://123.example.org/workload'] })
    const svid = await verifyX509SVID(leaf.der, { bundles: staticX509Bundles({ '123.example.org': root.der }), clock })
    expect(svid.trustDomain).toBe('123.example.org')
  })
})

describe('signing-certificate SPIFFE IDs are recognised whatever the case of the scheme (SPIFFE-ID §2.4, X509-SVID §3.2)', () => {
  it.each(['SPIFFE://example.org/ns/ca', 'Spiffe://example.org/x'])('an intermediate with %s is refused like one with spiffe://', async (uri) => {
    const root = await issue({ subject: 'CN=root', ca: true, keyUsage: CA_KU, uris: ['spiffe://example.org'] })
    const intermediate = await issue({ subject: 'CN=sub', issuer: root, ca: true, keyUsage: CA_KU, uris: [uri] })
    const leaf = await issue({ issuer: intermediate, uris: ['spiffe://example.org/workload'] })
    const err = await refusal([leaf.der, intermediate.der], 'example.org', root.der)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_X509_SVID_INVALID')
    expect((err as VerificationError).reason).toBe('certificate 1 URI SAN is not a valid SPIFFE ID')
  })
})
