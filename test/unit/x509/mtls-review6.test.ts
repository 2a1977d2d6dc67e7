// Review round 6: createPeerAuthorizer and trust-bundle rotation. The authoriser reused a result
// verified on a connection without asking the bundle source again, so a keep-alive connection of
// a workload whose CA was removed from the bundle (e.g. after a compromise) stayed authorised
// until the earliest notAfter on its path.
import type { TLSSocket } from 'node:tls'
import { beforeAll, describe, expect, it } from 'vitest'
import { createPeerAuthorizer } from '../../../src/adapters/node/mtls.js'
import { matchAny } from '../../../src/identifier/index.js'
import { createX509SVIDVerifier, staticX509Bundles, type X509Bundle, type X509BundleSource } from '../../../src/x509/index.js'
import { clock, createPKI, type Issued, type TestPKI } from '../../helpers/x509.js'

/** A stand-in for a connected TLSSocket whose peer presented `chain` (leaf first). */
function fakeSocket(chain: Issued[]): TLSSocket {
  const certs = chain.map((c) => ({ raw: Buffer.from(c.der), issuerCertificate: undefined as unknown }))
  certs.forEach((c, i) => (c.issuerCertificate = certs[i + 1]))
  return { getPeerCertificate: (detailed?: boolean) => (detailed ? certs[0] : { ...certs[0], issuerCertificate: undefined }), isSessionReused: () => false } as unknown as TLSSocket
}

let pki: TestPKI
let other: TestPKI

beforeAll(async () => {
  pki = await createPKI('example.org')
  other = await createPKI('example.org')
})

describe('createPeerAuthorizer across trust-bundle rotation', () => {
  /** A bundle source answering the original bundle until `set` replaces it (`undefined`: no bundle at all). */
  function rotatingSource(): { source: X509BundleSource; set: (bundle: X509Bundle | undefined) => void; calls: () => number } {
    let current: Promise<X509Bundle | undefined> = staticX509Bundles({ 'example.org': pki.root.der }).getX509Bundle('example.org')
    let calls = 0
    return {
      source: {
        getX509Bundle() {
          calls++
          return current
        },
      },
      set: (bundle) => (current = Promise.resolve(bundle)),
      calls: () => calls,
    }
  }

  it('refuses a connection verified before its CA was removed from the bundle', async () => {
    const { source, set } = rotatingSource()
    const authorize = createPeerAuthorizer(createX509SVIDVerifier({ bundles: source, clock }), matchAny(), { clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    expect((await authorize(socket)).id.id).toBe('spiffe://example.org/workload')
    // The trust domain rotates to another root: the old one is no longer trusted.
    set({ trustDomain: 'example.org', certificates: [other.root.der] })
    await expect(authorize(socket)).rejects.toMatchObject({ code: 'ERR_X509_UNTRUSTED' })
  })

  it('refuses it once the trust domain is gone from the source', async () => {
    const { source, set } = rotatingSource()
    const authorize = createPeerAuthorizer(createX509SVIDVerifier({ bundles: source, clock }), matchAny(), { clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    await authorize(socket)
    set(undefined)
    await expect(authorize(socket)).rejects.toMatchObject({ code: 'ERR_X509_UNTRUSTED' })
  })

  it('still answers later calls on the connection from the verifier cache (bundle asked, no signature checked)', async () => {
    const { source, calls } = rotatingSource()
    let verifies = 0
    const counting = new Proxy(crypto.subtle, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown
        if (property === 'verify') return (...args: Parameters<SubtleCrypto['verify']>) => (verifies++, target.verify(...args))
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
    const verifier = createX509SVIDVerifier({ bundles: source, clock, crypto: { subtle: counting, getRandomValues: crypto.getRandomValues.bind(crypto) } as Crypto })
    const authorize = createPeerAuthorizer(verifier, matchAny(), { clock })
    const socket = fakeSocket([pki.leaf, pki.intermediate])
    const first = await authorize(socket)
    const afterFirst = verifies
    for (let i = 0; i < 5; i++) expect(await authorize(socket)).toBe(first)
    expect(verifies).toBe(afterFirst)
    expect(calls()).toBeGreaterThanOrEqual(6)
  })
})
