import { beforeAll, describe, expect, it } from 'vitest'
import { ProtocolError, VerificationError } from '../../../src/errors/index.js'
import {
  createX509SVIDVerifier,
  staticX509Bundles,
  verifyX509SVID,
  type X509BundleSource,
  type X509SVIDVerifier,
} from '../../../src/x509/index.js'
import { children, contentOf, rawOf, readTLV } from '../../../src/x509/der.js'
import { CA_KU, cat, clock, createPKI, flipByte, issue, keyPair, leafUnder, rsaKeys, NOW, pemChain, tlv, type Issued, type TestPKI } from '../../helpers/x509.js'

const DAY = 86_400_000
const iso = (ms: number): string => new Date(ms).toISOString()

let pki: TestPKI
let other: TestPKI
let verifier: X509SVIDVerifier

beforeAll(async () => {
  pki = await createPKI('example.org')
  other = await createPKI('other.org')
  verifier = createX509SVIDVerifier({ bundles: staticX509Bundles({ 'example.org': pki.root.pem, 'other.org': other.root.der }), clock })
})

/** Rejection of `promise`, checked to be a 400 VerificationError with the message built from its reason. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; reason: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerificationError)
  const v = err as VerificationError
  expect(v.status).toBe(400)
  expect(v.message).toBe(`X.509-SVID rejected: ${v.reason}`)
  return { code: v.code, reason: v.reason }
}

function bundlesOf(record: Record<string, Issued[]>): X509BundleSource {
  return staticX509Bundles(Object.fromEntries(Object.entries(record).map(([td, certs]) => [td, certs.map((c) => c.der)])))
}

describe('verifyX509SVID accepts', () => {
  it('leaf → intermediate → bundle root, returning the path and its earliest expiry', async () => {
    const svid = await verifier([pki.leaf.der, pki.intermediate.der])
    expect(svid.id.id).toBe('spiffe://example.org/workload')
    expect(svid.chain).toEqual([pki.leaf.der, pki.intermediate.der, pki.root.der])
    expect(svid.expiresAt).toBe(pki.leaf.cert.notAfter.getTime())
    expect(Object.isFrozen(svid) && Object.isFrozen(svid.chain)).toBe(true)
  })

  it('a leaf issued by the root directly, as PEM', async () => {
    const svid = await verifier(pki.directLeaf.pem)
    expect(svid.chain).toHaveLength(2)
  })

  it('a PEM chain file that also carries the root, and concatenated DER', async () => {
    expect((await verifier(pemChain(pki.leaf, pki.intermediate, pki.root))).chain).toHaveLength(3)
    expect((await verifier(new Uint8Array([...pki.leaf.der, ...pki.intermediate.der]))).chain).toHaveLength(3)
  })

  it('chooses the trust domain of the leaf (other.org leaf against the other.org bundle)', async () => {
    expect((await verifier([other.leaf.der, other.intermediate.der])).trustDomain).toBe('other.org')
  })

  it('a bundle with several CA certificates (rotation) and an intermediate as the anchor', async () => {
    const bundles = bundlesOf({ 'example.org': [other.root, pki.intermediate] })
    const svid = await verifyX509SVID(pki.leaf.der, { bundles, clock })
    expect(svid.chain).toEqual([pki.leaf.der, pki.intermediate.der])
  })

  it('backtracks past an expired intermediate to a valid re-issue of the same CA key', async () => {
    const old = await issue({
      subject: pki.intermediate.name,
      issuer: pki.root,
      keys: pki.intermediate.keys,
      uris: ['spiffe://example.org'],
      ca: true,
      keyUsage: CA_KU,
      notBefore: new Date(NOW - 60 * DAY),
      notAfter: new Date(NOW - 30 * DAY),
    })
    const svid = await verifier([pki.leaf.der, old.der, pki.intermediate.der])
    expect(svid.chain[1]).toEqual(pki.intermediate.der)
  })

  it('Ed25519, P-384, RSA-PSS and RSA PKCS#1 chains', async () => {
    for (const keys of [
      await keyPair({ name: 'Ed25519' }),
      await keyPair({ name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams),
      await rsaKeys('RSA-PSS', 'SHA-256'),
      await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-384'),
    ]) {
      const root = await issue({ subject: `CN=${keys.privateKey.algorithm.name} root`, ca: true, keyUsage: CA_KU, keys })
      const leaf = await leafUnder(root, { keys: keys.privateKey.algorithm.name === 'Ed25519' ? keys : undefined })
      const svid = await verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock })
      expect(svid.chain).toHaveLength(2)
    }
  })

  it('a WIMSE Workload Identity Certificate with profile wimse', async () => {
    const wic = await leafUnder(pki.intermediate, { uris: ['wimse://example.org/service/payment'] })
    const svid = await verifyX509SVID([wic.der, pki.intermediate.der], { bundles: bundlesOf({ 'example.org': [pki.root] }), clock, profile: 'wimse' })
    expect(svid.id.id).toBe('wimse://example.org/service/payment')
  })

  it('URI and DNS name constraints that the path satisfies', async () => {
    const root = await issue({
      subject: 'CN=constrained root',
      ca: true,
      keyUsage: CA_KU,
      uris: ['spiffe://example.org'],
      nameConstraints: { permitted: [{ type: 'uri', value: 'example.org' }, { type: 'dns', value: 'example.org' }], excluded: [{ type: 'dns', value: 'admin.example.org' }] },
    })
    const leaf = await leafUnder(root, { dns: ['api.example.org'] })
    expect((await verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock })).chain).toHaveLength(2)
  })

  it('clockTolerance stretches every validity window', async () => {
    const leaf = await leafUnder(pki.intermediate, { notBefore: new Date(NOW - DAY), notAfter: new Date(NOW - 10_000) })
    const bundles = bundlesOf({ 'example.org': [pki.root] })
    await expect(verifyX509SVID([leaf.der, pki.intermediate.der], { bundles, clock })).rejects.toMatchObject({ code: 'ERR_X509_EXPIRED' })
    expect((await verifyX509SVID([leaf.der, pki.intermediate.der], { bundles, clock, clockTolerance: 30 })).id.id).toBe('spiffe://example.org/workload')
  })

  it('imports bundle and intermediate keys once (per bundle object / per verifier and crypto provider)', async () => {
    let imports = 0
    const subtle = crypto.subtle
    const counting = {
      getRandomValues: crypto.getRandomValues.bind(crypto),
      randomUUID: crypto.randomUUID.bind(crypto),
      subtle: new Proxy(subtle, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown
          if (prop === 'importKey') return (...args: Parameters<SubtleCrypto['importKey']>) => (imports++, subtle.importKey(...args))
          return typeof value === 'function' ? value.bind(target) : value
        },
      }),
    } as Crypto
    const v = createX509SVIDVerifier({ bundles: bundlesOf({ 'example.org': [pki.root] }), clock, crypto: counting })
    await v([pki.leaf.der, pki.intermediate.der])
    // The leaf key (for its JWK), the intermediate key (leaf signature), the root key (intermediate signature).
    expect(imports).toBe(3)
    const second = await leafUnder(pki.intermediate, { uris: ['spiffe://example.org/second'] })
    await v([second.der, pki.intermediate.der])
    // A new leaf under the same intermediate: only the new leaf key.
    expect(imports).toBe(4)
  })
})

describe('verified-chain cache', () => {
  it('returns the same result for the same chain while it is valid and the bundle unchanged', async () => {
    let now = NOW
    let bundle = { trustDomain: 'example.org', certificates: [pki.root.der] }
    let lookups = 0
    const v = createX509SVIDVerifier({ bundles: { getX509Bundle: async () => (lookups++, bundle) }, clock: () => now })
    const first = await v([pki.leaf.der, pki.intermediate.der])
    expect(await v(pemChain(pki.leaf, pki.intermediate))).toBe(first)
    expect(lookups).toBe(2) // the bundle is still consulted on a hit
    bundle = { trustDomain: 'example.org', certificates: [pki.root.der] } // rotated (new object)
    const third = await v([pki.leaf.der, pki.intermediate.der])
    expect(third).not.toBe(first)
    expect(third).toEqual(first)
    bundle = { trustDomain: 'example.org', certificates: [other.root.der] } // the root was removed
    await expect(v([pki.leaf.der, pki.intermediate.der])).rejects.toMatchObject({ code: 'ERR_X509_UNTRUSTED' })
    bundle = { trustDomain: 'example.org', certificates: [pki.root.der] }
    await v([pki.leaf.der, pki.intermediate.der])
    now = pki.leaf.cert.notAfter.getTime() + 1 // the leaf expired since
    await expect(v([pki.leaf.der, pki.intermediate.der])).rejects.toMatchObject({ code: 'ERR_X509_EXPIRED' })
  })
})

describe('verifyX509SVID rejects with a typed code and one reason', () => {
  it('an expired leaf (ERR_X509_EXPIRED)', async () => {
    const leaf = await leafUnder(pki.intermediate, { notBefore: new Date(NOW - 2 * DAY), notAfter: new Date(NOW - DAY) })
    expect(await failure(verifier([leaf.der, pki.intermediate.der]))).toEqual({ code: 'ERR_X509_EXPIRED', reason: `leaf expired at ${iso(NOW - DAY)}` })
  })

  it('a leaf that is not valid yet (ERR_X509_NOT_YET_VALID)', async () => {
    const leaf = await leafUnder(pki.intermediate, { notBefore: new Date(NOW + DAY), notAfter: new Date(NOW + 2 * DAY) })
    expect(await failure(verifier([leaf.der, pki.intermediate.der]))).toEqual({ code: 'ERR_X509_NOT_YET_VALID', reason: `leaf is not valid before ${iso(NOW + DAY)}` })
  })

  it('an expired intermediate', async () => {
    const ca = await issue({ issuer: pki.root, subject: 'CN=expired intermediate', ca: true, keyUsage: CA_KU, notBefore: new Date(NOW - 9 * DAY), notAfter: new Date(NOW - 2 * DAY) })
    const leaf = await leafUnder(ca)
    expect(await failure(verifier([leaf.der, ca.der]))).toEqual({ code: 'ERR_X509_EXPIRED', reason: `certificate 1 expired at ${iso(NOW - 2 * DAY)}` })
  })

  it('an expired bundle root', async () => {
    const root = await issue({ subject: 'CN=old root', ca: true, keyUsage: CA_KU, notBefore: new Date(NOW - 9 * DAY), notAfter: new Date(NOW - DAY) })
    const leaf = await leafUnder(root, { notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY) })
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_EXPIRED',
      reason: `bundle certificate 0 of example.org expired at ${iso(NOW - DAY)}`,
    })
  })

  it('a chain that leads to the root of another trust domain (ERR_X509_UNTRUSTED)', async () => {
    const leaf = await leafUnder(other.intermediate, { uris: ['spiffe://example.org/impostor'] })
    expect(await failure(verifier([leaf.der, other.intermediate.der, other.root.der]))).toEqual({
      code: 'ERR_X509_UNTRUSTED',
      reason: 'no certificate in the X.509 bundle of example.org issued this chain',
    })
  })

  it('a trust domain without a bundle', async () => {
    const leaf = await leafUnder(pki.intermediate, { uris: ['spiffe://unknown.example/workload'] })
    expect(await failure(verifier([leaf.der, pki.intermediate.der]))).toEqual({ code: 'ERR_X509_UNTRUSTED', reason: 'no X.509 bundle for trust domain unknown.example' })
  })

  it('a missing intermediate', async () => {
    expect(await failure(verifier(pki.leaf.der))).toEqual({ code: 'ERR_X509_UNTRUSTED', reason: 'no certificate in the X.509 bundle of example.org issued this chain' })
  })

  it('a broken leaf signature (ERR_X509_SIGNATURE)', async () => {
    expect(await failure(verifier([flipByte(pki.leaf.der, -1), pki.intermediate.der]))).toEqual({
      code: 'ERR_X509_SIGNATURE',
      reason: 'the signature of leaf does not verify with the key of certificate 1',
    })
  })

  it('a leaf forged with another key under the intermediate name and key identifier', async () => {
    const forger = await issue({ subject: 'CN=forger', ca: true, keyUsage: CA_KU })
    const forged = await leafUnder(pki.intermediate, { signingKey: forger.keys.privateKey })
    expect(await failure(verifier([forged.der, pki.intermediate.der]))).toEqual({
      code: 'ERR_X509_SIGNATURE',
      reason: 'the signature of leaf does not verify with the key of certificate 1',
    })
  })

  it('a path-length violation (root pathLen 0 above an intermediate)', async () => {
    const root = await issue({ subject: 'CN=pathlen root', ca: true, pathLen: 0, keyUsage: CA_KU })
    const ca = await issue({ issuer: root, subject: 'CN=pathlen intermediate', ca: true, keyUsage: CA_KU })
    const leaf = await leafUnder(ca)
    expect(await failure(verifyX509SVID([leaf.der, ca.der], { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: 'bundle certificate 0 of example.org allows 0 intermediate certificate(s) below it, the path has 1',
    })
  })

  it('a path-length violation by an intermediate', async () => {
    const ca1 = await issue({ issuer: pki.root, subject: 'CN=ca1', ca: true, pathLen: 0, keyUsage: CA_KU })
    const ca2 = await issue({ issuer: ca1, subject: 'CN=ca2', ca: true, keyUsage: CA_KU })
    const leaf = await leafUnder(ca2)
    expect(await failure(verifier([leaf.der, ca2.der, ca1.der]))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: 'certificate 2 allows 0 intermediate certificate(s) below it, the path has 1',
    })
  })

  it('a bundle root whose SPIFFE ID has a path', async () => {
    const root = await issue({ subject: 'CN=path root', ca: true, keyUsage: CA_KU, uris: ['spiffe://example.org/ca'] })
    const leaf = await leafUnder(root)
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: 'bundle certificate 0 of example.org SPIFFE ID has a path (a signing certificate names a trust domain)',
    })
  })

  it('a bundle certificate that is not a CA', async () => {
    const notCA = await issue({ subject: 'CN=not a ca', ca: false, keyUsage: CA_KU })
    const leaf = await leafUnder(notCA)
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [notCA] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: 'bundle certificate 0 of example.org is not a CA certificate (basicConstraints cA is not true)',
    })
  })

  it.each([
    [{ permitted: [{ type: 'uri' as const, value: 'prod.example.org' }] }, 'does not permit URI name spiffe://example.org/workload'],
    [{ permitted: [{ type: 'uri' as const, value: '.example.org' }] }, 'does not permit URI name spiffe://example.org/workload'],
    [{ excluded: [{ type: 'uri' as const, value: 'example.org' }] }, 'excludes URI name spiffe://example.org/workload'],
    [{ excluded: [{ type: 'dns' as const, value: 'example.org' }] }, 'excludes DNS name api.example.org'],
    [{ permitted: [{ type: 'dns' as const, value: 'other.org' }] }, 'does not permit DNS name api.example.org'],
    [{ permitted: [{ type: 'email' as const, value: 'example.org' }] }, 'uses a name constraint type other than URI or DNS (not supported, rejected)'],
  ])('name constraints %j', async (nameConstraints, expected) => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints })
    const leaf = await leafUnder(root, { dns: ['api.example.org'] })
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: `the name constraints of bundle certificate 0 of example.org ${expected}`,
    })
  })

  it.each([
    ['a DNS name with a trailing dot', { excluded: [{ type: 'dns' as const, value: 'evil.example' }] }, { dns: ['evil.example.'] }, 'DNS name evil.example.'],
    ['a DNS name with a trailing space', { excluded: [{ type: 'dns' as const, value: 'evil.example' }] }, { dns: ['evil.example '] }, 'DNS name evil.example '],
    ['a DNS name with an empty label', { excluded: [{ type: 'dns' as const, value: 'evil.example' }] }, { dns: ['a..evil.example'] }, 'DNS name a..evil.example'],
  ])('name constraints are not sidestepped by %s', async (_name, nameConstraints, names, what) => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints })
    const leaf = await leafUnder(root, names)
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: `the name constraints of bundle certificate 0 of example.org cannot be checked against ${what} (not a plain host name)`,
    })
  })

  it.each([
    ['a port', 'https://evil.example:8443/', 'excludes URI name https://evil.example:8443/'],
    ['userinfo', 'https://x@evil.example/', 'excludes URI name https://x@evil.example/'],
    ['an upper-case host', 'https://EVIL.example/', 'excludes URI name https://EVIL.example/'],
    ['a host with a trailing dot', 'https://evil.example./', 'cannot be checked against URI name https://evil.example./ (not a plain host name)'],
    ['a percent-encoded host', 'https://%65vil.example/', 'cannot be checked against URI name https://%65vil.example/ (not a plain host name)'],
    ['an IP literal', 'https://[::1]/', 'cannot be checked against URI name https://[::1]/ (not a plain host name)'],
  ])('URI name constraints see the host of an intermediate URI with %s', async (_name, uri, expected) => {
    const root = await issue({ subject: 'CN=constrained', ca: true, keyUsage: CA_KU, nameConstraints: { excluded: [{ type: 'uri', value: 'evil.example' }] } })
    const intermediate = await issue({ subject: 'CN=sub', issuer: root, ca: true, keyUsage: CA_KU, uris: [uri] })
    const leaf = await leafUnder(intermediate)
    expect(await failure(verifyX509SVID([leaf.der, intermediate.der], { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: `the name constraints of bundle certificate 0 of example.org ${expected}`,
    })
  })

  it('a chain longer than maxChainLength', async () => {
    expect(await failure(verifyX509SVID([pki.leaf.der, pki.intermediate.der], { bundles: bundlesOf({ 'example.org': [pki.root] }), clock, maxChainLength: 2 }))).toEqual({
      code: 'ERR_X509_CHAIN_INVALID',
      reason: 'no path of at most 2 certificates',
    })
  })

  it('a SHA-1 signature (ERR_ALG_NOT_ALLOWED)', async () => {
    const root = await issue({ subject: 'CN=sha1 root', ca: true, keyUsage: CA_KU, keys: await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-1') })
    const leaf = await leafUnder(root)
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_ALG_NOT_ALLOWED',
      reason: 'leaf is signed with an algorithm that is not allowed',
    })
  })

  it('an RSA signature of the wrong length (a second encoding of the same value)', async () => {
    const root = await issue({ subject: 'CN=rsa root', ca: true, keyUsage: CA_KU, keys: await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256') })
    const leaf = await leafUnder(root)
    const [tbs, alg, sig] = children(leaf.der, readTLV(leaf.der, 0))
    const padded = cat([new Uint8Array([0, 0]), contentOf(leaf.der, sig!).subarray(1)]) // unused-bits byte, then 0x00 ‖ signature
    const der = tlv(0x30, cat([rawOf(leaf.der, tbs!), rawOf(leaf.der, alg!), tlv(0x03, padded)]))
    const bundles = bundlesOf({ 'example.org': [root] })
    expect(await failure(verifyX509SVID(der, { bundles, clock }))).toEqual({
      code: 'ERR_X509_SIGNATURE',
      reason: 'the signature of leaf does not verify with the key of bundle certificate 0 of example.org',
    })
    expect((await verifyX509SVID(leaf.der, { bundles, clock })).chain).toHaveLength(2)
  })

  it('an RSA CA key shorter than 2048 bits', async () => {
    const root = await issue({ subject: 'CN=weak root', ca: true, keyUsage: CA_KU, keys: await rsaKeys('RSASSA-PKCS1-v1_5', 'SHA-256', 1024) })
    const leaf = await leafUnder(root)
    expect(await failure(verifyX509SVID(leaf.der, { bundles: bundlesOf({ 'example.org': [root] }), clock }))).toEqual({
      code: 'ERR_ALG_NOT_ALLOWED',
      reason: 'bundle certificate 0 of example.org has an RSA key shorter than 2048 bits',
    })
  })

  it('leaf rule violations before any chain work (ERR_X509_SVID_INVALID)', async () => {
    const caLeaf = await leafUnder(pki.intermediate, { ca: true })
    expect(await failure(verifier([caLeaf.der, pki.intermediate.der]))).toEqual({ code: 'ERR_X509_SVID_INVALID', reason: 'leaf is a CA certificate (basicConstraints cA is true)' })
  })

  it('spends at most 32 signature checks on candidate issuers', async () => {
    // 31 re-issues of the intermediate (same name and key) with forged signatures: every one is a
    // candidate for the leaf, none chains to the root.
    const forger = await keyPair()
    const clones: Uint8Array[] = []
    for (let i = 0; i < 31; i++) {
      const c = await issue({ subject: pki.intermediate.name, issuer: pki.root, keys: pki.intermediate.keys, ca: true, keyUsage: CA_KU, signingKey: forger.privateKey })
      clones.push(c.der)
    }
    let verifies = 0
    const counting = {
      getRandomValues: crypto.getRandomValues.bind(crypto),
      randomUUID: crypto.randomUUID.bind(crypto),
      subtle: new Proxy(crypto.subtle, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown
          if (prop === 'verify') return (...args: Parameters<SubtleCrypto['verify']>) => (verifies++, crypto.subtle.verify(...args))
          return typeof value === 'function' ? value.bind(target) : value
        },
      }),
    } as Crypto
    const err = await failure(verifyX509SVID([pki.leaf.der, ...clones], { bundles: bundlesOf({ 'example.org': [pki.root] }), clock, crypto: counting, maxChainLength: 32 }))
    expect(err).toEqual({ code: 'ERR_X509_SIGNATURE', reason: 'the signature of certificate 1 does not verify with the key of bundle certificate 0 of example.org' })
    expect(verifies).toBe(32)
  })
})

describe('bundle problems and options', () => {
  it('a bundle certificate that cannot be decoded → ProtocolError ERR_BUNDLE_FETCH', async () => {
    const bundles: X509BundleSource = { getX509Bundle: async (td) => ({ trustDomain: td, certificates: [new Uint8Array([0x30, 0x03, 2, 1, 0])] }) }
    const err = await verifyX509SVID(pki.directLeaf.der, { bundles, clock }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: expect.stringContaining('X.509 bundle of example.org: certificate 0 is not a valid DER certificate') })
  })

  it('a source answering with another trust domain, or failing', async () => {
    const wrong: X509BundleSource = { getX509Bundle: async () => ({ trustDomain: 'other.org', certificates: [pki.root.der] }) }
    await expect(verifyX509SVID(pki.directLeaf.der, { bundles: wrong, clock })).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: 'X.509 bundle of example.org: was returned for trust domain other.org' })
    const failing: X509BundleSource = { getX509Bundle: async () => Promise.reject(new Error('boom')) }
    const err = (await verifyX509SVID(pki.directLeaf.der, { bundles: failing, clock }).catch((e: unknown) => e)) as ProtocolError
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err.cause).toEqual(new Error('boom'))
  })

  it('checks the trust domain of a bundle object on every call, also after it was parsed once', async () => {
    // A source that answers every trust domain with the bundle of example.org: its first (correct)
    // use must not let the next leaf, of evil.org, chain to example.org's CA.
    const bundle = Object.freeze({ trustDomain: 'example.org', certificates: Object.freeze([pki.root.der]) })
    const naive: X509BundleSource = { getX509Bundle: async () => bundle }
    const v = createX509SVIDVerifier({ bundles: naive, clock })
    expect((await v(pki.directLeaf.der)).trustDomain).toBe('example.org')
    const crossDomain = await leafUnder(pki.root, { uris: ['spiffe://evil.org/admin'] })
    await expect(v(crossDomain.der)).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH', message: 'X.509 bundle of evil.org: was returned for trust domain example.org' })
    await expect(verifyX509SVID(crossDomain.der, { bundles: naive, clock })).rejects.toMatchObject({ code: 'ERR_BUNDLE_FETCH' })
  })

  it('passes the abort signal to the source', async () => {
    let seen: AbortSignal | undefined
    const v = createX509SVIDVerifier({ bundles: { getX509Bundle: async (_td, o) => ((seen = o?.signal), undefined) }, clock })
    const signal = AbortSignal.timeout(1000)
    await expect(v(pki.directLeaf.der, { signal })).rejects.toMatchObject({ code: 'ERR_X509_UNTRUSTED' })
    expect(seen).toBe(signal)
  })

  it.each([
    [{}, 'ERR_INVALID_ARG_TYPE'],
    [{ bundles: {} }, 'ERR_INVALID_ARG_TYPE'],
    [{ bundles: staticX509Bundles({}), clock: 5 }, 'ERR_INVALID_ARG_TYPE'],
    [{ bundles: staticX509Bundles({}), clockTolerance: Number.POSITIVE_INFINITY }, 'ERR_INVALID_ARG_VALUE'],
    [{ bundles: staticX509Bundles({}), clockTolerance: -1 }, 'ERR_INVALID_ARG_VALUE'],
    [{ bundles: staticX509Bundles({}), clockTolerance: 301 }, 'ERR_INVALID_ARG_VALUE'],
    [{ bundles: staticX509Bundles({}), profile: 'SPIFFE' }, 'ERR_INVALID_ARG_VALUE'],
  ])('options %j → %s at construction', (options, code) => {
    expect(() => createX509SVIDVerifier(options as never)).toThrow(expect.objectContaining({ name: 'TypeError', code }))
  })

  it('verifyX509SVID rejects (not throws) for bad options, and a clock returning NaN is a TypeError', async () => {
    await expect(verifyX509SVID(pki.leaf.der, {} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    const v = createX509SVIDVerifier({ bundles: staticX509Bundles({}), clock: () => Number.NaN })
    await expect(v(pki.directLeaf.der)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})
