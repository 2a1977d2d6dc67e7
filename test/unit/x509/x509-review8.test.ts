// Review round 8 regressions for agentauth/x509.
import type { TLSSocket } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { createPeerAuthorizer } from '../../../src/adapters/node/mtls.js'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import { createX509SVIDVerifier, parseX509SVID, staticX509Bundles, verifyX509SVID } from '../../../src/x509/index.js'
import type { X509Bundle } from '../../../src/x509/index.js'
import { CA_KU, clock, createPKI, issue, KU, leafUnder, rsaKeys } from '../../helpers/x509.js'

describe('a bundle source that ignores the call signal', () => {
  const never = { getX509Bundle: (): Promise<X509Bundle | undefined> => new Promise(() => undefined) }

  it('a timeout signal ends the wait with ERR_REMOTE_TIMEOUT (the verification hung)', async () => {
    const pki = await createPKI()
    const verifier = createX509SVIDVerifier({ bundles: never, clock })
    const err = await verifier([pki.leaf.der, pki.intermediate.der], { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).code).toBe('ERR_REMOTE_TIMEOUT')
  })

  it('another abort ends the wait with ERR_BUNDLE_FETCH, also when already aborted', async () => {
    const pki = await createPKI()
    const verifier = createX509SVIDVerifier({ bundles: never, clock })
    const controller = new AbortController()
    const pending = verifier([pki.leaf.der, pki.intermediate.der], { signal: controller.signal }).catch((e: unknown) => e)
    setTimeout(() => controller.abort(), 10)
    const err = await pending
    expect((err as ProtocolError).code).toBe('ERR_BUNDLE_FETCH')
    const again = await verifier([pki.leaf.der, pki.intermediate.der], { signal: controller.signal }).catch((e: unknown) => e)
    expect((again as ProtocolError).code).toBe('ERR_BUNDLE_FETCH')
  })

  it('a source answering in time still verifies under a signal', async () => {
    const pki = await createPKI()
    const bundle: X509Bundle = Object.freeze({ trustDomain: 'example.org', certificates: Object.freeze([pki.root.der]) })
    const verifier = createX509SVIDVerifier({ bundles: { getX509Bundle: async () => bundle }, clock })
    const svid = await verifier([pki.leaf.der, pki.intermediate.der], { signal: AbortSignal.timeout(5000) })
    expect(svid.id.id).toBe('spiffe://example.org/workload')
  })
})

describe('a signing certificate naming its trust domain with the root path (SPIFFE Trust Domain and Bundle Appendix A)', () => {
  async function verifyUnderRoot(rootURI: string, intermediateURI?: string): Promise<unknown> {
    // Certificate #1 of Appendix A: RSA, O=example.com, keyUsage keyCertSign only, cA true, URI spiffe://example.com/.
    const root = await issue({ subject: 'O=example.com', uris: [rootURI], ca: true, keyUsage: KU.keyCertSign, keys: await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256') })
    const chain: Uint8Array[] = []
    let issuer = root
    if (intermediateURI !== undefined) {
      issuer = await issue({ subject: 'CN=intermediate', issuer: root, uris: [intermediateURI], ca: true, keyUsage: CA_KU })
    }
    const leaf = await leafUnder(issuer, { uris: ['spiffe://example.com/workload'] })
    chain.push(leaf.der)
    if (issuer !== root) chain.push(issuer.der)
    return verifyX509SVID(chain, { bundles: staticX509Bundles({ 'example.com': root.der }), clock }).then((svid) => svid.id.id, (e: unknown) => e)
  }

  it('the Appendix A root anchors a path (it was refused: "URI SAN is not a valid SPIFFE ID")', async () => {
    expect(await verifyUnderRoot('spiffe://example.com/')).toBe('spiffe://example.com/workload')
  })

  it('so does a presented intermediate with spiffe://example.com/', async () => {
    expect(await verifyUnderRoot('spiffe://example.com', 'spiffe://example.com/')).toBe('spiffe://example.com/workload')
  })

  it.each(['spiffe://example.com//', 'spiffe://example.com/ca', 'spiffe://example.com/ca/', 'spiffe://Example.com/', 'spiffe:///'])('%s stays refused', async (uri) => {
    const err = await verifyUnderRoot(uri)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_X509_CHAIN_INVALID')
  })
})

describe('a leaf identifier with the root path only (X509-SVID §3.1: a non-root path)', () => {
  it.each([
    ['wimse://example.org/', 'wimse'],
    ['foo://example.org/', 'any'],
  ] as const)('%s is refused under profile %s (it was accepted as a workload)', async (uri, profile) => {
    const leaf = await issue({ uris: [uri] })
    const err = await parseX509SVID(leaf.der, { profile }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).reason).toBe('leaf workload identifier has no path (it names a trust domain, not a workload)')
  })

  it('a one-segment WIMSE path is still a workload', async () => {
    const leaf = await issue({ uris: ['wimse://example.org/a'] })
    expect((await parseX509SVID(leaf.der, { profile: 'wimse' })).id.path).toBe('/a')
  })
})

describe('createPeerAuthorizer with a matcher that throws', () => {
  it('denies with ERR_POLICY_DENIED carrying the cause (an uncoded error escaped)', async () => {
    const pki = await createPKI()
    const certs = [pki.leaf, pki.intermediate].map((c) => ({ raw: Buffer.from(c.der), issuerCertificate: undefined as unknown }))
    certs[0]!.issuerCertificate = certs[1]
    const socket = { getPeerCertificate: (detailed?: boolean) => (detailed ? certs[0] : { ...certs[0], issuerCertificate: undefined }), isSessionReused: () => false } as unknown as TLSSocket
    const bug = new TypeError('matcher bug')
    const authorize = createPeerAuthorizer(createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.der }), clock }), () => {
      throw bug
    })
    const err = await authorize(socket).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VerificationError)
    expect((err as VerificationError).code).toBe('ERR_POLICY_DENIED')
    expect((err as VerificationError).cause).toBe(bug)
  })
})
